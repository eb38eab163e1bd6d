//! Console pages and server functions: context for the Leptos app, and the page-level sign-in
//! gate (server functions check the session again themselves).

use axum::{
    body::Body,
    extract::State,
    http::Request,
    response::{IntoResponse, Redirect, Response},
};
use leptos::prelude::provide_context;
use tower_sessions::Session;

use super::{client_addr::client_addr, AppState};
use app::{
    ssr::{ClientAddr, ConsoleSettings},
    AppError,
};
use axum::http::StatusCode;

/// Runs a console server function with the store and the caller's address in context.
///
/// Calls that a browser marks as coming from another site are refused: the session cookie is
/// SameSite=Lax already, and this also stops a foreign page from signing a visitor in to an
/// account of its choosing (login CSRF).
pub(crate) async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> Response {
    let cross_site = req.headers().get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site");
    if cross_site {
        let err = AppError::Forbidden;
        return (err.status(), axum::Json(err)).into_response();
    }
    let addr = ClientAddr(client_addr(&req, state.trust_forwarded_for));
    let store = state.store.clone();
    let settings = console_settings(&state);
    let response = leptos_axum::handle_server_fns_with_context(
        move || {
            provide_context(store.clone());
            provide_context(addr);
            provide_context(settings.clone());
        },
        req,
    )
    .await
    .into_response();
    error_status(response).await
}

/// What console actions need from the server's settings.
fn console_settings(state: &AppState) -> ConsoleSettings {
    ConsoleSettings {
        secret_key: state.api.secret_key.clone(),
        public_url: state.api.public_url.as_ref().map(|u| u.as_str().to_string()),
        mailer: state.mailer.clone(),
    }
}

/// server_fn answers every error with 500, including its own argument errors. The error value
/// knows its proper status (400 for a malformed request, 401, 429, ...), so apply that.
async fn error_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "error body too large").into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = err.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Renders a console page. Without a valid session every page but `/sign-in` redirects to
/// `/sign-in?next=...`; with one, `/sign-in` redirects to the dashboard.
pub(crate) async fn page(State(state): State<AppState>, session: Session, req: Request<Body>) -> Response {
    let account = match app::ssr::account_for(&session, &state.store).await {
        Ok(account) => account,
        Err(_) => return app::AppError::Internal.status().into_response(),
    };
    let signed_in = account.is_some();
    let path = req.uri().path();
    let on_sign_in = path == "/sign-in";
    // The invitation page is for people without a password yet.
    let public = path == "/welcome";
    if !signed_in && !on_sign_in && !public {
        let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let next: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
        return Redirect::to(&format!("/sign-in?next={next}")).into_response();
    }
    if signed_in && on_sign_in {
        return Redirect::to("/").into_response();
    }
    // Teachers have their own part of the console; the staff pages are not for them (and their
    // server functions refuse teachers anyway).
    let teachers_part = path == "/my-classes" || path.starts_with("/my-classes/") || path == "/my-apps";
    match account.as_ref().map(|a| a.role.is_staff()) {
        Some(false) if !teachers_part && !public => return Redirect::to("/my-classes").into_response(),
        Some(true) if teachers_part => return Redirect::to("/").into_response(),
        _ => {}
    }

    let addr = ClientAddr(client_addr(&req, state.trust_forwarded_for));
    let store = state.store.clone();
    let options = state.leptos_options.clone();
    let settings = console_settings(&state);
    let handler = leptos_axum::render_route_with_context(
        state.routes.clone(),
        move || {
            provide_context(store.clone());
            provide_context(addr);
            provide_context(settings.clone());
        },
        move || app::shell(options.clone()),
    );
    handler(State(state), req).await.into_response()
}

/// Filters of the audit CSV download (the audit page's filters).
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct AuditCsvQuery {
    action: Option<String>,
    actor: Option<String>,
    text: Option<String>,
}

/// `GET /audit.csv`: the audit log (filtered like the page) as CSV, oldest entries last.
/// Any signed-in account may download it, auditors included.
pub(crate) async fn audit_csv(
    State(state): State<AppState>,
    session: Session,
    axum::extract::Query(q): axum::extract::Query<AuditCsvQuery>,
) -> Response {
    match app::ssr::account_for(&session, &state.store).await {
        Ok(Some(a)) if a.role.is_staff() => {}
        Ok(Some(_)) => return StatusCode::FORBIDDEN.into_response(),
        Ok(None) => return Redirect::to("/sign-in?next=%2Faudit").into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    let mut filter = store::AuditFilter { action: q.action, actor: q.actor, text: q.text, before: None };
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = out.write_record(["id", "at", "actor", "action", "target", "detail"]);
    if header.is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    loop {
        let page = match state.store.audit_entries(&filter, 1000).await {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "audit export failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        for e in &page {
            let id = e.id.to_string();
            if out.write_record([id.as_str(), &e.at, &e.actor, &e.action, &e.target, &e.detail]).is_err() {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
        match page.last() {
            Some(last) if page.len() == 1000 => filter.before = Some(last.id),
            _ => break,
        }
    }
    let Ok(body) = out.into_inner() else { return StatusCode::INTERNAL_SERVER_ERROR.into_response() };
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"rollbook-audit.csv\""),
        ],
        body,
    )
        .into_response()
}

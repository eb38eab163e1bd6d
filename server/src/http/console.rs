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
use app::{ssr::ClientAddr, AppError};
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
    let response = leptos_axum::handle_server_fns_with_context(
        move || {
            provide_context(store.clone());
            provide_context(addr);
        },
        req,
    )
    .await
    .into_response();
    error_status(response).await
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
    let signed_in = match app::ssr::account_for(&session, &state.store).await {
        Ok(account) => account.is_some(),
        Err(_) => return app::AppError::Internal.status().into_response(),
    };
    let path = req.uri().path();
    let on_sign_in = path == "/sign-in";
    if !signed_in && !on_sign_in {
        let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let next: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
        return Redirect::to(&format!("/sign-in?next={next}")).into_response();
    }
    if signed_in && on_sign_in {
        return Redirect::to("/").into_response();
    }

    let addr = ClientAddr(client_addr(&req, state.trust_forwarded_for));
    let store = state.store.clone();
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_route_with_context(
        state.routes.clone(),
        move || {
            provide_context(store.clone());
            provide_context(addr);
        },
        move || app::shell(options.clone()),
    );
    handler(State(state), req).await.into_response()
}

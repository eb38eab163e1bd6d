//! The console's views of an app's delivery, for signed-in accounts (auditors included):
//! - `GET /apps/{id}/preview?version=v1p2&endpoint=users?limit=5`: exactly the JSON the REST
//!   API answers the app for that endpoint now (same share, fields, paging and errors);
//! - `GET /apps/{id}/export.zip?version=v1p2`: the app's CSV package.
//!
//! Neither is the app's request: they do not count against its rate limit and are not in its
//! disclosure log. The download of student data is recorded in the audit log instead.

use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use oneroster::{scope::Scope, Version};
use store::ApiCaller;
use tower_sessions::Session;

use super::{answer, decode_segments, export, reply::ApiError, routes, Origin};
use crate::http::AppState;

#[derive(Debug, serde::Deserialize)]
pub(crate) struct PreviewQuery {
    version: Option<String>,
    endpoint: Option<String>,
}

fn version_of(text: Option<&str>) -> Result<Version, ApiError> {
    match text.unwrap_or("v1p2") {
        "v1p2" | "1.2" => Ok(Version::V1p2),
        "v1p1" | "1.1" => Ok(Version::V1p1),
        other => Err(ApiError::bad_request("invaliddata", format!("version: `{other}` is not a OneRoster version; use v1p1 or v1p2"))),
    }
}

/// The app as a caller holding every scope a token could grant it.
async fn caller_for(state: &AppState, session: &Session, app_id: i64) -> Result<(store::Account, ApiCaller), Response> {
    let account = match app::ssr::account_for(session, &state.store).await {
        Ok(Some(a)) if a.role.is_staff() => a,
        Ok(Some(_)) => return Err(StatusCode::FORBIDDEN.into_response()),
        Ok(None) => return Err(Redirect::to("/sign-in").into_response()),
        Err(_) => return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    };
    let app = match state.store.app(app_id).await {
        Ok(app) => app,
        Err(store::StoreError::NotFound(msg)) => return Err(ApiError::new(StatusCode::NOT_FOUND, "unknownobject", msg).into_response()),
        Err(e) => {
            tracing::error!(error = %e, "preview failed");
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
    };
    let caller = ApiCaller {
        app_id,
        app_name: app.name,
        versions: app.versions,
        scopes: vec![Scope::RosterCore, Scope::Roster, Scope::RosterDemographics],
        rate_limit: None,
    };
    Ok((account, caller))
}

/// Framed by the console's own page (the site's default forbids framing).
fn frameable(mut response: Response) -> Response {
    response.headers_mut().insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub(crate) async fn preview(
    State(state): State<AppState>,
    session: Session,
    Path(app_id): Path<i64>,
    Query(q): Query<PreviewQuery>,
    headers: HeaderMap,
) -> Response {
    let (_, caller) = match caller_for(&state, &session, app_id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let version = match version_of(q.version.as_deref()) {
        Ok(v) => v,
        Err(e) => return frameable(e.into_response()),
    };
    if !caller.versions.contains(&version) {
        return frameable(
            ApiError::new(StatusCode::FORBIDDEN, "forbidden", format!("this app is not offered OneRoster {version}")).into_response(),
        );
    }
    let endpoint = q.endpoint.unwrap_or_else(|| "users?limit=5".into());
    let endpoint = endpoint.trim().trim_start_matches('/');
    let (rest, query) = match endpoint.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (endpoint, None),
    };
    let path = format!("{}/{rest}", version.rostering_base_path());
    let Some(segments) = decode_segments(rest) else {
        return frameable(ApiError::unknown("operation at", &path).into_response());
    };
    let Some(operation) = routes::resolve(&segments) else {
        return frameable(
            ApiError::new(StatusCode::NOT_FOUND, "unknownobject", format!("Unknown Object: `{path}` is not a OneRoster {version} rostering endpoint"))
                .into_response(),
        );
    };
    let origin = Origin::of(&state, &headers);
    let outcome = answer(&state, version, &caller, None, &operation, &origin, &path, query.as_deref()).await;
    frameable(outcome.response)
}

pub(crate) async fn export_zip(
    State(state): State<AppState>,
    session: Session,
    Path(app_id): Path<i64>,
    Query(q): Query<PreviewQuery>,
) -> Response {
    let (account, caller) = match caller_for(&state, &session, app_id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let version = match version_of(q.version.as_deref()) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    match export::package_response(&state, version, &caller, None).await {
        Ok((response, records)) => {
            let detail = format!("OneRoster {version} CSV package, {records} records");
            if let Err(e) = state.store.record_audit(&account.email, "app.export", &format!("app {app_id}"), &detail).await {
                tracing::error!(error = %e, "could not record the export in the audit log");
            }
            response
        }
        Err(e) => e.into_response(),
    }
}

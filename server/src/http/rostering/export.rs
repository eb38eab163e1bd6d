//! `GET /exports/v1/{version}/package.zip[?since=T]`: the app's share as a OneRoster CSV
//! package, with the same authentication, scopes and rate limit as the REST API. The package
//! is written to a spool file first and streamed from it (flat memory), then removed.

use std::time::Instant;

use axum::{
    body::Body,
    extract::{Path, Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
};
use oneroster::{model::{format_datetime, parse_datetime, DateTimeStrictness}, scope::Scope, Version};
use store::{delivery::ExportOptions, Disclosure};

use super::{admit_to, auth, method_not_allowed, query, reply::ApiError, routes::Needs, store_error, Origin};
use crate::http::AppState;

pub async fn package(State(state): State<AppState>, Path(version): Path<String>, request: Request) -> Response {
    let started = Instant::now();
    let version = match version.as_str() {
        "v1p1" | "1.1" => Version::V1p1,
        "v1p2" | "1.2" => Version::V1p2,
        other => {
            return ApiError::new(
                StatusCode::NOT_FOUND,
                "unknownobject",
                format!("Unknown Object: `{other}` is not a OneRoster version; use v1p1 or v1p2"),
            )
            .into_response()
        }
    };
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return method_not_allowed();
    }
    let (parts, _) = request.into_parts();
    let path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().map(String::from);
    let origin = Origin::of(&state, &parts.headers);
    let (caller, _) = match auth::caller(&state, version, parts.method.as_str(), &parts.headers, &origin, &path, raw_query.as_deref()).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let (response, records) = match build(&state, version, &caller, raw_query.as_deref()).await {
        Ok(ok) => ok,
        Err(e) => (e.into_response(), 0),
    };
    let channel = if version == Version::V1p1 { "csv-1.1" } else { "csv-1.2" };
    let mut disclosure = Disclosure::now(caller.app_id, channel, "export", &path, &query::loggable(raw_query.as_deref()));
    disclosure.status = response.status().as_u16();
    disclosure.records = records;
    disclosure.duration_ms = started.elapsed().as_millis() as u64;
    state.rostering.log.record(disclosure);
    response
}

async fn build(
    state: &AppState,
    version: Version,
    caller: &store::ApiCaller,
    raw_query: Option<&str>,
) -> Result<(Response, u64), ApiError> {
    admit_to(state, version, caller, Needs::Core, "export")?;
    package_response(state, version, caller, raw_query).await
}

/// The package as a download, without admission (the console's download for an admin uses
/// this directly: it is not the app's request and must not use up the app's rate limit).
pub(crate) async fn package_response(
    state: &AppState,
    version: Version,
    caller: &store::ApiCaller,
    raw_query: Option<&str>,
) -> Result<(Response, u64), ApiError> {
    let since = url::form_urlencoded::parse(raw_query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "since")
        .map(|(_, v)| {
            parse_datetime(&v, DateTimeStrictness::Lenient).map(|(t, _)| t).ok_or_else(|| {
                ApiError::bad_request("invaliddata", format!("since: `{v}` is not a date and time such as 2026-09-01T00:00:00.000Z"))
            })
        })
        .transpose()?;
    let share = state.store.share(caller.app_id).await.map_err(store_error)?;
    let view = state
        .store
        .delivery_view(caller.app_id, state.rostering.tombstone_window)
        .await
        .map_err(store_error)?;
    let options = ExportOptions {
        version,
        since,
        demographics: share.demographics && caller.scopes.contains(&Scope::RosterDemographics),
    };
    let spool = std::env::temp_dir().join(format!("rollbook-export-{}-{}.zip", caller.app_id, rand::random::<u64>()));
    let summary = state.store.export_package(&view, &options, &spool).await.map_err(store_error)?;
    let file = tokio::fs::File::open(&spool).await.map_err(|e| {
        tracing::error!(error = %e, "could not reopen an export");
        ApiError::internal()
    })?;
    // The open handle keeps the data; the name can go now.
    let _ = tokio::fs::remove_file(&spool).await;
    let length = file.metadata().await.map(|m| m.len()).ok();
    let mut response = Body::from_stream(tokio_util::io::ReaderStream::new(file)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let name = match since {
        None => format!("oneroster-{}-bulk.zip", version.as_str()),
        Some(t) => format!("oneroster-{}-delta-{}.zip", version.as_str(), format_datetime(t).replace(':', "")),
    };
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Some(len) = length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    Ok((response, summary.records))
}

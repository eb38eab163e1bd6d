//! The OneRoster rostering REST API: 1.2 at `/ims/oneroster/rostering/v1p2`, 1.1 at
//! `/ims/oneroster/v1p1`, the 41 GET operations of each.
//!
//! A request is answered in this order: the operation is found from the path (404
//! `unknownobject` otherwise), other methods get 405, the caller is authenticated (401), its
//! app must be offered the version and hold a scope for the operation (403), and be under its
//! rate limit (429). Then parents named in the path must be visible to the app (404), the
//! query parameters are checked (400), and the store answers within the app's share. Every
//! answer to a known app is written to the disclosure log.

mod auth;
pub mod cache;
mod discovery;
mod export;
pub(crate) mod preview;
pub mod limits;
mod query;
mod reply;
mod routes;

use std::time::Instant;

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::any,
    Router,
};
use oneroster::{model::json::JsonContext, scope::Scope, Version};
use axum::body::Bytes;
use store::{
    delivery::{ApiRecord, AppView, Collection, ListRequest},
    ApiCaller, Disclosure, StoreError,
};

use super::AppState;
use reply::ApiError;
use routes::{Needs, Operation};

/// The scheme and host clients use to reach this server (for OAuth 1.0a base strings, GUIDRef
/// hrefs and `Link` headers).
#[derive(Clone, Debug)]
pub struct Origin {
    pub scheme: String,
    /// Host with the port when it is not the scheme's default.
    pub host: String,
}

impl Origin {
    fn of(state: &AppState, headers: &axum::http::HeaderMap) -> Origin {
        // Behind a trusted proxy (the same switch as for client addresses), its scheme.
        let forwarded_https = state.trust_forwarded_for
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
        if let Some(url) = &state.api.public_url {
            let host = match url.port() {
                Some(port) => format!("{}:{port}", url.host_str().unwrap_or("localhost")),
                None => url.host_str().unwrap_or("localhost").to_string(),
            };
            return Origin { scheme: url.scheme().to_string(), host };
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c)))
            .unwrap_or("localhost")
            .to_string();
        Origin { scheme: if forwarded_https { "https".into() } else { "http".into() }, host }
    }

    fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }
}

/// What the rostering handlers keep between requests.
#[derive(Clone, Debug)]
pub struct RosteringRuntime {
    pub limits: std::sync::Arc<limits::RateLimits>,
    pub log: limits::DisclosureLog,
    /// How long tombstones (deleted records, records that left a share) are served.
    pub tombstone_window: time::Duration,
    /// Rendered answers for repeated requests.
    pub answers: std::sync::Arc<cache::ResponseCache>,
}


impl RosteringRuntime {
    /// Starts the disclosure log writer on `store`.
    pub fn start(store: store::Store, settings: &super::ApiSettings) -> Self {
        RosteringRuntime {
            limits: std::sync::Arc::new(limits::RateLimits::new(settings.rate_limit)),
            log: limits::DisclosureLog::start(store),
            tombstone_window: settings.tombstone_window,
            answers: std::sync::Arc::new(cache::ResponseCache::new(settings.answer_cache_bytes)),
        }
    }
}

/// The rostering routes of both versions.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ims/oneroster/rostering/v1p2", any(v1p2))
        .route("/ims/oneroster/rostering/v1p2/{*rest}", any(v1p2))
        .route("/ims/oneroster/v1p1", any(v1p1))
        .route("/ims/oneroster/v1p1/{*rest}", any(v1p1))
        .route("/exports/v1/{version}/package.zip", any(export::package))
}

async fn v1p2(State(state): State<AppState>, request: Request) -> Response {
    handle(state, Version::V1p2, request).await
}

async fn v1p1(State(state): State<AppState>, request: Request) -> Response {
    handle(state, Version::V1p1, request).await
}

/// What the disclosure log needs to know about an answer.
struct Outcome {
    response: Response,
    records: u64,
}

impl From<ApiError> for Outcome {
    fn from(e: ApiError) -> Self {
        Outcome { response: e.into_response(), records: 0 }
    }
}

async fn handle(state: AppState, version: Version, request: Request) -> Response {
    let started = Instant::now();
    let (parts, _body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(String::from);
    let rest = path.strip_prefix(version.rostering_base_path()).unwrap_or("");
    let Some(segments) = decode_segments(rest) else {
        return ApiError::unknown("operation at", &path).into_response();
    };
    let origin = Origin::of(&state, &parts.headers);
    if version == Version::V1p2 && segments.len() == 2 && segments[0] == "discovery" {
        if parts.method != Method::GET && parts.method != Method::HEAD {
            return method_not_allowed();
        }
        return discovery::document(&origin, &segments[1]);
    }
    let Some(operation) = routes::resolve(&segments) else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "unknownobject",
            format!("Unknown Object: `{path}` is not a OneRoster {version} rostering endpoint"),
        )
        .into_response();
    };
    if parts.method != Method::GET && parts.method != Method::HEAD {
        return method_not_allowed();
    }
    if query::has_nul(query.as_deref()) {
        return ApiError::bad_request("invaliddata", "a query parameter contains a NUL character").into_response();
    }
    let (caller, view) = match auth::caller(&state, version, parts.method.as_str(), &parts.headers, &origin, &path, query.as_deref()).await {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    let outcome = match admit(&state, version, &caller, &operation) {
        Err(e) => e.into(),
        Ok(()) => answer(&state, version, &caller, view, &operation, &origin, &path, query.as_deref()).await,
    };
    let mut disclosure = Disclosure::now(
        caller.app_id,
        if version == Version::V1p1 { "rest-1.1" } else { "rest-1.2" },
        operation.id,
        &path,
        &query::loggable(query.as_deref()),
    );
    disclosure.status = outcome.response.status().as_u16();
    disclosure.records = outcome.records;
    disclosure.duration_ms = started.elapsed().as_millis() as u64;
    state.rostering.log.record(disclosure);
    outcome.response
}

fn method_not_allowed() -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "unsupported",
        "the OneRoster rostering service is read-only; use GET",
    )
    .with_header(header::ALLOW, "GET, HEAD")
    .into_response()
}

/// Percent-decoded path segments after the base path (`None` for invalid UTF-8).
fn decode_segments(rest: &str) -> Option<Vec<String>> {
    rest.trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .ok()
                .filter(|c| !c.contains('\0'))
                .map(|c| c.into_owned())
        })
        .collect()
}

/// Version, scope and rate limit.
fn admit(state: &AppState, version: Version, caller: &ApiCaller, operation: &Operation) -> Result<(), ApiError> {
    admit_to(state, version, caller, operation.needs, operation.id)
}

fn admit_to(state: &AppState, version: Version, caller: &ApiCaller, needs: Needs, operation_id: &str) -> Result<(), ApiError> {
    if !caller.versions.contains(&version) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this app is not offered OneRoster {version}; the district decides which versions an app may use"),
        ));
    }
    let allowed: &[Scope] = match needs {
        Needs::Core => &[Scope::RosterCore, Scope::Roster],
        Needs::Roster => &[Scope::Roster],
        Needs::Demographics => &[Scope::RosterDemographics],
    };
    if !caller.scopes.iter().any(|s| allowed.contains(s)) {
        let names: Vec<String> = allowed.iter().map(|s| s.uri(version)).collect();
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("{operation_id} needs one of these scopes, which this token does not hold: {}", names.join(" ")),
        ));
    }
    if let Err(wait) = state.rostering.limits.check(caller.app_id, caller.rate_limit) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "server_busy",
            format!("this app has used its request limit; try again in {wait} seconds"),
        )
        .with_header(header::RETRY_AFTER, wait.to_string()));
    }
    Ok(())
}

fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Invalid(message) => ApiError::bad_request("invalid_filter_field", message),
        // Every database connection busy for the whole acquire timeout: a moment of overload,
        // which the client may retry, not a failure.
        e if e.is_busy() => {
            tracing::warn!("a rostering request found no free database connection");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "server_busy", "the server is busy; try again in a few seconds")
                .with_header(header::RETRY_AFTER, "5")
        }
        other => {
            tracing::error!(error = %other, "a rostering request failed");
            ApiError::internal()
        }
    }
}

/// The envelope `{"<key>": <records>}` as JSON text, each record in `version`'s shape with
/// only the selected members; written straight out, without building JSON values.
fn envelope(key: &str, records: &[ApiRecord], single: bool, version: Version, ctx: &JsonContext, selection: &oneroster::query::Selection) -> Bytes {
    let keep = (!selection.fields.is_empty()).then_some(selection);
    let mut out = Vec::with_capacity(64 + records.len() * 700);
    out.extend_from_slice(b"{\"");
    // envelope keys are plain ASCII names (`users`, `academicSessions`)
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(if single { b"\":" } else { b"\":[" });
    for (i, record) in records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        record.write_json(version, ctx, &mut out, keep);
    }
    out.extend_from_slice(if single { b"}" } else { b"]}" });
    out.into()
}

async fn visible(state: &AppState, view: &AppView, collection: Collection, id: &str) -> Result<Option<ApiRecord>, ApiError> {
    state.store.api_get(view, collection, id).await.map_err(store_error)
}

fn what(collection: Collection) -> &'static str {
    match collection {
        Collection::Orgs => "org",
        Collection::Schools => "school",
        Collection::AcademicSessions => "academic session",
        Collection::Terms => "term",
        Collection::GradingPeriods => "grading period",
        Collection::Courses => "course",
        Collection::Classes => "class",
        Collection::Enrollments => "enrollment",
        Collection::Users => "user",
        Collection::Students => "student",
        Collection::Teachers => "teacher",
        Collection::Demographics => "demographics record",
    }
}

#[allow(clippy::too_many_arguments)]
async fn answer(
    state: &AppState,
    version: Version,
    caller: &ApiCaller,
    view: Option<AppView>,
    operation: &Operation,
    origin: &Origin,
    path: &str,
    raw_query: Option<&str>,
) -> Outcome {
    match answer_inner(state, version, caller, view, operation, origin, path, raw_query).await {
        Ok(outcome) => outcome,
        Err(e) => e.into(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn answer_inner(
    state: &AppState,
    version: Version,
    caller: &ApiCaller,
    view: Option<AppView>,
    operation: &Operation,
    origin: &Origin,
    path: &str,
    raw_query: Option<&str>,
) -> Result<Outcome, ApiError> {
    let view = match view {
        Some(view) => view,
        None => state
            .store
            .delivery_view(caller.app_id, state.rostering.tombstone_window)
            .await
            .map_err(store_error)?,
    };
    // The same request within the same data generation gets the same answer.
    let cache_key = view
        .cache_key()
        // OAuth 1.0a parameters (a new nonce and signature each time) do not change the answer.
        .map(|k| format!("{k}|{version}|{}|{path}?{}", origin.url(), query::loggable(raw_query)));
    if let Some(hit) = cache_key.as_deref().and_then(|k| state.rostering.answers.get(k)) {
        return Ok(cached_response(hit));
    }
    // A parent must be in the share now: a tombstone is no door to what came after it.
    for (collection, id) in &operation.parents {
        let live = visible(state, &view, *collection, id)
            .await?
            .is_some_and(|r| r.base().status == oneroster::model::Status::Active);
        if !live {
            return Err(ApiError::unknown(what(*collection), id));
        }
    }
    if let Some((school, class)) = &operation.class_in_school {
        let in_school = matches!(
            visible(state, &view, Collection::Classes, class).await?,
            Some(ApiRecord::Class(c)) if &c.school == school
        );
        if !in_school {
            return Err(ApiError::unknown("class of this school", class));
        }
    }
    let params = query::Params::parse(raw_query);
    let entity = operation.collection.entity();
    let ctx = JsonContext::new(&origin.url(), version);
    let (selection, warnings) = params.selection(entity);
    for w in warnings {
        tracing::debug!(warning = %w.message, "ignored part of a query");
    }
    let (collection_key, single_key) = routes::keys(operation.collection);

    if let Some(id) = &operation.single {
        let record = visible(state, &view, operation.collection, id)
            .await?
            .ok_or_else(|| ApiError::unknown(what(operation.collection), id))?;
        let bytes = envelope(single_key, std::slice::from_ref(&record), true, version, &ctx, &selection);
        let answer = cache::Cached { body: bytes, total: None, link: None, records: 1 };
        if let Some(key) = cache_key {
            state.rostering.answers.put(key, answer.clone());
        }
        return Ok(cached_response(answer));
    }

    let paging = params.paging()?;
    let filter = params.filter(entity)?;
    let sort = params.sort(entity)?;
    let request = ListRequest {
        collection: operation.collection,
        links: operation.links.clone(),
        filter: filter.as_ref(),
        sort,
        paging,
    };
    let page = state.store.api_list(&view, &request).await.map_err(store_error)?;
    let count = page.records.len() as u64;
    let body = envelope(collection_key, &page.records, false, version, &ctx, &selection);
    let link = params.link_header(&origin.url(), path, paging, page.total);
    let answer = cache::Cached { body, total: Some(page.total), link: Some(link), records: count };
    if let Some(key) = cache_key {
        state.rostering.answers.put(key, answer.clone());
    }
    Ok(cached_response(answer))
}

/// A 200 answer from its rendered parts.
fn cached_response(answer: cache::Cached) -> Outcome {
    let mut response = reply::json_body_response(StatusCode::OK, answer.body);
    let headers = response.headers_mut();
    if let Some(total) = answer.total {
        headers.insert("x-total-count", HeaderValue::from(total));
    }
    if let Some(link) = answer.link.as_deref().and_then(|l| HeaderValue::from_str(l).ok()) {
        headers.insert(header::LINK, link);
    }
    Outcome { response, records: answer.records }
}

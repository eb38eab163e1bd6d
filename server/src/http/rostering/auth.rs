//! Who is calling: an OAuth 2 bearer token (1.1 and 1.2) or an OAuth 1.0a HMAC signature (1.1).

use axum::http::{header, HeaderMap, StatusCode};
use oneroster::{oauth1, Version};
use store::{delivery::AppView, ApiAuthError, ApiCaller};

use super::{reply::ApiError, Origin};
use crate::http::AppState;

/// How far an OAuth 1.0a timestamp may be from the server's clock (either way).
pub const OAUTH1_WINDOW: time::Duration = time::Duration::minutes(10);

const BEARER_CHALLENGE: &str = "Bearer realm=\"rollbook\"";
const BOTH_CHALLENGES: &str = "Bearer realm=\"rollbook\", OAuth realm=\"rollbook\"";

/// The calling app, from the request's credentials, and for a bearer token also the app's
/// delivery view (read with the token: one statement for both).
pub async fn caller(
    state: &AppState,
    version: Version,
    method: &str,
    headers: &HeaderMap,
    origin: &Origin,
    path: &str,
    query: Option<&str>,
) -> Result<(ApiCaller, Option<AppView>), ApiError> {
    let challenge = if version == Version::V1p1 { BOTH_CHALLENGES } else { BEARER_CHALLENGE };
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if let Some(token) = authorization.and_then(|a| {
        a.get(..7).filter(|s| s.eq_ignore_ascii_case("bearer ")).map(|_| a[7..].trim())
    }) {
        return match state.store.caller_and_view(token, state.rostering.tombstone_window).await {
            Ok((caller, view)) => Ok((caller, Some(view))),
            Err(ApiAuthError::Store(e)) => {
                tracing::error!(error = %e, "bearer token check failed");
                Err(ApiError::internal())
            }
            Err(e) => Err(ApiError::unauthorized(e.to_string(), challenge)),
        };
    }
    let oauth_header = authorization.filter(|a| a.get(..6).is_some_and(|s| s.eq_ignore_ascii_case("oauth ")));
    let oauth_query = query.is_some_and(|q| q.split('&').any(|p| p.starts_with("oauth_signature=")));
    if version == Version::V1p1 && (oauth_header.is_some() || oauth_query) {
        return oauth1_caller(state, method, origin, path, query, oauth_header).await.map(|caller| (caller, None));
    }
    Err(ApiError::unauthorized(
        match version {
            Version::V1p1 => "this request carries no credentials; send `Authorization: Bearer <token>` (from POST /oauth/token) or sign it with OAuth 1.0a",
            Version::V1p2 => "this request carries no credentials; send `Authorization: Bearer <token>` (from POST /oauth/token)",
        },
        challenge,
    ))
}

async fn oauth1_caller(
    state: &AppState,
    method: &str,
    origin: &Origin,
    path: &str,
    query: Option<&str>,
    authorization: Option<&str>,
) -> Result<ApiCaller, ApiError> {
    let request = oauth1::SignedRequest {
        method,
        scheme: &origin.scheme,
        host: &origin.host,
        path,
        query,
        authorization,
    };
    let bad = |e: oauth1::OAuthError| match e {
        oauth1::OAuthError::BadSignature => ApiError::unauthorized(e.to_string(), BOTH_CHALLENGES),
        other => ApiError::bad_request("invaliddata", other.to_string()),
    };
    let params = request.oauth_params().map_err(bad)?;
    let refused = || ApiError::unauthorized("the OAuth consumer key or signature is not valid", BOTH_CHALLENGES);
    if params.consumer_key.contains('\0') || params.nonce.contains('\0') {
        return Err(refused());
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if params.timestamp.abs_diff(now) > OAUTH1_WINDOW.whole_seconds() as u64 {
        return Err(ApiError::unauthorized(
            format!(
                "oauth_timestamp {} is more than {} minutes from the server's clock; check the client's clock",
                params.timestamp,
                OAUTH1_WINDOW.whole_minutes()
            ),
            BOTH_CHALLENGES,
        ));
    }
    let (caller, secrets) = match state.store.oauth1_client(&params.consumer_key, &state.api.secret_key).await {
        Ok(found) => found,
        Err(ApiAuthError::Store(e)) => {
            tracing::error!(error = %e, "OAuth 1.0a client lookup failed");
            return Err(ApiError::internal());
        }
        // The same answer for an unknown key, a disabled app or one not offered 1.1: nothing is
        // told before the signature proves the caller holds the secret.
        Err(_) => return Err(refused()),
    };
    if !secrets.iter().any(|s| request.verify(s).is_ok()) {
        return Err(ApiError::unauthorized(oauth1::OAuthError::BadSignature.to_string(), BOTH_CHALLENGES));
    }
    match state.store.remember_nonce(caller.app_id, &params.nonce, params.timestamp, OAUTH1_WINDOW).await {
        Ok(true) => Ok(caller),
        Ok(false) => Err(ApiError::unauthorized(
            "this oauth_nonce was used before with this timestamp; every request needs a new nonce",
            BOTH_CHALLENGES,
        )),
        // A long import holding the database (SQLite): the client may simply try again.
        Err(e) if e.is_busy() => {
            tracing::warn!(error = %e, "an OAuth 1.0a nonce could not be recorded yet: the database is busy");
            Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "server_busy", "the server is busy; try again in a few seconds")
                .with_header(header::RETRY_AFTER, "5"))
        }
        Err(e) => {
            tracing::error!(error = %e, "could not record an OAuth 1.0a nonce");
            Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_server_error", "could not check the nonce"))
        }
    }
}

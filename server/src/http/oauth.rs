//! `POST /oauth/token`: the OAuth 2 client credentials grant (RFC 6749 §4.4), as OneRoster 1.2
//! requires and 1.1 allows.
//!
//! The client authenticates with HTTP Basic (the 1EdTech practice) or with `client_id` and
//! `client_secret` in the form body (what some clients do). Errors are RFC 6749 §5.2 JSON.

use axum::{
    body::Bytes,
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use percent_encoding::percent_decode_str;
use serde_json::json;
use store::ApiAuthError;

use super::AppState;

/// An RFC 6749 error response.
struct OAuthError {
    status: StatusCode,
    code: &'static str,
    description: String,
    /// Answer `WWW-Authenticate: Basic` (the client tried Basic authentication).
    basic: bool,
}

impl OAuthError {
    fn bad(code: &'static str, description: impl Into<String>) -> Self {
        OAuthError { status: StatusCode::BAD_REQUEST, code, description: description.into(), basic: false }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.code, "error_description": self.description });
        let mut response = (self.status, no_store(), Json(body)).into_response();
        // RFC 7235: every 401 names the scheme to use.
        if self.basic || self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"rollbook\""));
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

/// Token responses must not be cached (RFC 6749 §5.1).
fn no_store() -> [(header::HeaderName, HeaderValue); 2] {
    [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::PRAGMA, HeaderValue::from_static("no-cache")),
    ]
}

/// The form body as (name, value) pairs, `+` read as a space.
fn form_pairs(body: &[u8]) -> Result<Vec<(String, String)>, OAuthError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| OAuthError::bad("invalid_request", "the request body is not UTF-8 form data"))?;
    let decode = |s: &str| percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
    Ok(text
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect())
}

/// The client id and secret of an `Authorization: Basic` header (each form-urlencoded, as
/// RFC 6749 §2.3.1 asks; plain values decode to themselves).
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let text = value.to_str().unwrap_or("");
    let Some((scheme, rest)) = text.split_once(' ') else {
        return Err(OAuthError::bad("invalid_request", "the Authorization header is not `Basic <credentials>`"));
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::bad(
            "invalid_request",
            format!("client authentication `{scheme}` is not supported; use HTTP Basic or client_id and client_secret in the body"),
        ));
    }
    let invalid = || OAuthError {
        status: StatusCode::UNAUTHORIZED,
        code: "invalid_client",
        description: "the Basic credentials are not base64 of client_id:client_secret".into(),
        basic: true,
    };
    let decoded = STANDARD.decode(rest.trim()).map_err(|_| invalid())?;
    let decoded = String::from_utf8(decoded).map_err(|_| invalid())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(invalid)?;
    let unform = |s: &str| percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
    Ok(Some((unform(id), unform(secret))))
}

/// `POST /oauth/token`.
pub(crate) async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match issue(&state, &headers, &body).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn issue(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Response, OAuthError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        return Err(OAuthError::bad(
            "invalid_request",
            "send the token request as application/x-www-form-urlencoded form data",
        ));
    }
    let params = form_pairs(body)?;
    let mut seen = std::collections::HashSet::new();
    for (name, _) in &params {
        if !seen.insert(name.as_str()) {
            return Err(OAuthError::bad("invalid_request", format!("the parameter `{name}` is given more than once")));
        }
    }
    // RFC 6749 §3.1: parameters sent without a value are treated as omitted.
    let get = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());

    match get("grant_type") {
        None => return Err(OAuthError::bad("invalid_request", "grant_type is missing; use grant_type=client_credentials")),
        Some("client_credentials") => {}
        Some(other) => {
            return Err(OAuthError::bad(
                "unsupported_grant_type",
                format!("grant_type `{other}` is not supported; use client_credentials"),
            ))
        }
    }

    let basic = basic_credentials(headers)?;
    let used_basic = basic.is_some();
    let (client_id, client_secret) = match (basic, get("client_id"), get("client_secret")) {
        (Some(_), _, Some(_)) => {
            return Err(OAuthError::bad(
                "invalid_request",
                "the client authenticated twice (Basic and client_secret); use one method",
            ))
        }
        (Some(creds), _, None) => creds,
        (None, Some(id), Some(secret)) => (id.to_string(), secret.to_string()),
        (None, _, _) => {
            return Err(OAuthError {
                status: StatusCode::UNAUTHORIZED,
                code: "invalid_client",
                description: "client authentication is missing: send HTTP Basic client_id:client_secret".into(),
                basic: true,
            })
        }
    };

    let issued = state
        .store
        .issue_token(&client_id, &client_secret, get("scope"), state.api.token_lifetime)
        .await
        .map_err(|e| match e {
            ApiAuthError::InvalidClient(m) => {
                OAuthError { status: StatusCode::UNAUTHORIZED, code: "invalid_client", description: m, basic: used_basic }
            }
            ApiAuthError::InvalidScope(m) => OAuthError::bad("invalid_scope", m),
            // A long import holding the database: the client may simply try again.
            ApiAuthError::Store(e) if e.is_busy() => {
                tracing::warn!(error = %e, "a token request found the database busy");
                OAuthError {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    code: "temporarily_unavailable",
                    description: "the server is busy; try again in a few seconds".into(),
                    basic: false,
                }
            }
            other => {
                tracing::error!(error = %other, "token request failed");
                OAuthError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    code: "server_error",
                    description: "the token could not be issued; try again".into(),
                    basic: false,
                }
            }
        })?;
    tracing::info!(client_id = %client_id, "issued an access token");
    let body = json!({
        "access_token": issued.access_token,
        "token_type": "bearer",
        "expires_in": issued.expires_in,
        "scope": issued.scope,
    });
    Ok((StatusCode::OK, no_store(), Json(body)).into_response())
}

/// Anything but POST on the token URL.
pub(crate) async fn method_not_allowed() -> Response {
    let mut response =
        OAuthError { status: StatusCode::METHOD_NOT_ALLOWED, code: "invalid_request", description: "use POST".into(), basic: false }
            .into_response();
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

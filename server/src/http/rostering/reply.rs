//! OneRoster responses: the imsx status payload for errors (SPEC-NOTES §5.5) and JSON bodies.

use axum::{
    body::Body,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::json;

/// A OneRoster error: HTTP status, `imsx_codeMinorFieldValue` and a description that names the
/// parameter or path at fault.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code_minor: &'static str,
    pub description: String,
    /// Extra headers (`WWW-Authenticate`, `Retry-After`, `Allow`).
    pub headers: Vec<(header::HeaderName, String)>,
}

impl ApiError {
    pub fn new(status: StatusCode, code_minor: &'static str, description: impl Into<String>) -> Self {
        ApiError { status, code_minor, description: description.into(), headers: Vec::new() }
    }

    pub fn bad_request(code_minor: &'static str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code_minor, description)
    }

    /// 404 `unknownobject`: the same answer whether the record does not exist or is not shared.
    pub fn unknown(what: &str, id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "unknownobject", format!("Unknown Object: there is no {what} `{id}`"))
    }

    pub fn unauthorized(description: impl Into<String>, challenge: &str) -> Self {
        let mut e = Self::new(StatusCode::UNAUTHORIZED, "unauthorisedrequest", description);
        e.headers.push((header::WWW_AUTHENTICATE, challenge.to_string()));
        e
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_server_error",
            "the server could not answer this request; the district's administrator can find the cause in the server log",
        )
    }

    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "imsx_codeMajor": "failure",
            "imsx_severity": "error",
            "imsx_description": self.description,
            "imsx_CodeMinor": { "imsx_codeMinorField": [
                { "imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": self.code_minor }
            ] }
        });
        let mut response = json_response(self.status, &body);
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, v);
            }
        }
        response
    }
}

/// A JSON response that no cache keeps (it carries student data).
pub fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    json_body_response(status, serde_json::to_vec(body).unwrap_or_default().into())
}

/// A JSON answer from its rendered body.
pub fn json_body_response(status: StatusCode, bytes: axum::body::Bytes) -> Response {
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

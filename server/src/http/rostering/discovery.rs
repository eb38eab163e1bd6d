//! Service discovery (SPEC-NOTES §4.4): the official OneRoster 1.2 Rostering OpenAPI document,
//! localized with this server's URL and token URL, under both file names in use.

use std::sync::OnceLock;

use axum::{http::StatusCode, response::Response};
use serde_json::Value;

use super::{reply, reply::ApiError, Origin};

/// The official file, as 1EdTech publishes it (all 41 rostering operations, which Rollbook
/// serves in full).
const OFFICIAL: &str = include_str!("../../../openapi/onerosterv1p2rostersservice_openapi3_v1p0.json");

/// The names clients look for: the REST binding's and the conformance guide's.
pub const FILE_NAMES: [&str; 2] =
    ["onerosterv1p2rostersservice_openapi3_v1p0.json", "imsorv1p2_rostering_openapi3_v1p0.json"];

fn official() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::from_str(OFFICIAL).expect("the bundled OpenAPI document is JSON"))
}

/// The document with this server's URLs, or 404 for another file name.
pub fn document(origin: &Origin, file: &str) -> Response {
    if !FILE_NAMES.contains(&file) {
        return axum::response::IntoResponse::into_response(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknownobject",
            format!("Unknown Object: there is no discovery document `{file}`; try {}", FILE_NAMES[0]),
        ));
    }
    reply::json_response(StatusCode::OK, &localized(origin))
}

/// The official document with real server and token URLs.
pub fn localized(origin: &Origin) -> Value {
    let mut doc = official().clone();
    let base = format!("{}{}", origin.url(), oneroster::Version::V1p2.rostering_base_path());
    doc["servers"] = serde_json::json!([{ "url": base, "description": "This Rollbook server" }]);
    if let Some(flow) = doc.pointer_mut("/components/securitySchemes/OAuth2CC/flows/clientCredentials") {
        flow["tokenUrl"] = Value::String(format!("{}/oauth/token", origin.url()));
    }
    doc
}

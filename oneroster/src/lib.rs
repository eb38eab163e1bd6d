//! The IMS/1EdTech OneRoster standard as a pure library.
//!
//! This crate has no web framework, database or UI dependency and compiles to WebAssembly, so the
//! store, the REST API, the CSV exports and the console share one implementation of the standard.
//! - [`model`]: the rostering vocabularies and value formats (entities follow);
//! - [`csv`]: CSV packages: file catalog, manifest, a streaming row reader with diagnostics;
//! - [`query`]: the REST query language (`filter`, `sort`, `fields`, paging) as a typed AST;
//! - [`oauth1`]: OAuth 1.0a request signatures for OneRoster 1.1;
//! - [`scope`]: OAuth 2 rostering scopes and token-request grants;
//! - [`Version`]: the versions Rollbook serves and their base paths.
#![forbid(unsafe_code)]

pub mod csv;
pub mod model;
pub mod oauth1;
pub mod query;
pub mod scope;

use serde::{Deserialize, Serialize};

/// A OneRoster version Rollbook reads and serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Version {
    /// OneRoster 1.1 (REST with OAuth 1.0a or Bearer tokens).
    #[serde(rename = "1.1")]
    V1p1,
    /// OneRoster 1.2 (REST with OAuth 2 client credentials and scopes).
    #[serde(rename = "1.2")]
    V1p2,
}

impl Version {
    /// Every version, oldest first.
    pub const ALL: [Version; 2] = [Version::V1p1, Version::V1p2];

    /// The base path of the rostering REST binding.
    pub fn rostering_base_path(self) -> &'static str {
        match self {
            Version::V1p1 => "/ims/oneroster/v1p1",
            Version::V1p2 => "/ims/oneroster/rostering/v1p2",
        }
    }

    /// The version as people write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1p1 => "1.1",
            Version::V1p2 => "1.2",
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths_follow_the_spec() {
        assert_eq!(Version::V1p1.rostering_base_path(), "/ims/oneroster/v1p1");
        assert_eq!(Version::V1p2.rostering_base_path(), "/ims/oneroster/rostering/v1p2");
        assert_eq!(serde_json::to_string(&Version::ALL).unwrap(), r#"["1.1","1.2"]"#);
    }
}

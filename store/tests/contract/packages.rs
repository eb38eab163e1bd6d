//! Small OneRoster 1.2.1 packages written on the fly, and the shared samples.

use std::{fmt::Write as _, path::PathBuf};

use oneroster::{csv::catalog, Version};
use store::roster::{ImportOptions, ImportReport, Silent};
use crate::support::TestDb;

/// A shared sample package (`synthetic/v1p2-bulk`).
pub fn sample(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/oneroster/samples").join(path)
}

/// A 1.2.1 package being put together: file name → (mode, CSV text without header).
pub struct Pkg {
    files: Vec<(&'static str, &'static str, String)>,
}

impl Pkg {
    pub fn new() -> Self {
        Pkg { files: Vec::new() }
    }

    /// Adds a file; `rows` are CSV lines after the header.
    pub fn file(mut self, name: &'static str, mode: &'static str, rows: &[String]) -> Self {
        self.files.push((name, mode, rows.join("\r\n")));
        self
    }

    /// Writes the package into a new temporary folder.
    pub fn write(&self) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = String::from("propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.2\r\n");
        for spec in catalog(Version::V1p2) {
            let mode = self.files.iter().find(|f| f.0 == spec.name).map(|f| f.1).unwrap_or("absent");
            writeln!(manifest, "{},{mode}\r", spec.manifest_key()).unwrap();
        }
        std::fs::write(dir.path().join("manifest.csv"), manifest).unwrap();
        for (name, _, body) in &self.files {
            let spec = catalog(Version::V1p2).iter().find(|s| s.name == *name).unwrap();
            let header: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
            let text = if body.is_empty() { format!("{}\r\n", header.join(",")) } else { format!("{}\r\n{body}\r\n", header.join(",")) };
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }
}

/// orgs.csv bulk rows: a district `dist` and schools `sch1`, `sch2`.
pub fn orgs() -> Vec<String> {
    vec![
        "dist,,,Test District,district,D1,".into(),
        "sch1,,,North School,school,S1,dist".into(),
        "sch2,,,South School,school,S2,dist".into(),
    ]
}

/// users.csv bulk rows for ids `prefix1..=prefixN` (family name `family`).
pub fn users(prefix: &str, n: usize, family: &str) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix}{i},,,true,{prefix}{i}.user,,Pat{i},{family},,{i},,,,,,,,,,,,")).collect()
}

/// roles.csv bulk rows giving each of those users a student role at `org`.
pub fn roles(prefix: &str, n: usize, org: &str) -> Vec<String> {
    (1..=n).map(|i| format!("role-{prefix}{i},,,{prefix}{i},primary,student,,,{org},")).collect()
}

/// Imports with source `source` and the given skip-invalid choice, with the test database's
/// data folder (held packages wait there, and go with it).
pub async fn import(db: &TestDb, path: &std::path::Path, source: &str, skip_invalid: Option<bool>) -> ImportReport {
    let mut options = ImportOptions::new(source, db.data.path());
    options.skip_invalid = skip_invalid;
    db.import_package(path, &options, &Silent).await.expect("import runs")
}

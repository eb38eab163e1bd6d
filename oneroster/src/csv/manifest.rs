//! `manifest.csv`: which version the package is and how each file is to be read.

use std::{collections::BTreeMap, io::Read};

use super::{catalog, Diagnostics};
use crate::Version;

const FILE: &str = "manifest.csv";

/// How a file of the package is to be applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The file is not in the package; its records are left alone.
    Absent,
    /// The complete set of that file's records.
    Bulk,
    /// Only changes.
    Delta,
}

impl Mode {
    fn parse(text: &str) -> Option<(Mode, bool)> {
        let mode = match text.to_ascii_lowercase().as_str() {
            "absent" => Mode::Absent,
            "bulk" => Mode::Bulk,
            "delta" => Mode::Delta,
            _ => return None,
        };
        Some((mode, !matches!(text, "absent" | "bulk" | "delta")))
    }
}

/// What the manifest says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    /// `oneroster.version`; `None` when missing or unknown (then no file can be read).
    pub version: Option<Version>,
    /// Mode per data file name (`users.csv`), for every `file.*` key present.
    pub files: BTreeMap<String, Mode>,
    pub source_system_name: Option<String>,
    pub source_system_code: Option<String>,
}

impl Manifest {
    /// A manifest for a package of `version` in which every file is absent until set with
    /// [`set`](Self::set).
    pub fn new(version: Version) -> Manifest {
        Manifest { version: Some(version), ..Manifest::default() }
    }

    /// Sets the mode of a data file (`users.csv`).
    pub fn set(&mut self, file: &str, mode: Mode) -> &mut Self {
        self.files.insert(file.to_string(), mode);
        self
    }

    /// The text of `manifest.csv`: the version, then one row for every file of the version's
    /// catalog in catalog order (1.2.1 wants every key; files not set are `absent`, names outside
    /// the catalog are left out), then the source properties that are set. CRLF line ends.
    ///
    /// # Panics
    /// When the manifest has no version (a manifest to write always has one: see [`new`](Self::new)).
    pub fn to_csv(&self) -> String {
        let version = self.version.expect("a manifest to write has a version");
        let mut out = format!("propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,{version}\r\n");
        for spec in catalog(version) {
            let mode = match self.mode(spec.name) {
                Mode::Absent => "absent",
                Mode::Bulk => "bulk",
                Mode::Delta => "delta",
            };
            out.push_str(&format!("{},{mode}\r\n", spec.manifest_key()));
        }
        for (key, value) in [("source.systemName", &self.source_system_name), ("source.systemCode", &self.source_system_code)] {
            if let Some(value) = value {
                out.push_str(&format!("{key},{}\r\n", csv_cell(value)));
            }
        }
        out
    }

    /// The mode of a data file; files the manifest does not list count as absent.
    pub fn mode(&self, file: &str) -> Mode {
        self.files.get(file).copied().unwrap_or(Mode::Absent)
    }

    /// Reads `manifest.csv`, reporting every problem.
    pub fn read(input: impl Read, diags: &mut Diagnostics) -> Manifest {
        let mut manifest = Manifest::default();
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
        let mut seen = std::collections::HashSet::new();
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let line = i as u64 + 1;
            match record {
                Ok(r) => rows.push((line, r)),
                Err(e) => {
                    diags.error(FILE, Some(line), None, format!("cannot be read as CSV: {e}"));
                    return manifest;
                }
            }
        }
        let Some((_, header)) = rows.first() else {
            diags.error(FILE, None, None, "is empty; expected the header propertyName,value and one row per property");
            return manifest;
        };
        let header_text: Vec<&str> = header.iter().map(|h| h.trim_start_matches('\u{feff}')).collect();
        if header_text != ["propertyName", "value"] {
            diags.error(FILE, Some(1), None, format!("the header is `{}`; expected `propertyName,value`", header_text.join(",")));
        }
        let mut file_keys = Vec::new();
        for (line, row) in rows.iter().skip(1) {
            let name = row.get(0).unwrap_or("").trim();
            let value = row.get(1).unwrap_or("").trim();
            if name.is_empty() && value.is_empty() {
                continue;
            }
            if !seen.insert(name.to_string()) {
                diags.error(FILE, Some(*line), Some(name), format!("`{name}` is listed twice"));
                continue;
            }
            match name {
                "manifest.version" if value != "1.0" => {
                    diags.error(FILE, Some(*line), Some(name), format!("`{value}` is not a manifest version; expected 1.0"))
                }
                "manifest.version" => {}
                "oneroster.version" => match value {
                    "1.1" => manifest.version = Some(Version::V1p1),
                    "1.2" | "1.2.1" => manifest.version = Some(Version::V1p2),
                    other => diags.error(FILE, Some(*line), Some(name), format!("`{other}` is not a OneRoster version; expected 1.1 or 1.2")),
                },
                "source.systemName" => manifest.source_system_name = Some(value.to_string()),
                "source.systemCode" => manifest.source_system_code = Some(value.to_string()),
                key if key.starts_with("file.") => file_keys.push((*line, key.to_string(), value.to_string())),
                other => diags.error(FILE, Some(*line), Some(other), format!("`{other}` is not a manifest property")),
            }
        }
        let Some(version) = manifest.version else {
            if !seen.contains("oneroster.version") {
                diags.error(FILE, None, Some("oneroster.version"), "is missing; expected 1.1 or 1.2");
            }
            return manifest;
        };
        for (line, key, value) in file_keys {
            let known = catalog(version).iter().find(|f| f.manifest_key() == key);
            let Some(spec) = known else {
                diags.error(FILE, Some(line), Some(&key), format!("`{key}` is not a file of OneRoster {version}"));
                continue;
            };
            match Mode::parse(&value) {
                Some((mode, normalised)) => {
                    if normalised {
                        diags.warning(FILE, Some(line), Some(&key), format!("`{value}` read as `{}`", value.to_ascii_lowercase()));
                    }
                    manifest.files.insert(spec.name.to_string(), mode);
                }
                None if value.is_empty() => {
                    diags.error(FILE, Some(line), Some(&key), "has no mode; expected absent, bulk or delta")
                }
                None => diags.error(FILE, Some(line), Some(&key), format!("`{value}` is not a mode; expected absent, bulk or delta")),
            }
        }
        for spec in catalog(version) {
            let key = spec.manifest_key();
            if !seen.contains(&key) {
                let message = format!("`{key}` is missing; it is read as absent");
                // 1.2.1 requires every key; 1.1 producers sometimes list only what they send.
                match version {
                    Version::V1p2 => diags.error(FILE, None, Some(&key), message),
                    Version::V1p1 => diags.warning(FILE, None, Some(&key), message),
                }
            }
        }
        manifest
    }
}

/// Quotes a manifest value when it needs it.
fn csv_cell(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::Severity;

    fn read(text: &str) -> (Manifest, Vec<String>) {
        let mut diags = Diagnostics::default();
        let m = Manifest::read(text.as_bytes(), &mut diags);
        (m, diags.items().iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn a_complete_v1p1_manifest() {
        let mut text = String::from("propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.1\r\n");
        for f in catalog(Version::V1p1) {
            let mode = if f.name == "users.csv" { "bulk" } else { "absent" };
            text.push_str(&format!("{},{mode}\r\n", f.manifest_key()));
        }
        text.push_str("source.systemName,PowerSchool\r\n");
        let (m, diags) = read(&text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(m.version, Some(Version::V1p1));
        assert_eq!(m.mode("users.csv"), Mode::Bulk);
        assert_eq!(m.mode("orgs.csv"), Mode::Absent);
        assert_eq!(m.source_system_name.as_deref(), Some("PowerSchool"));
    }

    #[test]
    fn a_written_manifest_reads_back_without_diagnostics() {
        let mut m = Manifest::new(Version::V1p2);
        m.set("users.csv", Mode::Bulk).set("enrollments.csv", Mode::Delta).set("widgets.csv", Mode::Bulk);
        m.source_system_name = Some("Rollbook, demo".into());
        let text = m.to_csv();
        assert!(text.starts_with("propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.2\r\n"), "{text}");
        assert!(text.contains("file.users,bulk\r\n") && text.contains("file.roles,absent\r\n"), "{text}");
        assert!(text.ends_with("source.systemName,\"Rollbook, demo\"\r\n"), "{text}");
        assert!(!text.contains("widgets"), "only catalog files are listed: {text}");
        assert_eq!(text.lines().filter(|l| l.starts_with("file.")).count(), catalog(Version::V1p2).len());
        let (back, diags) = read(&text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(back.mode("users.csv"), Mode::Bulk);
        assert_eq!(back.mode("enrollments.csv"), Mode::Delta);
        assert_eq!(back.mode("orgs.csv"), Mode::Absent);
        assert_eq!(back.source_system_name.as_deref(), Some("Rollbook, demo"));
    }

    #[test]
    fn problems_are_named() {
        let (m, diags) = read("propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.users,BULK\nfile.users,bulk\nfile.widgets,bulk\nfavourite.colour,blue\n");
        assert_eq!(m.mode("users.csv"), Mode::Bulk);
        assert!(diags.contains(&"manifest.csv line 4, field `file.users`: warning: `BULK` read as `bulk`".to_string()), "{diags:#?}");
        assert!(diags.contains(&"manifest.csv line 5, field `file.users`: error: `file.users` is listed twice".to_string()));
        assert!(diags.contains(&"manifest.csv line 6, field `file.widgets`: error: `file.widgets` is not a file of OneRoster 1.2".to_string()));
        assert!(diags.contains(&"manifest.csv line 7, field `favourite.colour`: error: `favourite.colour` is not a manifest property".to_string()));
        assert!(diags.contains(&"manifest.csv, field `file.roles`: error: `file.roles` is missing; it is read as absent".to_string()));
        let mut d = Diagnostics::default();
        Manifest::read("propertyName,value\nmanifest.version,1.0\n".as_bytes(), &mut d);
        assert_eq!(d.items()[0].to_string(), "manifest.csv, field `oneroster.version`: error: is missing; expected 1.1 or 1.2");
        assert_eq!(d.items()[0].severity, Severity::Error);
    }
}

//! Validating a whole package: manifest, every listed file row by row, and the references
//! between files (SPEC-NOTES §7.8), in one streaming pass per file.

use std::{collections::HashSet, path::Path};

use serde::Serialize;

use super::{
    bytes::IdSet,
    catalog, file_spec,
    package::Unusable,
    Diagnostics, FileReader, FileSpec, Kind, Manifest, Mode, Package, Row,
};
use crate::Version;

mod index;
use index::{stem_of, Columns, Index, RefColumn};

/// Files in the order that lets references point backwards (same-file references wait for the
/// end of their file).
const ORDER: &[&str] = &[
    "orgs.csv",
    "academicSessions.csv",
    "courses.csv",
    "classes.csv",
    "users.csv",
    "userProfiles.csv",
    "roles.csv",
    "enrollments.csv",
    "demographics.csv",
];

/// What was read from one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileSummary {
    pub name: String,
    pub mode: &'static str,
    pub rows: u64,
}

/// The outcome of validating a package.
#[derive(Debug)]
pub struct Report {
    pub version: Option<Version>,
    pub files: Vec<FileSummary>,
    pub diagnostics: Diagnostics,
    /// References the package does not resolve, when [`Options::defer_references`] asked for
    /// them instead of errors.
    pub unresolved: Vec<UnresolvedRef>,
}

/// A reference the package itself does not resolve (the importer checks it against the store).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnresolvedRef {
    pub file: &'static str,
    pub line: u64,
    pub field: &'static str,
    /// The referenced file without `.csv` (`classes`).
    pub target: &'static str,
    pub id: String,
}

/// How [`validate_with`] checks.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Collect unresolved references in [`Report::unresolved`] instead of reporting them as
    /// errors: an importer resolves them against the records it already holds.
    pub defer_references: bool,
    /// Diagnostics kept per file (counts stay exact).
    pub diagnostics_per_file: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { defer_references: false, diagnostics_per_file: 1000 }
    }
}

impl Report {
    /// Valid means: no errors (warnings are fine).
    pub fn is_valid(&self) -> bool {
        self.diagnostics.errors == 0
    }
}

/// Validates the package at `path` (zip or folder). `Err` only when it is not a package at all.
pub fn validate(path: &Path) -> Result<Report, Unusable> {
    validate_with(path, Options::default())
}

/// [`validate`] with options.
pub fn validate_with(path: &Path, options: Options) -> Result<Report, Unusable> {
    validate_each(path, options, &mut |_| {})
}

/// What [`validate_each`] hands on while it validates.
#[derive(Debug)]
pub enum Visit {
    /// A data file begins, read with this layout (the older 1.2 users layout when detected).
    File { spec: &'static FileSpec, mode: Mode },
    /// One row of that file, once its own checks and its reference checks are done. A row with
    /// errors is handed on too (with blank values where cells failed): the report decides.
    Row(Row),
}

/// [`validate_with`], handing every file and row to `visit` as it goes, so that a consumer
/// (the importer) reads the package once instead of a second time after validating it.
pub fn validate_each(path: &Path, options: Options, visit: &mut dyn FnMut(Visit)) -> Result<Report, Unusable> {
    let mut diags = Diagnostics::with_cap(options.diagnostics_per_file);
    let mut package = Package::open(path, &mut diags)?;
    let manifest = {
        let input = package.read("manifest.csv").map_err(|e| Unusable(format!("manifest.csv cannot be read: {e}")))?;
        Manifest::read(input, &mut diags)
    };
    let mut report = Report { version: manifest.version, files: Vec::new(), diagnostics: diags, unresolved: Vec::new() };
    let Some(version) = manifest.version else { return Ok(report) };
    check_file_list(&package, &manifest, version, &mut report.diagnostics);

    let mut order: Vec<&str> = ORDER.iter().copied().filter(|n| file_spec(version, n).is_some()).collect();
    order.extend(catalog(version).iter().map(|f| f.name).filter(|n| !ORDER.contains(n)));
    let targets: HashSet<&str> = catalog(version)
        .iter()
        .flat_map(|f| f.columns.iter())
        .filter_map(|c| match c.kind {
            Kind::Ref(t) | Kind::RefList(t) => Some(t),
            _ => None,
        })
        .collect();
    let mut index = Index { defer: options.defer_references, ..Index::default() };
    for name in order {
        let mode = manifest.mode(name);
        if mode == Mode::Absent || !package.contains(name) {
            continue;
        }
        let spec = file_spec(version, name).expect("in catalog");
        let size = package.size(name);
        let input = match package.read(name) {
            Ok(input) => input,
            Err(e) => {
                report.diagnostics.error(name, None, None, format!("cannot be read: {e}"));
                continue;
            }
        };
        let Some(reader) = FileReader::open(spec, version, mode, input, &mut report.diagnostics) else { continue };
        let mut reader = reader.with_seeds(index.seeds).expect_bytes(size);
        let spec = reader.spec();
        visit(Visit::File { spec, mode });
        let stem = name.trim_end_matches(".csv");
        let keep_ids = targets.contains(stem) || name == "users.csv";
        let columns = Columns::of(spec);
        if name == "roles.csv" {
            index.presize_roles();
        }
        let mut pending = Vec::new();
        // A delta's tobedeleted rows: they refer to nothing (a deletion stands whatever its
        // row names), and nothing may refer to them.
        let mut deleted = IdSet::default();
        let mut rows = 0;
        let mut refs = RefColumn::of(spec, stem, &index);
        let mut last_school = String::new();
        while let Some(row) = reader.next_row(&mut report.diagnostics) {
            rows += 1;
            let diags = &mut report.diagnostics;
            let deleting = mode == Mode::Delta && columns.status.and_then(|i| row.values.get(i)).is_some_and(|s| s == "tobedeleted");
            if deleting && keep_ids {
                deleted.insert(index.fp(columns.sourced_id.and_then(|i| row.values.get(i)).unwrap_or("")));
            }
            for r in refs.iter_mut().filter(|_| !deleting) {
                let value = row.values.get(r.position).unwrap_or("");
                // Rows sorted by class or school name the same record row after row: once
                // found, the same id is not looked up again.
                if value.is_empty() || (!r.many && value == r.last_found) {
                    continue;
                }
                let mut check = |id: &str| {
                    if r.target == stem {
                        pending.push((row.line, r.field, id.to_string()));
                        false
                    } else {
                        index.check_in(r.set, spec.name, row.line, r.field, r.target, id, &manifest, diags)
                    }
                };
                if r.many {
                    value.split(',').for_each(|id| {
                        check(id);
                    });
                } else if check(value) {
                    r.last_found.clear();
                    r.last_found.push_str(value);
                }
            }
            let value = |i: Option<usize>| i.and_then(|i| row.values.get(i)).unwrap_or("");
            let id = value(columns.sourced_id);
            match name {
                "orgs.csv" => {
                    let fp = index.fp(id);
                    index.org_types.insert(fp, value(columns.kind).to_string());
                }
                "academicSessions.csv" => {
                    let fp = index.fp(id);
                    index.session_types.insert(fp, value(columns.kind).to_string());
                }
                "classes.csv" | "enrollments.csv" => {
                    let school = value(columns.school);
                    // A blank cell is checked too (an org row with a blank sourcedId is kept
                    // under the blank id); only a repeat of the last school found is skipped.
                    if (school.is_empty() || school != last_school) && index.must_be_school(name, row.line, school, diags) {
                        last_school.clear();
                        last_school.push_str(school);
                    }
                }
                "courses.csv" => index.must_be_school_year(name, row.line, value(columns.school_year), diags),
                "demographics.csv" => index.check(spec.name, row.line, "sourcedId", "users", id, &manifest, diags),
                "users.csv" => {
                    let org = value(columns.primary_org);
                    if !org.is_empty() {
                        let (user, pair, org) = (index.fp(id), index.pair(id, org), index.org_number(org));
                        index.primary_orgs.push((row.line, user, pair, org));
                    }
                }
                "userProfiles.csv" => {
                    let fp = index.fp(id);
                    index.profile_owner.insert(fp, value(columns.user).to_string());
                }
                "roles.csv" => {
                    let (user, org, role_type, profile) = (value(columns.user), value(columns.org), value(columns.role_type), value(columns.profile));
                    index.role(row.line, user, org, role_type, profile, diags)
                }
                _ => {}
            }
            visit(Visit::Row(row));
        }
        // The reader kept every sourcedId's fingerprint for its duplicate check: the same set
        // resolves references to this file (built only when something refers to it).
        let mut ids = if keep_ids || !pending.is_empty() { reader.take_ids() } else { Default::default() };
        for fp in &deleted {
            ids.remove(fp);
        }
        for (line, field, id) in pending {
            let fp = index.fp(&id);
            if ids.contains(&fp) {
                continue;
            }
            if deleted.contains(&fp) {
                report.diagnostics.error(name, Some(line), Some(field), format!("refers to `{id}`, which this package deletes ({name} marks it tobedeleted)"));
            } else if index.defer {
                index.unresolved.push(UnresolvedRef { file: spec.name, line, field, target: stem_of(spec.name), id });
            } else {
                report.diagnostics.error(name, Some(line), Some(field), format!("refers to `{id}`, which is not in {name}"));
            }
        }
        if keep_ids {
            index.ids.push((stem_of(spec.name), ids));
            if !deleted.is_empty() {
                index.deleted.push((stem_of(spec.name), deleted));
            }
        }
        report.files.push(FileSummary { name: name.to_string(), mode: mode_name(mode), rows });
        if name == "roles.csv" {
            // Users come before roles: the check can run now, and what it needed (hundreds of
            // megabytes for a million users) is freed before the enrollments are read.
            index.primary_orgs_have_roles(&mut report.diagnostics);
            index.release_roles();
        }
    }
    if !index.roles_checked && manifest.mode("roles.csv") != Mode::Absent && package.contains("roles.csv") {
        index.primary_orgs_have_roles(&mut report.diagnostics);
    }
    report.unresolved = std::mem::take(&mut index.unresolved);
    Ok(report)
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Absent => "absent",
        Mode::Bulk => "bulk",
        Mode::Delta => "delta",
    }
}

/// The package's files against the manifest: listed files present, absent ones not, and no
/// strangers (a wrongly cased name is an error, anything else a warning).
fn check_file_list(package: &Package, manifest: &Manifest, version: Version, diags: &mut Diagnostics) {
    for name in package.names() {
        if name == "manifest.csv" {
            continue;
        }
        match file_spec(version, name) {
            Some(_) if manifest.mode(name) == Mode::Absent => {
                diags.error(name, None, None, "is in the package, but the manifest marks it absent (or does not list it); it is not read")
            }
            Some(_) => {}
            None => match catalog(version).iter().find(|f| f.name.eq_ignore_ascii_case(name)) {
                Some(f) => diags.error(name, None, None, format!("file names are case-sensitive: expected `{}`; this file is not read", f.name)),
                None => diags.warning(name, None, None, format!("is not a file of OneRoster {version}; ignored")),
            },
        }
    }
    for (name, mode) in &manifest.files {
        if *mode != Mode::Absent && !package.contains(name) {
            diags.error(name, None, None, format!("the manifest lists it as {} but the package does not contain it", mode_name(*mode)));
        }
    }
}

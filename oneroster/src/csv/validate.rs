//! Validating a whole package: manifest, every listed file row by row, and the references
//! between files (SPEC-NOTES §7.8), in one streaming pass per file.

use std::{
    collections::{HashMap, HashSet},
    path::Path,
};

use serde::Serialize;

use super::{
    bytes::{fingerprint, fingerprint_pair, IdMap, IdSet, Seeds},
    catalog, file_spec,
    package::Unusable,
    Diagnostics, FileReader, FileSpec, Kind, Manifest, Mode, Package, Row,
};
use crate::Version;

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
        let mut rows = 0;
        let mut refs = RefColumn::of(spec, stem, &index);
        let mut last_school = String::new();
        while let Some(row) = reader.next_row(&mut report.diagnostics) {
            rows += 1;
            let diags = &mut report.diagnostics;
            for r in &mut refs {
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
        let ids = if keep_ids || !pending.is_empty() { reader.take_ids() } else { Default::default() };
        for (line, field, id) in pending {
            if ids.contains(&index.fp(&id)) {
                continue;
            }
            if index.defer {
                index.unresolved.push(UnresolvedRef { file: spec.name, line, field, target: stem_of(spec.name), id });
            } else {
                report.diagnostics.error(name, Some(line), Some(field), format!("refers to `{id}`, which is not in {name}"));
            }
        }
        if keep_ids {
            index.ids.push((stem_of(spec.name), ids));
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

/// What earlier files provided, for reference checks.
///
/// Ids are kept as 128-bit fingerprints, as the reader keeps them for duplicates (16 bytes an id
/// instead of the id itself: a million-student package's users, roles and classes fit in tens
/// of megabytes). Messages quote ids from the row at hand, never from the index.
#[derive(Default)]
struct Index {
    seeds: Seeds,
    /// The ids of each file read so far, by stem (a handful: a list beats hashing the name).
    ids: Vec<(&'static str, IdSet)>,
    org_types: IdMap<String>,
    session_types: IdMap<String>,
    /// userProfile → its user.
    profile_owner: IdMap<String>,
    /// (line, user, user+org pair, org) of every users.csv primaryOrgSourcedId; orgs are few,
    /// so each is kept once in `org_names`.
    primary_orgs: Vec<(u64, u128, u128, u32)>,
    org_names: Vec<String>,
    org_numbers: HashMap<String, u32>,
    /// Every user+org pair of roles.csv, and whether the pair has a primary role (one map, so
    /// a row costs one look-up).
    role_pairs: IdMap<bool>,
    /// Users with any role (kept only when references are deferred: see
    /// `primary_orgs_have_roles`).
    users_with_roles: IdSet,
    defer: bool,
    unresolved: Vec<UnresolvedRef>,
    /// The primary-org check ran and its state was released.
    roles_checked: bool,
}

/// Where the columns the cross-file checks read sit in a layout (looked up once per file,
/// not once per row).
struct Columns {
    sourced_id: Option<usize>,
    kind: Option<usize>,
    school: Option<usize>,
    school_year: Option<usize>,
    primary_org: Option<usize>,
    user: Option<usize>,
    org: Option<usize>,
    role_type: Option<usize>,
    profile: Option<usize>,
}

impl Columns {
    fn of(spec: &FileSpec) -> Columns {
        let at = |name: &str| spec.columns.iter().position(|c| c.name == name);
        Columns {
            sourced_id: at("sourcedId"),
            kind: at("type"),
            school: at("schoolSourcedId"),
            school_year: at("schoolYearSourcedId"),
            primary_org: at("primaryOrgSourcedId"),
            user: at("userSourcedId"),
            org: at("orgSourcedId"),
            role_type: at("roleType"),
            profile: at("userProfileSourcedId"),
        }
    }
}

/// A reference column of a file, looked up once per file instead of once per row.
struct RefColumn {
    position: usize,
    field: &'static str,
    target: &'static str,
    /// A comma-separated list of ids.
    many: bool,
    /// Where the target's ids are in `Index::ids` (`None`: not read, or this file itself).
    set: Option<usize>,
    /// The last id of this column found in the package.
    last_found: String,
}

impl RefColumn {
    fn of(spec: &FileSpec, stem: &str, index: &Index) -> Vec<RefColumn> {
        spec.columns
            .iter()
            .enumerate()
            .filter_map(|(position, column)| {
                let (target, many) = match column.kind {
                    Kind::Ref(t) => (t, false),
                    Kind::RefList(t) => (t, true),
                    _ => return None,
                };
                let set = if target == stem { None } else { index.set_of(target) };
                Some(RefColumn { position, field: column.name, target, many, set, last_found: String::new() })
            })
            .collect()
    }
}

/// `classes.csv` → `classes`, keeping the catalog's `'static` name.
fn stem_of(file: &'static str) -> &'static str {
    file.strip_suffix(".csv").unwrap_or(file)
}

impl Index {
    fn fp(&self, id: &str) -> u128 {
        fingerprint(&self.seeds, id)
    }

    /// One fingerprint for a (user, org) pair.
    fn pair(&self, user: &str, org: &str) -> u128 {
        fingerprint_pair(&self.seeds, user, org)
    }

    fn org_number(&mut self, org: &str) -> u32 {
        if let Some(n) = self.org_numbers.get(org) {
            return *n;
        }
        let n = self.org_names.len() as u32;
        self.org_names.push(org.to_string());
        self.org_numbers.insert(org.to_string(), n);
        n
    }

    /// Where the ids of `target` are in `ids`, once that file has been read.
    fn set_of(&self, target: &str) -> Option<usize> {
        self.ids.iter().position(|(stem, _)| *stem == target)
    }

    #[allow(clippy::too_many_arguments)]
    fn check(&mut self, file: &'static str, line: u64, field: &'static str, target: &'static str, id: &str, manifest: &Manifest, diags: &mut Diagnostics) {
        self.check_in(self.set_of(target), file, line, field, target, id, manifest, diags);
    }

    /// [`Index::check`] with the target's id set already looked up (`set`, from
    /// [`Index::set_of`]). True when the package itself has the record.
    #[allow(clippy::too_many_arguments)]
    fn check_in(&mut self, set: Option<usize>, file: &'static str, line: u64, field: &'static str, target: &'static str, id: &str, manifest: &Manifest, diags: &mut Diagnostics) -> bool {
        let ids = set.map(|i| &self.ids[i].1);
        match ids {
            Some(ids) if ids.contains(&self.fp(id)) => return true,
            _ if self.defer => {
                self.unresolved.push(UnresolvedRef { file, line, field, target, id: id.to_string() });
            }
            Some(_) => diags.error(file, Some(line), Some(field), format!("refers to `{id}`, which is not in {target}.csv")),
            None => {
                let why = match manifest.mode(&format!("{target}.csv")) {
                    Mode::Absent => format!("{target}.csv is not in the package"),
                    _ => format!("{target}.csv could not be read"),
                };
                diags.error(file, Some(line), Some(field), format!("refers to `{id}`, which cannot be checked: {why}"));
            }
        }
        false
    }

    /// roles.csv: one primary role per user and org; a role's profile belongs to its user.
    fn role(&mut self, line: u64, user: &str, org: &str, role_type: &str, profile: &str, diags: &mut Diagnostics) {
        let pair = self.pair(user, org);
        let primary = role_type == "primary";
        let had_primary = match self.role_pairs.entry(pair) {
            std::collections::hash_map::Entry::Occupied(mut seen) => {
                let had = *seen.get();
                *seen.get_mut() |= primary;
                had
            }
            std::collections::hash_map::Entry::Vacant(first) => {
                first.insert(primary);
                false
            }
        };
        if primary && had_primary {
            diags.error(
                "roles.csv",
                Some(line),
                Some("roleType"),
                format!("`{user}` already has a primary role at `{org}`; a user has at most one primary role per org"),
            );
        }
        if self.defer {
            self.users_with_roles.insert(self.fp(user));
        }
        if !profile.is_empty() {
            if let Some(owner) = self.profile_owner.get(&self.fp(profile)) {
                if owner != user {
                    diags.error(
                        "roles.csv",
                        Some(line),
                        Some("userProfileSourcedId"),
                        format!("`{profile}` is a profile of `{owner}`, not of `{user}`"),
                    );
                }
            }
        }
    }

    /// users.csv: a primaryOrg needs a role of that user at that org. When references are
    /// deferred, a user without any row in roles.csv keeps the roles the importer already holds,
    /// so only users the package gives roles to are checked.
    fn primary_orgs_have_roles(&self, diags: &mut Diagnostics) {
        for (line, user, pair, org) in &self.primary_orgs {
            if self.defer && !self.users_with_roles.contains(user) {
                continue;
            }
            if !self.role_pairs.contains_key(pair) {
                let org = &self.org_names[*org as usize];
                diags.error(
                    "users.csv",
                    Some(*line),
                    Some("primaryOrgSourcedId"),
                    format!("`{org}` is this user's primary org, but roles.csv gives this user no role there"),
                );
            }
        }
    }

    /// Frees what only roles.csv's checks use.
    /// Sizes the role sets for about one role per user read, so that a million-user file does
    /// not rehash them a dozen times on the way (they grow as usual beyond that).
    fn presize_roles(&mut self) {
        let users = self.ids.iter().find(|(stem, _)| *stem == "users").map_or(0, |(_, ids)| ids.len());
        self.role_pairs.reserve(users);
        if self.defer {
            self.users_with_roles.reserve(users);
        }
    }

    fn release_roles(&mut self) {
        self.roles_checked = true;
        self.primary_orgs = Vec::new();
        self.role_pairs = IdMap::default();
        self.users_with_roles = IdSet::default();
        self.profile_owner = IdMap::default();
    }

    /// True when `id` is an org of the package that is a school.
    fn must_be_school(&self, file: &str, line: u64, id: &str, diags: &mut Diagnostics) -> bool {
        let Some(kind) = self.org_types.get(&self.fp(id)) else { return false };
        if kind != "school" && !kind.starts_with("ext:") {
            diags.error(file, Some(line), Some("schoolSourcedId"), format!("`{id}` is an org of type {kind}, not a school"));
            return false;
        }
        true
    }

    fn must_be_school_year(&self, file: &str, line: u64, id: &str, diags: &mut Diagnostics) {
        if let Some(kind) = self.session_types.get(&self.fp(id)) {
            if kind != "schoolYear" {
                diags.error(file, Some(line), Some("schoolYearSourcedId"), format!("`{id}` is a {kind}, not a schoolYear"));
            }
        }
    }
}

//! What earlier files of a package provided, for the reference checks of later files: the
//! id sets, the few attributes the checks read (org and session types, profile owners) and
//! the roles.csv bookkeeping, plus the per-file column look-ups.

use std::collections::HashMap;

use super::{
    super::{
        bytes::{fingerprint, fingerprint_pair, IdMap, IdSet, Seeds},
        Diagnostics, FileSpec, Kind, Manifest, Mode,
    },
    UnresolvedRef,
};

/// What earlier files provided, for reference checks.
///
/// Ids are kept as 128-bit fingerprints, as the reader keeps them for duplicates (16 bytes an id
/// instead of the id itself: a million-student package's users, roles and classes fit in tens
/// of megabytes). Messages quote ids from the row at hand, never from the index.
#[derive(Default)]
pub(super) struct Index {
    pub(super) seeds: Seeds,
    /// The ids of each file read so far, by stem (a handful: a list beats hashing the name).
    pub(super) ids: Vec<(&'static str, IdSet)>,
    /// The ids a delta file of the package marks `tobedeleted`, by stem: not there to be
    /// referred to (they are left out of `ids`).
    pub(super) deleted: Vec<(&'static str, IdSet)>,
    pub(super) org_types: IdMap<String>,
    pub(super) session_types: IdMap<String>,
    /// userProfile → its user.
    pub(super) profile_owner: IdMap<String>,
    /// (line, user, user+org pair, org) of every users.csv primaryOrgSourcedId; orgs are few,
    /// so each is kept once in `org_names`.
    pub(super) primary_orgs: Vec<(u64, u128, u128, u32)>,
    pub(super) org_names: Vec<String>,
    pub(super) org_numbers: HashMap<String, u32>,
    /// Every user+org pair of roles.csv, and whether the pair has a primary role (one map, so
    /// a row costs one look-up).
    pub(super) role_pairs: IdMap<bool>,
    /// Users with any role (kept only when references are deferred: see
    /// `primary_orgs_have_roles`).
    pub(super) users_with_roles: IdSet,
    pub(super) defer: bool,
    pub(super) unresolved: Vec<UnresolvedRef>,
    /// The primary-org check ran and its state was released.
    pub(super) roles_checked: bool,
}

/// Where the columns the cross-file checks read sit in a layout (looked up once per file,
/// not once per row).
pub(super) struct Columns {
    pub(super) sourced_id: Option<usize>,
    pub(super) status: Option<usize>,
    pub(super) kind: Option<usize>,
    pub(super) school: Option<usize>,
    pub(super) school_year: Option<usize>,
    pub(super) primary_org: Option<usize>,
    pub(super) user: Option<usize>,
    pub(super) org: Option<usize>,
    pub(super) role_type: Option<usize>,
    pub(super) profile: Option<usize>,
}

impl Columns {
    pub(super) fn of(spec: &FileSpec) -> Columns {
        let at = |name: &str| spec.columns.iter().position(|c| c.name == name);
        Columns {
            sourced_id: at("sourcedId"),
            status: at("status"),
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
pub(super) struct RefColumn {
    pub(super) position: usize,
    pub(super) field: &'static str,
    pub(super) target: &'static str,
    /// A comma-separated list of ids.
    pub(super) many: bool,
    /// Where the target's ids are in `Index::ids` (`None`: not read, or this file itself).
    pub(super) set: Option<usize>,
    /// The last id of this column found in the package.
    pub(super) last_found: String,
}

impl RefColumn {
    pub(super) fn of(spec: &FileSpec, stem: &str, index: &Index) -> Vec<RefColumn> {
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
pub(super) fn stem_of(file: &'static str) -> &'static str {
    file.strip_suffix(".csv").unwrap_or(file)
}

impl Index {
    pub(super) fn fp(&self, id: &str) -> u128 {
        fingerprint(&self.seeds, id)
    }

    /// One fingerprint for a (user, org) pair.
    pub(super) fn pair(&self, user: &str, org: &str) -> u128 {
        fingerprint_pair(&self.seeds, user, org)
    }

    pub(super) fn org_number(&mut self, org: &str) -> u32 {
        if let Some(n) = self.org_numbers.get(org) {
            return *n;
        }
        let n = self.org_names.len() as u32;
        self.org_names.push(org.to_string());
        self.org_numbers.insert(org.to_string(), n);
        n
    }

    /// Where the ids of `target` are in `ids`, once that file has been read.
    pub(super) fn set_of(&self, target: &str) -> Option<usize> {
        self.ids.iter().position(|(stem, _)| *stem == target)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn check(&mut self, file: &'static str, line: u64, field: &'static str, target: &'static str, id: &str, manifest: &Manifest, diags: &mut Diagnostics) {
        self.check_in(self.set_of(target), file, line, field, target, id, manifest, diags);
    }

    /// [`Index::check`] with the target's id set already looked up (`set`, from
    /// [`Index::set_of`]). True when the package itself has the record.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn check_in(&mut self, set: Option<usize>, file: &'static str, line: u64, field: &'static str, target: &'static str, id: &str, manifest: &Manifest, diags: &mut Diagnostics) -> bool {
        let ids = set.map(|i| &self.ids[i].1);
        match ids {
            Some(ids) if ids.contains(&self.fp(id)) => return true,
            _ if self.deletes(target, id) => {
                diags.error(file, Some(line), Some(field), format!("refers to `{id}`, which this package deletes ({target}.csv marks it tobedeleted)"));
            }
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

    /// Whether a delta file of the package marks `id` of `target` tobedeleted.
    pub(super) fn deletes(&self, target: &str, id: &str) -> bool {
        self.deleted.iter().any(|(stem, set)| *stem == target && set.contains(&self.fp(id)))
    }

    /// roles.csv: one primary role per user and org; a role's profile belongs to its user.
    pub(super) fn role(&mut self, line: u64, user: &str, org: &str, role_type: &str, profile: &str, diags: &mut Diagnostics) {
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
    pub(super) fn primary_orgs_have_roles(&self, diags: &mut Diagnostics) {
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

    /// Sizes the role sets for about one role per user read, so that a million-user file does
    /// not rehash them a dozen times on the way (they grow as usual beyond that).
    pub(super) fn presize_roles(&mut self) {
        let users = self.ids.iter().find(|(stem, _)| *stem == "users").map_or(0, |(_, ids)| ids.len());
        self.role_pairs.reserve(users);
        if self.defer {
            self.users_with_roles.reserve(users);
        }
    }

    /// Frees what only roles.csv's checks use.
    pub(super) fn release_roles(&mut self) {
        self.roles_checked = true;
        self.primary_orgs = Vec::new();
        self.role_pairs = IdMap::default();
        self.users_with_roles = IdSet::default();
        self.profile_owner = IdMap::default();
    }

    /// True when `id` is an org of the package that is a school.
    pub(super) fn must_be_school(&self, file: &str, line: u64, id: &str, diags: &mut Diagnostics) -> bool {
        let Some(kind) = self.org_types.get(&self.fp(id)) else { return false };
        if kind != "school" && !kind.starts_with("ext:") {
            diags.error(file, Some(line), Some("schoolSourcedId"), format!("`{id}` is an org of type {kind}, not a school"));
            return false;
        }
        true
    }

    pub(super) fn must_be_school_year(&self, file: &str, line: u64, id: &str, diags: &mut Diagnostics) {
        if let Some(kind) = self.session_types.get(&self.fp(id)) {
            if kind != "schoolYear" {
                diags.error(file, Some(line), Some("schoolYearSourcedId"), format!("`{id}` is a {kind}, not a schoolYear"));
            }
        }
    }
}

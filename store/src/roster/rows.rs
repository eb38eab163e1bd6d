//! Package rows as roster rows: the values of one table's spec columns, whatever the version.

use blake2::{
    digest::{Update, VariableOutput},
    Blake2bVar,
};
use oneroster::{
    csv::{file_spec, record_from_row, record_to_row, FileSpec, Mode, Record, RoleRecord, Row},
    model::entity::Base,
    Version,
};

use super::tables::{by_name, Table};

/// One record as the roster stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordRow {
    pub sourced_id: String,
    /// `active` or `tobedeleted` (a delta row may delete).
    pub active: bool,
    /// One value per spec column of the table; `None` for a blank cell.
    pub values: Vec<Option<String>>,
    /// Extension columns as a JSON object of dotted names (`None` when there are none).
    pub metadata: Option<String>,
    /// The line of the package file the row came from.
    pub line: u64,
}

impl RecordRow {
    /// A stable 64-bit digest of the content (values and metadata, not the status): equal
    /// digests mean an unchanged record.
    pub fn hash(&self) -> i64 {
        digest(self.values.iter().map(Option::as_deref), self.metadata.as_deref())
    }
}

/// The digest of [`RecordRow::hash`], over a row's values (`None` for a blank) and metadata.
/// One function for both the built row and the package row it would be built from
/// ([`Layout::hash_of`]), so the two cannot drift apart.
fn digest<'a>(values: impl Iterator<Item = Option<&'a str>>, metadata: Option<&str>) -> i64 {
    let mut h = Blake2bVar::new(8).expect("8 is a valid blake2b length");
    for v in values {
        match v {
            // A tag byte keeps `None` apart from `Some("")` and values from each other.
            None => h.update(&[0]),
            Some(v) => {
                h.update(&[1]);
                h.update(&(v.len() as u64).to_le_bytes());
                h.update(v.as_bytes());
            }
        }
    }
    if let Some(m) = metadata {
        h.update(&[2]);
        h.update(m.as_bytes());
    }
    let mut out = [0u8; 8];
    h.finalize_variable(&mut out).expect("8 bytes");
    i64::from_le_bytes(out)
}

/// A 128-bit fingerprint of a sourcedId (the roster index keeps these instead of the ids).
///
/// Fingerprints live only in memory, for one process, so they need not be stable across runs:
/// two independently and randomly seeded 64-bit hashes (foldhash) make an accidental match of
/// two ids practically impossible and a crafted one unpredictable, at a fraction of a
/// cryptographic hash's cost (it is computed for every row read and every record indexed).
pub fn fingerprint(id: &str) -> u128 {
    use std::hash::BuildHasher;
    static SEEDS: std::sync::OnceLock<(foldhash::fast::RandomState, foldhash::fast::RandomState)> = std::sync::OnceLock::new();
    let (a, b) = SEEDS.get_or_init(Default::default);
    (u128::from(a.hash_one(id)) << 64) | u128::from(b.hash_one(id))
}

/// Extension columns as a JSON object, `None` when there are none.
fn metadata_json(pairs: &[(String, String)]) -> Option<String> {
    if pairs.is_empty() {
        return None;
    }
    let map: serde_json::Map<String, serde_json::Value> =
        pairs.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    Some(serde_json::Value::Object(map).to_string())
}

/// The values of `table`'s columns from a row of its 1.2.1 file.
fn from_v1p2(table: &Table, spec_columns: &[&str], row: &Row) -> RecordRow {
    let value = |name: &str| {
        spec_columns.iter().position(|c| *c == name).map(|i| &row.values[i]).filter(|v| !v.is_empty()).map(String::from)
    };
    RecordRow {
        sourced_id: value("sourcedId").unwrap_or_default(),
        active: value("status").as_deref() != Some("tobedeleted"),
        values: table.csv.iter().map(|c| value(c)).collect(),
        metadata: metadata_json(&row.metadata),
        line: row.line,
    }
}

/// How the rows of one package file become roster rows, worked out once per file.
///
/// `spec` is the layout the reader actually read (the older 1.2 users layout with
/// `resourceSourcedIds` differs from the catalog's).
pub struct Layout {
    version: Version,
    spec: &'static FileSpec,
    table: &'static Table,
    /// Where `sourcedId`, `status` and `password` sit in the file's columns.
    sourced_id: Option<usize>,
    status: Option<usize>,
    password: Option<usize>,
    /// For each of the table's spec columns, the file column holding it (1.2 files).
    columns: Vec<Option<usize>>,
}

impl Layout {
    /// The layout of `spec`'s rows in a `version` package; `None` for a file Rollbook does not
    /// keep (gradebook, resources).
    pub fn new(version: Version, spec: &'static FileSpec) -> Option<Layout> {
        let table = super::tables::TABLES.iter().find(|t| t.file == spec.name)?;
        file_spec(Version::V1p2, spec.name)?;
        let at = |name: &str| spec.columns.iter().position(|c| c.name == name);
        Some(Layout {
            version,
            spec,
            table,
            sourced_id: at("sourcedId"),
            status: at("status"),
            password: at("password"),
            columns: table.csv.iter().map(|c| at(c)).collect(),
        })
    }

    /// The table the file feeds (1.1 users also feed roles, see [`Layout::convert`]).
    pub fn file(&self) -> &'static str {
        self.spec.name
    }

    /// Whether the row carries a password (never stored; the report counts them).
    pub fn has_password(&self, row: &Row) -> bool {
        self.password.is_some_and(|i| !row.values[i].is_empty())
    }

    /// The roster rows one package row becomes: `(table name, row)`. A 1.2.1 row maps to its
    /// own table (its non-blank values copied out of the row's buffer here, on the converting
    /// thread, rather than by the thread that reads the file); a 1.1 row is converted through the
    /// canonical entity, and a 1.1 user also yields one roles row per org (sourcedId
    /// `USER#role#ORG`, outside the 1.2.1 id alphabet so it cannot collide with a real
    /// roles.csv id).
    pub fn convert(&self, row: Row) -> Vec<(&'static str, RecordRow)> {
        if self.version == Version::V1p2 {
            return vec![(self.table.name, self.convert_one(&row))];
        }
        convert_v1p1(self.spec, self.table, &row)
    }

    /// The table the file's rows go to.
    pub fn table(&self) -> &'static Table {
        self.table
    }

    /// Whether a row of this file becomes exactly one roster row, which [`Layout::convert_one`]
    /// builds and the `*_of` methods read without building it (1.2.1 files).
    pub fn one_to_one(&self) -> bool {
        self.version == Version::V1p2
    }

    /// The one roster row of a 1.2.1 row (see [`Layout::one_to_one`]).
    pub fn convert_one(&self, row: &Row) -> RecordRow {
        let values = self.columns.iter().map(|&i| self.cell(row, i).map(String::from)).collect();
        RecordRow {
            sourced_id: self.sourced_id_of(row).to_string(),
            active: self.active_of(row),
            values,
            metadata: metadata_json(&row.metadata),
            line: row.line,
        }
    }

    /// The sourcedId [`Layout::convert_one`] would give the row (empty when blank).
    pub fn sourced_id_of<'r>(&self, row: &'r Row) -> &'r str {
        self.cell(row, self.sourced_id).unwrap_or_default()
    }

    /// The status [`Layout::convert_one`] would give the row.
    pub fn active_of(&self, row: &Row) -> bool {
        self.cell(row, self.status) != Some("tobedeleted")
    }

    /// The digest [`Layout::convert_one`]'s row would have ([`RecordRow::hash`]), without
    /// copying the values out.
    pub fn hash_of(&self, row: &Row) -> i64 {
        digest(self.columns.iter().map(|&i| self.cell(row, i)), metadata_json(&row.metadata).as_deref())
    }

    /// A non-blank value of file column `i`.
    fn cell<'r>(&self, row: &'r Row, i: Option<usize>) -> Option<&'r str> {
        i.and_then(|i| row.values.get(i)).filter(|v| !v.is_empty())
    }
}

/// A 1.1 row through the canonical entity (see [`Layout::convert`]).
fn convert_v1p1(spec: &FileSpec, table: &'static Table, row: &Row) -> Vec<(&'static str, RecordRow)> {
    let v2_spec = file_spec(Version::V1p2, spec.name).expect("a file with a table");
    let Some(record) = record_from_row(spec, Version::V1p1, row) else { return Vec::new() };
    let names: Vec<&str> = v2_spec.columns.iter().map(|c| c.name).collect();
    let mut v2_row = record_to_row(&record, v2_spec, Version::V1p2, Mode::Delta);
    v2_row.line = row.line;
    let mut out = vec![(table.name, from_v1p2(table, &names, &v2_row))];
    if let Record::User(user) = &record {
        let roles = by_name("roles").expect("roles table");
        let roles_spec = file_spec(Version::V1p2, roles.file).expect("roles.csv");
        let role_names: Vec<&str> = roles_spec.columns.iter().map(|c| c.name).collect();
        for role in &user.roles {
            let mut base = Base::new(format!("{}#role#{}", user.base.sourced_id, role.org));
            base.status = user.base.status.clone();
            base.date_last_modified = user.base.date_last_modified;
            let record = Record::Role(RoleRecord { base, user: user.base.sourced_id.clone(), role: role.clone() });
            let mut role_row = record_to_row(&record, roles_spec, Version::V1p2, Mode::Delta);
            role_row.line = row.line;
            out.push((roles.name, from_v1p2(roles, &role_names, &role_row)));
        }
    }
    // Delta mode above writes the status, so a 1.1 `tobedeleted` row stays one.
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(values: &[&str]) -> Row {
        Row { line: 7, values: values.iter().map(|v| v.to_string()).collect(), metadata: vec![] }
    }

    #[test]
    fn a_1p2_row_keeps_its_values_and_blank_is_none() {
        let r = row(&["e1", "", "", "c1", "s1", "u1", "student", "", "", ""]);
        let out = Layout::new(Version::V1p2, file_spec(Version::V1p2, "enrollments.csv").unwrap()).unwrap().convert(r);
        assert_eq!(out.len(), 1);
        let (table, rec) = &out[0];
        assert_eq!(*table, "enrollments");
        assert_eq!(rec.sourced_id, "e1");
        assert!(rec.active);
        assert_eq!(rec.values[0].as_deref(), Some("c1"));
        assert_eq!(rec.values[4], None);
        assert_eq!(rec.line, 7);
    }

    #[test]
    fn a_1p1_user_becomes_a_user_and_a_role_per_org() {
        // sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,
        // givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password
        let r = row(&["u1", "", "", "true", "o1,o2", "teacher", "jdoe", "", "Jane", "Doe", "", "", "", "", "", "", "", "secret"]);
        let layout = Layout::new(Version::V1p1, file_spec(Version::V1p1, "users.csv").unwrap()).unwrap();
        assert!(layout.has_password(&r));
        let out = layout.convert(r);
        let tables: Vec<&str> = out.iter().map(|(t, _)| *t).collect();
        assert_eq!(tables, ["users", "roles", "roles"]);
        assert_eq!(out[1].1.sourced_id, "u1#role#o1");
        // userSourcedId, roleType, role, beginDate, endDate, orgSourcedId, userProfileSourcedId
        assert_eq!(out[1].1.values[..3], [Some("u1".into()), Some("primary".into()), Some("teacher".into())]);
        assert_eq!(out[2].1.values[1].as_deref(), Some("secondary"));
        assert_eq!(out[2].1.values[5].as_deref(), Some("o2"));
        // The password is not among the stored values.
        assert!(!out[0].1.values.iter().flatten().any(|v| v == "secret"));
    }

    /// The digests stored in existing databases must not change: a re-import compares them,
    /// and a changed digest would make every record look updated.
    #[test]
    fn hash_is_stable() {
        let row = RecordRow {
            sourced_id: "enr-1".into(),
            active: true,
            values: [Some("cls-1"), None, Some("usr-1"), Some("student"), None].map(|v| v.map(String::from)).to_vec(),
            metadata: Some(r#"{"a":"1"}"#.into()),
            line: 2,
        };
        assert_eq!(row.hash(), -1873309620566800544);
    }

    #[test]
    fn hash_sees_every_value_and_metadata_but_not_status() {
        let a = RecordRow { sourced_id: "x".into(), active: true, values: vec![Some("a".into()), None], metadata: None, line: 2 };
        let mut b = a.clone();
        b.active = false;
        b.line = 9;
        assert_eq!(a.hash(), b.hash());
        b.values[1] = Some(String::new());
        assert_ne!(a.hash(), b.hash());
        let mut c = a.clone();
        c.metadata = Some("{}".into());
        assert_ne!(a.hash(), c.hash());
    }

    /// A re-import compares the digest read off the package row with the stored one, and
    /// builds the row only when it must be written: both ways must agree on every part.
    #[test]
    fn a_row_read_in_place_matches_the_row_built_from_it() {
        let layout = Layout::new(Version::V1p2, file_spec(Version::V1p2, "enrollments.csv").unwrap()).unwrap();
        let cases = [
            row(&["e1", "", "", "c1", "s1", "u1", "student", "", "", ""]),
            row(&["e2", "tobedeleted", "2026-01-01T00:00:00.000Z", "c1", "s1", "u2", "teacher", "true", "2026-09-01", "2027-06-30"]),
            row(&["", "active", "", "", "", "", "", "", "", ""]),
            Row { line: 12, metadata: vec![("grade".into(), "09".into()), ("room".into(), "B2".into())], ..row(&["e3", "", "", "c2", "s1", "u3", "student", "false", "", ""]) },
        ];
        for r in cases {
            let built = layout.convert_one(&r);
            assert_eq!(layout.hash_of(&r), built.hash(), "{:?}", built.sourced_id);
            assert_eq!(layout.sourced_id_of(&r), built.sourced_id);
            assert_eq!(layout.active_of(&r), built.active);
            let (_, via_convert) = layout.convert(r).pop().unwrap();
            assert_eq!(via_convert, built);
        }
    }
}

//! Rostering rows ↔ entities (SPEC-NOTES §7.9 crosswalk: `xSourcedId` columns are references,
//! `preferredGivenName` is `preferredFirstName`, 1.2 roles and user profiles are rows of their
//! own files, 1.1 users carry `orgSourcedIds` + `role`). Rows are expected to have passed the
//! reader, which blanks values it reported as errors.

mod from_row;
mod to_row;

use serde_json::{Map, Value};

pub use from_row::record_from_row;
pub use to_row::record_to_row;

use super::{FileSpec, Row};
use crate::model::{entity::*, parse_date, parse_datetime, DateTimeStrictness, Status};

/// A 1.2 `roles.csv` row: one role of one user.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleRecord {
    pub base: Base,
    pub user: String,
    pub role: Role,
}

/// A `userProfiles.csv` row: one profile (with one credential) of one user.
#[derive(Clone, Debug, PartialEq)]
pub struct UserProfileRecord {
    pub base: Base,
    pub user: String,
    pub profile: UserProfile,
}

/// One row of a rostering file as an entity.
// Records are made and consumed one row at a time, so the size gap between a user and an org
// costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Org(Org),
    AcademicSession(AcademicSession),
    Course(Course),
    Class(Class),
    Enrollment(Enrollment),
    /// 1.2 users come without roles (those are `roles.csv` rows); 1.1 users carry theirs.
    User(User),
    Role(RoleRecord),
    UserProfile(UserProfileRecord),
    Demographics(Demographics),
}

/// Cell access by column name.
pub(super) struct Cells<'a> {
    pub spec: &'a FileSpec,
    pub row: &'a Row,
}

impl Cells<'_> {
    pub(super) fn get(&self, name: &str) -> Option<String> {
        let i = self.spec.columns.iter().position(|c| c.name == name)?;
        Some(self.row.values[i].to_string()).filter(|v| !v.is_empty())
    }
    pub(super) fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default()
    }
    pub(super) fn list(&self, name: &str) -> Vec<String> {
        self.get(name).map(|v| v.split(',').map(String::from).collect()).unwrap_or_default()
    }
    pub(super) fn date(&self, name: &str) -> Option<time::Date> {
        self.get(name).and_then(|d| parse_date(&d))
    }
    pub(super) fn boolean(&self, name: &str) -> Option<bool> {
        self.get(name).map(|v| v == "true")
    }
    pub(super) fn base(&self) -> Base {
        Base {
            sourced_id: self.text("sourcedId"),
            status: self.get("status").and_then(|s| Status::parse(&s).ok()).unwrap_or(Status::Active),
            date_last_modified: self
                .get("dateLastModified")
                .and_then(|t| parse_datetime(&t, DateTimeStrictness::Lenient))
                .map(|(t, _)| t),
            metadata: nest_metadata(&self.row.metadata),
        }
    }
}

/// `metadata.jp.kanaGivenName` columns become `{"jp": {"kanaGivenName": ...}}`.
pub(super) fn nest_metadata(pairs: &[(String, String)]) -> Map<String, Value> {
    let mut root = Map::new();
    for (name, value) in pairs {
        let mut node = &mut root;
        let mut parts = name.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                node.insert(part.to_string(), Value::String(value.clone()));
            } else {
                let child = node.entry(part.to_string()).or_insert_with(|| Value::Object(Map::new()));
                if !child.is_object() {
                    *child = Value::Object(Map::new());
                }
                node = child.as_object_mut().expect("object");
            }
        }
    }
    root
}

/// The reverse of [`nest_metadata`]: dotted names in a stable (sorted) order.
pub(super) fn flatten_metadata(map: &Map<String, Value>, prefix: &str, out: &mut Vec<(String, String)>) {
    for (key, value) in map {
        let name = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match value {
            Value::Object(inner) => flatten_metadata(inner, &name, out),
            Value::String(s) => out.push((name, s.clone())),
            Value::Null => {}
            other => out.push((name, other.to_string())),
        }
    }
}


//! JSON for each OneRoster version: the exact shapes of 1.1 and 1.2 responses, and lenient
//! reading of both (consumers of real data must accept booleans as JSON or as strings).
//!
//! Differences handled here (SPEC-NOTES §2.4, §3):
//! - booleans: 1.2 writes `"true"`/`"false"`; 1.1 writes JSON booleans by default
//!   (as 1EdTech's 1.1 sample data does) or strings ([`BoolStyle`]);
//! - users: 1.2 `roles[]` vs 1.1 `role` + `orgs[]` (the private `entities` module has the
//!   mapping and what a 1.1 client does not get);
//! - GUIDRef `type`: one per slot in 1.2 (`academicSession`, `org`, ...), the wider 1.1
//!   vocabulary in 1.1 (`term` for `class.terms`);
//! - required-in-1.2 strings (`org.identifier`, `course.courseCode`) written as `""` when unknown.

mod entities;
mod obj;
mod user;

use serde_json::Value;

use crate::Version;

pub use entities::JsonEntity;

/// How 1.1 output writes booleans.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BoolStyle {
    /// `true` / `false` (1EdTech's 1.1 sample data).
    #[default]
    Json,
    /// `"true"` / `"false"` (what the 1.1 JSON schema checks expect).
    String,
}

/// Where GUIDRef `href`s point and how 1.1 booleans look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonContext {
    /// The version's base URL without a trailing slash, e.g.
    /// `https://rollbook.example/ims/oneroster/rostering/v1p2`.
    pub base_url: String,
    pub v1p1_booleans: BoolStyle,
}

impl JsonContext {
    /// A context for `version` served at `origin` (scheme, host and port).
    pub fn new(origin: &str, version: Version) -> Self {
        JsonContext {
            base_url: format!("{}{}", origin.trim_end_matches('/'), version.rostering_base_path()),
            v1p1_booleans: BoolStyle::default(),
        }
    }
}

/// A JSON value that is not a valid entity: where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// e.g. `academicSessions[0].status`.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for JsonError {}

/// Reads every record of a collection response (`{"users": [...]}`). Returns the records and
/// warnings (such as unknown fields, which are skipped).
pub fn read_collection<T: JsonEntity>(body: &Value, version: Version) -> Result<(Vec<T>, Vec<String>), JsonError> {
    let key = T::COLLECTION;
    let items = body.get(key).and_then(Value::as_array).ok_or_else(|| JsonError {
        path: key.to_string(),
        message: format!("expected an object with a `{key}` array"),
    })?;
    let mut records = Vec::with_capacity(items.len());
    let mut warnings = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let (record, mut w) = T::from_json(item, version, &format!("{key}[{i}]"))?;
        records.push(record);
        warnings.append(&mut w);
    }
    Ok((records, warnings))
}

/// The collection envelope `{"<collection>": [...]}` for `records`.
pub fn write_collection<T: JsonEntity>(records: &[T], version: Version, ctx: &JsonContext) -> Value {
    let items: Vec<Value> = records.iter().map(|r| r.to_json(version, ctx)).collect();
    serde_json::json!({ T::COLLECTION: items })
}

/// The single-record envelope `{"<singular>": {...}}`.
pub fn write_single<T: JsonEntity>(record: &T, version: Version, ctx: &JsonContext) -> Value {
    serde_json::json!({ T::SINGULAR: record.to_json(version, ctx) })
}

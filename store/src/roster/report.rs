//! Import reports: what an import did or would do, stored with the import as JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How an import ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Still running (or interrupted before it could record an outcome).
    Running,
    /// Applied as a new revision.
    Applied,
    /// Not applied: it changes more than the safety thresholds allow; waits for approve/discard.
    Held,
    /// Not applied: the package has errors (or is not a package).
    Rejected,
    /// A held import an admin discarded.
    Discarded,
    /// Stopped by a failure outside the package (database, disk); nothing was applied.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Running => "running",
            Outcome::Applied => "applied",
            Outcome::Held => "held",
            Outcome::Rejected => "rejected",
            Outcome::Discarded => "discarded",
            Outcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Outcome {
        match s {
            "applied" => Outcome::Applied,
            "held" => Outcome::Held,
            "rejected" => Outcome::Rejected,
            "discarded" => Outcome::Discarded,
            "failed" => Outcome::Failed,
            _ => Outcome::Running,
        }
    }
}

/// What an import did to one entity (roster table).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityCounts {
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
    pub unchanged: u64,
    /// Invalid rows left out under the skip-invalid policy.
    pub skipped: u64,
    /// Active records of the import's source before it (the base of the hold thresholds).
    pub before: u64,
}

/// One problem found in the package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub file: String,
    pub line: Option<u64>,
    pub field: Option<String>,
    /// `error` or `warning`.
    pub severity: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}: {}", self.severity, self.message)
    }
}

/// One read file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileLine {
    pub name: String,
    pub mode: String,
    pub rows: u64,
}

/// A record an import changes, for the sample shown with a hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    /// `created`, `updated` or `deleted`.
    pub change: String,
    pub sourced_id: String,
}

/// The full report of one import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub id: i64,
    pub source: String,
    pub package: String,
    pub origin: String,
    pub outcome: Outcome,
    /// One sentence: what happened and why.
    pub message: String,
    /// `1.1` or `1.2`, when the manifest says.
    pub version: Option<String>,
    pub skip_invalid: bool,
    pub files: Vec<FileLine>,
    /// Per roster table (`users`, `enrollments`, ...).
    pub entities: BTreeMap<String, EntityCounts>,
    pub errors: u64,
    pub warnings: u64,
    pub problems: Vec<Problem>,
    /// Problems counted but not listed (the list keeps 1,000 per file).
    pub problems_not_listed: u64,
    /// Why the import is held (one line per threshold crossed).
    pub hold_reasons: Vec<String>,
    /// Some records per table the import creates, updates or deletes.
    pub samples: BTreeMap<String, Vec<Sample>>,
    /// The revision it created, when applied.
    pub revision: Option<i64>,
    /// When held: the roster revision its counts were made against. An approval applies it as
    /// reviewed only while the roster is still at that revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_at_revision: Option<i64>,
    pub duration_ms: u64,
}

impl ImportReport {
    pub(crate) fn new(id: i64, source: &str, package: &str, origin: &str, skip_invalid: bool) -> Self {
        ImportReport {
            id,
            source: source.into(),
            package: package.into(),
            origin: origin.into(),
            outcome: Outcome::Running,
            message: String::new(),
            version: None,
            skip_invalid,
            files: Vec::new(),
            entities: BTreeMap::new(),
            errors: 0,
            warnings: 0,
            problems: Vec::new(),
            problems_not_listed: 0,
            hold_reasons: Vec::new(),
            samples: BTreeMap::new(),
            revision: None,
            held_at_revision: None,
            duration_ms: 0,
        }
    }

    /// Totals over all tables: (created, updated, deleted, unchanged).
    pub fn totals(&self) -> (u64, u64, u64, u64) {
        self.entities.values().fold((0, 0, 0, 0), |(c, u, d, n), e| (c + e.created, u + e.updated, d + e.deleted, n + e.unchanged))
    }
}

/// One line of the import list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub id: i64,
    pub source: String,
    pub origin: String,
    pub package: String,
    pub outcome: Outcome,
    pub revision: Option<i64>,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub actor: String,
    pub decided_by: Option<String>,
    pub message: String,
}

/// One line of the revision list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RevisionSummary {
    pub id: i64,
    pub created_at: String,
    /// `import` or `rollback`.
    pub kind: String,
    pub source: Option<String>,
    pub import_id: Option<i64>,
    pub restored_from: Option<i64>,
    pub summary: String,
    pub counts: serde_json::Value,
    pub actor: String,
}

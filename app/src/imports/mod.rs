//! Imports: upload, validation reports, held imports with Approve / Discard, history, and
//! revisions with Roll back.
//!
//! The upload itself is a plain multipart POST to `/imports/upload` (served by the server
//! crate: a zip can be large, and a server function would hold it in memory); everything else
//! is server functions over the same `store` services the CLI uses.

mod pages;

pub use pages::{ImportDetailPage, ImportsPage};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// One import in the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    pub id: i64,
    pub source: String,
    pub origin: String,
    pub package: String,
    /// `applied`, `held`, `rejected`, `discarded`, `failed`, `running`, ...
    pub outcome: String,
    pub revision: Option<i64>,
    pub started_at: String,
    pub actor: String,
    pub decided_by: Option<String>,
    pub message: String,
}

/// One revision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionRow {
    pub id: i64,
    pub created_at: String,
    pub kind: String,
    pub source: Option<String>,
    pub import_id: Option<i64>,
    pub restored_from: Option<i64>,
    pub summary: String,
    pub actor: String,
}

/// The imports page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportsData {
    pub imports: Vec<ImportRow>,
    pub revisions: Vec<RevisionRow>,
    pub current_revision: i64,
    pub can_edit: bool,
}

/// One diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemRow {
    pub file: String,
    pub line: Option<u64>,
    pub field: Option<String>,
    pub severity: String,
    pub message: String,
}

/// Per-entity counts of an import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityRow {
    pub entity: String,
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub before: u64,
}

/// One import's report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReportView {
    pub row: ImportRow,
    pub version: Option<String>,
    pub files: Vec<(String, String, u64)>,
    pub entities: Vec<EntityRow>,
    pub errors: u64,
    pub warnings: u64,
    pub problems: Vec<ProblemRow>,
    pub problems_not_listed: u64,
    pub hold_reasons: Vec<String>,
    /// entity → (change, sourcedId)
    pub samples: Vec<(String, Vec<(String, String)>)>,
    pub duration_ms: u64,
    pub can_edit: bool,
}

/// What rolling back to a revision would change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackChanges {
    pub to: i64,
    pub current: i64,
    /// Roster tables the rollback changes: (table, records restored, updated, deleted).
    pub changes: Vec<(String, u64, u64, u64)>,
    /// The summary the rollback's revision would carry.
    pub summary: String,
}

/// Why an upload was refused before it became an import. The upload handler sends the browser
/// to `/imports?refused=CODE&name=...`; the page words each code itself, so a crafted address
/// can only show these sentences (with the file or source name as plain text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    Forbidden,
    Malformed,
    NoFile,
    Empty,
    NotZip,
    Source,
    Failed,
}

impl Refusal {
    const ALL: [(Refusal, &'static str); 7] = [
        (Refusal::Forbidden, "forbidden"),
        (Refusal::Malformed, "malformed"),
        (Refusal::NoFile, "no_file"),
        (Refusal::Empty, "empty"),
        (Refusal::NotZip, "not_zip"),
        (Refusal::Source, "source"),
        (Refusal::Failed, "failed"),
    ];

    pub fn code(self) -> &'static str {
        Refusal::ALL.iter().find(|(r, _)| *r == self).map(|(_, c)| *c).unwrap_or("failed")
    }

    pub fn parse(code: &str) -> Option<Refusal> {
        Refusal::ALL.iter().find(|(_, c)| *c == code).map(|(r, _)| *r)
    }

    /// The imports page showing this refusal about `name` (a file or source name).
    pub fn address(self, name: &str) -> String {
        format!("/imports?refused={}&name={}", self.code(), crate::ui::encode(name))
    }

    /// What the page says.
    pub fn message(self, name: &str) -> String {
        match self {
            Refusal::Forbidden => "Your account is not allowed to import packages.".into(),
            Refusal::Malformed => "The upload was cut off or was not a file upload. Please try again.".into(),
            Refusal::NoFile => "Choose a package file (a OneRoster CSV zip) to upload.".into(),
            Refusal::Empty => format!("{name}: the file is empty. Choose a OneRoster CSV package (zip)."),
            Refusal::NotZip => format!(
                "{name}: this is not a zip file. A OneRoster package is a zip of CSV files (manifest.csv, orgs.csv, users.csv, …)."
            ),
            Refusal::Source => format!("Source `{name}`: use 1-64 characters a-z, 0-9, - and _ (for example sis)."),
            Refusal::Failed => format!("{name}: the import failed on the server and nothing was applied; the server log has the details."),
        }
    }
}

#[cfg(feature = "ssr")]
fn import_row(i: store::roster::ImportSummary) -> ImportRow {
    ImportRow {
        id: i.id,
        source: i.source,
        origin: i.origin,
        package: i.package,
        outcome: i.outcome.as_str().to_string(),
        revision: i.revision,
        started_at: i.started_at,
        actor: i.actor,
        decided_by: i.decided_by,
        message: i.message,
    }
}

/// Import history, revisions, and the last upload's refusal.
#[server(prefix = "/api", endpoint = "imports_overview")]
pub async fn imports_overview() -> Result<ImportsData, AppError> {
    use crate::ssr::{from_store, require_account, store};
    let account = require_account().await?;
    let store = store()?;
    let imports = store.imports(100).await.map_err(from_store)?.into_iter().map(import_row).collect();
    let revisions = store
        .revisions(100)
        .await
        .map_err(from_store)?
        .into_iter()
        .map(|r| RevisionRow {
            id: r.id,
            created_at: r.created_at,
            kind: r.kind,
            source: r.source,
            import_id: r.import_id,
            restored_from: r.restored_from,
            summary: r.summary,
            actor: r.actor,
        })
        .collect();
    Ok(ImportsData {
        imports,
        revisions,
        current_revision: store.current_revision().await.map_err(from_store)?,
        can_edit: account.role == store::Role::DistrictAdmin,
    })
}

/// One import with its full report.
#[server(prefix = "/api", endpoint = "import_detail")]
pub async fn import_detail(id: i64) -> Result<ImportReportView, AppError> {
    use crate::ssr::{from_store, require_account, store};
    let account = require_account().await?;
    let (summary, report) = store()?.import(id).await.map_err(from_store)?;
    let row = import_row(summary);
    let can_edit = account.role == store::Role::DistrictAdmin;
    let Some(r) = report else {
        return Ok(ImportReportView {
            row,
            version: None,
            files: vec![],
            entities: vec![],
            errors: 0,
            warnings: 0,
            problems: vec![],
            problems_not_listed: 0,
            hold_reasons: vec![],
            samples: vec![],
            duration_ms: 0,
            can_edit,
        });
    };
    Ok(ImportReportView {
        row,
        version: r.version,
        files: r.files.into_iter().map(|f| (f.name, f.mode, f.rows)).collect(),
        entities: r
            .entities
            .into_iter()
            .map(|(entity, c)| EntityRow {
                entity,
                created: c.created,
                updated: c.updated,
                deleted: c.deleted,
                unchanged: c.unchanged,
                skipped: c.skipped,
                before: c.before,
            })
            .collect(),
        errors: r.errors,
        warnings: r.warnings,
        problems: r
            .problems
            .into_iter()
            .map(|p| ProblemRow { file: p.file, line: p.line, field: p.field, severity: p.severity, message: p.message })
            .collect(),
        problems_not_listed: r.problems_not_listed,
        hold_reasons: r.hold_reasons,
        samples: r
            .samples
            .into_iter()
            .map(|(entity, list)| (entity, list.into_iter().map(|s| (s.change, s.sourced_id)).collect()))
            .collect(),
        duration_ms: r.duration_ms,
        can_edit,
    })
}

/// Applies a held import.
#[server(prefix = "/api", endpoint = "approve_import")]
pub async fn approve_import(id: i64) -> Result<String, AppError> {
    use crate::ssr::{from_store, require_admin, store};
    let account = require_admin().await?;
    // The store records the decision in the audit log (an approval that applies, with it).
    let report = store()?.approve_import(id, &account.email, &store::roster::Silent).await.map_err(from_store)?;
    Ok(report.message)
}

/// Discards a held import; nothing of it is applied.
#[server(prefix = "/api", endpoint = "discard_import")]
pub async fn discard_import(id: i64) -> Result<String, AppError> {
    use crate::ssr::{from_store, require_admin, store};
    let account = require_admin().await?;
    // The store records the decision in the audit log.
    let report = store()?.discard_import(id, &account.email).await.map_err(from_store)?;
    Ok(report.message)
}

/// What rolling back to revision `to` would change, per table.
#[server(prefix = "/api", endpoint = "rollback_preview")]
pub async fn rollback_preview(to: i64) -> Result<RollbackChanges, AppError> {
    use crate::ssr::{from_store, require_account, store};
    require_account().await?;
    // Counted as the rollback counts: records that differ from their state at `to`.
    let preview = store()?.rollback_preview(to).await.map_err(from_store)?;
    let changes = preview
        .counts
        .into_iter()
        .filter(|(_, c)| c.created + c.updated + c.deleted > 0)
        .map(|(table, c)| (table, c.created, c.updated, c.deleted))
        .collect();
    Ok(RollbackChanges { to, current: preview.current, changes, summary: preview.summary })
}

/// Restores the roster as it was at revision `to` (as a new revision). `seen`: the current
/// revision the preview showed; if the roster has moved on since, nothing is rolled back.
#[server(prefix = "/api", endpoint = "rollback_to")]
pub async fn rollback_to(to: i64, seen: Option<i64>) -> Result<String, AppError> {
    use crate::ssr::{from_store, require_admin, store};
    let account = require_admin().await?;
    // The audit log's entry is written with the rollback.
    let revision = store()?.rollback(to, seen, &account.email).await.map_err(from_store)?;
    Ok(format!("Revision {}: {}.", revision.id, revision.summary))
}

#[cfg(test)]
mod tests {
    use super::Refusal;

    #[test]
    fn refusal_codes_round_trip_and_unknown_codes_show_nothing() {
        for (r, _) in Refusal::ALL {
            assert_eq!(Refusal::parse(r.code()), Some(r));
        }
        assert_eq!(Refusal::parse("<script>"), None);
        assert_eq!(Refusal::NotZip.address("a b.zip"), "/imports?refused=not_zip&name=a%20b.zip");
        assert!(Refusal::NotZip.message("a b.zip").starts_with("a b.zip: this is not a zip file."));
    }
}

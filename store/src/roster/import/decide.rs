//! Decisions on a held import: approving it (applied after all, or held again when the
//! roster has changed under it) or discarding it; and keeping its package meanwhile.

use std::path::{Path, PathBuf};

use sqlx::Connection as _;

use super::{now, run::Run, Progress};
use crate::{
    db::with_pool,
    roster::{
        report::{ImportReport, Outcome},
        tuning::writer_wait,
        tx::wait::{busy_as_conflict, with_patient},
    },
    Store, StoreError,
};

impl Store {
    /// Applies a held import as it is, without the thresholds (an admin looked at it). If the
    /// roster has changed since the hold, what the import would do now may differ from what
    /// the admin reviewed: the thresholds then apply again, and when they are crossed the import
    /// stays held with the new counts. Recorded in the audit log (`import.approve`); an
    /// approval that applies commits its entry with it.
    ///
    /// Two decisions on one import (two admins, a double click) cannot both go through: the
    /// approval claims the import inside the transaction that applies it (see
    /// [`Tx::claim_held`](crate::roster::tx::Tx::claim_held)), so the other decision finds it
    /// decided, and an approval cut short leaves it held.
    pub async fn approve_import(&self, id: i64, actor: &str, progress: &dyn Progress) -> Result<ImportReport, StoreError> {
        let (mut report, held) = self.held_import(id).await?;
        let source_id = self.ensure_source(&report.source).await?;
        let reviewed_at = report.held_at_revision;
        let run = Run { store: self, path: &held, source_id, actor, force: true, reviewed_at };
        *report = ImportReport::new(report.id, &report.source, &report.package, &report.origin, report.skip_invalid);
        if let Err(e) = run.execute(&mut report, progress).await {
            // A discard that came first removes the package under the approval: that is the
            // answer, not the missing file.
            return Err(self.decided_meanwhile(id).await?.unwrap_or(e));
        }
        if report.outcome == Outcome::Applied {
            self.record_outcome(&report, None, Some(actor)).await?;
            with_pool!(&self.db, pool => sqlx::query("UPDATE imports SET held_path = NULL WHERE id = $1")
                .bind(id).execute(pool).await?.rows_affected());
            remove_held(&held);
            self.refresh_shares_after_change().await;
            // Its audit entry went in with it.
        } else if report.outcome == Outcome::Held {
            // The roster changed after the hold, and what the import would do now crosses the
            // thresholds: it stays held, with the new counts, for the admin to look at again.
            let now_at = report.held_at_revision.unwrap_or_default();
            report.message = format!(
                "not applied: the roster changed since this import was held (revision {} then, {now_at} now); {}",
                reviewed_at.unwrap_or_default(),
                report.message
            );
            self.record_decision(&report, actor, "import.approve").await?;
        } else {
            // Rejected on approval (the roster changed under it): decided, unless another
            // decision came first, and its package, which can no longer be approved, is not kept.
            self.record_decision(&report, actor, "import.approve").await?;
            remove_held(&held);
        }
        Ok(*report)
    }

    /// Discards a held import: nothing of it is applied; its report stays. Recorded in the
    /// audit log (`import.discard`) with the decision.
    pub async fn discard_import(&self, id: i64, actor: &str) -> Result<ImportReport, StoreError> {
        let (mut report, held) = self.held_import(id).await?;
        report.outcome = Outcome::Discarded;
        report.message = format!("discarded by {actor}; nothing was applied");
        self.record_decision(&report, actor, "import.discard").await?;
        remove_held(&held);
        Ok(*report)
    }

    /// Stores what became of held import `report.id` (`held` again, or decided by `actor`) and
    /// its audit entry `action`, in one transaction: an admin is never told a decision failed
    /// that was made, nor is a decision made without its entry. [`StoreError::Conflict`] when
    /// another decision came first (nothing is written then).
    async fn record_decision(&self, report: &ImportReport, actor: &str, action: &str) -> Result<(), StoreError> {
        let json = serde_json::to_string(report).map_err(|e| StoreError::Internal(e.to_string()))?;
        let (now, id, status) = (now(), report.id, report.outcome.as_str());
        let decided = (report.outcome != Outcome::Held).then_some(actor);
        let detail = crate::service::audit::audit_detail(&report.message);
        let claimed = with_patient!(&self.db, conn => {
            let mut tx = conn.begin().await.map_err(|e| busy_as_conflict(e.into(), writer_wait()))?;
            // A decided import's package is no longer kept.
            let claimed = sqlx::query(
                "UPDATE imports SET status = $1, report = $2, finished_at = $3, decided_by = COALESCE($4, decided_by), \
                 decided_at = CASE WHEN $4 IS NULL THEN decided_at ELSE $3 END, held_path = CASE WHEN $1 = 'held' THEN held_path END \
                 WHERE id = $5 AND status = 'held'")
                .bind(status).bind(&json).bind(&now).bind(decided).bind(id)
                .execute(&mut *tx).await.map_err(|e| busy_as_conflict(e.into(), writer_wait()))?.rows_affected();
            if claimed == 1 {
                sqlx::query("INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&now).bind(actor).bind(action).bind(format!("import {id}")).bind(&detail)
                    .execute(&mut *tx).await?;
                tx.commit().await.map_err(|e| busy_as_conflict(e.into(), writer_wait()))?;
            }
            claimed
        });
        if claimed == 1 {
            return Ok(());
        }
        Err(self.decided_meanwhile(id).await?.unwrap_or_else(|| StoreError::Conflict(format!("import {id} was decided meanwhile"))))
    }

    /// [`StoreError::Conflict`] saying what import `id` is now, if it is no longer held.
    async fn decided_meanwhile(&self, id: i64) -> Result<Option<StoreError>, StoreError> {
        let now: Option<String> = with_pool!(&self.db, pool => sqlx::query_scalar("SELECT status FROM imports WHERE id = $1")
            .bind(id).fetch_optional(pool).await)?;
        Ok(match now.as_deref() {
            Some("held") => None,
            now => Some(StoreError::Conflict(format!("import {id} was decided meanwhile: it is {}, not held", now.unwrap_or("gone")))),
        })
    }

    async fn held_import(&self, id: i64) -> Result<(Box<ImportReport>, PathBuf), StoreError> {
        let row: Option<(String, Option<String>, Option<String>)> = with_pool!(&self.db, pool => sqlx::query_as(
            "SELECT status, held_path, report FROM imports WHERE id = $1").bind(id).fetch_optional(pool).await?);
        let Some((status, held, report)) = row else { return Err(StoreError::NotFound(format!("there is no import {id}"))) };
        if status != "held" {
            return Err(StoreError::Invalid(format!("import {id} is {status}, not held; only held imports can be approved or discarded")));
        }
        let report: ImportReport = serde_json::from_str(report.as_deref().unwrap_or("{}"))
            .map_err(|e| StoreError::Internal(format!("import {id} has an unreadable report: {e}")))?;
        let held = PathBuf::from(held.ok_or_else(|| StoreError::Internal(format!("held import {id} has no stored package")))?);
        if !held.exists() {
            if let Some(decided) = self.decided_meanwhile(id).await? {
                return Err(decided);
            }
            return Err(StoreError::Internal(format!("the package of held import {id} is missing from {}", held.display())));
        }
        Ok((Box::new(report), held))
    }
}

/// Copies a held package to `<data>/holds/<id>/<name>` and returns that path.
pub(super) fn keep_held(path: &Path, data_dir: &Path, id: i64, name: &str) -> Result<String, StoreError> {
    let dir = data_dir.join("holds").join(id.to_string());
    let target = dir.join(if name.is_empty() { "package" } else { name });
    let io = |e: std::io::Error| StoreError::Internal(format!("cannot keep the held package in {}: {e}", dir.display()));
    std::fs::create_dir_all(&dir).map_err(io)?;
    if path.is_dir() {
        std::fs::create_dir_all(&target).map_err(io)?;
        for entry in std::fs::read_dir(path).map_err(io)? {
            let entry = entry.map_err(io)?;
            if entry.file_type().map_err(io)?.is_file() {
                std::fs::copy(entry.path(), target.join(entry.file_name())).map_err(io)?;
            }
        }
    } else {
        std::fs::copy(path, &target).map_err(io)?;
    }
    Ok(target.to_string_lossy().into_owned())
}

fn remove_held(path: &Path) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

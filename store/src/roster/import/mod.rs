//! The import pipeline: validate the whole package, check what it leaves to the roster, apply
//! it in one transaction as a new revision, or hold it when it changes too much.
//!
//! Nothing is applied by accident: a package with errors is rejected whole unless the
//! skip-invalid policy is on (and then every skipped row is reported); a hold or a rejection
//! rolls the transaction back; a crash anywhere leaves the previous revision.

mod apply;
mod feed;
mod prefetch;
mod refs;
mod run;

use std::path::{Path, PathBuf};

use oneroster::{csv::Severity, model::format_datetime};
use time::OffsetDateTime;

use self::run::Run;
use super::report::{ImportReport, Outcome, Problem};
use super::{
    tuning::writer_wait,
    tx::wait::{busy_as_conflict, with_patient},
};
use crate::{db::with_pool, Store, StoreError};

/// How to run one import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The feed the package comes from (`sis` unless the admin names another).
    pub source: String,
    /// Where it came from: `cli`, `upload`, `inbox`.
    pub origin: String,
    /// Who started it (an account e-mail, `cli`, `inbox`).
    pub actor: String,
    /// Overrides the district's skip-invalid setting for this import.
    pub skip_invalid: Option<bool>,
    /// The name shown in reports (default: the file or folder name).
    pub package_name: Option<String>,
    /// Rollbook's data folder: held packages wait in `holds/` below it.
    pub data_dir: PathBuf,
}

impl ImportOptions {
    /// Options for `source` with everything else at its default.
    pub fn new(source: impl Into<String>, data_dir: impl Into<PathBuf>) -> Self {
        ImportOptions {
            source: source.into(),
            origin: "cli".into(),
            actor: "cli".into(),
            skip_invalid: None,
            package_name: None,
            data_dir: data_dir.into(),
        }
    }
}

/// Receives progress while an import runs (a terminal progress bar, an upload page).
pub trait Progress: Send + Sync {
    /// A new phase begins (`validating`, `applying users.csv`, ...).
    fn phase(&self, name: &str);
    /// `n` more rows of the current file were applied.
    fn rows(&self, n: u64);
}

/// Progress that goes nowhere.
pub struct Silent;

impl Progress for Silent {
    fn phase(&self, _: &str) {}
    fn rows(&self, _: u64) {}
}

/// A source name: 1–64 characters of `a-z 0-9 - _`.
fn check_source_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!("`{name}` is not a usable source name: use 1-64 characters a-z, 0-9, - and _ (e.g. sis, hr)")))
    }
}

fn now() -> String {
    format_datetime(OffsetDateTime::now_utc())
}

impl Store {
    /// Imports the OneRoster CSV package at `path` (zip or folder) and returns its report.
    ///
    /// `Err` only for failures outside the package (database, disk); the import is then
    /// recorded as failed. A bad package is an `Ok` report with outcome `rejected`.
    pub async fn import_package(&self, path: &Path, options: &ImportOptions, progress: &dyn Progress) -> Result<ImportReport, StoreError> {
        check_source_name(&options.source)?;
        let source_id = self.ensure_source(&options.source).await?;
        let skip_invalid = match options.skip_invalid {
            Some(s) => s,
            None => self.import_policy().await?.skip_invalid,
        };
        let package = options.package_name.clone().unwrap_or_else(|| {
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
        });
        let id: i64 = with_patient!(&self.db, conn => sqlx::query_scalar(
            "INSERT INTO imports (source_id, origin, package_name, status, skip_invalid, started_at, actor) \
             VALUES ($1, $2, $3, 'running', $4, $5, $6) RETURNING id")
            .bind(source_id).bind(&options.origin).bind(&package).bind(skip_invalid).bind(now()).bind(&options.actor)
            .fetch_one(conn).await.map_err(|e| busy_as_conflict(e.into(), writer_wait()))?);
        let mut report = ImportReport::new(id, &options.source, &package, &options.origin, skip_invalid);
        let run = Run { store: self, path, source_id, actor: &options.actor, force: false, reviewed_at: None };
        match run.execute(&mut report, progress).await {
            Ok(()) => {}
            Err(e) => {
                report.outcome = Outcome::Failed;
                report.message = format!("the import failed and nothing was applied: {e}");
                // The import's own error is the one to report. A row that cannot be marked
                // failed now (the database still held) is marked at the next server start.
                if let Err(recording) = self.record_outcome(&report, None, None).await {
                    tracing::warn!(import = report.id, error = %recording, "could not record that the import failed");
                }
                return Err(e);
            }
        }
        let held_path = match report.outcome {
            Outcome::Held => match keep_held(path, &options.data_dir, id, &package) {
                Ok(kept) => Some(kept),
                // Without its package a hold could never be approved: the import failed.
                Err(e) => {
                    report.outcome = Outcome::Failed;
                    report.message = format!("the import was to be held, but its package could not be kept, so nothing was applied: {e}");
                    report.hold_reasons.clear();
                    self.record_outcome(&report, None, None).await?;
                    return Err(e);
                }
            },
            _ => None,
        };
        // An applied import's report went in with its revision; stored again now, it carries
        // the whole duration, commit included.
        self.record_outcome(&report, held_path.as_deref(), None).await?;
        if report.outcome == Outcome::Applied {
            self.refresh_shares_after_change().await;
        }
        Ok(report)
    }

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
            self.record_outcome(&report, None, None).await?;
            self.record_audit(actor, "import.approve", &format!("import {id}"), &report.message).await?;
        } else {
            // Rejected on approval (the roster changed under it): decided, unless another
            // decision came first, and its package, which can no longer be approved, is not kept.
            self.claim_held(id, report.outcome.as_str()).await?;
            self.record_outcome(&report, None, Some(actor)).await?;
            with_pool!(&self.db, pool => sqlx::query("UPDATE imports SET held_path = NULL WHERE id = $1")
                .bind(id).execute(pool).await?.rows_affected());
            remove_held(&held);
            self.record_audit(actor, "import.approve", &format!("import {id}"), &report.message).await?;
        }
        Ok(*report)
    }

    /// Brings every app's share up to date with the roster just committed. The roster change
    /// stands even if this fails (it is logged); the next change or share edit recomputes.
    pub(crate) async fn refresh_shares_after_change(&self) {
        // The new revision is part of every token check's answer (see `service::token_memo`).
        self.forget_tokens();
        // PostgreSQL plans the API's reads from table statistics, which a bulk import leaves
        // stale until autovacuum comes by (seen: a sequential scan of every role for each page
        // of users). Refresh them before the shares are recomputed.
        if let crate::db::Db::Postgres(pool) = &self.db {
            let tables: Vec<&str> = crate::roster::tables::TABLES.iter().map(|t| t.name).collect();
            if let Err(e) = sqlx::query(&format!("ANALYZE {}", tables.join(", "))).execute(pool).await {
                tracing::warn!(error = %e, "could not refresh the roster's statistics");
            }
        }
        if let Err(e) = self.refresh_shares().await {
            tracing::error!(error = %e, "could not recompute the apps' shares after a roster change");
        }
        // A server counts the new revision's records now, off the request path, so that its
        // dashboard does not wait for it (seconds on a 1M-student roster). A command does not:
        // closing its pool would wait for a count of every table that nobody reads.
        if !self.counts_kept.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            match store.roster_counts().await {
                Err(StoreError::Database(sqlx::Error::PoolClosed)) => tracing::debug!("the roster was not counted: the store closed first"),
                Err(e) => tracing::warn!(error = %e, "could not count the roster"),
                Ok(_) => {}
            }
        });
    }

    /// Discards a held import: nothing of it is applied; its report stays. Recorded in the
    /// audit log (`import.discard`).
    pub async fn discard_import(&self, id: i64, actor: &str) -> Result<ImportReport, StoreError> {
        let (mut report, held) = self.held_import(id).await?;
        self.claim_held(id, "discarded").await?;
        report.outcome = Outcome::Discarded;
        report.message = format!("discarded by {actor}; nothing was applied");
        self.record_outcome(&report, None, Some(actor)).await?;
        remove_held(&held);
        self.record_audit(actor, "import.discard", &format!("import {id}"), &report.message).await?;
        Ok(*report)
    }

    /// Marks imports left `running` by a crash as failed (call when no import can be running,
    /// e.g. at server start). Their transactions were never committed; the parts of a first
    /// import that were (`roster::shadow`) are removed by the next roster writer.
    pub async fn recover_interrupted_imports(&self) -> Result<u64, StoreError> {
        Ok(with_pool!(&self.db, pool => sqlx::query(
            "UPDATE imports SET status = 'failed', finished_at = $1 WHERE status = 'running'")
            .bind(now()).execute(pool).await?.rows_affected()))
    }

    /// Moves a held import to `status` if it is still held, else [`StoreError::Conflict`].
    async fn claim_held(&self, id: i64, status: &str) -> Result<(), StoreError> {
        let claimed = with_pool!(&self.db, pool => sqlx::query("UPDATE imports SET status = $1 WHERE id = $2 AND status = 'held'")
            .bind(status).bind(id).execute(pool).await?.rows_affected());
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

    /// Stores an import's final outcome and report (outside the apply transaction).
    async fn record_outcome(&self, report: &ImportReport, held_path: Option<&str>, decided_by: Option<&str>) -> Result<(), StoreError> {
        let json = serde_json::to_string(report).map_err(|e| StoreError::Internal(e.to_string()))?;
        let now = now();
        with_patient!(&self.db, conn => sqlx::query(
            "UPDATE imports SET status = $1, report = $2, finished_at = $3, held_path = COALESCE($4, held_path), \
             decided_by = COALESCE($5, decided_by), decided_at = CASE WHEN $5 IS NULL THEN decided_at ELSE $3 END WHERE id = $6")
            .bind(report.outcome.as_str()).bind(json).bind(&now).bind(held_path).bind(decided_by).bind(report.id)
            .execute(conn).await.map_err(|e| busy_as_conflict(e.into(), writer_wait()))?.rows_affected());
        Ok(())
    }

    /// The id of source `name`, created on first use.
    pub(crate) async fn ensure_source(&self, name: &str) -> Result<i64, StoreError> {
        // Known already (nearly always): no write, so no wait for another writer.
        let known: Option<i64> = with_pool!(&self.db, pool => sqlx::query_scalar("SELECT id FROM sources WHERE name = $1").bind(name).fetch_optional(pool).await?);
        if let Some(id) = known {
            return Ok(id);
        }
        with_patient!(&self.db, conn => sqlx::query("INSERT INTO sources (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name).bind(now()).execute(conn).await.map_err(|e| busy_as_conflict(e.into(), writer_wait()))?.rows_affected());
        Ok(with_pool!(&self.db, pool => sqlx::query_scalar("SELECT id FROM sources WHERE name = $1").bind(name).fetch_one(pool).await?))
    }
}

fn reject(report: &mut ImportReport, message: String) -> Result<(), StoreError> {
    report.outcome = Outcome::Rejected;
    report.message = message;
    Ok(())
}

fn fill_problems(report: &mut ImportReport, diags: &oneroster::csv::Diagnostics) {
    report.errors = diags.errors;
    report.warnings = diags.warnings;
    report.problems_not_listed = diags.dropped;
    report.problems = diags
        .items()
        .iter()
        .map(|d| Problem {
            file: d.file.clone(),
            line: d.line,
            field: d.field.clone(),
            severity: match d.severity {
                Severity::Error => "error".into(),
                Severity::Warning => "warning".into(),
            },
            message: d.message.clone(),
        })
        .collect();
}

/// The thresholds an import crosses, one sentence each.
fn hold_reasons(report: &ImportReport, policy: &super::policy::ImportPolicy) -> Vec<String> {
    let mut reasons = Vec::new();
    for (table, c) in &report.entities {
        if c.before == 0 {
            continue;
        }
        let pct = |n: u64| n as f64 * 100.0 / c.before as f64;
        let (del, change) = (policy.delete_percent(table), policy.change_percent(table));
        if pct(c.deleted) > del {
            reasons.push(format!("it deletes {} of {} {table} ({:.1}%, more than the {del}% allowed)", c.deleted, c.before, pct(c.deleted)));
        }
        if pct(c.updated + c.deleted) > change {
            reasons.push(format!(
                "it changes {} of {} {table} ({:.1}%, more than the {change}% allowed)",
                c.updated + c.deleted,
                c.before,
                pct(c.updated + c.deleted)
            ));
        }
    }
    reasons
}

/// Copies a held package to `<data>/holds/<id>/<name>` and returns that path.
fn keep_held(path: &Path, data_dir: &Path, id: i64, name: &str) -> Result<String, StoreError> {
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

pub(crate) fn plural(n: u64, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

//! The import pipeline: validate the whole package, check what it leaves to the roster, apply
//! it in one transaction as a new revision, or hold it when it changes too much.
//!
//! Nothing is applied by accident: a package with errors is rejected whole unless the
//! skip-invalid policy is on (and then every skipped row is reported); a hold or a rejection
//! rolls the transaction back; a crash anywhere leaves the previous revision.

mod alive;
mod apply;
mod decide;
mod feed;
mod prefetch;
mod refs;
mod run;
mod unrecorded;

use std::path::{Path, PathBuf};

use oneroster::{csv::Severity, model::format_datetime};
use time::OffsetDateTime;

pub(crate) use self::alive::LiveRunners;
use self::{decide::keep_held, run::Run};
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

/// One import being run: what its row says, and what a note says when the row cannot be
/// written (see `unrecorded`).
struct Attempt<'a> {
    runner: i64,
    options: &'a ImportOptions,
    package: &'a str,
    started_at: String,
    skip_invalid: bool,
}

impl Attempt<'_> {
    fn note(&self, import_id: Option<i64>, report: &ImportReport, held_path: Option<&str>) -> unrecorded::Note {
        unrecorded::Note {
            import_id,
            runner: self.runner,
            source: self.options.source.clone(),
            origin: self.options.origin.clone(),
            package: self.package.to_string(),
            skip_invalid: self.skip_invalid,
            started_at: self.started_at.clone(),
            finished_at: now(),
            actor: self.options.actor.clone(),
            held_path: held_path.map(str::to_string),
            report: report.clone(),
        }
    }
}

impl Store {
    /// Imports the OneRoster CSV package at `path` (zip or folder) and returns its report.
    ///
    /// `Err` only for failures outside the package (database, disk); the import is then
    /// recorded as failed. A bad package is an `Ok` report with outcome `rejected`.
    pub async fn import_package(&self, path: &Path, options: &ImportOptions, progress: &dyn Progress) -> Result<ImportReport, StoreError> {
        check_source_name(&options.source)?;
        let package = options.package_name.clone().unwrap_or_else(|| {
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
        });
        // Held until the import has recorded how it ended: while it is, the import is running.
        let running = self.start_running().await?;
        let mut attempt = Attempt { runner: running.runner(), options, package: &package, started_at: now(), skip_invalid: options.skip_invalid.unwrap_or(false) };
        let result = self.begin_import(path, &mut attempt, progress).await;
        running.release().await;
        result
    }

    /// [`import_package`](Self::import_package) once its lock is held: writes its row, then
    /// runs it.
    async fn begin_import(&self, path: &Path, attempt: &mut Attempt<'_>, progress: &dyn Progress) -> Result<ImportReport, StoreError> {
        let options = attempt.options;
        let source_id = match self.ensure_source(&options.source).await {
            Ok(id) => id,
            Err(e) => return Err(self.unrecorded_failure(attempt, e)),
        };
        attempt.skip_invalid = match options.skip_invalid {
            Some(s) => s,
            None => self.import_policy().await?.skip_invalid,
        };
        let inserted: Result<i64, StoreError> = with_patient!(&self.db, conn => sqlx::query_scalar(
            "INSERT INTO imports (source_id, origin, package_name, status, skip_invalid, started_at, actor, runner) \
             VALUES ($1, $2, $3, 'running', $4, $5, $6, $7) RETURNING id")
            .bind(source_id).bind(&options.origin).bind(attempt.package).bind(attempt.skip_invalid).bind(&attempt.started_at).bind(&options.actor).bind(attempt.runner)
            .fetch_one(conn).await.map_err(|e| busy_as_conflict(e.into(), writer_wait())));
        let id = match inserted {
            Ok(id) => id,
            Err(e) => return Err(self.unrecorded_failure(attempt, e)),
        };
        let mut report = ImportReport::new(id, &options.source, attempt.package, &options.origin, attempt.skip_invalid);
        let run = Run { store: self, path, source_id, actor: &options.actor, force: false, reviewed_at: None };
        if let Err(e) = run.execute(&mut report, progress).await {
            report.outcome = Outcome::Failed;
            report.message = format!("the import failed and nothing was applied: {e}");
            // The import's own error is the one to report.
            if let Err(recording) = self.record_end(attempt, &report, None).await {
                tracing::warn!(import = report.id, error = %recording, "could not record that the import failed");
            }
            return Err(e);
        }
        let held_path = match report.outcome {
            Outcome::Held => match keep_held(path, &options.data_dir, id, attempt.package) {
                Ok(kept) => Some(kept),
                // Without its package a hold could never be approved: the import failed.
                Err(e) => {
                    report.outcome = Outcome::Failed;
                    report.message = format!("the import was to be held, but its package could not be kept, so nothing was applied: {e}");
                    report.hold_reasons.clear();
                    self.record_end(attempt, &report, None).await?;
                    return Err(e);
                }
            },
            _ => None,
        };
        self.record_end(attempt, &report, held_path.as_deref()).await?;
        if report.outcome == Outcome::Applied {
            self.refresh_shares_after_change().await;
        }
        Ok(report)
    }

    /// Stores how the import ended. When the database stays held by another writer (SQLite),
    /// keeps a note of it instead, which the next recovery records (see `unrecorded`).
    async fn record_end(&self, attempt: &Attempt<'_>, report: &ImportReport, held_path: Option<&str>) -> Result<(), StoreError> {
        let Err(e) = self.record_outcome(report, held_path, None).await else { return Ok(()) };
        // An applied import's report went in with its revision; stored again here, it would
        // only carry the whole duration, commit included.
        if report.outcome == Outcome::Applied {
            tracing::warn!(import = report.id, error = %e, "the applied import's report keeps the duration it had at its commit");
            return Ok(());
        }
        if matches!(e, StoreError::Conflict(_)) && self.keep_unrecorded(&attempt.note(Some(report.id), report, held_path)) {
            tracing::warn!(import = report.id, error = %e, "how the import ended is noted, to be recorded by the next recovery");
            return Ok(());
        }
        Err(e)
    }

    /// `e`, an import's failure before its row could be written; on SQLite, held by another
    /// writer all along, the attempt is noted for the next recovery to record as failed.
    fn unrecorded_failure(&self, attempt: &Attempt<'_>, e: StoreError) -> StoreError {
        if matches!(e, StoreError::Conflict(_)) {
            let o = attempt.options;
            let mut report = ImportReport::new(0, &o.source, attempt.package, &o.origin, attempt.skip_invalid);
            report.outcome = Outcome::Failed;
            report.message = format!("the import failed and nothing was applied: {e}");
            self.keep_unrecorded(&attempt.note(None, &report, None));
        }
        e
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

    /// Marks failed the imports a crash left `running`: those whose process no longer runs
    /// (see `alive`); and records the imports that could not record themselves (see
    /// `unrecorded`). Imports still running in another command or server are left alone, so
    /// this can be called at any time (a server calls it as it starts). The cut-off imports'
    /// transactions never committed; the parts of a first import that did (`roster::shadow`)
    /// are removed by the next roster writer. Returns how many were marked.
    pub async fn recover_interrupted_imports(&self) -> Result<u64, StoreError> {
        let (mut marked, noted) = self.record_unrecorded().await;
        let running: Vec<(i64, Option<i64>)> =
            with_pool!(&self.db, pool => sqlx::query_as("SELECT id, runner FROM imports WHERE status = 'running' ORDER BY id").fetch_all(pool).await?);
        for (id, runner) in running {
            // Ended, with a note of how still to be recorded.
            if noted.contains(&id) {
                continue;
            }
            // Rows written before imports had runners were cut off by the upgrade's restart.
            if let Some(runner) = runner {
                if self.still_running(runner).await? {
                    continue;
                }
            }
            // Still `running`: an import that has just ended recorded its outcome, and stays so.
            marked += with_pool!(&self.db, pool => sqlx::query(
                "UPDATE imports SET status = 'failed', finished_at = $1 WHERE id = $2 AND status = 'running'")
                .bind(now()).bind(id).execute(pool).await?.rows_affected());
        }
        Ok(marked)
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


pub(crate) fn plural(n: u64, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

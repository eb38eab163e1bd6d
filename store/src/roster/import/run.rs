//! One run of the pipeline for an import row.
//!
//! By default the package is read once: validation hands each checked row to the apply pass,
//! which writes it inside the transaction while validation goes on; the outcome waits for both,
//! and any error rolls everything back (the committed parts of a first import loading shadow
//! tables included: see `roster::shadow`). Under the skip-invalid policy validation must come
//! first, since it decides which rows to leave out.
//!
//! Either way the references a package leaves to the roster are checked while the import
//! holds the roster's write lock, so no other import can change what they were checked
//! against before this one commits.

use std::{
    collections::{HashMap, HashSet},
    path::Path,
    time::Instant,
};

use oneroster::{
    csv::{file_spec, validate_with, Diagnostics, Manifest, Mode, Options, Package, Report, Unusable},
    Version,
};
use tokio::task::JoinHandle;

use super::{
    apply::{apply, Plan},
    feed::{self, FeedRx},
    fill_problems, hold_reasons, now, plural, refs, reject, Progress,
};
use crate::{
    roster::{
        report::{FileLine, ImportReport, Outcome, Problem},
        shadow::Shadow,
        tables::TABLES,
        tx::{Tx, IMPORT_CACHE_KIB},
    },
    Store, StoreError,
};

type Validation = JoinHandle<Result<Report, Unusable>>;

/// What validation said, or the task still saying it.
enum Verdict {
    Checked(Diagnostics),
    Pending(Validation),
}

/// The rows to apply, and what validation says of them.
enum Input {
    /// One read: validation is still running and hands its rows on as it checks them.
    Streamed(FeedRx, Validation),
    /// Skip-invalid: validated, with the references to the roster still to check (under the
    /// roster's write lock); then the package is read again, leaving its bad rows out. `held`
    /// as for `feed::read_and_feed`.
    Validated { report: Box<Report>, held: HashSet<&'static str> },
}

pub(super) struct Run<'a> {
    pub store: &'a Store,
    pub path: &'a Path,
    pub source_id: i64,
    pub actor: &'a str,
    /// Approve: apply whatever the thresholds say...
    pub force: bool,
    /// ...as long as the roster is still at the revision the hold was counted against (when
    /// known); otherwise the thresholds apply again to what the import would do now.
    pub reviewed_at: Option<i64>,
}

/// A package validated and checked against the roster: the rows to leave out and what was
/// found.
struct Checked {
    skip: HashSet<(String, u64)>,
    diags: Diagnostics,
}

/// A package validated on its own, with the version and file modes its manifest gives.
struct Validated {
    version: Version,
    modes: HashMap<String, Mode>,
    report: Report,
}

impl Run<'_> {
    pub async fn execute(&self, report: &mut ImportReport, progress: &dyn Progress) -> Result<(), StoreError> {
        let started = Instant::now();
        let result = self.steps(report, progress).await;
        report.duration_ms = started.elapsed().as_millis() as u64;
        result
    }

    async fn steps(&self, report: &mut ImportReport, progress: &dyn Progress) -> Result<(), StoreError> {
        progress.phase("validating");
        let path = self.path.to_path_buf();
        let options = Options { defer_references: true, diagnostics_per_file: 1000 };
        let manifest = if report.skip_invalid { None } else { read_manifest(self.path) };
        // Which files will mostly meet records already held (see `feed::Feeder::defer`).
        let held = self.store.tables_holding(self.source_id).await?;
        match manifest {
            // One read: validation hands its rows on to the apply pass as it checks them.
            Some((version, modes)) => {
                let (feed, validation) = feed::validate_and_feed(path, version, options, held);
                self.apply(report, version, modes, Input::Streamed(feed, validation), progress).await
            }
            // Skip-invalid must know every bad row first: validate, then read again to apply.
            None => {
                let validation: Validation = tokio::task::spawn_blocking(move || validate_with(&path, options));
                let Some(v) = self.settle(report, validation).await? else { return Ok(()) };
                let input = Input::Validated { report: Box::new(v.report), held };
                self.apply(report, v.version, v.modes, input, progress).await
            }
        }
    }

    /// Waits for validation and checks what the package leaves to the roster. `None` when the
    /// package is rejected (the report says why). Called under the roster's write lock.
    async fn check(&self, report: &mut ImportReport, validation: Validation) -> Result<Option<Checked>, StoreError> {
        match self.settle(report, validation).await? {
            Some(v) => self.judge(report, v.report).await,
            None => Ok(None),
        }
    }

    /// Waits for validation and reads what it found about the package on its own. `None` when
    /// the package is rejected (the report says why).
    async fn settle(&self, report: &mut ImportReport, validation: Validation) -> Result<Option<Validated>, StoreError> {
        let validated = validation.await.map_err(|e| StoreError::Internal(format!("validation stopped: {e}")))?;
        let mut v = match validated {
            Ok(v) => v,
            Err(unusable) => {
                report.errors = 1;
                report.problems.push(Problem { file: report.package.clone(), line: None, field: None, severity: "error".into(), message: unusable.0.clone() });
                reject(report, format!("not a usable OneRoster package: {}", unusable.0))?;
                return Ok(None);
            }
        };
        report.version = v.version.map(|v| v.to_string());
        report.files = v.files.iter().map(|f| FileLine { name: f.name.clone(), mode: f.mode.into(), rows: f.rows }).collect();
        let Some(version) = v.version else {
            fill_problems(report, &v.diagnostics);
            reject(report, "manifest.csv does not say which OneRoster version the package is".into())?;
            return Ok(None);
        };
        let modes: HashMap<String, Mode> =
            v.files.iter().map(|f| (f.name.clone(), if f.mode == "bulk" { Mode::Bulk } else { Mode::Delta })).collect();
        for f in &v.files {
            if !TABLES.iter().any(|t| t.file == f.name) {
                v.diagnostics.warning(&f.name, None, None, "not imported: Rollbook keeps the rostering files only");
            }
        }
        Ok(Some(Validated { version, modes, report: v }))
    }

    /// Checks the references a validated package leaves to the roster, and decides what its
    /// errors mean: `None` when the package is rejected (the report says why), else the rows
    /// to leave out. Must run under the roster's write lock (see the module's docs).
    async fn judge(&self, report: &mut ImportReport, mut v: Report) -> Result<Option<Checked>, StoreError> {
        let bulk: Vec<&str> = v.files.iter().filter(|f| f.mode == "bulk").map(|f| f.name.trim_end_matches(".csv")).collect();
        let started = Instant::now();
        refs::check(self.store, &v.unresolved, self.source_id, &bulk, &mut v.diagnostics).await?;
        tracing::debug!(unresolved = v.unresolved.len(), elapsed = ?started.elapsed(), "references checked against the roster");

        let errors = v.diagnostics.errors;
        let mut skip = HashSet::new();
        if errors > 0 {
            if !report.skip_invalid {
                fill_problems(report, &v.diagnostics);
                let why = format!("{} found; nothing was applied (fix the package, or apply its valid rows with --skip-invalid)", plural(errors, "error"));
                reject(report, why)?;
                return Ok(None);
            }
            // Every bad row, also those past the listed 1,000 per file.
            let Some(rows) = v.diagnostics.error_rows() else {
                fill_problems(report, &v.diagnostics);
                reject(report, "a whole file is unusable, so its rows cannot be left out one by one; nothing was applied".into())?;
                return Ok(None);
            };
            skip = rows;
        }
        Ok(Some(Checked { skip, diags: v.diagnostics }))
    }

    /// Applies in one transaction; commits only when the validation verdict (waited for here
    /// when it is still running) and the thresholds allow.
    async fn apply(
        &self,
        report: &mut ImportReport,
        version: Version,
        modes: HashMap<String, Mode>,
        input: Input,
        progress: &dyn Progress,
    ) -> Result<(), StoreError> {
        let started = Instant::now();
        let mut tx = Tx::begin(&self.store.db).await?;
        // The time the import's records carry, taken once it holds the roster's write lock (not
        // while it waited for another writer, whose changes commit first).
        let now = now();
        if self.force {
            tx.claim_held(report.id).await?;
        }
        let files = plan_files(version, &modes);
        let (feed, verdict, skip) = match input {
            Input::Streamed(feed, validation) => (feed, Verdict::Pending(validation), HashSet::new()),
            Input::Validated { report: validated, held } => match self.judge(report, *validated).await? {
                Some(c) => (feed::read_and_feed(self.path.to_path_buf(), version, files.clone(), held), Verdict::Checked(c.diags), c.skip),
                None => {
                    tx.rollback().await?;
                    return Ok(());
                }
            },
        };
        // A first bulk import into empty tables is loaded as shadow tables (SQLite; see
        // `roster::shadow`). Not an approval: its claim on the held import must not commit
        // before the import does.
        let mut shadow = None;
        if !self.force && files.iter().all(|(_, mode)| *mode == Mode::Bulk) {
            let fed: Vec<_> = files.iter().flat_map(|(file, _)| super::apply::tables_fed_by(version, file)).collect();
            shadow = Shadow::start(&mut tx, self.store.sqlite_file().as_deref(), &fed).await?;
        }
        // A shadow load inserts its revision row at the end, with the id it stamps its rows with.
        let revision = match shadow {
            Some(_) => tx.next_revision_id().await?,
            None => tx.new_revision("import", Some(self.source_id), Some(report.id), None, self.actor, &now).await?,
        };
        // Every way out of the rest ends the transaction, and a shadow load's earlier commits
        // are undone below whenever it did not commit (`?` included).
        let ended = async {
            let source_names: HashMap<i64, String> = self.store.source_names().await?.into_iter().collect();
            let roster_was_empty = tx.roster_is_empty().await?;
            let plan = Plan {
                version,
                files,
                source: self.source_id,
                revision,
                now: &now,
                skip,
                skip_invalid: report.skip_invalid,
                source_names,
                source_name: &report.source,
                shadow: shadow.as_ref(),
                roster_was_empty,
            };
            let mut apply_diags = Diagnostics::with_cap(1000);
            let bulk_tables = plan
                .files
                .iter()
                .filter(|(_, mode)| *mode == Mode::Bulk)
                .flat_map(|(file, _)| super::apply::tables_fed_by(version, file))
                .collect();
            let prefetch = super::prefetch::Prefetch::start(&self.store.db, bulk_tables);
            let applied = apply(&mut tx, &plan, feed, prefetch, &mut apply_diags, progress).await;
            tracing::debug!(elapsed = ?started.elapsed(), "applied");

            // The validation verdict comes first: a package with errors is rejected as such, even
            // when applying it also failed (its bad rows may well be why).
            let mut diags = match verdict {
                Verdict::Checked(diags) => diags,
                Verdict::Pending(validation) => {
                    progress.phase("validating");
                    match self.check(report, validation).await? {
                        Some(checked) => checked.diags,
                        None => return rolled_back(tx).await,
                    }
                }
            };
            tracing::debug!(elapsed = ?started.elapsed(), "validated");
            let applied = match applied {
                Ok(applied) => applied,
                Err(e) => {
                    let _ = tx.rollback().await;
                    return Err(e);
                }
            };
            let errors_before = diags.errors;
            diags.absorb(apply_diags);
            if applied.passwords > 0 {
                diags.warning("users.csv", None, Some("password"), format!("{} not stored: Rollbook never keeps or discloses passwords", plural(applied.passwords, "password value")));
            }
            report.entities = applied.entities;
            report.samples = applied.samples.into_iter().filter(|(_, s)| !s.is_empty()).collect();
            fill_problems(report, &diags);
            // Errors found while applying reject the package, but for the rows skip-invalid left out.
            if diags.errors > errors_before + applied.left_out {
                reject(report, format!("{} found while applying; nothing was applied", plural(diags.errors - errors_before, "error")))?;
                return rolled_back(tx).await;
            }
            // The revision before this one: what the counts above were made against.
            let base = revision - 1;
            if !self.force || self.reviewed_at.is_some_and(|at| at != base) {
                let policy = self.store.import_policy().await?;
                report.hold_reasons = hold_reasons(report, &policy);
                if !report.hold_reasons.is_empty() {
                    report.held_at_revision = Some(base);
                    report.outcome = Outcome::Held;
                    report.message = format!("held for review: {}; nothing was applied until an admin approves it", report.hold_reasons.join("; "));
                    return rolled_back(tx).await;
                }
            }
            let (c, u, d, n) = report.totals();
            let summary = format!("import {} from {}: {c} created, {u} updated, {d} deleted, {n} unchanged", report.id, report.source);
            let counts = serde_json::to_string(&report.entities).map_err(|e| StoreError::Internal(e.to_string()))?;
            if let Some(shadow) = &shadow {
                progress.phase("building indexes");
                shadow.swap_in(&mut tx, IMPORT_CACHE_KIB).await?;
                let id = tx.new_revision("import", Some(self.source_id), Some(report.id), None, self.actor, &now).await?;
                if id != revision {
                    return Err(StoreError::Internal(format!("revision {revision} was taken while the import loaded (got {id})")));
                }
            }
            tx.finish_revision(revision, &summary, &counts).await?;
            report.outcome = Outcome::Applied;
            report.revision = Some(revision);
            report.message = if report.errors > 0 {
                let skipped = report.entities.values().map(|e| e.skipped).sum();
                format!("applied as revision {revision}; {} left out (skip-invalid)", plural(skipped, "invalid row"))
            } else {
                format!("applied as revision {revision}")
            };
            let json = serde_json::to_string(&*report).map_err(|e| StoreError::Internal(e.to_string()))?;
            tx.finish_import(report.id, revision, &json, &now).await?;
            // An approval's audit entry commits with it.
            if self.force {
                tx.record_audit(self.actor, "import.approve", &format!("import {}", report.id), &report.message, &now).await?;
            }
            tx.commit().await?;
            tracing::debug!(elapsed = ?started.elapsed(), "committed");
            Ok(Ended::Committed)
        }
        .await;
        match (ended, shadow) {
            (Ok(Ended::Committed), _) | (Ok(Ended::RolledBack), None) => Ok(()),
            (Ok(Ended::RolledBack), Some(shadow)) => shadow.discard(&self.store.db).await,
            (Err(e), None) => Err(e),
            (Err(e), Some(shadow)) => {
                // The import's own error is the one to report; the next roster writer retries
                // a failed clean-up (see `roster::shadow`).
                if let Err(cleanup) = shadow.discard(&self.store.db).await {
                    tracing::warn!(error = %cleanup, "could not remove the tables of a failed first import yet");
                }
                Err(e)
            }
        }
    }
}

/// How the import's transaction ended, when no error ended it.
enum Ended {
    Committed,
    RolledBack,
}

/// Rolls `tx` back.
async fn rolled_back(tx: Tx) -> Result<Ended, StoreError> {
    tx.rollback().await?;
    Ok(Ended::RolledBack)
}

/// The rostering files of a package with their modes, in apply order (referenced files first).
fn plan_files(version: Version, modes: &HashMap<String, Mode>) -> Vec<(&'static str, Mode)> {
    TABLES.iter().filter(|t| file_spec(version, t.file).is_some()).filter_map(|t| modes.get(t.file).map(|m| (t.file, *m))).collect()
}

/// The version and file modes from the manifest alone (files it lists that the package has),
/// to start applying before validation ends. `None` when the manifest is not usable; the
/// validation then says why.
fn read_manifest(path: &Path) -> Option<(Version, HashMap<String, Mode>)> {
    let mut diags = Diagnostics::with_cap(0);
    let mut package = Package::open(path, &mut diags).ok()?;
    let manifest = Manifest::read(package.read("manifest.csv").ok()?, &mut diags);
    let version = manifest.version?;
    let modes = manifest
        .files
        .iter()
        .filter(|(name, mode)| **mode != Mode::Absent && package.contains(name))
        .map(|(name, mode)| (name.clone(), *mode))
        .collect();
    Some((version, modes))
}

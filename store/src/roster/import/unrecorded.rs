//! Imports whose own record could not be written: on SQLite, another import or rollback held
//! the database for the whole wait, so the import could not write its row, or how it ended.
//! Such an import leaves a note beside the database (`<database>-imports/unrecorded/`), which
//! the next recovery (a server starting, `rollbook imports list` or `show`) records, as
//! PostgreSQL records it at once: no import goes unrecorded.

use std::{collections::HashSet, io::Write as _, path::PathBuf};

use serde::{Deserialize, Serialize};

use crate::{
    db::with_pool,
    roster::report::{ImportReport, Outcome},
    Store, StoreError,
};

/// What the import's row should say.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Note {
    /// The import's row, when it was written (and only how the import ended was not).
    pub import_id: Option<i64>,
    /// The import's runner key: with `started_at`, what tells a row recorded from this note.
    pub runner: i64,
    pub source: String,
    pub origin: String,
    pub package: String,
    pub skip_invalid: bool,
    pub started_at: String,
    pub finished_at: String,
    pub actor: String,
    /// Where a held import's package is kept.
    pub held_path: Option<String>,
    /// How it ended (its id is the row's once that is written).
    pub report: ImportReport,
}

impl Store {
    /// Keeps `note` until it can be recorded; false when there is nowhere to keep it
    /// (PostgreSQL, an in-memory database) or writing it failed (logged).
    pub(super) fn keep_unrecorded(&self, note: &Note) -> bool {
        let Some(dir) = self.unrecorded_dir() else { return false };
        let path = dir.join(format!("{}-{}.json", note.started_at.replace(':', ""), note.runner));
        let written = std::fs::create_dir_all(&dir).and_then(|()| {
            let text = serde_json::to_vec_pretty(note).map_err(std::io::Error::other)?;
            // Written whole and synced under a temporary name, then renamed: a recovery never
            // reads half a note.
            let partial = path.with_extension("part");
            let mut file = std::fs::File::create(&partial)?;
            file.write_all(&text)?;
            file.sync_all()?;
            std::fs::rename(&partial, &path)
        });
        match written {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(package = %note.package, error = %e, "could not keep a note of an import that could not be recorded");
                false
            }
        }
    }

    /// Records every kept note and removes it. A note that cannot be recorded now stays for
    /// the next time (logged). Returns how many imports were marked failed, and the imports
    /// whose note is still to be recorded (not to be marked failed meanwhile: a note may say
    /// held).
    pub(super) async fn record_unrecorded(&self) -> (u64, HashSet<i64>) {
        let mut pending = HashSet::new();
        let Some(dir) = self.unrecorded_dir() else { return (0, pending) };
        let Ok(entries) = std::fs::read_dir(&dir) else { return (0, pending) };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
        paths.sort();
        let mut failed = 0;
        for path in paths {
            let note: Note = match std::fs::read(&path).map_err(|e| e.to_string()).and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string())) {
                Ok(note) => note,
                // Gone meanwhile: another recovery recorded it.
                Err(_) if !path.exists() => continue,
                Err(e) => {
                    tracing::warn!(note = %path.display(), error = %e, "an unreadable note of an unrecorded import is left where it is");
                    continue;
                }
            };
            match self.record_note(&note).await {
                Ok(recorded) => {
                    if recorded && note.report.outcome == Outcome::Failed {
                        failed += 1;
                    }
                    // Recorded (or found recorded): a note left behind would only be found
                    // recorded again.
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => {
                    tracing::warn!(package = %note.package, error = %e, "an import's record is still to be written; the next recovery tries again");
                    pending.extend(note.import_id);
                }
            }
        }
        (failed, pending)
    }

    /// Writes what `note` says, unless it is written already. True when it wrote.
    async fn record_note(&self, note: &Note) -> Result<bool, StoreError> {
        let json = |id: i64| {
            let mut report = note.report.clone();
            report.id = id;
            serde_json::to_string(&report).map_err(|e| StoreError::Internal(e.to_string()))
        };
        let status = note.report.outcome.as_str();
        if let Some(id) = note.import_id {
            // The row was written; how the import ended was not (it still says running).
            let n = with_pool!(&self.db, pool => sqlx::query(
                "UPDATE imports SET status = $1, report = $2, finished_at = $3, held_path = COALESCE($4, held_path) WHERE id = $5 AND status = 'running'")
                .bind(status).bind(json(id)?).bind(&note.finished_at).bind(note.held_path.as_deref()).bind(id)
                .execute(pool).await?.rows_affected());
            return Ok(n == 1);
        }
        let source_id = self.ensure_source(&note.source).await?;
        // One statement that writes the row only if no earlier recovery did (SQLite runs it
        // under its write lock; notes exist only on SQLite).
        with_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO imports (source_id, origin, package_name, status, skip_invalid, started_at, finished_at, actor, runner) \
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 \
                 WHERE NOT EXISTS (SELECT 1 FROM imports WHERE runner = $9 AND started_at = $6) RETURNING id")
                .bind(source_id).bind(&note.origin).bind(&note.package).bind(status).bind(note.skip_invalid)
                .bind(&note.started_at).bind(&note.finished_at).bind(&note.actor).bind(note.runner)
                .fetch_optional(&mut *tx).await?;
            let Some(id) = id else { return Ok(false) };
            sqlx::query("UPDATE imports SET report = $1 WHERE id = $2").bind(json(id)?).bind(id).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(true)
    }

    fn unrecorded_dir(&self) -> Option<PathBuf> {
        Some(self.runner_dir()?.join("unrecorded"))
    }
}

//! Imports that stopped before their own row could be written: on SQLite, another import or
//! rollback held the database for the whole wait, so nothing could be written to it. Such an
//! attempt is kept as a note beside the database (`<database>-imports/unrecorded/`) and
//! listed as failed by the next recovery (a server starting, `rollbook imports list`), as
//! PostgreSQL lists it at once: no attempt goes unrecorded.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::{
    db::with_pool,
    roster::report::{ImportReport, Outcome},
    Store, StoreError,
};

/// What the import's row would have said.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Note {
    pub source_id: i64,
    pub source: String,
    pub origin: String,
    pub package: String,
    pub skip_invalid: bool,
    pub started_at: String,
    pub finished_at: String,
    pub actor: String,
    pub message: String,
}

impl Store {
    /// Keeps `note` until it can be recorded. Logged, not returned, when that fails: the
    /// caller is reporting the import's own error.
    pub(super) fn keep_unrecorded(&self, note: &Note) {
        let Some(dir) = self.unrecorded_dir() else { return };
        let path = dir.join(format!("{}.json", uuid_like()));
        let written = std::fs::create_dir_all(&dir).and_then(|()| {
            let text = serde_json::to_vec_pretty(note).map_err(std::io::Error::other)?;
            // Written whole under a temporary name, then renamed: a recovery never reads half.
            let partial = path.with_extension("part");
            std::fs::write(&partial, text)?;
            std::fs::rename(&partial, &path)
        });
        if let Err(e) = written {
            tracing::warn!(package = %note.package, error = %e, "could not keep a note of an import that could not be recorded");
        }
    }

    /// Records every kept note as a failed import and removes it. Returns how many.
    pub(super) async fn record_unrecorded(&self) -> Result<u64, StoreError> {
        let Some(dir) = self.unrecorded_dir() else { return Ok(0) };
        let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(0) };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
        paths.sort();
        let mut recorded = 0;
        for path in paths {
            // Claimed by renaming it: of two recoveries at once, one records it.
            let claimed = path.with_extension(format!("claimed-{}", std::process::id()));
            if std::fs::rename(&path, &claimed).is_err() {
                continue;
            }
            let path = claimed;
            let note: Note = match std::fs::read(&path).map_err(|e| e.to_string()).and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string())) {
                Ok(note) => note,
                Err(e) => {
                    tracing::warn!(note = %path.display(), error = %e, "an unreadable note of an unrecorded import is left where it is");
                    continue;
                }
            };
            with_pool!(&self.db, pool => {
                let mut tx = pool.begin().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO imports (source_id, origin, package_name, status, skip_invalid, started_at, finished_at, actor) \
                     VALUES ($1, $2, $3, 'failed', $4, $5, $6, $7) RETURNING id")
                    .bind(note.source_id).bind(&note.origin).bind(&note.package).bind(note.skip_invalid)
                    .bind(&note.started_at).bind(&note.finished_at).bind(&note.actor)
                    .fetch_one(&mut *tx).await?;
                let mut report = ImportReport::new(id, &note.source, &note.package, &note.origin, note.skip_invalid);
                report.outcome = Outcome::Failed;
                report.message = note.message.clone();
                let json = serde_json::to_string(&report).map_err(|e| StoreError::Internal(e.to_string()))?;
                sqlx::query("UPDATE imports SET report = $1 WHERE id = $2").bind(json).bind(id).execute(&mut *tx).await?;
                tx.commit().await?;
            });
            // Recorded: a note left behind (a failed removal) would be recorded twice, so say so.
            if let Err(e) = std::fs::remove_file(&path) {
                tracing::error!(note = %path.display(), error = %e, "an unrecorded import was recorded, but its note could not be removed");
            }
            recorded += 1;
        }
        Ok(recorded)
    }

    fn unrecorded_dir(&self) -> Option<PathBuf> {
        Some(self.runner_dir()?.join("unrecorded"))
    }
}

/// A name no other note has: the time, then random digits.
fn uuid_like() -> String {
    use rand::Rng;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    format!("{nanos:032}-{:016x}", rand::thread_rng().gen::<u64>())
}

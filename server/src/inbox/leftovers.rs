//! Packages a stopped server left in `inbox/.importing/`: moved on with a report of what became
//! of their import.
//!
//! The import's row says: an import commits its outcome with the roster, so a package whose
//! newest import is applied or held goes to `processed/` with that import's report; any other
//! (failed, cut off while running, or never begun) goes to `failed/`, nothing of it applied.

use std::{
    fs::{File, TryLockError},
    path::{Path, PathBuf},
};

use store::{
    roster::{ImportSummary, Outcome},
    Store,
};

/// The lock file of a package aside at `taken`.
pub(super) fn lock_path(taken: &Path) -> PathBuf {
    let mut name = taken.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    taken.with_file_name(name)
}

/// Moves on every package in `root/.importing/` whose lock nobody holds.
pub(super) async fn sweep(store: &Store, root: &Path) {
    let work = root.join(".importing");
    let Ok(entries) = std::fs::read_dir(&work) else { return };
    for entry in entries.flatten() {
        let taken = entry.path();
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if file_name.ends_with(".lock") || file_name.ends_with(".report.json") || !super::is_package(&taken) {
            continue;
        }
        let lock_path = lock_path(&taken);
        let Ok(lock) = File::options().write(true).create(true).truncate(false).open(&lock_path) else { continue };
        match lock.try_lock() {
            Ok(()) => {}
            // A live server is importing it.
            Err(TryLockError::WouldBlock) => continue,
            Err(TryLockError::Error(e)) => {
                tracing::warn!(package = %taken.display(), error = %e, "cannot check whether a drop-folder import is still running");
                continue;
            }
        }
        // Moved on by its importer since the folder was read.
        if !taken.exists() {
            let _ = std::fs::remove_file(&lock_path);
            continue;
        }
        match move_on(store, root, &taken, &file_name).await {
            Ok(to) => tracing::warn!(package = %file_name, to = %to.display(), "a drop-folder import was cut off (the server stopped); its package is moved on"),
            Err(e) => tracing::warn!(package = %file_name, error = %e, "cannot move on a package left by a cut-off drop-folder import"),
        }
        let _ = std::fs::remove_file(&lock_path);
    }
}

/// Moves one left-over package to `processed/` or `failed/` with its report.
async fn move_on(store: &Store, root: &Path, taken: &Path, file_name: &str) -> Result<PathBuf, String> {
    // `<stamp>-<name>`, the stamp taken just before the import began.
    let (stamp, name) = file_name.split_once('-').ok_or("not named as the drop folder names packages")?;
    let began = stamp_time(stamp).ok_or("not named as the drop folder names packages")?;
    let import = first_import(store, name, &began).await.map_err(|e| e.to_string())?;
    let (folder, report) = match import {
        Some(i) if matches!(i.outcome, Outcome::Applied | Outcome::Held) => {
            let (_, report) = store.import(i.id).await.map_err(|e| e.to_string())?;
            ("processed", serde_json::to_string_pretty(&report).unwrap_or_default())
        }
        Some(i) => {
            let message = format!(
                "the server stopped while importing this package (import {}); nothing of it was applied. Drop it in again to import it.",
                i.id
            );
            ("failed", serde_json::json!({ "outcome": "failed", "id": i.id, "package": name, "message": message }).to_string())
        }
        None => {
            let message = "the server stopped before this package's import began; nothing of it was applied. Drop it in again to import it.";
            ("failed", serde_json::json!({ "outcome": "failed", "package": name, "message": message }).to_string())
        }
    };
    super::move_on(taken, &root.join(folder), file_name, &report, &root.join(".importing"))
}

/// The first drop-folder import of package `name` begun at `began` or later: the one the
/// server began right after moving the package aside.
async fn first_import(store: &Store, name: &str, began: &str) -> Result<Option<ImportSummary>, store::StoreError> {
    let imports = store.imports(200).await?;
    Ok(imports.into_iter().filter(|i| i.origin == "inbox" && i.package == name && i.started_at.as_str() >= began).min_by_key(|i| i.id))
}

/// `20261127T180102.123Z` as `2026-11-27T18:01:02.123Z` (the form of an import's start).
fn stamp_time(stamp: &str) -> Option<String> {
    let b = stamp.as_bytes();
    let ok = stamp.len() == 20 && b[8] == b'T' && b[15] == b'.' && b[19] == b'Z' && stamp.chars().enumerate().all(|(i, c)| [8, 15, 19].contains(&i) || c.is_ascii_digit());
    ok.then(|| format!("{}-{}-{}T{}:{}:{}.{}Z", &stamp[0..4], &stamp[4..6], &stamp[6..8], &stamp[9..11], &stamp[11..13], &stamp[13..15], &stamp[16..19]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn stamps_read_as_times() {
        assert_eq!(super::stamp_time("20261127T180102.123Z").as_deref(), Some("2026-11-27T18:01:02.123Z"));
        assert_eq!(super::stamp_time("2026112T180102.123Z"), None);
        assert_eq!(super::stamp_time("20261127T1801x2.123Z"), None);
    }
}

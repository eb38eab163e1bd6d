//! A first import into an empty roster (SQLite): loaded into shadow tables over several
//! transactions, then swapped into place by one last transaction.
//!
//! Why: one transaction that writes a 1M-student district puts all 3 GB through the write-ahead
//! log, which can only be copied into the database file (checkpointed) once the transaction
//! ends. The log then holds the whole roster a second time, and on this kind of virtual machine
//! the kernel's share of the import grew with it (BENCHMARKS.md, ninth and tenth sessions).
//! Committing every [`commit_rows`](super::tuning::commit_rows) rows lets each checkpoint reuse the log's start.
//!
//! The roster's visible state never changes before the end:
//! - the rows go into `shadow_<table>` tables, which nothing else reads; the real tables stay
//!   empty, so readers (the API, the console) see the previous, empty revision;
//! - the real tables' secondary indexes are dropped (the tables are empty, so no query slows
//!   down) and their statements saved in `roster_settings` under [`KEY`], so that the indexes
//!   can be built under their own names on the shadows;
//! - the last transaction drops the empty tables, renames the shadows into their place and
//!   writes the revision and the import's report, all or nothing.
//!
//! Whoever finds the saved key while no process holds the import's lock file (the importer
//! died: a crash, `kill -9`) puts things back: the shadows are dropped and the indexes
//! restored ([`settle`], run by every roster writer in [`super::tx::Tx::begin`] and when the
//! store opens). A writer that finds the lock held waits for the import to finish, for two
//! minutes at most, and is then refused with a conflict.

use std::{
    fs::{File, OpenOptions, TryLockError},
    path::{Path, PathBuf},
};

use super::{tables::Table, tx::Tx};
use crate::{db::Db, StoreError};

/// The `roster_settings` key holding a running first import's saved index statements.
pub(crate) const KEY: &str = "shadow_import";

/// The lock file of the database at `db_file`: held by the process loading shadow tables.
/// Resolved through links, so that every process finds the same file.
pub(crate) fn lock_path(db_file: &Path) -> PathBuf {
    let db_file = std::fs::canonicalize(db_file).unwrap_or_else(|_| db_file.to_path_buf());
    let mut name = db_file.into_os_string();
    name.push("-import.lock");
    PathBuf::from(name)
}

/// What a first import saved before it dropped the real tables' indexes.
#[derive(serde::Serialize, serde::Deserialize)]
struct Saved {
    /// The tables being loaded (the shadows are `shadow_<table>`).
    tables: Vec<String>,
    /// The `CREATE INDEX` statements of the real tables, as they were.
    indexes: Vec<String>,
}

/// A first import loading shadow tables. Holds the lock file until dropped.
pub(crate) struct Shadow {
    lock: File,
    tables: Vec<&'static Table>,
    /// The saved statements: (statement for the real table, statement for its shadow).
    indexes: Vec<(String, String)>,
}

/// What [`settle`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Settled {
    /// No first import is loading (any abandoned one has just been put back).
    Ready,
    /// A first import is loading in a live process: roster writes must wait.
    Loading,
}

impl Shadow {
    /// Starts loading `tables` as shadows, inside `tx` (which holds SQLite's write lock), when
    /// every one of them is empty and the database is a file. `None` means: import the usual
    /// way, into the tables themselves.
    pub async fn start(tx: &mut Tx, db_file: Option<&Path>, tables: &[&'static Table]) -> Result<Option<Shadow>, StoreError> {
        let (Tx::Sqlite(_), Some(db_file)) = (&*tx, db_file) else { return Ok(None) };
        if tables.is_empty() {
            return Ok(None);
        }
        for table in tables {
            if tx.fetch_i64(&format!("SELECT EXISTS (SELECT 1 FROM {})", table.name)).await? != 0 {
                return Ok(None);
            }
        }
        let lock = open_lock(db_file)?;
        if !try_lock(&lock)? {
            return Ok(None);
        }
        let mut creates = Vec::new();
        let mut indexes = Vec::new();
        for table in tables {
            let ddl = tx.fetch_strings("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1", table.name).await?;
            let Some(columns) = ddl.first().and_then(|sql| sql.find('(').map(|at| sql[at..].to_string())) else { return Ok(None) };
            creates.push(format!("CREATE TABLE shadow_{} {columns}", table.name));
            for sql in tx.fetch_strings("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL", table.name).await? {
                // Every index of the migrations reads `CREATE INDEX name ON table (...)`; one
                // that does not is left alone, and the import goes the usual way.
                let Some(on_shadow) = retarget(&sql, table.name) else { return Ok(None) };
                indexes.push((sql, on_shadow));
            }
        }
        let saved = Saved { tables: tables.iter().map(|t| t.name.to_string()).collect(), indexes: indexes.iter().map(|(sql, _)| sql.clone()).collect() };
        let json = serde_json::to_string(&saved).map_err(|e| StoreError::Internal(e.to_string()))?;
        tx.set_setting(KEY, &json).await?;
        for (sql, _) in &indexes {
            tx.exec(&format!("DROP INDEX {}", index_name(sql).ok_or_else(|| StoreError::Internal(format!("no index name in `{sql}`")))?)).await?;
        }
        for sql in &creates {
            tx.exec(sql).await?;
        }
        // The bookkeeping indexes are there from the start: every row of the import has the
        // same source and revision, so they grow by appending, which costs less than another
        // pass over the finished table (as in `Tx::drop_indexes`).
        for (sql, on_shadow) in &indexes {
            if is_bookkeeping(sql, tables) {
                tx.exec(on_shadow).await?;
            }
        }
        tracing::debug!(tables = saved.tables.len(), indexes = indexes.len(), "first import into empty tables: loading shadow tables");
        Ok(Some(Shadow { lock, tables: tables.to_vec(), indexes }))
    }

    /// The statements building `table`'s other indexes on its shadow, for when its file has
    /// been loaded: sorting a finished column is several times faster than inserting
    /// scattered keys row by row.
    pub fn deferred_indexes(&self, table: &Table) -> Vec<String> {
        self.indexes
            .iter()
            .filter(|(sql, on_shadow)| on_shadow.contains(&format!(" ON shadow_{} (", table.name)) && !is_bookkeeping(sql, &self.tables))
            .map(|(_, on_shadow)| on_shadow.clone())
            .collect()
    }

    /// The table rows of `table` go into.
    pub fn target(table: &Table) -> String {
        format!("shadow_{}", table.name)
    }

    /// Commits what is loaded so far and goes on in a new transaction.
    pub async fn commit_part(tx: &mut Tx) -> Result<(), StoreError> {
        tx.exec("COMMIT").await?;
        tx.exec("BEGIN IMMEDIATE").await?;
        Ok(())
    }

    /// Replaces the empty tables by the shadows, in `tx`. The caller writes the revision,
    /// commits, and only then drops the shadow (releasing the lock); when that transaction
    /// does not commit, [`Shadow::discard`].
    pub async fn swap_in(&self, tx: &mut Tx, cache_kib: u32) -> Result<(), StoreError> {
        // Index sorts work in chunks as large as the page cache, one per sorting thread: half
        // of it keeps the import within its memory budget (see `Tx::create_indexes`).
        // Every index is normally built by now (see `deferred_indexes`); any that is not (its
        // file ended early) is built here, each in a transaction of its own.
        tx.exec(&format!("PRAGMA cache_size = -{}", cache_kib / 2)).await?;
        for (_, on_shadow) in &self.indexes {
            let name = index_name(on_shadow).unwrap_or_default();
            if tx.fetch_i64(&format!("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = '{name}')")).await? == 0 {
                tx.exec(on_shadow).await?;
                Self::commit_part(tx).await?;
            }
        }
        tx.exec(&format!("PRAGMA cache_size = -{cache_kib}")).await?;
        for table in &self.tables {
            let n = table.name;
            tx.exec(&format!("DROP TABLE {n}")).await?;
            tx.exec(&format!("ALTER TABLE shadow_{n} RENAME TO {n}")).await?;
        }
        tx.delete_setting(KEY).await?;
        Ok(())
    }

    /// Abandons the load once the import's transaction has ended without committing: drops
    /// the shadows and restores the real tables' indexes, in a transaction of its own.
    pub async fn discard(self, db: &Db) -> Result<(), StoreError> {
        let Db::Sqlite(pool) = db else { return Ok(()) };
        let mut tx = Tx::Sqlite(Tx::begin_sqlite(pool).await?);
        put_back(&mut tx).await?;
        tx.commit().await?;
        drop(self.lock);
        Ok(())
    }
}

/// Puts back a first import that no live process is loading any more, inside `tx` (SQLite,
/// write lock held). Returns [`Settled::Loading`] when one is being loaded.
pub(crate) async fn settle(tx: &mut Tx, db_file: Option<&Path>) -> Result<Settled, StoreError> {
    let (Tx::Sqlite(_), Some(db_file)) = (&*tx, db_file) else { return Ok(Settled::Ready) };
    if tx.fetch_strings("SELECT value FROM roster_settings WHERE key = $1", KEY).await?.is_empty() {
        return Ok(Settled::Ready);
    }
    let lock = open_lock(db_file)?;
    if !try_lock(&lock)? {
        return Ok(Settled::Loading);
    }
    tracing::warn!("a first import was interrupted: removing its partly loaded tables and restoring the roster's indexes");
    put_back(tx).await?;
    Ok(Settled::Ready)
}

/// Whether a live process is loading a first import into the database at `pool`, seen
/// without taking SQLite's write lock (which the loader holds nearly all the time).
pub(crate) async fn loading(pool: &sqlx::SqlitePool) -> Result<bool, StoreError> {
    let Some(db_file) = crate::db::sqlite_file(pool) else { return Ok(false) };
    let migrated: i64 = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'roster_settings')")
        .fetch_one(pool)
        .await?;
    if migrated == 0 {
        return Ok(false);
    }
    let saved: i64 = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM roster_settings WHERE key = $1)").bind(KEY).fetch_one(pool).await?;
    Ok(saved != 0 && !try_lock(&open_lock(&db_file)?)?)
}

/// [`settle`] when the store opens: puts back an interrupted first import. One that a live
/// process is loading is left alone, unless `migrating`: migrations may change the roster's
/// tables and indexes, so they wait for it (up to ten minutes).
pub(crate) async fn settle_at_open(pool: &sqlx::SqlitePool, migrating: bool) -> Result<(), StoreError> {
    let started = std::time::Instant::now();
    while loading(pool).await? {
        if !migrating {
            return Ok(());
        }
        if started.elapsed() > std::time::Duration::from_secs(600) {
            return Err(StoreError::Conflict("a first import is loading the roster and the database needs migrating; start again when the import has finished".into()));
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let migrated: i64 = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'roster_settings')")
        .fetch_one(pool)
        .await?;
    if migrated == 0 {
        return Ok(());
    }
    let saved: i64 = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM roster_settings WHERE key = $1)").bind(KEY).fetch_one(pool).await?;
    if saved == 0 {
        return Ok(());
    }
    let mut tx = Tx::Sqlite(Tx::begin_sqlite(pool).await?);
    settle(&mut tx, crate::db::sqlite_file(pool).as_deref()).await?;
    tx.commit().await
}

/// Drops every shadow table and recreates the saved indexes on the real tables.
async fn put_back(tx: &mut Tx) -> Result<(), StoreError> {
    let saved = tx.fetch_strings("SELECT value FROM roster_settings WHERE key = $1", KEY).await?;
    let Some(saved) = saved.first() else { return Ok(()) };
    let saved: Saved = serde_json::from_str(saved).map_err(|e| StoreError::Internal(format!("the saved first import state is unreadable: {e}")))?;
    for table in &saved.tables {
        tx.exec(&format!("DROP TABLE IF EXISTS shadow_{table}")).await?;
    }
    for sql in &saved.indexes {
        tx.exec(&sql.replacen("INDEX ", "INDEX IF NOT EXISTS ", 1)).await?;
    }
    tx.delete_setting(KEY).await?;
    Ok(())
}

fn open_lock(db_file: &Path) -> Result<File, StoreError> {
    let path = lock_path(db_file);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| StoreError::Internal(format!("cannot open the import lock {}: {e}", path.display())))
}

/// Takes the lock without waiting: false when another open file (this process or another)
/// holds it.
fn try_lock(file: &File) -> Result<bool, StoreError> {
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(TryLockError::WouldBlock) => Ok(false),
        Err(TryLockError::Error(e)) => Err(StoreError::Internal(format!("cannot lock the import lock file: {e}"))),
    }
}

/// `CREATE INDEX name ON table (...)` made to index `shadow_<table>` instead; `None` unless
/// the statement names `table` exactly once in that form (SQLite writes `"table"` after a
/// rename).
fn retarget(sql: &str, table: &str) -> Option<String> {
    let forms = [format!(" ON {table} ("), format!(" ON \"{table}\" (")];
    let mut found = forms.iter().filter(|f| sql.matches(f.as_str()).count() == 1);
    let form = found.next()?;
    if found.next().is_some() || sql.matches(" ON ").count() != 1 {
        return None;
    }
    Some(sql.replacen(form.as_str(), &format!(" ON shadow_{table} ("), 1))
}

/// True for a table's bookkeeping indexes (`<table>_source`, `_revision`, `_deleted`).
fn is_bookkeeping(sql: &str, tables: &[&Table]) -> bool {
    let name = index_name(sql).unwrap_or_default();
    tables.iter().any(|t| ["source", "revision", "deleted"].iter().any(|kind| name == format!("{}_{kind}", t.name)))
}

/// The name in `CREATE [UNIQUE] INDEX name ON ...`.
fn index_name(sql: &str) -> Option<&str> {
    let rest = &sql[sql.find("INDEX ")? + "INDEX ".len()..];
    rest.split_whitespace().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_statements_are_moved_to_the_shadow_table() {
        assert_eq!(
            retarget("CREATE INDEX users_family_lower ON users (lower(family_name), sourced_id)", "users").as_deref(),
            Some("CREATE INDEX users_family_lower ON shadow_users (lower(family_name), sourced_id)")
        );
        assert_eq!(
            retarget("CREATE INDEX users_deleted ON \"users\" (source_id, status) WHERE status = 'tobedeleted'", "users").as_deref(),
            Some("CREATE INDEX users_deleted ON shadow_users (source_id, status) WHERE status = 'tobedeleted'")
        );
        // Another table, or a form the rewrite cannot be sure of: not moved.
        assert_eq!(retarget("CREATE INDEX roles_user ON roles (user_sourced_id)", "users"), None);
        assert_eq!(retarget("CREATE INDEX x ON users(a)", "users"), None);
        assert_eq!(index_name("CREATE UNIQUE INDEX accounts_user ON accounts (user_sourced_id)"), Some("accounts_user"));
        assert_eq!(index_name("CREATE INDEX users_source ON users (source_id)"), Some("users_source"));
    }

    #[test]
    fn the_lock_file_sits_beside_the_database() {
        assert_eq!(lock_path(Path::new("/data/rollbook.db")), PathBuf::from("/data/rollbook.db-import.lock"));
    }
}

//! Telling an import that is still running from one a crash cut off.
//!
//! Each import holds a lock while it runs, named by a random key (its row's `runner`) and taken
//! before its row is written. The lock ends with the process that holds it, however that ends:
//! on SQLite it is a lock on a file beside the database (`<database>-imports/<key>.lock`; every
//! process using a SQLite database runs on its machine); on PostgreSQL it is a session advisory
//! lock, which the server drops with the connection. So a server starting, or an admin listing
//! imports, can mark failed exactly the imports nobody is running any more, and leave alone
//! those another command or server is running.

use std::{
    collections::BTreeSet,
    fs::{File, TryLockError},
    path::PathBuf,
    sync::{Arc, Mutex},
};

use rand::Rng;
use sqlx::{Connection, PgConnection};

use crate::{db::Db, Store, StoreError};

/// Runner keys of the imports a store is running: an in-memory database has no file to lock,
/// and a store need not ask the operating system about its own imports.
pub(crate) type LiveRunners = Arc<Mutex<BTreeSet<i64>>>;

/// The first key of Rollbook's PostgreSQL advisory locks for running imports ("RBim"), so
/// they cannot meet another program's locks on the same database.
const PG_LOCK_SPACE: i32 = 0x5242_696d;

/// The lock a running import holds; dropping it (or the process ending) lets it go.
pub(crate) struct Running {
    runner: i64,
    /// The store's list, which this import leaves when it ends.
    live: LiveRunners,
    /// `None` once released.
    hold: Option<Hold>,
}

enum Hold {
    /// The locked file, removed before it is unlocked.
    File(PathBuf, File),
    /// The connection holding the advisory lock.
    Postgres(PgConnection),
    /// An in-memory SQLite database: no other process can see its imports.
    Nothing,
}

impl Running {
    /// The key stored in the import's row.
    pub(crate) fn runner(&self) -> i64 {
        self.runner
    }

    /// Lets the lock go (the connection closed politely on PostgreSQL).
    pub(crate) async fn release(mut self) {
        forget(&self.live, self.runner);
        match self.hold.take() {
            Some(Hold::File(path, file)) => {
                // Removed while still locked: a checker that finds no file knows the import ended.
                let _ = std::fs::remove_file(&path);
                drop(file);
            }
            Some(Hold::Postgres(conn)) => {
                let _ = conn.close().await;
            }
            Some(Hold::Nothing) | None => {}
        }
    }
}

/// Not released (an error or a panic on the way): the file goes; a PostgreSQL connection is
/// dropped, which ends its session and its lock.
impl Drop for Running {
    fn drop(&mut self) {
        forget(&self.live, self.runner);
        if let Some(Hold::File(path, _)) = &self.hold {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Store {
    /// Takes a new runner key and its lock, for an import about to write its row.
    pub(crate) async fn start_running(&self) -> Result<Running, StoreError> {
        let (runner, hold) = self.lock_runner().await?;
        self.live_runners.lock().unwrap_or_else(|e| e.into_inner()).insert(runner);
        Ok(Running { runner, live: self.live_runners.clone(), hold: Some(hold) })
    }

    /// A new runner key, locked.
    async fn lock_runner(&self) -> Result<(i64, Hold), StoreError> {
        match &self.db {
            Db::Sqlite(_) => {
                let Some(dir) = self.runner_dir() else { return Ok((new_key(), Hold::Nothing)) };
                std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
                loop {
                    let runner = new_key();
                    let path = dir.join(format!("{runner}.lock"));
                    let file = File::options().write(true).create_new(true).open(&path);
                    // A key taken already (never in practice): another one.
                    let file = match file {
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                        other => other.map_err(|e| io(&path, e))?,
                    };
                    match file.try_lock() {
                        Ok(()) => return Ok((runner, Hold::File(path, file))),
                        Err(TryLockError::WouldBlock) => continue,
                        Err(TryLockError::Error(e)) => return Err(io(&path, e)),
                    }
                }
            }
            Db::Postgres(pool) => {
                // A connection of its own, closed (not returned to the pool) when the import ends.
                let mut conn = pool.acquire().await?.detach();
                loop {
                    let runner = new_key();
                    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
                        .bind(PG_LOCK_SPACE)
                        .bind(runner as i32)
                        .fetch_one(&mut conn)
                        .await?;
                    if locked {
                        return Ok((runner, Hold::Postgres(conn)));
                    }
                }
            }
        }
    }

    /// Whether the import that took `runner` still holds its lock.
    pub(crate) async fn still_running(&self, runner: i64) -> Result<bool, StoreError> {
        if self.live_runners.lock().unwrap_or_else(|e| e.into_inner()).contains(&runner) {
            return Ok(true);
        }
        match &self.db {
            Db::Sqlite(_) => {
                let Some(dir) = self.runner_dir() else { return Ok(false) };
                let path = dir.join(format!("{runner}.lock"));
                let file = match File::options().write(true).open(&path) {
                    Ok(file) => file,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
                    Err(e) => return Err(io(&path, e)),
                };
                match file.try_lock() {
                    // Nobody holds it: its process ended without removing it.
                    Ok(()) => {
                        let _ = std::fs::remove_file(&path);
                        Ok(false)
                    }
                    Err(TryLockError::WouldBlock) => Ok(true),
                    Err(TryLockError::Error(e)) => Err(io(&path, e)),
                }
            }
            // Read from the server's lock table: taking the lock to test it would leave it
            // with a pooled session if the unlock never came.
            Db::Postgres(pool) => Ok(sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted \
                 AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 2 \
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))",
            )
            .bind(PG_LOCK_SPACE as i64)
            .bind(runner)
            .fetch_one(pool)
            .await?),
        }
    }

    /// `<database>-imports/`, where running imports keep their lock files; `None` for an
    /// in-memory database.
    pub(super) fn runner_dir(&self) -> Option<PathBuf> {
        let file = self.sqlite_file()?;
        let mut name = file.file_name()?.to_os_string();
        name.push("-imports");
        Some(file.with_file_name(name))
    }
}

/// A random runner key that fits PostgreSQL's 32-bit lock key (kept positive, for reading).
fn new_key() -> i64 {
    rand::thread_rng().gen_range(1..=i32::MAX as i64)
}

fn io(path: &std::path::Path, e: std::io::Error) -> StoreError {
    StoreError::Internal(format!("cannot use the import lock {}: {e}", path.display()))
}

/// Takes `runner` off its store's list.
fn forget(live: &LiveRunners, runner: i64) {
    live.lock().unwrap_or_else(|e| e.into_inner()).remove(&runner);
}

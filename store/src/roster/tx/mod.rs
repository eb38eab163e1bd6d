//! The roster's database work inside one transaction, written once for both dialects.
//!
//! Bulk writes differ: SQLite gets one prepared `INSERT` stepped per row on the raw connection
//! ([`lite`]), PostgreSQL gets `COPY ... FROM STDIN`. Everything else is the same SQL with `$n` parameters,
//! except the JSON functions that build and read history before-images.

use sqlx::{Postgres, Sqlite, Transaction};

use super::{
    rows::RecordRow,
    shadow::{self, Settled},
    tables::Table,
};
use self::wait::busy_as_conflict;
use crate::{db::Db, StoreError};

/// An open roster transaction. Dropping it without [`Tx::commit`] rolls it back. (A first
/// import loading shadow tables also commits parts of its load as it goes; the import undoes
/// those itself, see `roster::shadow`.)
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$t` bound to the concrete transaction (same tokens for both drivers).
macro_rules! with_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            Tx::Sqlite($t) => $body,
            Tx::Postgres($t) => $body,
        }
    };
}

pub(crate) mod lite;
pub(crate) mod wait;
mod read;
pub(crate) mod restore;
mod small;

/// A row to write: the record, its digest, and whether it is active.
pub struct Write<'a> {
    pub row: &'a RecordRow,
    pub hash: i64,
    pub source: i64,
}

/// The page cache of an import's connection, in KiB (SQLite's negative `cache_size`).
pub(crate) const IMPORT_CACHE_KIB: u32 = 131_072;

impl Tx {
    /// Begins a transaction that holds the roster's write lock until it ends: the first
    /// statement writes in SQLite; PostgreSQL takes a transaction-scoped advisory lock. While
    /// another import or rollback holds it, waits up to `ROLLBOOK_IMPORT_WAIT_SECS`
    /// (see `roster::tuning`), then gives up with a [`StoreError::Conflict`] that says why.
    pub async fn begin(db: &Db) -> Result<Tx, StoreError> {
        let started = std::time::Instant::now();
        let wait = super::tuning::writer_wait();
        Ok(match db {
            Db::Sqlite(pool) => {
                // A first import loading shadow tables (see `roster::shadow`) commits as it
                // goes; the roster's other writers wait until it has swapped them in.
                let file = crate::db::sqlite_file(pool);
                // The wait happens before taking SQLite's write lock, which the loading
                // import holds nearly all the time; `settle` then checks again under it.
                loop {
                    let loading = match shadow::loading(pool).await? {
                        true => true,
                        false => {
                            let left = wait.saturating_sub(started.elapsed());
                            let tx = Self::begin_sqlite_within(pool, left).await.map_err(|e| busy_as_conflict(e, wait))?;
                            let mut tx = Tx::Sqlite(tx);
                            match shadow::settle(&mut tx, file.as_deref()).await? {
                                Settled::Ready => return Ok(tx),
                                Settled::Loading => {
                                    tx.rollback().await?;
                                    true
                                }
                            }
                        }
                    };
                    if loading && started.elapsed() >= wait {
                        return Err(StoreError::Conflict(format!(
                            "a first import is loading the roster into this database (waited {} s for it); try again when it has finished",
                            wait.as_secs()
                        )));
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                }
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                // `lock_timeout` 0 would mean no limit: the least PostgreSQL takes is 1 ms.
                let ms = wait.as_millis().clamp(1, i32::MAX as u128);
                sqlx::query(&format!("SET LOCAL lock_timeout = {ms}")).execute(&mut *tx).await?;
                sqlx::query("SELECT pg_advisory_xact_lock(7401)").execute(&mut *tx).await.map_err(|e| busy_as_conflict(e.into(), wait))?;
                // Only the wait for the roster's lock is limited, not the import's own statements.
                sqlx::query("SET LOCAL lock_timeout TO DEFAULT").execute(&mut *tx).await?;
                Tx::Postgres(tx)
            }
        })
    }

    /// [`Tx::begin_sqlite_within`] with the pool's usual wait for the write lock.
    pub(crate) async fn begin_sqlite(pool: &sqlx::SqlitePool) -> Result<Transaction<'static, Sqlite>, StoreError> {
        Self::begin_sqlite_within(pool, crate::db::SQLITE_BUSY_TIMEOUT).await
    }

    /// Opens SQLite's side of [`Tx::begin`]: a connection of its own, the write lock taken.
    /// Waits at most `wait` for SQLite's write lock (then fails with SQLite's "database is
    /// locked").
    pub(crate) async fn begin_sqlite_within(pool: &sqlx::SqlitePool, wait: std::time::Duration) -> Result<Transaction<'static, Sqlite>, StoreError> {
        // Foreign keys are off for this connection, which is closed afterwards instead of going
        // back to the pool. With them on, every multi-row statement kept a statement journal
        // (a copy of each page it touched, on a temporary file, so that it could be undone
        // alone): 49 GB of writes for a first import of a 1M-student district. The import
        // writes only the source it has just looked up.
        let mut conn = pool.acquire().await?;
        conn.close_on_drop();
        sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await?;
        // This connection's own wait for the write lock (it is closed afterwards).
        sqlx::query(&format!("PRAGMA busy_timeout = {}", wait.as_millis().min(i32::MAX as u128))).execute(&mut *conn).await?;
        let mut tx = sqlx::Transaction::begin(conn, None).await?;
        // A bigger page cache for this connection (128 MiB): index updates of a large import
        // stay in memory instead of going back and forth to the WAL.
        sqlx::query(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}")).execute(&mut *tx).await?;
        // Indexes rebuilt after a first import sort with a helper thread.
        sqlx::query("PRAGMA threads = 2").execute(&mut *tx).await?;
        // Claims SQLite's write lock now, so the index read next is the state this
        // transaction writes over (a deferred read-then-write could fail midway).
        sqlx::query("UPDATE roster_settings SET value = value WHERE key = ''").execute(&mut *tx).await?;
        Ok(tx)
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        with_tx!(self, t => t.commit().await?);
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        with_tx!(self, t => t.rollback().await?);
        Ok(())
    }

    /// Runs one statement without parameters.
    pub async fn exec(&mut self, sql: &str) -> Result<u64, StoreError> {
        Ok(with_tx!(self, t => sqlx::query(sql).execute(&mut **t).await?.rows_affected()))
    }

    /// Inserts a revision row and returns its id (the next after the highest).
    #[allow(clippy::too_many_arguments)]
    pub async fn new_revision(
        &mut self,
        kind: &str,
        source_id: Option<i64>,
        import_id: Option<i64>,
        restored_from: Option<i64>,
        actor: &str,
        now: &str,
    ) -> Result<i64, StoreError> {
        let sql = "INSERT INTO revisions (id, created_at, kind, source_id, import_id, restored_from, summary, counts, actor) \
                   SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3, $4, $5, '', '{}', $6 FROM revisions RETURNING id";
        Ok(with_tx!(self, t => sqlx::query_scalar::<_, i64>(sql)
            .bind(now).bind(kind).bind(source_id).bind(import_id).bind(restored_from).bind(actor)
            .fetch_one(&mut **t).await?))
    }

    /// Fills in a revision's summary and counts once they are known.
    pub async fn finish_revision(&mut self, id: i64, summary: &str, counts: &str) -> Result<(), StoreError> {
        with_tx!(self, t => sqlx::query("UPDATE revisions SET summary = $1, counts = $2 WHERE id = $3")
            .bind(summary).bind(counts).bind(id).execute(&mut **t).await?.rows_affected());
        Ok(())
    }

    /// Drops `table`'s secondary indexes on spec columns and returns the statements that
    /// recreate them. An import into an empty table builds them once at the end: sorting a
    /// finished column is several times faster than inserting scattered keys row by row.
    ///
    /// The bookkeeping indexes (`<table>_source`, `<table>_revision`) stay: every row of one
    /// import has the same key there, so rows are appended to them in order, which costs less
    /// than another pass over the finished table to build them. So does `<table>_deleted`,
    /// which holds only deleted records and stays empty while active ones go in.
    pub async fn drop_indexes(&mut self, table: &Table) -> Result<Vec<String>, StoreError> {
        let defs: Vec<(String, String)> = match self {
            Tx::Sqlite(t) => sqlx::query_as(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL",
            )
            .bind(table.name)
            .fetch_all(&mut **t)
            .await?,
            Tx::Postgres(t) => sqlx::query_as(
                "SELECT i.indexname::text, i.indexdef FROM pg_indexes i WHERE i.tablename = $1 AND i.schemaname = current_schema() \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            )
            .bind(table.name)
            .fetch_all(&mut **t)
            .await?,
        };
        let kept = ["source", "revision", "deleted"].map(|kind| format!("{}_{kind}", table.name));
        let defs: Vec<(String, String)> = defs.into_iter().filter(|(name, _)| !kept.contains(name)).collect();
        for (name, _) in &defs {
            self.exec(&format!("DROP INDEX {name}")).await?;
        }
        Ok(defs.into_iter().map(|(_, sql)| sql).collect())
    }

    /// Recreates indexes [`Tx::drop_indexes`] dropped.
    ///
    /// SQLite sorts each index in memory chunks as large as the page cache, one per sorting
    /// thread; with the import's 128 MiB cache and two helper threads that came to 384 MiB on
    /// top of everything else. Half-size chunks merge a little more and keep the import under
    /// its memory budget.
    pub async fn create_indexes(&mut self, defs: &[String]) -> Result<(), StoreError> {
        if defs.is_empty() {
            return Ok(());
        }
        let sqlite = matches!(self, Tx::Sqlite(_));
        if sqlite {
            self.exec(&format!("PRAGMA cache_size = -{}", IMPORT_CACHE_KIB / 2)).await?;
        }
        for sql in defs {
            self.exec(sql).await?;
        }
        if sqlite {
            self.exec(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}")).await?;
        }
        Ok(())
    }

    /// Creates the empty staging tables for `table`: `stage_<name>` (full rows) and
    /// `stage_<name>_ids` (sourcedIds to tombstone). Temporary: they vanish with the
    /// connection, if [`Tx::drop_stage`] has not dropped them before.
    pub async fn create_stage(&mut self, table: &Table) -> Result<(), StoreError> {
        let n = table.name;
        self.exec(&format!("CREATE TEMP TABLE stage_{n} AS SELECT * FROM {n} WHERE 1 = 0")).await?;
        self.exec(&format!("CREATE INDEX stage_{n}_id ON stage_{n} (sourced_id)")).await?;
        self.exec(&format!("CREATE TEMP TABLE stage_{n}_ids (sourced_id TEXT PRIMARY KEY)")).await?;
        Ok(())
    }

    /// Drops the staging tables (PostgreSQL keeps temp tables for the pooled connection).
    pub async fn drop_stage(&mut self, table: &Table) -> Result<(), StoreError> {
        let n = table.name;
        self.exec(&format!("DROP TABLE stage_{n}")).await?;
        self.exec(&format!("DROP TABLE stage_{n}_ids")).await?;
        Ok(())
    }

    /// Writes full rows into `target` (the table itself for new records, its stage for
    /// changed ones), stamped with `revision` and `now`.
    pub async fn write_rows(&mut self, target: &str, table: &Table, rows: &[Write<'_>], revision: i64, now: &str) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let columns: Vec<&str> = table.all_columns().collect();
        match self {
            Tx::Postgres(t) => {
                let mut data = Vec::with_capacity(rows.len() * 128);
                for w in rows {
                    let r = w.row;
                    let status = if r.active { "active" } else { "tobedeleted" };
                    let fixed = [
                        Some(r.sourced_id.as_str()),
                        Some(&*w.source.to_string()),
                        Some(status),
                        Some(now),
                        Some(&*revision.to_string()),
                        Some(&*revision.to_string()),
                        Some(&*w.hash.to_string()),
                        r.metadata.as_deref(),
                    ]
                    .map(|v| v.map(str::to_owned));
                    let values = fixed.into_iter().chain(r.values.iter().cloned());
                    for (i, v) in values.enumerate() {
                        if i > 0 {
                            data.push(b',');
                        }
                        // Quoted means a value, nothing means NULL (COPY's csv format).
                        if let Some(v) = v {
                            data.push(b'"');
                            data.extend_from_slice(v.replace('"', "\"\"").as_bytes());
                            data.push(b'"');
                        }
                    }
                    data.push(b'\n');
                }
                let sql = format!("COPY {target} ({}) FROM STDIN (FORMAT csv)", columns.join(", "));
                let mut copy = t.copy_in_raw(&sql).await?;
                copy.send(data).await?;
                copy.finish().await?;
            }
            Tx::Sqlite(t) => lite::insert_rows(&mut **t, target, &columns, rows, revision, now).await?,
        }
        Ok(())
    }

    /// Adds sourcedIds to `stage_<table>_ids`.
    pub async fn stage_ids(&mut self, table: &Table, ids: &[String]) -> Result<(), StoreError> {
        let target = format!("stage_{}_ids", table.name);
        match self {
            Tx::Sqlite(t) => lite::insert_ids(&mut **t, &target, ids).await?,
            Tx::Postgres(t) => {
                for chunk in ids.chunks(500) {
                    let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("(${i})")).collect();
                    let sql = format!("INSERT INTO {target} (sourced_id) VALUES {}", placeholders.join(", "));
                    let mut q = sqlx::query(&sql);
                    for id in chunk {
                        q = q.bind(id.as_str());
                    }
                    q.execute(&mut **t).await?;
                }
            }
        }
        Ok(())
    }

    /// Replaces the records staged in `stage_<table>` (after saving their before-images) and
    /// empties the stage.
    pub async fn apply_stage(&mut self, table: &Table, revision: i64, now: &str) -> Result<u64, StoreError> {
        let n = table.name;
        self.save_history(table, &format!("stage_{n}"), revision).await?;
        // Row-value SET driven by the staged ids: each updated record is found through the
        // primary key (`UPDATE ... FROM` may scan the whole table instead).
        let columns: Vec<&str> = ["source_id", "status", "hash", "metadata"].iter().copied().chain(table.columns.iter().copied()).collect();
        if let Tx::Sqlite(t) = self {
            let changed = lite::update_from_stage(&mut **t, n, &columns, now, revision).await?;
            self.exec(&format!("DELETE FROM stage_{n}")).await?;
            return Ok(changed);
        }
        let sql = format!(
            "UPDATE{} {n} SET ({cols}) = (SELECT {cols} FROM stage_{n} s WHERE s.sourced_id = {n}.sourced_id), \
             date_last_modified = $1, revision = $2 WHERE {}",
            self.or_fail(),
            self.listed_in(table, &format!("stage_{n}")),
            cols = columns.join(", ")
        );
        let changed = with_tx!(self, t => sqlx::query(&sql).bind(now).bind(revision).execute(&mut **t).await?.rows_affected());
        self.exec(&format!("DELETE FROM stage_{n}")).await?;
        Ok(changed)
    }

    /// Marks the records listed in `stage_<table>_ids` deleted (values kept) and empties it.
    pub async fn apply_tombstones(&mut self, table: &Table, revision: i64, now: &str) -> Result<u64, StoreError> {
        let n = table.name;
        self.save_history(table, &format!("stage_{n}_ids"), revision).await?;
        let sql = format!(
            "UPDATE{} {n} SET status = 'tobedeleted', date_last_modified = $1, revision = $2 WHERE {} AND status = 'active'",
            self.or_fail(),
            self.listed_in(table, &format!("stage_{n}_ids"))
        );
        let changed = with_tx!(self, t => sqlx::query(&sql).bind(now).bind(revision).execute(&mut **t).await?.rows_affected());
        self.exec(&format!("DELETE FROM stage_{n}_ids")).await?;
        Ok(changed)
    }

    /// ` OR FAIL` in SQLite: a statement that fails stops where it is instead of undoing its
    /// own earlier rows, so SQLite keeps no statement journal for it (the whole transaction
    /// rolls back on any error anyway). PostgreSQL has no such clause and needs none.
    fn or_fail(&self) -> &'static str {
        match self {
            Tx::Sqlite(_) => " OR FAIL",
            Tx::Postgres(_) => "",
        }
    }

    /// The condition selecting the records of `table` listed (by sourcedId) in `stage`.
    ///
    /// SQLite has no statistics on a fresh staging table and may answer `sourced_id IN
    /// (SELECT ...)` by scanning the whole table; a `CROSS JOIN` fixes the order (stage first,
    /// then the primary key) and the rowids it yields are looked up directly. PostgreSQL plans
    /// the semi-join well by itself.
    fn listed_in(&self, table: &Table, stage: &str) -> String {
        match self {
            Tx::Sqlite(_) => format!("rowid IN (SELECT m.rowid FROM {stage} s CROSS JOIN {} m WHERE m.sourced_id = s.sourced_id)", table.name),
            Tx::Postgres(_) => format!("sourced_id IN (SELECT sourced_id FROM {stage})"),
        }
    }

    /// Saves the current values of the records listed in `stage` as before-images.
    async fn save_history(&mut self, table: &Table, stage: &str, revision: i64) -> Result<(), StoreError> {
        let pairs: Vec<String> = table.all_columns().map(|c| format!("'{c}', m.{c}")).collect();
        let object = match self {
            Tx::Sqlite(_) => format!("json_object({})", pairs.join(", ")),
            Tx::Postgres(_) => format!("json_build_object({})::text", pairs.join(", ")),
        };
        let sql = format!(
            "INSERT{} INTO record_history (revision, entity, sourced_id, before) \
             SELECT $1, '{n}', m.sourced_id, {object} FROM {stage} s CROSS JOIN {n} m WHERE m.sourced_id = s.sourced_id",
            self.or_fail(),
            n = table.name
        );
        with_tx!(self, t => sqlx::query(&sql).bind(revision).execute(&mut **t).await?.rows_affected());
        Ok(())
    }
}

/// The bookkeeping columns come first in every table, in the order [`lite`] binds them.
#[cfg(test)]
#[test]
fn bookkeeping_order() {
    assert_eq!(
        super::tables::BOOKKEEPING,
        ["sourced_id", "source_id", "status", "date_last_modified", "created_revision", "revision", "hash", "metadata"]
    );
}

//! SQLite bulk writes on the transaction's own connection, through prepared statements.
//!
//! sqlx hands every bound value of a statement to the connection's worker thread (each value
//! copied into an owned argument list, then bound there); for the millions of rows of a large
//! import that hand-off, not SQLite, was most of the time (8.4M enrollments: 110 s against
//! 20 s for SQLite inserting the same rows by itself). Here the rows are bound straight from
//! memory into a prepared `INSERT` of a few dozen rows, the way sqlite3's own `.import` works,
//! on the very connection and transaction sqlx opened, so atomicity is unchanged: it all
//! commits or rolls back with the rest of the transaction.
//!
//! This is the store's only `unsafe`: borrowing the raw connection handle. sqlx documents
//! using another libsqlite3-sys crate alongside it (rusqlite is pinned to the version that
//! shares sqlx's libsqlite3-sys).
#![allow(unsafe_code)]

use sqlx::SqliteConnection;

use super::Write;
use crate::{
    roster::{index::Entry, rows::fingerprint},
    StoreError,
};

/// Rows per statement: each execution of a statement has a fixed cost (a VDBE program start
/// and halt), which a few dozen rows share; beyond that, the gain is gone.
const ROWS_PER_STATEMENT: usize = 32;

/// `INSERT OR FAIL INTO target (columns) VALUES (?, ...), ...` for `rows` rows.
///
/// `OR FAIL` rather than the default `ABORT`: a failing row ends the statement without undoing
/// the rows before it, so SQLite keeps no statement journal for it (with foreign keys off, see
/// [`super::Tx::begin`]). Any error rolls the whole import back anyway.
fn insert_sql(target: &str, columns: &[&str], rows: usize) -> String {
    let row = format!("({})", vec!["?"; columns.len()].join(","));
    format!("INSERT OR FAIL INTO {target} ({}) VALUES {}", columns.join(", "), vec![row; rows].join(", "))
}

/// Inserts `rows` into `target`, whose columns are `columns`: the bookkeeping columns, then
/// the table's spec columns (see [`super::super::tables::BOOKKEEPING`]).
pub(super) async fn insert_rows(
    conn: &mut SqliteConnection,
    target: &str,
    columns: &[&str],
    rows: &[Write<'_>],
    revision: i64,
    now: &str,
) -> Result<(), StoreError> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: `lock_handle` guarantees that sqlx's worker thread makes no call on this handle
    // or its statements while `handle` lives, and the handle stays open for that long (the
    // connection is borrowed mutably). `from_handle` does not take ownership: dropping `raw`
    // finalizes only the statements prepared here and never closes the connection. `raw` is
    // dropped at the end of this function, before `handle`.
    let raw = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }.map_err(lite)?;
    {
        let per_statement = if has_expression_index(&raw, target).map_err(lite)? { 1 } else { ROWS_PER_STATEMENT };
        let mut chunks = rows.chunks_exact(per_statement);
        if per_statement > 1 && chunks.len() > 0 {
            let mut stmt = raw.prepare(&insert_sql(target, columns, per_statement)).map_err(lite)?;
            for chunk in chunks.by_ref() {
                for (i, w) in chunk.iter().enumerate() {
                    bind(&mut stmt, i * columns.len(), w, revision, now).map_err(lite)?;
                }
                stmt.raw_execute().map_err(lite)?;
            }
        }
        let rest = if per_statement > 1 { chunks.remainder() } else { rows };
        if !rest.is_empty() {
            let mut stmt = raw.prepare(&insert_sql(target, columns, 1)).map_err(lite)?;
            for w in rest {
                bind(&mut stmt, 0, w, revision, now).map_err(lite)?;
                stmt.raw_execute().map_err(lite)?;
            }
        }
    }
    drop(raw);
    Ok(())
}

/// True when `table` has an index on an expression (`lower(family_name)`, ...).
///
/// SQLite keeps a statement journal (a copy of every existing page the statement changes) for
/// a statement that writes several rows and calls a function on the way, as computing such an
/// index key does; a delta adding 80k users wrote a gigabyte of it. A statement that writes one
/// row needs none, so rows go into such a table one per statement.
fn has_expression_index(raw: &rusqlite::Connection, table: &str) -> rusqlite::Result<bool> {
    raw.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_index_list(?1) l, pragma_index_xinfo(l.name) x WHERE x.cid = -2)",
        [table],
        |r| r.get(0),
    )
}

/// Replaces the records of `table` staged in `stage_<table>`, one `UPDATE` per record that sets
/// only the columns whose values differ. Returns how many records changed.
///
/// SQLite rewrites the entry of every index over a column an `UPDATE` assigns, even to the
/// value it already has, and each such entry sits on its own page: a delta renaming 17.8k of
/// 1.8M users dirtied nearly every page of the e-mail, given-name, identifier and source
/// indexes (170 MB) besides the family-name index it had to change. A statement that writes
/// one row also needs no statement journal (see [`has_expression_index`]).
pub(super) async fn update_from_stage(
    conn: &mut SqliteConnection,
    table: &str,
    columns: &[&str],
    now: &str,
    revision: i64,
) -> Result<u64, StoreError> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: as in `insert_rows`.
    let raw = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }.map_err(lite)?;
    let changed = (|| {
        let differs: Vec<String> = columns.iter().map(|c| format!("s.{c} IS NOT m.{c}")).collect();
        // (record rowid, staged rowid, which columns differ), in the record's rowid order so
        // that the writes walk the table once.
        let mut pending: Vec<(i64, i64, Vec<bool>)> = raw
            .prepare(&format!(
                "SELECT m.rowid, s.rowid, {} FROM stage_{table} s CROSS JOIN {table} m WHERE m.sourced_id = s.sourced_id",
                differs.join(", ")
            ))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, (0..columns.len()).map(|i| r.get(2 + i)).collect::<Result<Vec<bool>, _>>()?)))?
            .collect::<Result<_, _>>()?;
        pending.sort_unstable_by_key(|p| p.0);
        let mut statements: std::collections::HashMap<Vec<bool>, rusqlite::Statement<'_>> = std::collections::HashMap::new();
        let mut changed = 0;
        for (rowid, staged, mask) in pending {
            let update = match statements.entry(mask) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let sql = update_sql(table, columns, e.key());
                    e.insert(raw.prepare(&sql)?)
                }
            };
            changed += update.execute(rusqlite::params![now, revision, staged, rowid])? as u64;
        }
        Ok(changed)
    })()
    .map_err(lite);
    drop(raw);
    changed
}

/// `UPDATE OR FAIL` of one record (rowid `?4`) of `table` from one staged row (rowid `?3`),
/// setting the columns `changed` marks, the modification time (`?1`) and revision (`?2`).
fn update_sql(table: &str, columns: &[&str], changed: &[bool]) -> String {
    let set: Vec<&str> = columns.iter().zip(changed).filter(|(_, c)| **c).map(|(name, _)| *name).collect();
    let values = match set.as_slice() {
        [] => String::new(),
        [one] => format!("{one} = (SELECT {one} FROM stage_{table} WHERE rowid = ?3), "),
        many => format!("({cols}) = (SELECT {cols} FROM stage_{table} WHERE rowid = ?3), ", cols = many.join(", ")),
    };
    format!("UPDATE OR FAIL {table} SET {values}date_last_modified = ?1, revision = ?2 WHERE rowid = ?4")
}

/// Binds one row from parameter `at + 1` on: sourced_id, source_id, status,
/// date_last_modified, created_revision, revision, hash, metadata, then the spec columns
/// (`NULL` for blank cells).
fn bind(stmt: &mut rusqlite::Statement<'_>, at: usize, w: &Write<'_>, revision: i64, now: &str) -> rusqlite::Result<()> {
    let r = w.row;
    stmt.raw_bind_parameter(at + 1, r.sourced_id.as_str())?;
    stmt.raw_bind_parameter(at + 2, w.source)?;
    stmt.raw_bind_parameter(at + 3, if r.active { "active" } else { "tobedeleted" })?;
    stmt.raw_bind_parameter(at + 4, now)?;
    stmt.raw_bind_parameter(at + 5, revision)?;
    stmt.raw_bind_parameter(at + 6, revision)?;
    stmt.raw_bind_parameter(at + 7, w.hash)?;
    stmt.raw_bind_parameter(at + 8, r.metadata.as_deref())?;
    for (i, value) in r.values.iter().enumerate() {
        stmt.raw_bind_parameter(at + 9 + i, value.as_deref())?;
    }
    Ok(())
}

/// Inserts `ids` into the one-column table `target` (`stage_<table>_ids`).
pub(super) async fn insert_ids(conn: &mut SqliteConnection, target: &str, ids: &[String]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!("INSERT INTO {target} (sourced_id) VALUES (?)");
    let mut handle = conn.lock_handle().await?;
    // SAFETY: as in `insert_rows`.
    let raw = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }.map_err(lite)?;
    {
        let mut stmt = raw.prepare(&sql).map_err(lite)?;
        for id in ids {
            stmt.raw_bind_parameter(1, id.as_str()).map_err(lite)?;
            stmt.raw_execute().map_err(lite)?;
        }
    }
    drop(raw);
    Ok(())
}

/// Every record of `table` as an index entry, read in one scan of the table.
///
/// Through sqlx each result row crosses to the driver's thread on its own (microseconds a
/// row); read here, 8.4M enrollments take seconds instead of a quarter of a minute.
pub(crate) async fn index_entries(conn: &mut SqliteConnection, table: &str) -> Result<Vec<Entry>, StoreError> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: as in `insert_rows`.
    let raw = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }.map_err(lite)?;
    let entries = {
        let count: i64 = raw.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).map_err(lite)?;
        // Sized up front: a growing vector of millions of entries would briefly need twice
        // the memory.
        let mut entries = Vec::with_capacity(count.max(0) as usize);
        let mut stmt = raw.prepare(&format!("SELECT sourced_id, hash, source_id, status = 'active' FROM {table}")).map_err(lite)?;
        let mut rows = stmt.raw_query();
        while let Some(row) = rows.next().map_err(lite)? {
            let id = row.get_ref(0).map_err(lite)?.as_str().map_err(|e| lite(e.into()))?;
            entries.push(Entry::new(
                fingerprint(id),
                row.get(1).map_err(lite)?,
                row.get::<_, i64>(2).map_err(lite)? as u32,
                row.get(3).map_err(lite)?,
            ));
        }
        entries
    };
    drop(raw);
    Ok(entries)
}

/// The records of `table` with these sourcedIds, as `(sourced_id, hash, source_id, active)`,
/// one prepared primary-key look-up each.
pub(crate) async fn lookup(conn: &mut SqliteConnection, table: &str, ids: &[&str]) -> Result<Vec<(String, i64, i64, bool)>, StoreError> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: as in `insert_rows`.
    let raw = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }.map_err(lite)?;
    let found = {
        let mut stmt = raw.prepare(&format!("SELECT hash, source_id, status = 'active' FROM {table} WHERE sourced_id = ?")).map_err(lite)?;
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            let mut rows = stmt.query([id]).map_err(lite)?;
            if let Some(row) = rows.next().map_err(lite)? {
                found.push((id.to_string(), row.get(0).map_err(lite)?, row.get(1).map_err(lite)?, row.get(2).map_err(lite)?));
            }
        }
        found
    };
    drop(raw);
    Ok(found)
}

fn lite(e: rusqlite::Error) -> StoreError {
    StoreError::Internal(format!("database error: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn insert_sql_lists_one_placeholder_group_per_row() {
        assert_eq!(super::insert_sql("t", &["a", "b"], 2), "INSERT OR FAIL INTO t (a, b) VALUES (?,?), (?,?)");
    }

    #[test]
    fn update_sql_sets_only_the_changed_columns() {
        let columns = ["status", "family_name", "email"];
        assert_eq!(
            super::update_sql("users", &columns, &[false, true, false]),
            "UPDATE OR FAIL users SET family_name = (SELECT family_name FROM stage_users WHERE rowid = ?3), \
             date_last_modified = ?1, revision = ?2 WHERE rowid = ?4"
        );
        assert_eq!(
            super::update_sql("users", &columns, &[true, false, true]),
            "UPDATE OR FAIL users SET (status, email) = (SELECT status, email FROM stage_users WHERE rowid = ?3), \
             date_last_modified = ?1, revision = ?2 WHERE rowid = ?4"
        );
        assert_eq!(
            super::update_sql("users", &columns, &[false, false, false]),
            "UPDATE OR FAIL users SET date_last_modified = ?1, revision = ?2 WHERE rowid = ?4"
        );
    }
}

//! Staging a rollback inside the transaction: the records as they were at an earlier revision.

use super::Tx;
use crate::{roster::tables::Table, StoreError};

/// Column `c` of the before-image `h.before` (JSON), typed as the roster table's column.
pub(crate) fn before_value(sqlite: bool, c: &str) -> String {
    match (sqlite, c) {
        (true, _) => format!("json_extract(h.before, '$.{c}')"),
        (false, "source_id" | "created_revision" | "revision") => format!("(h.before::json ->> '{c}')::integer"),
        (false, "hash") => format!("(h.before::json ->> '{c}')::bigint"),
        (false, _) => format!("(h.before::json ->> '{c}')"),
    }
}

/// The condition on `record_history h` that picks, for every record of table `n` changed
/// after revision `$1`, its first before-image after it: its values at `$1`.
pub(crate) fn first_before_image(n: &str) -> String {
    format!("h.id IN (SELECT MIN(id) FROM record_history WHERE entity = '{n}' AND revision > $1 GROUP BY sourced_id)")
}

impl Tx {
    /// Stages, for every record of `table` changed after revision `to` that existed then, its
    /// values as they were at `to` (its first before-image after `to`). Returns how many.
    pub async fn stage_state_at(&mut self, table: &Table, to: i64) -> Result<u64, StoreError> {
        let n = table.name;
        let sqlite = matches!(self, Tx::Sqlite(_));
        let extract: Vec<String> = table.all_columns().map(|c| before_value(sqlite, c)).collect();
        let columns: Vec<&str> = table.all_columns().collect();
        let sql = format!(
            "INSERT INTO stage_{n} ({}) SELECT {} FROM record_history h WHERE {} \
             AND h.sourced_id IN (SELECT sourced_id FROM {n} WHERE created_revision <= $1)",
            columns.join(", "),
            extract.join(", "),
            first_before_image(n)
        );
        Ok(with_tx!(self, t => sqlx::query(&sql).bind(to).execute(&mut **t).await?.rows_affected()))
    }

    /// Counts staged rows by what applying them does: (re)created, updated, deleted, and
    /// removes the ones identical to the current record.
    pub async fn classify_stage(&mut self, table: &Table) -> Result<(u64, u64, u64), StoreError> {
        let n = table.name;
        self.exec(&format!(
            "DELETE FROM stage_{n} WHERE EXISTS (SELECT 1 FROM {n} m WHERE m.sourced_id = stage_{n}.sourced_id \
             AND m.hash = stage_{n}.hash AND m.status = stage_{n}.status AND m.source_id = stage_{n}.source_id)"
        ))
        .await?;
        let sql = format!(
            "SELECT \
               COALESCE(SUM(CASE WHEN m.status = 'tobedeleted' AND s.status = 'active' THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN m.status = s.status THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN m.status = 'active' AND s.status = 'tobedeleted' THEN 1 ELSE 0 END), 0) \
             FROM stage_{n} s JOIN {n} m ON m.sourced_id = s.sourced_id"
        );
        let (c, u, d): (i64, i64, i64) = with_tx!(self, t => sqlx::query_as(&sql).fetch_one(&mut **t).await?);
        Ok((c as u64, u as u64, d as u64))
    }

    /// Active records of `table` created after revision `to`, into the tombstone stage.
    pub async fn stage_created_after(&mut self, table: &Table, to: i64) -> Result<u64, StoreError> {
        let n = table.name;
        let sql = format!("INSERT INTO stage_{n}_ids (sourced_id) SELECT sourced_id FROM {n} WHERE created_revision > $1 AND status = 'active'");
        Ok(with_tx!(self, t => sqlx::query(&sql).bind(to).execute(&mut **t).await?.rows_affected()))
    }
}

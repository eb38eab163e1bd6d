//! Small statements inside the transaction: one value read, a setting written, an import's
//! own row claimed and finished.

use super::Tx;
use crate::StoreError;

impl Tx {
    /// The integer the one-row, one-column query `sql` returns.
    pub async fn fetch_i64(&mut self, sql: &str) -> Result<i64, StoreError> {
        Ok(with_tx!(self, t => sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut **t).await?))
    }

    /// The text column of every row `sql` returns with `$1` bound to `arg`.
    pub async fn fetch_strings(&mut self, sql: &str, arg: &str) -> Result<Vec<String>, StoreError> {
        Ok(with_tx!(self, t => sqlx::query_scalar::<_, String>(sql).bind(arg).fetch_all(&mut **t).await?))
    }

    /// Sets `roster_settings` `key` to `value`.
    pub async fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        let sql = "INSERT INTO roster_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        with_tx!(self, t => sqlx::query(sql).bind(key).bind(value).execute(&mut **t).await?.rows_affected());
        Ok(())
    }

    /// Removes `roster_settings` `key`.
    pub async fn delete_setting(&mut self, key: &str) -> Result<(), StoreError> {
        with_tx!(self, t => sqlx::query("DELETE FROM roster_settings WHERE key = $1").bind(key).execute(&mut **t).await?.rows_affected());
        Ok(())
    }

    /// The id the next revision will get (the one after the highest). A first import loading
    /// shadow tables stamps its rows with it and inserts the revision itself at the end; every
    /// other roster writer waits for it meanwhile (see `roster::shadow`), so the id stays free.
    /// Records an admin action in the audit log, with the change it describes: both commit, or
    /// neither.
    pub async fn record_audit(&mut self, actor: &str, action: &str, target: &str, detail: &str, at: &str) -> Result<(), StoreError> {
        let detail = crate::service::audit::audit_detail(detail);
        with_tx!(self, t => sqlx::query("INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)")
            .bind(at).bind(actor).bind(action).bind(target).bind(&detail)
            .execute(&mut **t).await?.rows_affected());
        Ok(())
    }

    /// Whether this is a SQLite transaction.
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Tx::Sqlite(_))
    }

    /// Whether no roster table holds a record (of any source, deleted or not).
    pub async fn roster_is_empty(&mut self) -> Result<bool, StoreError> {
        let any: Vec<String> = super::super::tables::TABLES.iter().map(|t| format!("EXISTS (SELECT 1 FROM {})", t.name)).collect();
        Ok(self.fetch_i64(&format!("SELECT CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT)", any.join(" OR "))).await? == 0)
    }

    pub async fn next_revision_id(&mut self) -> Result<i64, StoreError> {
        self.fetch_i64("SELECT COALESCE(MAX(id), 0) + 1 FROM revisions").await
    }
}

impl Tx {
    /// Takes the decision on held import `id` inside the transaction that applies it: the
    /// import becomes `running` here and `applied` at [`Tx::finish_import`], both or neither.
    /// Competing decisions wait for this transaction (SQLite's write lock, the row lock in
    /// PostgreSQL) and then find it decided: [`StoreError::Conflict`].
    pub async fn claim_held(&mut self, id: i64) -> Result<(), StoreError> {
        let claimed = with_tx!(self, t => sqlx::query("UPDATE imports SET status = 'running' WHERE id = $1 AND status = 'held'")
            .bind(id).execute(&mut **t).await?.rows_affected());
        if claimed == 1 {
            return Ok(());
        }
        let now: Option<String> = with_tx!(self, t => sqlx::query_scalar("SELECT status FROM imports WHERE id = $1")
            .bind(id).fetch_optional(&mut **t).await?);
        Err(StoreError::Conflict(format!("import {id} was decided meanwhile: it is {}, not held", now.as_deref().unwrap_or("gone"))))
    }

    /// Marks an import applied, inside the transaction that applies it.
    pub async fn finish_import(&mut self, id: i64, revision: i64, report: &str, now: &str) -> Result<(), StoreError> {
        with_tx!(self, t => sqlx::query(
            "UPDATE imports SET status = 'applied', revision_id = $1, report = $2, finished_at = $3 WHERE id = $4")
            .bind(revision).bind(report).bind(now).bind(id).execute(&mut **t).await?.rows_affected());
        Ok(())
    }
}

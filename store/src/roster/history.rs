//! Revisions: listing them, and rolling the roster back to an earlier one as a new revision.

use std::collections::BTreeMap;

use oneroster::model::format_datetime;
use time::OffsetDateTime;

use super::{
    report::{EntityCounts, RevisionSummary},
    tables::TABLES,
    tx::Tx,
};
use crate::{db::with_pool, Store, StoreError};

type RevisionRow = (i64, String, String, Option<String>, Option<i64>, Option<i64>, String, String, String);

impl Store {
    /// The newest revisions first (at most `limit`, which must be at least 1).
    pub async fn revisions(&self, limit: i64) -> Result<Vec<RevisionSummary>, StoreError> {
        if limit < 1 {
            return Err(StoreError::Invalid(format!("the number of revisions to list must be at least 1, not {limit}")));
        }
        self.revision_rows("ORDER BY r.id DESC LIMIT $1", limit).await
    }

    /// Revision `id`, when it exists.
    pub async fn revision(&self, id: i64) -> Result<Option<RevisionSummary>, StoreError> {
        Ok(self.revision_rows("WHERE r.id = $1", id).await?.pop())
    }

    /// The revisions that `tail` (with one parameter, `value`) selects.
    async fn revision_rows(&self, tail: &str, value: i64) -> Result<Vec<RevisionSummary>, StoreError> {
        let sql = format!(
            "SELECT r.id, r.created_at, r.kind, s.name, r.import_id, r.restored_from, r.summary, r.counts, r.actor \
             FROM revisions r LEFT JOIN sources s ON s.id = r.source_id {tail}"
        );
        let rows: Vec<RevisionRow> = with_pool!(&self.db, pool => sqlx::query_as(&sql).bind(value).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(id, created_at, kind, source, import_id, restored_from, summary, counts, actor)| RevisionSummary {
                id,
                created_at,
                kind,
                source,
                import_id,
                restored_from,
                summary,
                counts: serde_json::from_str(&counts).unwrap_or(serde_json::Value::Null),
                actor,
            })
            .collect())
    }

    /// The newest revision's id (0 before the first import).
    pub async fn current_revision(&self) -> Result<i64, StoreError> {
        Ok(with_pool!(&self.db, pool => sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(id), 0) FROM revisions").fetch_one(pool).await?))
    }

    /// Restores every roster record to its state at revision `to`, as a new revision: records
    /// created later become tombstones, records changed later get their values back. The
    /// rollback is itself history, so it can be rolled back too, and it is recorded in the audit
    /// log (`revision.rollback`) as it commits.
    ///
    /// `seen`: the current revision when the caller looked at what the rollback would change.
    /// If another import or rollback has come in since, nothing is done and the answer is a
    /// [`StoreError::Conflict`], so that a rollback never undoes a change nobody reviewed.
    pub async fn rollback(&self, to: i64, seen: Option<i64>, actor: &str) -> Result<RevisionSummary, StoreError> {
        let mut tx = Tx::begin(&self.db).await?;
        // Read under the roster's write lock: no other writer can move it on from here.
        let current = tx.next_revision_id().await? - 1;
        if to < 0 || to >= current {
            tx.rollback().await?;
            return Err(StoreError::Invalid(if current == 0 {
                "there are no revisions to roll back".into()
            } else {
                format!("revision {to} cannot be restored: choose one from 0 to {} (the current revision is {current})", current - 1)
            }));
        }
        if let Some(seen) = seen.filter(|seen| *seen != current) {
            tx.rollback().await?;
            return Err(StoreError::Conflict(format!(
                "the roster has changed since you looked (it was at revision {seen}, it is at {current} now); nothing was rolled back, so look at what rolling back to revision {to} would change again"
            )));
        }
        // The time the restored records carry, taken once the lock is held.
        let now = format_datetime(OffsetDateTime::now_utc());
        let revision = tx.new_revision("rollback", None, None, Some(to), actor, &now).await?;
        let mut counts = BTreeMap::new();
        for table in TABLES {
            tx.create_stage(table).await?;
            tx.stage_state_at(table, to).await?;
            let (created, updated, restored_deleted) = tx.classify_stage(table).await?;
            tx.apply_stage(table, revision, &now).await?;
            let deleted = tx.stage_created_after(table, to).await?;
            tx.apply_tombstones(table, revision, &now).await?;
            tx.drop_stage(table).await?;
            counts.insert(table.name.to_string(), EntityCounts { created, updated, deleted: deleted + restored_deleted, ..Default::default() });
        }
        let (c, u, d) = counts.values().fold((0, 0, 0), |(c, u, d), e| (c + e.created, u + e.updated, d + e.deleted));
        if c + u + d == 0 {
            // Nothing differs from revision `to` (e.g. the same rollback sent twice): no empty
            // revision in the history.
            tx.rollback().await?;
            return Err(StoreError::Conflict(format!("the roster is already as it was at revision {to}; nothing to roll back")));
        }
        let summary = format!("rollback to revision {to}: {c} restored, {u} updated, {d} deleted");
        let json = serde_json::to_string(&counts).map_err(|e| StoreError::Internal(e.to_string()))?;
        tx.finish_revision(revision, &summary, &json).await?;
        // In the same transaction: a rollback is never without its entry, nor reported failed
        // for want of one after it was made.
        tx.record_audit(actor, "revision.rollback", &format!("revision {revision}"), &format!("restored revision {to}: {summary}"), &now).await?;
        tx.commit().await?;
        self.refresh_shares_after_change().await;
        // This rollback's own revision (another may have come in since it committed).
        self.revision(revision).await?.ok_or_else(|| StoreError::Internal(format!("revision {revision} of the rollback vanished")))
    }
}

//! Revisions: listing them, and rolling the roster back to an earlier one as a new revision.

use std::collections::BTreeMap;

use oneroster::model::format_datetime;
use time::OffsetDateTime;

use super::{
    report::{EntityCounts, RevisionSummary},
    tables::TABLES,
    tx::{
        restore::{before_value, first_before_image},
        Tx,
    },
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

    /// What [`rollback`](Self::rollback) to revision `to` would do now, read without writing
    /// anything: per table, the records it would restore (`created`), update and delete, counted
    /// as the rollback counts them. Records changed after `to` and changed back are not counted:
    /// a rollback leaves them as they are.
    pub async fn rollback_preview(&self, to: i64) -> Result<RollbackPreview, StoreError> {
        let sqlite = matches!(self.db, crate::db::Db::Sqlite(_));
        // One read transaction (on SQLite, one snapshot): the counts all describe one revision.
        let mut counts = BTreeMap::new();
        let current = with_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            if !sqlite {
                // One snapshot for every count, as SQLite's read transaction gives.
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
            }
            let current: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM revisions").fetch_one(&mut *tx).await?;
            check_target(to, current)?;
            for table in TABLES {
                let n = table.name;
                let (status, hash, source) = (before_value(sqlite, "status"), before_value(sqlite, "hash"), before_value(sqlite, "source_id"));
                // As `Tx::classify_stage` does after `Tx::stage_state_at`: records that existed
                // at `to` and differ from their values then.
                let sql = format!(
                    "SELECT \
                       COALESCE(SUM(CASE WHEN m.status = 'tobedeleted' AND b.status = 'active' THEN 1 ELSE 0 END), 0), \
                       COALESCE(SUM(CASE WHEN m.status = b.status THEN 1 ELSE 0 END), 0), \
                       COALESCE(SUM(CASE WHEN m.status = 'active' AND b.status = 'tobedeleted' THEN 1 ELSE 0 END), 0) \
                     FROM (SELECT h.sourced_id, {status} AS status, {hash} AS hash, {source} AS source_id \
                           FROM record_history h WHERE {}) b \
                     JOIN {n} m ON m.sourced_id = b.sourced_id \
                     WHERE m.created_revision <= $1 \
                       AND NOT COALESCE(m.hash = b.hash AND m.status = b.status AND m.source_id = b.source_id, FALSE)",
                    first_before_image(n)
                );
                let (restored, updated, deleted): (i64, i64, i64) = sqlx::query_as(&sql).bind(to).fetch_one(&mut *tx).await?;
                // As `Tx::stage_created_after`: records created after `to` go.
                let created_after: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {n} WHERE created_revision > $1 AND status = 'active'"))
                    .bind(to)
                    .fetch_one(&mut *tx)
                    .await?;
                let e = EntityCounts { created: restored as u64, updated: updated as u64, deleted: (deleted + created_after) as u64, ..Default::default() };
                counts.insert(n.to_string(), e);
            }
            tx.rollback().await?;
            current
        });
        let (c, u, d) = totals(&counts);
        let summary = match c + u + d {
            0 => format!("the roster is already as it was at revision {to}; nothing to roll back"),
            _ => summary(to, &counts),
        };
        Ok(RollbackPreview { to, current, counts, summary })
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
        if let Err(e) = check_target(to, current) {
            tx.rollback().await?;
            return Err(e);
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
        let (c, u, d) = totals(&counts);
        if c + u + d == 0 {
            // Nothing differs from revision `to` (e.g. the same rollback sent twice): no empty
            // revision in the history.
            tx.rollback().await?;
            return Err(StoreError::Conflict(format!("the roster is already as it was at revision {to}; nothing to roll back")));
        }
        let summary = summary(to, &counts);
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

/// What rolling back to a revision would do (see [`Store::rollback_preview`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RollbackPreview {
    /// The revision to restore.
    pub to: i64,
    /// The current revision, which the preview describes: pass it to [`Store::rollback`] as
    /// `seen`, so that nothing is rolled back if another change has come in since.
    pub current: i64,
    /// Per roster table: records restored (`created`), `updated` and `deleted`.
    pub counts: BTreeMap<String, EntityCounts>,
    /// The summary the rollback's revision would carry.
    pub summary: String,
}

/// `Ok` when revision `to` can be restored while `current` is the newest.
fn check_target(to: i64, current: i64) -> Result<(), StoreError> {
    if to >= 0 && to < current {
        return Ok(());
    }
    Err(StoreError::Invalid(if current == 0 {
        "there are no revisions to roll back".into()
    } else {
        format!("revision {to} cannot be restored: choose one from 0 to {} (the current revision is {current})", current - 1)
    }))
}

/// Records restored, updated and deleted, over all tables.
fn totals(counts: &BTreeMap<String, EntityCounts>) -> (u64, u64, u64) {
    counts.values().fold((0, 0, 0), |(c, u, d), e| (c + e.created, u + e.updated, d + e.deleted))
}

/// A rollback's summary line.
fn summary(to: i64, counts: &BTreeMap<String, EntityCounts>) -> String {
    let (c, u, d) = totals(counts);
    format!("rollback to revision {to}: {c} restored, {u} updated, {d} deleted")
}

//! The sharing engine: what each app may see.
//!
//! An app's share is a rule set ([`Share`]) stored as data. The records it gives are kept in
//! `share_members`, recomputed inside the database whenever the share or the roster changes,
//! with when each record entered the share and when it left. Every read path (REST 1.1 and
//! 1.2, CSV exports, the console's preview) joins against that table, so scope is enforced in
//! the query, and a delta can report records that entered or left an app's share since a time.
//!
//! The engine answers three questions: which records app A sees ([`Store::share_counts`] and
//! the read paths), what would change if share S' replaced S ([`Store::share_impact`]), and
//! why record R is or is not visible to A ([`Store::explain_share`]).

mod compute;
mod explain;
pub mod rules;

use std::collections::BTreeMap;

use oneroster::model::format_datetime;
use serde::Serialize;
use sqlx::{Postgres, Sqlite, Transaction};
use time::OffsetDateTime;

pub use explain::Explanation;
pub use rules::{ClassRule, PersonRole, Share};

use crate::{db::Db, Store, StoreError};
use compute::Dialect;

/// The entities a share gives, in the order people read them.
pub const SHARED_ENTITIES: [&str; 6] = ["orgs", "academicSessions", "courses", "classes", "users", "demographics"];

/// How many records of each entity a share gives (and enrollments, which follow).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ShareCounts {
    pub entities: BTreeMap<String, i64>,
    /// Shared users holding an active student role.
    pub students: i64,
}

/// What replacing an app's share would change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ShareImpact {
    pub added: BTreeMap<String, i64>,
    pub removed: BTreeMap<String, i64>,
    pub students_added: i64,
    pub students_removed: i64,
    /// Fields the app would start receiving (`users.email`, `demographics`).
    pub fields_added: Vec<String>,
    pub fields_removed: Vec<String>,
    /// Sensitive fields among those added (the console asks for confirmation).
    pub sensitive_added: Vec<String>,
}

/// What a recomputation changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RefreshCounts {
    pub entered: i64,
    pub left: i64,
}

/// An open transaction on either database.
enum ShareTx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

macro_rules! on_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            ShareTx::Sqlite($t) => $body,
            ShareTx::Postgres($t) => $body,
        }
    };
}

mod grants;
pub use grants::TeacherGrant;

impl ShareTx {
    async fn begin(db: &Db) -> Result<ShareTx, StoreError> {
        Ok(match db {
            Db::Sqlite(pool) => ShareTx::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                // One recomputation at a time: two would race on share_members.
                sqlx::query("SELECT pg_advisory_xact_lock(7401)").execute(&mut *tx).await?;
                ShareTx::Postgres(tx)
            }
        })
    }

    fn dialect(&self) -> Dialect {
        match self {
            ShareTx::Sqlite(_) => Dialect::Sqlite,
            ShareTx::Postgres(_) => Dialect::Postgres,
        }
    }

    async fn run(&mut self, text: &str, binds: &[String]) -> Result<u64, StoreError> {
        Ok(on_tx!(self, t => {
            let mut q = sqlx::query(text);
            for b in binds {
                q = q.bind(b);
            }
            q.execute(&mut **t).await?.rows_affected()
        }))
    }

    async fn counts(&mut self, text: &str, binds: &[String]) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(on_tx!(self, t => {
            let mut q = sqlx::query_as::<_, (String, i64)>(text);
            for b in binds {
                q = q.bind(b);
            }
            q.fetch_all(&mut **t).await?
        }))
    }

    /// Takes SQLite's write lock now (PostgreSQL's advisory lock is taken at begin): a
    /// transaction that reads first and upgrades later can fail.
    async fn lock(&mut self) -> Result<(), StoreError> {
        if let ShareTx::Sqlite(t) = self {
            sqlx::query("UPDATE roster_settings SET value = value WHERE key = ''").execute(&mut **t).await?;
        }
        Ok(())
    }

    /// Fills a fresh `share_new` with what `share` gives.
    async fn compute(&mut self, share: &Share) -> Result<(), StoreError> {
        self.lock().await?;
        self.run(
            "CREATE TEMP TABLE IF NOT EXISTS share_new (entity TEXT NOT NULL, sourced_id TEXT NOT NULL, \
             rule TEXT NOT NULL, PRIMARY KEY (entity, sourced_id))",
            &[],
        )
        .await?;
        self.run("DELETE FROM share_new", &[]).await?;
        for sql in compute::statements(share, self.dialect()) {
            self.run(&sql.text, &sql.binds).await?;
        }
        Ok(())
    }

    async fn commit(self) -> Result<(), StoreError> {
        on_tx!(self, t => t.commit().await?);
        Ok(())
    }

    async fn rollback(self) -> Result<(), StoreError> {
        on_tx!(self, t => t.rollback().await?);
        Ok(())
    }
}

fn now() -> String {
    format_datetime(OffsetDateTime::now_utc())
}

const STUDENT: &str = "EXISTS (SELECT 1 FROM roles r WHERE r.user_sourced_id = {id} AND r.status = 'active' AND r.role = 'student')";

impl Store {
    /// The app's share (an empty one until it is set: a new app shares nothing).
    pub async fn share(&self, app_id: i64) -> Result<Share, StoreError> {
        self.app(app_id).await?;
        let rules: Option<String> = crate::db::with_pool!(&self.db, pool => sqlx::query_scalar(
            "SELECT rules FROM app_shares WHERE app_id = $1").bind(app_id).fetch_optional(pool).await?);
        match rules {
            None => Ok(Share::default()),
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| StoreError::Internal(format!("app {app_id} has an unreadable share: {e}"))),
        }
    }

    /// Replaces the app's share and recomputes what it gives, in one transaction.
    #[tracing::instrument(skip(self, share))]
    pub async fn set_share(&self, app_id: i64, share: &Share, actor: &str) -> Result<RefreshCounts, StoreError> {
        share.check()?;
        self.app(app_id).await?;
        let rules = serde_json::to_string(share).map_err(|e| StoreError::Internal(e.to_string()))?;
        let mut tx = ShareTx::begin(&self.db).await?;
        let updated_at = crate::service::apps::now();
        on_tx!(&mut tx, t => sqlx::query(
            "INSERT INTO app_shares (app_id, rules, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (app_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by")
            .bind(app_id).bind(&rules).bind(updated_at).bind(actor).execute(&mut **t).await?.rows_affected());
        let effective = grants::with_grants(&mut tx, app_id, share).await?;
        let counts = refresh_in(&mut tx, app_id, &effective).await?;
        tx.commit().await?;
        self.forget_tokens();
        Ok(counts)
    }

    /// Recomputes every app's share against the current roster (after an import or rollback).
    #[tracing::instrument(skip(self))]
    pub async fn refresh_shares(&self) -> Result<RefreshCounts, StoreError> {
        let apps: Vec<i64> = crate::db::with_pool!(&self.db, pool => sqlx::query_scalar(
            "SELECT app_id FROM app_shares ORDER BY app_id").fetch_all(pool).await?);
        let mut total = RefreshCounts::default();
        for app_id in apps {
            let counts = self.refresh_app(app_id).await?;
            total.entered += counts.entered;
            total.left += counts.left;
        }
        Ok(total)
    }

    /// Recomputes one app's share (its stored rules and teacher grants) against the roster.
    pub(crate) async fn refresh_app(&self, app_id: i64) -> Result<RefreshCounts, StoreError> {
        let mut tx = ShareTx::begin(&self.db).await?;
        // The rules are read under the transaction's lock: a share edited meanwhile is the
        // one recomputed, never an older version over it.
        tx.lock().await?;
        let rules: Option<String> = on_tx!(&mut tx, t => sqlx::query_scalar(
            "SELECT rules FROM app_shares WHERE app_id = $1").bind(app_id).fetch_optional(&mut **t).await?);
        let Some(rules) = rules else {
            tx.rollback().await?;
            return Ok(RefreshCounts::default());
        };
        let share: Share = serde_json::from_str(&rules)
            .map_err(|e| StoreError::Internal(format!("app {app_id} has an unreadable share: {e}")))?;
        let effective = grants::with_grants(&mut tx, app_id, &share).await?;
        let counts = refresh_in(&mut tx, app_id, &effective).await?;
        tx.commit().await?;
        self.forget_tokens();
        Ok(counts)
    }

    /// How many records of each entity the app's share gives now.
    pub async fn share_counts(&self, app_id: i64) -> Result<ShareCounts, StoreError> {
        let stored = self.share(app_id).await?;
        let mut tx = ShareTx::begin(&self.db).await?;
        let share = grants::with_grants(&mut tx, app_id, &stored).await?;
        let app = app_id.to_string();
        let rows = tx
            .counts(
                "SELECT entity, COUNT(*) FROM share_members WHERE app_id = CAST($1 AS BIGINT) AND left_at IS NULL GROUP BY entity",
                std::slice::from_ref(&app),
            )
            .await?;
        let mut entities: BTreeMap<String, i64> = SHARED_ENTITIES.iter().map(|e| (e.to_string(), 0)).collect();
        entities.extend(rows);
        let enrollments = enrollment_count(&mut tx, "share_members", Some(&app), &share).await?;
        entities.insert("enrollments".into(), enrollments);
        let students = tx
            .counts(
                &format!(
                    "SELECT 'students', COUNT(*) FROM share_members m WHERE m.app_id = CAST($1 AS BIGINT) AND m.entity = 'users' \
                     AND m.left_at IS NULL AND {}",
                    STUDENT.replace("{id}", "m.sourced_id")
                ),
                std::slice::from_ref(&app),
            )
            .await?;
        tx.rollback().await?;
        Ok(ShareCounts { entities, students: students.first().map_or(0, |r| r.1) })
    }

    /// What replacing the app's share with `proposed` would change, computed without changing
    /// anything: records added and removed per entity, students, fields.
    #[tracing::instrument(skip(self, proposed))]
    pub async fn share_impact(&self, app_id: i64, proposed: &Share) -> Result<ShareImpact, StoreError> {
        proposed.check()?;
        let mut tx = ShareTx::begin(&self.db).await?;
        tx.lock().await?;
        // Teacher grants stay whatever the admin's rules become: both sides carry them.
        let current = grants::with_grants(&mut tx, app_id, &self.share(app_id).await?).await?;
        let proposed = &grants::with_grants(&mut tx, app_id, proposed).await?;
        tx.compute(proposed).await?;
        let app = app_id.to_string();
        let member = "SELECT 1 FROM share_members m WHERE m.app_id = CAST($1 AS BIGINT) AND m.entity = n.entity \
                      AND m.sourced_id = n.sourced_id AND m.left_at IS NULL";
        let added = tx
            .counts(&format!("SELECT n.entity, COUNT(*) FROM share_new n WHERE NOT EXISTS ({member}) GROUP BY n.entity"), std::slice::from_ref(&app))
            .await?;
        let removed = tx
            .counts(
                "SELECT m.entity, COUNT(*) FROM share_members m WHERE m.app_id = CAST($1 AS BIGINT) AND m.left_at IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM share_new n WHERE n.entity = m.entity AND n.sourced_id = m.sourced_id) GROUP BY m.entity",
                std::slice::from_ref(&app),
            )
            .await?;
        let students_added = tx
            .counts(
                &format!(
                    "SELECT 'students', COUNT(*) FROM share_new n WHERE n.entity = 'users' AND NOT EXISTS ({member}) AND {}",
                    STUDENT.replace("{id}", "n.sourced_id")
                ),
                std::slice::from_ref(&app),
            )
            .await?;
        let students_removed = tx
            .counts(
                &format!(
                    "SELECT 'students', COUNT(*) FROM share_members m WHERE m.app_id = CAST($1 AS BIGINT) AND m.entity = 'users' \
                     AND m.left_at IS NULL AND NOT EXISTS (SELECT 1 FROM share_new n WHERE n.entity = m.entity \
                     AND n.sourced_id = m.sourced_id) AND {}",
                    STUDENT.replace("{id}", "m.sourced_id")
                ),
                std::slice::from_ref(&app),
            )
            .await?;
        // Counted when the current share was last recomputed (the same members), else now.
        let stored = tx
            .counts(
                "SELECT 'enrollments', enrollments FROM app_shares WHERE app_id = CAST($1 AS BIGINT) AND enrollments IS NOT NULL",
                std::slice::from_ref(&app),
            )
            .await?;
        let before = match stored.first() {
            Some((_, n)) => *n,
            None => enrollment_count(&mut tx, "share_members", Some(&app), &current).await?,
        };
        let after = enrollment_count(&mut tx, "share_new", None, proposed).await?;
        tx.rollback().await?;

        let (fields_added, fields_removed) = Share::field_changes(&current, proposed);
        let sensitive_added = fields_added
            .iter()
            .filter(|f| rules::SENSITIVE.contains(&f.as_str()) || f.as_str() == "demographics")
            .cloned()
            .collect();
        let mut impact = ShareImpact {
            added: added.into_iter().collect(),
            removed: removed.into_iter().collect(),
            students_added: students_added.first().map_or(0, |r| r.1),
            students_removed: students_removed.first().map_or(0, |r| r.1),
            fields_added,
            fields_removed,
            sensitive_added,
        };
        // Enrollments are counted as a net change: they follow their class and user.
        if after > before {
            impact.added.insert("enrollments".into(), after - before);
        } else if before > after {
            impact.removed.insert("enrollments".into(), before - after);
        }
        Ok(impact)
    }
}

/// Active enrollments whose class and user are both in `table` (for `app`, if it is
/// `share_members`) with a role the share gives.
async fn enrollment_count(tx: &mut ShareTx, table: &str, app: Option<&String>, share: &Share) -> Result<i64, StoreError> {
    let roles = compute::enrollment_roles(share);
    if roles.is_empty() || share.is_empty() {
        return Ok(0);
    }
    let (filter_c, filter_u, binds) = match app {
        Some(app) => (
            "AND c.app_id = CAST($1 AS BIGINT) AND c.left_at IS NULL",
            "AND u.app_id = CAST($1 AS BIGINT) AND u.left_at IS NULL",
            vec![app.clone()],
        ),
        None => ("", "", Vec::new()),
    };
    let role_list = roles.iter().map(|r| format!("'{r}'")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT 'enrollments', COUNT(*) FROM enrollments e \
         JOIN {table} c ON c.entity = 'classes' AND c.sourced_id = e.class_sourced_id {filter_c} \
         JOIN {table} u ON u.entity = 'users' AND u.sourced_id = e.user_sourced_id {filter_u} \
         WHERE e.status = 'active' AND e.role IN ({role_list})"
    );
    Ok(tx.counts(&sql, &binds).await?.first().map_or(0, |r| r.1))
}

/// Recomputes one app's members inside `tx`: records that entered get `since = now`, records
/// that left get `left_at = now`, records that stay keep their `since`.
async fn refresh_in(tx: &mut ShareTx, app_id: i64, share: &Share) -> Result<RefreshCounts, StoreError> {
    tx.compute(share).await?;
    let now = now();
    let app = app_id.to_string();
    let left = tx
        .run(
            "UPDATE share_members SET left_at = $2 WHERE app_id = CAST($1 AS BIGINT) AND left_at IS NULL AND NOT EXISTS \
             (SELECT 1 FROM share_new n WHERE n.entity = share_members.entity AND n.sourced_id = share_members.sourced_id)",
            &[app.clone(), now.clone()],
        )
        .await?;
    let entered = tx
        .run(
            "INSERT INTO share_members (app_id, entity, sourced_id, rule, since, left_at) \
             SELECT CAST($1 AS BIGINT), n.entity, n.sourced_id, n.rule, $2, NULL FROM share_new n WHERE NOT EXISTS \
             (SELECT 1 FROM share_members m WHERE m.app_id = CAST($1 AS BIGINT) AND m.entity = n.entity \
              AND m.sourced_id = n.sourced_id AND m.left_at IS NULL) \
             ON CONFLICT (app_id, entity, sourced_id) DO UPDATE SET rule = excluded.rule, since = excluded.since, left_at = NULL",
            &[app.clone(), now],
        )
        .await?;
    // Records that stay keep `since`; their reason follows the current rules.
    tx.run(
        "UPDATE share_members SET rule = (SELECT n.rule FROM share_new n WHERE n.entity = share_members.entity \
         AND n.sourced_id = share_members.sourced_id) WHERE app_id = CAST($1 AS BIGINT) AND left_at IS NULL \
         AND EXISTS (SELECT 1 FROM share_new n WHERE n.entity = share_members.entity \
         AND n.sourced_id = share_members.sourced_id AND n.rule <> share_members.rule)",
        &[app.clone()],
    )
    .await?;
    // After a large change PostgreSQL's statistics of share_members are stale, and its plans
    // for the joins that read the share (counts, the API) go badly wrong: refresh them.
    if matches!(tx, ShareTx::Postgres(_)) && entered + left > 10_000 {
        tx.run("ANALYZE share_members", &[]).await?;
    }
    // The share's enrollments, for impact previews against it.
    let enrollments = enrollment_count(tx, "share_members", Some(&app), share).await?;
    // Cached API totals and page positions of this app must not outlive this change.
    tx.run(
        "UPDATE app_shares SET generation = generation + 1, enrollments = CAST($2 AS BIGINT) WHERE app_id = CAST($1 AS BIGINT)",
        &[app, enrollments.to_string()],
    )
    .await?;
    Ok(RefreshCounts { entered: entered as i64, left: left as i64 })
}

impl Store {
    /// The sourcedIds of `entity` the app's share gives now, sorted (`enrollments` follow from
    /// their class and user).
    pub async fn shared_ids(&self, app_id: i64, entity: &str) -> Result<Vec<String>, StoreError> {
        if entity == "enrollments" {
            let share = self.share(app_id).await?;
            let roles = compute::enrollment_roles(&share);
            if roles.is_empty() {
                return Ok(Vec::new());
            }
            let role_list = roles.iter().map(|r| format!("'{r}'")).collect::<Vec<_>>().join(", ");
            let sql = format!(
                "SELECT e.sourced_id FROM enrollments e \
                 JOIN share_members c ON c.app_id = $1 AND c.entity = 'classes' AND c.sourced_id = e.class_sourced_id AND c.left_at IS NULL \
                 JOIN share_members u ON u.app_id = $1 AND u.entity = 'users' AND u.sourced_id = e.user_sourced_id AND u.left_at IS NULL \
                 WHERE e.status = 'active' AND e.role IN ({role_list}) ORDER BY e.sourced_id"
            );
            return Ok(crate::db::with_pool!(&self.db, pool => sqlx::query_scalar(&sql).bind(app_id).fetch_all(pool).await?));
        }
        Ok(crate::db::with_pool!(&self.db, pool => sqlx::query_scalar(
            "SELECT sourced_id FROM share_members WHERE app_id = $1 AND entity = $2 AND left_at IS NULL ORDER BY sourced_id")
            .bind(app_id).bind(entity).fetch_all(pool).await?))
    }
}

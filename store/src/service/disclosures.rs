//! The disclosure log: what each app received, when, and how much (never the payload).

use oneroster::model::format_datetime;
use serde::Serialize;
use time::OffsetDateTime;

use crate::{db::with_pool, Store, StoreError};

/// One response or export given to an app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Disclosure {
    pub app_id: i64,
    /// When the response was sent (ms-Z text).
    pub at: String,
    /// `rest-1.1`, `rest-1.2`, `csv-1.1` or `csv-1.2`.
    pub channel: String,
    /// The spec's operationId, or `export`.
    pub operation: String,
    pub path: String,
    /// The query parameters as sent, OAuth parameters removed.
    pub parameters: String,
    pub status: u16,
    /// Records in the response.
    pub records: u64,
    pub duration_ms: u64,
}

impl Disclosure {
    /// A disclosure dated now.
    pub fn now(app_id: i64, channel: &str, operation: &str, path: &str, parameters: &str) -> Self {
        Disclosure {
            app_id,
            at: format_datetime(OffsetDateTime::now_utc()),
            channel: channel.into(),
            operation: operation.into(),
            path: path.into(),
            parameters: parameters.into(),
            status: 200,
            records: 0,
            duration_ms: 0,
        }
    }
}

impl Store {
    /// Records a batch of disclosures in one transaction and notes each app's last access.
    pub async fn log_disclosures(&self, batch: &[Disclosure]) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut apps: Vec<i64> = batch.iter().map(|d| d.app_id).collect();
        apps.sort_unstable();
        apps.dedup();
        let now = crate::service::apps::now();
        with_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            // The first statement writes, so that it waits for SQLite's write lock (a read
            // first would fail at once when another writer came in between). It notes each
            // app's last access and says which apps still exist: an app deleted since its
            // request was answered takes its log with it.
            let mut touch = sqlx::QueryBuilder::new("UPDATE apps SET last_access_at = ");
            touch.push_bind(now).push(" WHERE id IN (");
            let mut list = touch.separated(", ");
            for app in &apps {
                list.push_bind(*app);
            }
            touch.push(") RETURNING id");
            let known: Vec<i64> = touch.build_query_scalar().fetch_all(&mut *tx).await?;
            let batch: Vec<&Disclosure> = batch.iter().filter(|d| known.contains(&d.app_id)).collect();
            // Many rows per statement: one statement per request was most of the logging's cost.
            for chunk in batch.chunks(200) {
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO disclosures (app_id, at, channel, operation, path, parameters, status, records, duration_ms) ");
                insert.push_values(chunk, |mut row, d| {
                    row.push_bind(d.app_id).push_bind(&d.at).push_bind(&d.channel).push_bind(&d.operation)
                        .push_bind(&d.path).push_bind(&d.parameters).push_bind(i32::from(d.status))
                        .push_bind(d.records as i64).push_bind(d.duration_ms as i64);
                });
                insert.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Of the latest `window` answers to any app: (refused or failed (status 400 and up), all).
    pub async fn recent_api_errors(&self, window: i64) -> Result<(i64, i64), StoreError> {
        Ok(with_pool!(&self.db, pool => sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN d.status >= 400 THEN 1 ELSE 0 END), 0), COUNT(*) \
             FROM (SELECT status FROM disclosures ORDER BY id DESC LIMIT $1) d")
            .bind(window).fetch_one(pool).await?))
    }

    /// The app's most recent disclosures, newest first.
    pub async fn disclosures(&self, app_id: i64, limit: i64) -> Result<Vec<Disclosure>, StoreError> {
        type Row = (i64, String, String, String, String, String, i32, i64, i64);
        let rows: Vec<Row> = with_pool!(&self.db, pool => sqlx::query_as(
            "SELECT app_id, at, channel, operation, path, parameters, status, records, duration_ms FROM disclosures \
             WHERE app_id = $1 ORDER BY id DESC LIMIT $2")
            .bind(app_id).bind(limit).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(app_id, at, channel, operation, path, parameters, status, records, duration_ms)| Disclosure {
                app_id,
                at,
                channel,
                operation,
                path,
                parameters,
                status: status as u16,
                records: records as u64,
                duration_ms: duration_ms as u64,
            })
            .collect())
    }
}

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
            for d in batch {
                sqlx::query(
                    "INSERT INTO disclosures (app_id, at, channel, operation, path, parameters, status, records, duration_ms) \
                     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE EXISTS (SELECT 1 FROM apps WHERE id = $1)")
                    .bind(d.app_id).bind(&d.at).bind(&d.channel).bind(&d.operation).bind(&d.path)
                    .bind(&d.parameters).bind(i32::from(d.status)).bind(d.records as i64).bind(d.duration_ms as i64)
                    .execute(&mut *tx).await?;
            }
            for app in &apps {
                sqlx::query("UPDATE apps SET last_access_at = $1 WHERE id = $2").bind(now).bind(app).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
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

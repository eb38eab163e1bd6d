//! Reading the roster's bookkeeping: imports, sources, counts per table.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    import::plural,
    report::{ImportReport, ImportSummary, Outcome},
    tables::TABLES,
};
use crate::{db::with_pool, Store, StoreError};

/// Records per roster table (by table name).
pub type RosterCounts = BTreeMap<&'static str, TableCount>;

/// Records of one table by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TableCount {
    pub active: u64,
    pub tobedeleted: u64,
}

type ImportRow = (i64, String, String, String, String, Option<i64>, String, Option<String>, String, Option<String>, Option<String>);

const IMPORT_COLUMNS: &str = "i.id, s.name, i.origin, i.package_name, i.status, i.revision_id, i.started_at, i.finished_at, i.actor, i.decided_by, i.report";

fn summary(row: ImportRow) -> ImportSummary {
    let (id, source, origin, package, status, revision, started_at, finished_at, actor, decided_by, report) = row;
    let message = report
        .as_deref()
        .and_then(|r| serde_json::from_str::<ImportReport>(r).ok())
        .map(|r| r.message)
        .unwrap_or_else(|| if status == "running" { "running".into() } else { "interrupted before it finished; nothing was applied".into() });
    ImportSummary { id, source, origin, package, outcome: Outcome::parse(&status), revision, started_at, finished_at, actor, decided_by, message }
}

impl Store {
    /// The newest imports first (at most `limit`).
    pub async fn imports(&self, limit: i64) -> Result<Vec<ImportSummary>, StoreError> {
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports i JOIN sources s ON s.id = i.source_id ORDER BY i.id DESC LIMIT $1");
        let rows: Vec<ImportRow> = with_pool!(&self.db, pool => sqlx::query_as(&sql).bind(limit).fetch_all(pool).await?);
        Ok(rows.into_iter().map(summary).collect())
    }

    /// One import with its full report (`None` in the report while it runs).
    pub async fn import(&self, id: i64) -> Result<(ImportSummary, Option<ImportReport>), StoreError> {
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports i JOIN sources s ON s.id = i.source_id WHERE i.id = $1");
        let row: Option<ImportRow> = with_pool!(&self.db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
        let row = row.ok_or_else(|| StoreError::NotFound(format!("there is no import {id}")))?;
        let report = row.10.as_deref().and_then(|r| serde_json::from_str(r).ok());
        Ok((summary(row), report))
    }

    /// The roster tables holding at least one active record of `source` (one index probe
    /// each): where a bulk file will mostly be compared with records already held.
    pub(crate) async fn tables_holding(&self, source: i64) -> Result<std::collections::HashSet<&'static str>, StoreError> {
        let mut held = std::collections::HashSet::new();
        for table in TABLES {
            let sql = format!("SELECT EXISTS (SELECT 1 FROM {} WHERE source_id = $1 AND status = 'active')", table.name);
            let found: bool = with_pool!(&self.db, pool => sqlx::query_scalar(&sql).bind(source).fetch_one(pool).await?);
            if found {
                held.insert(table.name);
            }
        }
        Ok(held)
    }

    /// Every source as (id, name).
    pub async fn source_names(&self) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(with_pool!(&self.db, pool => sqlx::query_as("SELECT id, name FROM sources ORDER BY name").fetch_all(pool).await?))
    }

    /// Counts the roster now in the background, and again after every revision this process
    /// applies (`rollbook serve` does this so that its dashboard never waits for a count).
    pub fn keep_roster_counts(&self) {
        self.counts_kept.store(true, std::sync::atomic::Ordering::Relaxed);
        let store = self.clone();
        tokio::spawn(async move {
            if let Err(e) = store.roster_counts().await {
                tracing::warn!(error = %e, "could not count the roster");
            }
        });
    }

    /// Records per roster table and status.
    ///
    /// Counting a 1M-student roster takes seconds (8M enrollments), and the counts change only
    /// with a new revision: they are kept per process with the revision they belong to, and
    /// counted again when the roster has a newer one.
    pub async fn roster_counts(&self) -> Result<RosterCounts, StoreError> {
        let revision = self.current_revision().await?;
        let cached = self.counts_cache.lock().ok().and_then(|c| c.clone());
        if let Some((at, counts)) = cached {
            if at == revision {
                return Ok(counts);
            }
        }
        let counts = self.count_roster().await?;
        if let Ok(mut cache) = self.counts_cache.lock() {
            *cache = Some((revision, counts.clone()));
        }
        Ok(counts)
    }

    async fn count_roster(&self) -> Result<RosterCounts, StoreError> {
        let mut out = BTreeMap::new();
        for table in TABLES {
            // Every record, then the deleted ones through their own index: grouping by status
            // would read the whole table, as no index holds every record's status.
            let sql = format!(
                "SELECT (SELECT COUNT(*) FROM {n}), (SELECT COUNT(*) FROM {n} WHERE status = 'tobedeleted')",
                n = table.name
            );
            let (all, deleted): (i64, i64) = with_pool!(&self.db, pool => sqlx::query_as(&sql).fetch_one(pool).await?);
            out.insert(table.name, TableCount { active: (all - deleted) as u64, tobedeleted: deleted as u64 });
        }
        Ok(out)
    }

    /// One record as stored: its columns by name (`None` when the table has no such record).
    /// For tests, the CLI and the console's detail pages.
    pub async fn roster_record(&self, table: &str, sourced_id: &str) -> Result<Option<BTreeMap<String, Option<String>>>, StoreError> {
        let table = super::tables::by_name(table).ok_or_else(|| StoreError::Invalid(format!("`{table}` is not a roster table")))?;
        let columns: Vec<String> = table
            .all_columns()
            .map(|c| match c {
                "source_id" | "created_revision" | "revision" | "hash" => format!("CAST({c} AS TEXT)"),
                _ => c.to_string(),
            })
            .collect();
        let sql = format!("SELECT {} FROM {} WHERE sourced_id = $1", columns.join(", "), table.name);
        let values: Option<Vec<Option<String>>> = with_pool!(&self.db, pool => {
            use sqlx::Row;
            let row = sqlx::query(&sql).bind(sourced_id).fetch_optional(pool).await?;
            match row {
                None => None,
                Some(row) => Some((0..columns.len()).map(|i| row.try_get::<Option<String>, _>(i)).collect::<Result<Vec<_>, _>>()?),
            }
        });
        Ok(values.map(|v| table.all_columns().map(String::from).zip(v).collect()))
    }

    /// How many records of `table` changed after revision `after` (deletions included).
    pub async fn changed_since(&self, table: &str, after: i64) -> Result<u64, StoreError> {
        let table = super::tables::by_name(table).ok_or_else(|| StoreError::Invalid(format!("`{table}` is not a roster table")))?;
        let sql = format!("SELECT COUNT(*) FROM {} WHERE revision > $1", table.name);
        let n: i64 = with_pool!(&self.db, pool => sqlx::query_scalar(&sql).bind(after).fetch_one(pool).await?);
        Ok(n as u64)
    }

    /// A one-line description of the roster ("2,000 users, ...") for logs and the CLI.
    pub async fn roster_line(&self) -> Result<String, StoreError> {
        let counts = self.roster_counts().await?;
        Ok(TABLES.iter().map(|t| plural(counts[t.name].active, t.name.trim_end_matches('s'))).collect::<Vec<_>>().join(", "))
    }
}

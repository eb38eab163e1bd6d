//! Reading the roster's bookkeeping inside the transaction: indexes, pages, lookups.

use super::Tx;
use crate::{
    roster::{
        index::{Entry, Index},
        rows::fingerprint,
        tables::Table,
    },
    StoreError,
};

impl Tx {
    /// Reads every record of `table` into an [`Index`] (sized up front: a growing vector of
    /// millions of entries would briefly need twice the memory).
    pub async fn load_index(&mut self, table: &Table) -> Result<Index, StoreError> {
        if let Tx::Sqlite(t) = self {
            return Ok(Index::build(super::lite::index_entries(&mut **t, table.name).await?));
        }
        let count: i64 = with_tx!(self, t => sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", table.name)).fetch_one(&mut **t).await?);
        let mut entries = Vec::with_capacity(count as usize);
        let mut after = String::new();
        loop {
            let page = self.records_page(table, &after, 50_000).await?;
            let Some(last) = page.last() else { break };
            after = last.sourced_id.clone();
            entries.extend(page.iter().map(|r| Entry::new(fingerprint(&r.sourced_id), r.hash, r.source as u32, r.active)));
        }
        Ok(Index::build(entries))
    }

    /// The index entries of just these sourcedIds (a delta looks up what it touches instead of
    /// reading the whole table).
    pub async fn lookup_entries(&mut self, table: &Table, ids: &[&str]) -> Result<Vec<Entry>, StoreError> {
        if let Tx::Sqlite(t) = self {
            let found = super::lite::lookup(&mut **t, table.name, ids).await?;
            return Ok(found.into_iter().map(|(id, hash, source, active)| Entry::new(fingerprint(&id), hash, source as u32, active)).collect());
        }
        let mut entries = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("SELECT sourced_id, hash, source_id, status FROM {} WHERE sourced_id IN ({})", table.name, placeholders.join(", "));
            let rows: Vec<(String, i64, i64, String)> = with_tx!(self, t => {
                let mut q = sqlx::query_as(&sql);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(&mut **t).await?
            });
            entries.extend(rows.into_iter().map(|(id, hash, source, status)| Entry::new(fingerprint(&id), hash, source as u32, status == "active")));
        }
        Ok(entries)
    }

    /// Whether `table` (a roster table, or the shadow a first import loads) holds a record
    /// `sourced_id`, active or not, as this transaction sees it.
    pub async fn has_record(&mut self, table: &str, sourced_id: &str) -> Result<bool, StoreError> {
        let sql = format!("SELECT count(*) FROM {table} WHERE sourced_id = $1");
        let n: i64 = with_tx!(self, t => sqlx::query_scalar(&sql).bind(sourced_id).fetch_one(&mut **t).await?);
        Ok(n > 0)
    }

    /// Active records of `source` in `table`: its records less its deleted ones, each counted
    /// in an index of its own (the source index does not hold the status, so that deleting a
    /// record leaves it alone; see migration 0014).
    pub async fn count_active(&mut self, table: &Table, source: i64) -> Result<u64, StoreError> {
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM {n} WHERE source_id = $1) - (SELECT COUNT(*) FROM {n} WHERE source_id = $1 AND status = 'tobedeleted')",
            n = table.name
        );
        let n: i64 = with_tx!(self, t => sqlx::query_scalar(&sql).bind(source).fetch_one(&mut **t).await?);
        Ok(n as u64)
    }

    /// One page of `table`'s records in id order after `after`, through the primary key.
    ///
    /// SQLite hands each result row across a thread to the driver, which costs microseconds a
    /// row; a page therefore comes back as one string (`group_concat`, ids hex-encoded so no
    /// separator can clash), which reads millions of records several times faster.
    pub async fn records_page(&mut self, table: &Table, after: &str, limit: i64) -> Result<Vec<Brief>, StoreError> {
        match self {
            Tx::Sqlite(t) => {
                let sql = format!(
                    "SELECT group_concat(hex(sourced_id) || ' ' || hash || ' ' || source_id || ' ' || (status = 'active'), ' ') \
                     FROM (SELECT sourced_id, hash, source_id, status FROM {} WHERE sourced_id > $1 ORDER BY sourced_id LIMIT $2)",
                    table.name
                );
                let text: Option<String> = sqlx::query_scalar(&sql).bind(after).bind(limit).fetch_one(&mut **t).await?;
                text.as_deref().unwrap_or("").split_terminator(' ').collect::<Vec<_>>().chunks(4).map(Brief::parse).collect()
            }
            Tx::Postgres(t) => {
                let sql = format!("SELECT sourced_id, hash, source_id, status FROM {} WHERE sourced_id > $1 ORDER BY sourced_id LIMIT $2", table.name);
                let rows: Vec<(String, i64, i64, String)> = sqlx::query_as(&sql).bind(after).bind(limit).fetch_all(&mut **t).await?;
                Ok(rows.into_iter().map(|(sourced_id, hash, source, status)| Brief { sourced_id, hash, source, active: status == "active" }).collect())
            }
        }
    }
}


/// A record's bookkeeping, as [`Tx::records_page`] reads it.
pub struct Brief {
    pub sourced_id: String,
    pub hash: i64,
    pub source: i64,
    pub active: bool,
}

impl Brief {
    /// `[hex id, hash, source, 0|1]` from the SQLite page string.
    fn parse(parts: &[&str]) -> Result<Brief, StoreError> {
        let bad = || StoreError::Internal(format!("unreadable record page entry {parts:?}"));
        let [id, hash, source, active] = parts else { return Err(bad()) };
        let bytes = hex::decode(id).map_err(|_| bad())?;
        Ok(Brief {
            sourced_id: String::from_utf8(bytes).map_err(|_| bad())?,
            hash: hash.parse().map_err(|_| bad())?,
            source: source.parse().map_err(|_| bad())?,
            active: *active == "1",
        })
    }
}


//! What makes large shares fast to page: the total of a query, and where each page it served
//! ended, remembered per app and data generation.
//!
//! A query's total is counted once per generation (the roster's newest revision and the app's
//! share generation, bumped by every recomputation), not on every page; and a page that
//! continues where an earlier one ended starts from that page's last sourcedId through the
//! primary key instead of skipping `offset` rows, so paging through 8 M enrollments is linear.
//! Entries of an older generation can never be hit again (the generation is part of the key);
//! the whole cache is dropped when it grows past its bound.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// Entries kept before the cache starts over.
const MAX_ENTRIES: usize = 50_000;

#[derive(Debug, Default)]
pub(crate) struct DeliveryCache {
    inner: Mutex<Inner>,
    /// One lock per total being counted: requests that arrive together for the same new
    /// query wait for one count instead of each running it (on a large district a count takes
    /// seconds, and a burst of them once used up the connection pool).
    counting: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Debug, Default)]
struct Inner {
    totals: HashMap<String, u64>,
    /// (query key, offset) → the sourcedId of the record just before that offset.
    cursors: HashMap<(String, u64), String>,
}

impl DeliveryCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn total(&self, key: &str) -> Option<u64> {
        self.lock().totals.get(key).copied()
    }

    pub(crate) fn put_total(&self, key: &str, total: u64) {
        let mut inner = self.lock();
        if inner.totals.len() >= MAX_ENTRIES {
            inner.totals.clear();
        }
        inner.totals.insert(key.to_string(), total);
    }

    /// The lock to hold while counting the total of `key`.
    pub(crate) fn counting(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut counting = self.counting.lock().unwrap_or_else(|p| p.into_inner());
        counting.entry(key.to_string()).or_default().clone()
    }

    /// Forgets the lock of `key` once its total is known.
    pub(crate) fn counted(&self, key: &str) {
        self.counting.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }

    pub(crate) fn cursor(&self, key: &str, offset: u64) -> Option<String> {
        self.lock().cursors.get(&(key.to_string(), offset)).cloned()
    }

    pub(crate) fn put_cursor(&self, key: &str, offset: u64, last_id: String) {
        let mut inner = self.lock();
        if inner.cursors.len() >= MAX_ENTRIES {
            inner.cursors.clear();
        }
        inner.cursors.insert((key.to_string(), offset), last_id);
    }
}

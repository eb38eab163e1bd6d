//! What makes large shares fast to page: the total of a query, and where each page it served
//! ended, remembered per app and data generation.
//!
//! A query's total is counted once per generation (the roster's newest revision and the app's
//! share generation, bumped by every recomputation), not on every page; and a page that
//! continues where an earlier one ended starts from that page's last sourcedId through the
//! primary key instead of skipping `offset` rows, so paging through 8 M enrollments is linear.
//! Entries of an older generation can never be hit again (the generation is part of the key);
//! the whole cache is dropped when it grows past its bound.

use std::{collections::HashMap, sync::Mutex};

/// Entries kept before the cache starts over.
const MAX_ENTRIES: usize = 50_000;

#[derive(Debug, Default)]
pub(crate) struct DeliveryCache {
    inner: Mutex<Inner>,
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

//! Bearer token checks remembered for a moment.
//!
//! Every API request starts with a token lookup, and on a busy server that one round trip to
//! the database (through the pool's worker thread) was most of the cost of an answer the
//! response cache already held. A server therefore remembers a token's row (the app, its
//! scopes and expiry, its share generation and the roster revision) for a short time
//! ([`StoreOptions::token_memo`](crate::StoreOptions)).
//!
//! What that means for freshness:
//! - A change made through this process (revoking or rotating credentials, disabling or
//!   editing an app, a share change, an import or rollback, a teacher grant) forgets every
//!   remembered token at once, so the next request sees it.
//! - A change made by another process (a `rollbook` command, another app server behind the
//!   load balancer) is seen once the memo expires: at most the memo's lifetime later.
//! - Expiry is still checked on every request against the remembered expiry time.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};

use crate::repo::apps::TokenRow;

/// More tokens than this and the memo starts over (flat memory under many clients).
const MAX_ENTRIES: usize = 10_000;

/// Remembered token rows, keyed by the token's digest.
#[derive(Debug, Default)]
pub(crate) struct TokenMemo {
    lifetime: Duration,
    /// Bumped by every change this process makes that a token row shows.
    epoch: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
}

#[derive(Debug)]
struct Entry {
    read_at: Instant,
    epoch: u64,
    row: TokenRow,
}

impl TokenMemo {
    /// A memo keeping rows for `lifetime` (zero: keeps nothing).
    pub(crate) fn new(lifetime: Duration) -> Self {
        TokenMemo { lifetime, ..Default::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The epoch to pass to [`TokenMemo::put`] for a row read from now on.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// The remembered row of `digest`, if it is young enough and nothing changed since.
    pub(crate) fn get(&self, digest: &str) -> Option<TokenRow> {
        if self.lifetime.is_zero() {
            return None;
        }
        let epoch = self.epoch();
        let entries = self.lock();
        let entry = entries.get(digest)?;
        (entry.epoch == epoch && entry.read_at.elapsed() < self.lifetime).then(|| entry.row.clone())
    }

    /// Remembers `row`, read after [`TokenMemo::epoch`] returned `epoch`. A row read before a
    /// change is never kept past it: its epoch no longer matches.
    pub(crate) fn put(&self, digest: &str, epoch: u64, row: TokenRow) {
        if self.lifetime.is_zero() || epoch != self.epoch() {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(digest.to_string(), Entry { read_at: Instant::now(), epoch, row });
    }

    /// Forgets every remembered row (something they show changed).
    pub(crate) fn forget_all(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        if !self.lifetime.is_zero() {
            self.lock().clear();
        }
    }
}

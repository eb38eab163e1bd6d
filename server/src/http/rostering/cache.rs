//! Answers kept for repeated requests: the rendered body of a successful rostering answer,
//! per app and data generation.
//!
//! The roster only changes by revisions (imports, rollbacks) and an app's share only by its
//! recomputation, and both are part of the key ([`store::delivery::AppView::cache_key`], with
//! the tombstone cutoff). So an entry can never be served after the data it shows changed:
//! a new revision or share generation makes a new key, and the old entries are never hit
//! again. Each request is still authenticated, rate-limited, scoped to its app by the key,
//! and written to the disclosure log; only building the body again is saved.
//!
//! The cache is bounded in bytes and starts over when full (flat memory). Large pages (a
//! client walking 10,000 records at a time reads each page once) are not kept.

use std::{collections::HashMap, sync::Mutex};

use axum::body::Bytes;

/// Bodies larger than this are not kept.
const MAX_BODY: usize = 256 * 1024;

/// One kept answer.
#[derive(Clone, Debug)]
pub struct Cached {
    pub body: Bytes,
    /// `X-Total-Count` of a list.
    pub total: Option<u64>,
    /// `Link` of a list.
    pub link: Option<String>,
    /// Records in the body (for the disclosure log).
    pub records: u64,
}

/// Kept answers, up to a byte budget.
#[derive(Debug)]
pub struct ResponseCache {
    budget: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    bytes: usize,
    entries: HashMap<String, Cached>,
}

impl ResponseCache {
    /// A cache holding up to `budget` bytes of bodies and keys (0: keeps nothing).
    pub fn new(budget: usize) -> Self {
        ResponseCache { budget, inner: Mutex::new(Inner::default()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The kept answer for `key`.
    pub fn get(&self, key: &str) -> Option<Cached> {
        self.lock().entries.get(key).cloned()
    }

    /// Keeps `answer` for `key` (unless it is too large to be worth keeping).
    pub fn put(&self, key: String, answer: Cached) {
        let size = key.len() + answer.body.len() + answer.link.as_ref().map_or(0, String::len);
        if self.budget == 0 || answer.body.len() > MAX_BODY || size > self.budget {
            return;
        }
        let mut inner = self.lock();
        if inner.bytes + size > self.budget {
            inner.entries.clear();
            inner.bytes = 0;
        }
        let key_len = key.len();
        if let Some(old) = inner.entries.insert(key, answer) {
            // Two requests raced: the later answer replaces the earlier one's bytes.
            let old_size = key_len + old.body.len() + old.link.as_ref().map_or(0, String::len);
            inner.bytes = inner.bytes.saturating_sub(old_size);
        }
        inner.bytes += size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(n: usize) -> Cached {
        Cached { body: Bytes::from(vec![b'x'; n]), total: Some(1), link: None, records: 1 }
    }

    #[test]
    fn keeps_answers_until_the_budget_is_spent_then_starts_over() {
        let cache = ResponseCache::new(1000);
        cache.put("a".into(), answer(400));
        cache.put("b".into(), answer(400));
        assert_eq!(cache.get("a").unwrap().body.len(), 400);
        assert!(cache.get("b").is_some());
        cache.put("c".into(), answer(400));
        assert!(cache.get("a").is_none(), "a full cache starts over");
        assert!(cache.get("c").is_some());
    }

    #[test]
    fn large_bodies_and_a_zero_budget_keep_nothing() {
        let cache = ResponseCache::new(10 * MAX_BODY);
        cache.put("big".into(), answer(MAX_BODY + 1));
        assert!(cache.get("big").is_none());
        let off = ResponseCache::new(0);
        off.put("a".into(), answer(10));
        assert!(off.get("a").is_none());
    }
}

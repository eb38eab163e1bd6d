//! Per-app rate limits (requests per minute, GCRA via governor) and the disclosure log writer.
//!
//! Limits are kept per server process: behind a load balancer each server allows an app its
//! limit (README "Rate limits").

use std::{
    collections::HashMap,
    num::NonZeroU32,
    sync::{Arc, Mutex},
    time::Duration,
};

use governor::{
    clock::{Clock, DefaultClock},
    DefaultDirectRateLimiter, Quota, RateLimiter,
};
use store::{Disclosure, Store};
use tokio::sync::mpsc;

/// Every app's limiter, made on first use and remade when its limit changes.
#[derive(Debug)]
pub struct RateLimits {
    default_per_minute: u32,
    apps: Mutex<HashMap<i64, (u32, Arc<DefaultDirectRateLimiter>)>>,
}

impl RateLimits {
    /// Limits with `default_per_minute` for apps without their own.
    pub fn new(default_per_minute: u32) -> Self {
        RateLimits { default_per_minute, apps: Mutex::new(HashMap::new()) }
    }

    /// Counts one request of `app`; `Err(seconds)` says how long to wait when over the limit.
    pub fn check(&self, app: i64, own_limit: Option<i64>) -> Result<(), u64> {
        let per_minute = own_limit
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
            .unwrap_or(self.default_per_minute)
            .max(1);
        let limiter = {
            let mut apps = self.apps.lock().unwrap_or_else(|p| p.into_inner());
            let entry = apps.entry(app).or_insert_with(|| (0, Arc::new(limiter(per_minute))));
            if entry.0 != per_minute {
                *entry = (per_minute, Arc::new(limiter(per_minute)));
            }
            entry.1.clone()
        };
        limiter.check().map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

fn limiter(per_minute: u32) -> DefaultDirectRateLimiter {
    RateLimiter::direct(Quota::per_minute(NonZeroU32::new(per_minute).expect("at least 1")))
}

/// Sends disclosures to a task that writes them in batches (one transaction per batch), so
/// that logging never holds up a response.
#[derive(Clone, Debug)]
pub struct DisclosureLog {
    tx: mpsc::UnboundedSender<Disclosure>,
}

impl DisclosureLog {
    /// Starts the writer task on `store`.
    pub fn start(store: Store) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Disclosure>();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(512);
            while let Some(first) = rx.recv().await {
                batch.push(first);
                while batch.len() < 2000 {
                    match rx.try_recv() {
                        Ok(d) => batch.push(d),
                        Err(_) => break,
                    }
                }
                // A busy database (a long import holding SQLite's write lock) or a lost
                // connection passes: the batch waits and is written then, never dropped.
                let mut wait = Duration::from_millis(250);
                loop {
                    match store.log_disclosures(&batch).await {
                        Ok(()) => break,
                        Err(e) if e.is_transient() => {
                            tracing::warn!(error = %e, pending = batch.len(), retry_in = ?wait, "the disclosure log cannot be written yet");
                            tokio::time::sleep(wait).await;
                            wait = (wait * 2).min(Duration::from_secs(10));
                        }
                        Err(e) => {
                            tracing::error!(error = %e, lost = batch.len(), "could not write the disclosure log");
                            break;
                        }
                    }
                }
                batch.clear();
            }
        });
        DisclosureLog { tx }
    }

    /// Queues one disclosure.
    pub fn record(&self, disclosure: Disclosure) {
        if self.tx.send(disclosure).is_err() {
            tracing::error!("the disclosure log writer has stopped");
        }
    }
}

//! Sign-in throttling: after a few failures for one account or one address, each further attempt
//! must wait, and the wait doubles with every failure.

use std::time::Duration;

use time::OffsetDateTime;

/// How sign-in failures are slowed down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures for one account (e-mail) allowed before delays start.
    pub free_attempts_per_account: u32,
    /// Failures from one client address allowed before delays start (higher: schools share NAT).
    pub free_attempts_per_address: u32,
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// The first delay; it doubles with every further failure.
    pub base_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            free_attempts_per_account: 5,
            free_attempts_per_address: 20,
            window: Duration::from_secs(15 * 60),
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(15 * 60),
        }
    }
}

impl ThrottlePolicy {
    /// Seconds the caller must still wait, given the remembered failure times of one subject and
    /// the number of free attempts for that kind of subject; `None` when an attempt may proceed.
    pub(crate) fn wait(&self, failures: &[OffsetDateTime], free: u32, now: OffsetDateTime) -> Option<u64> {
        let window_start = now - self.window;
        let recent: Vec<_> = failures.iter().filter(|t| **t > window_start).collect();
        let count = recent.len() as u32;
        if count < free {
            return None;
        }
        let last = **recent.iter().max()?;
        let doublings = (count - free).min(20);
        let delay = self.base_delay.saturating_mul(1u32 << doublings).min(self.max_delay);
        let until = last + delay;
        if now >= until {
            return None;
        }
        let remaining = (until - now).as_seconds_f64().ceil() as u64;
        Some(remaining.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-27 12:00:00 UTC);

    fn ago(secs: i64) -> OffsetDateTime {
        NOW - time::Duration::seconds(secs)
    }

    #[test]
    fn free_attempts_then_doubling_delays() {
        let p = ThrottlePolicy::default();
        let four: Vec<_> = (0..4).map(|i| ago(10 + i)).collect();
        assert_eq!(p.wait(&four, 5, NOW), None);
        let five: Vec<_> = (0..5).map(ago).collect();
        assert_eq!(p.wait(&five, 5, NOW), Some(2));
        let seven: Vec<_> = (0..7).map(ago).collect();
        assert_eq!(p.wait(&seven, 5, NOW), Some(8));
        // the delay runs from the most recent failure
        let five_old: Vec<_> = (0..5).map(|i| ago(3 + i)).collect();
        assert_eq!(p.wait(&five_old, 5, NOW), None);
    }

    #[test]
    fn delay_is_capped_and_window_forgets() {
        let p = ThrottlePolicy::default();
        let many: Vec<_> = (0..40).map(|_| ago(1)).collect();
        assert_eq!(p.wait(&many, 5, NOW), Some(15 * 60 - 1));
        let stale: Vec<_> = (0..40).map(|i| ago(16 * 60 + i)).collect();
        assert_eq!(p.wait(&stale, 5, NOW), None);
    }
}

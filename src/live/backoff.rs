//! Exponential backoff with jitter for reconnecting, and a little randomness without a crate.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Delays that double from `min` up to `max`; each is drawn from its upper half, so many
/// clients cut off together do not come back in step, yet none retries sooner than half the step.
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    step: Duration,
}

impl Backoff {
    pub fn new(min: Duration, max: Duration) -> Backoff {
        let min = min.max(Duration::from_millis(1));
        Backoff {
            min,
            max: max.max(min),
            step: min,
        }
    }

    /// The delay before the next attempt; the one after will be twice as long, up to `max`.
    pub fn next_delay(&mut self) -> Duration {
        let step = self.step;
        self.step = (self.step * 2).min(self.max);
        let half = step / 2;
        half + half.mul_f64(unit_random())
    }

    /// Back to `min`, after a connection that worked.
    pub fn reset(&mut self) {
        self.step = self.min;
    }
}

/// A random `u64`: the standard library's per-process random hash keys, mixed with a counter.
pub fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// Uniform in `[0, 1)`.
pub fn unit_random() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_within_bounds_and_resets() {
        let ms = Duration::from_millis;
        let mut b = Backoff::new(ms(500), ms(30_000));
        let mut steps = Vec::new();
        for _ in 0..10 {
            steps.push(b.next_delay());
        }
        let expected_step = [
            500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000,
        ];
        for (d, s) in steps.iter().zip(expected_step) {
            assert!(
                *d >= ms(s / 2) && *d <= ms(s),
                "{d:?} not in [{}, {s}] ms",
                s / 2
            );
        }
        b.reset();
        assert!(b.next_delay() <= ms(500));
    }

    #[test]
    fn randomness_varies() {
        let a: Vec<u64> = (0..8).map(|_| random_u64()).collect();
        let mut b = a.clone();
        b.dedup();
        assert_eq!(a.len(), b.len());
        assert!((0..100)
            .map(|_| unit_random())
            .all(|x| (0.0..1.0).contains(&x)));
    }
}

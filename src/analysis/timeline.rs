//! Activity per time bucket (empty buckets are zero, not missing), the viewer curve, and the
//! peaks: buckets where the chat rate rises furthest above its rolling baseline.

use std::str::FromStr;

use rustc_hash::FxHashSet;
use serde::Serialize;

use crate::event::{Event, Kind};

/// A bucket length: `10s`, `1m`, `5m`, `1h` …
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketSize(pub i64);

impl FromStr for BucketSize {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let d = crate::timefmt::parse_duration(s)?;
        let ms = d.as_millis();
        // Whole seconds up to a year: finer buckets hold no data, coarser ones no timeline.
        if ms < 1000 || ms % 1000 != 0 || ms > 366 * 86_400_000 {
            return Err(format!(
                "`{s}` is not a bucket length: give whole seconds from 1s to a year, like 10s, 1m, 5m or 1h"
            ));
        }
        Ok(BucketSize(ms as i64))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Bucket {
    pub start_ms: i64,
    pub chat: u64,
    pub chatters: u64,
    pub gifts: u64,
    pub diamonds: u64,
    pub likes: u64,
    pub joins: u64,
    pub follows: u64,
    /// Viewers online (the last room_user_seq count in the bucket), if any was sent.
    pub online: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub bucket_ms: i64,
    pub buckets: Vec<Bucket>,
}

/// At most this many buckets; a longer span gets coarser buckets (see [`Timeline::bucket_ms`]).
pub const MAX_BUCKETS: i64 = 100_000;

/// Buckets from the first to the last event, aligned to multiples of the bucket length.
pub fn timeline(events: &[&Event], size: BucketSize) -> Timeline {
    let (Some(first), Some(last)) = (
        events.iter().map(|e| e.ts).min(),
        events.iter().map(|e| e.ts).max(),
    ) else {
        return Timeline {
            bucket_ms: size.0,
            buckets: Vec::new(),
        };
    };
    // Inputs spanning years (old and new frames together) would make millions of empty buckets.
    let mut b = size.0;
    for coarser in [60_000, 300_000, 3_600_000, 86_400_000, 7 * 86_400_000] {
        if (last - first) / b < MAX_BUCKETS {
            break;
        }
        b = b.max(coarser);
    }
    let b = b.max((last - first) / MAX_BUCKETS + 1);
    let origin = first.div_euclid(b) * b;
    let n = ((last - origin) / b + 1) as usize;
    let mut buckets: Vec<Bucket> = (0..n)
        .map(|i| Bucket {
            start_ms: origin + i as i64 * b,
            ..Bucket::default()
        })
        .collect();
    let mut chatters: Vec<FxHashSet<u64>> = vec![FxHashSet::default(); n];
    let mut online_at: Vec<i64> = vec![i64::MIN; n];
    for ev in events {
        let i = ((ev.ts - origin) / b) as usize;
        let bk = &mut buckets[i];
        match ev.kind {
            Kind::Chat => {
                bk.chat += 1;
                chatters[i].insert(ev.user_id.unwrap_or(0));
            }
            Kind::Gift => {
                bk.gifts += 1;
                bk.diamonds += ev.diamond_count.unwrap_or(0);
            }
            Kind::Like => bk.likes += ev.like_count.unwrap_or(0),
            Kind::Member => bk.joins += 1,
            Kind::Social if ev.action == Some(1) => bk.follows += 1,
            Kind::RoomUserSeq if ev.ts >= online_at[i] => {
                online_at[i] = ev.ts;
                bk.online = ev.online;
            }
            _ => {}
        }
    }
    for (bk, set) in buckets.iter_mut().zip(chatters) {
        bk.chatters = set.len() as u64;
    }
    Timeline {
        bucket_ms: b,
        buckets,
    }
}

pub use super::peaks::{Peak, PeakOptions};

/// The chat peaks of `t`, in time order (the method: [`super::peaks`]).
pub fn peaks(t: &Timeline, opts: &PeakOptions) -> Vec<Peak> {
    let starts: Vec<i64> = t.buckets.iter().map(|b| b.start_ms).collect();
    let chat: Vec<u64> = t.buckets.iter().map(|b| b.chat).collect();
    let active: Vec<bool> = t
        .buckets
        .iter()
        .map(|b| b.chat + b.joins + b.likes + b.gifts > 0)
        .collect();
    let series = super::peaks::Series {
        start_ms: &starts,
        chat: &chat,
        active: &active,
    };
    super::peaks::find(&series, t.bucket_ms, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_sizes() {
        assert_eq!("10s".parse::<BucketSize>(), Ok(BucketSize(10_000)));
        assert_eq!("5m".parse::<BucketSize>(), Ok(BucketSize(300_000)));
        assert!("0m".parse::<BucketSize>().is_err());
        assert!("m".parse::<BucketSize>().is_err());
        assert!("5x".parse::<BucketSize>().is_err());
        // The shared duration parser: the same spellings as --rotate and --status-every.
        assert_eq!("1.5m".parse::<BucketSize>(), Ok(BucketSize(90_000)));
        assert_eq!("90".parse::<BucketSize>(), Ok(BucketSize(90_000)));
        assert!("200ms".parse::<BucketSize>().is_err());
        assert!("1e12d".parse::<BucketSize>().is_err());
    }
}

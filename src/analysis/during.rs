//! What else happened during a peak (gifts, diamonds, likes, joins, follows …): each series'
//! rate inside a range of buckets against its rate over the whole session, on plain per-bucket
//! series, like [`super::peaks`].

use serde::Serialize;

/// One named per-bucket count, e.g. `("gifts", &gifts_per_bucket)`.
pub type Named<'a> = (&'static str, &'a [u64]);

/// A series inside the range against the session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alongside {
    pub what: &'static str,
    /// Its total inside the range.
    pub count: u64,
    /// Per minute inside the range.
    pub per_min: f64,
    /// Per minute over the session's active buckets.
    pub session_per_min: f64,
    /// `per_min / session_per_min` (0 when the session has none).
    pub ratio: f64,
    /// At least `min_ratio` × the session rate and at least `min_count` inside: worth saying.
    pub notable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlongsideOptions {
    pub min_ratio: f64,
    pub min_count: u64,
}

impl Default for AlongsideOptions {
    fn default() -> Self {
        AlongsideOptions {
            min_ratio: 2.0,
            min_count: 3,
        }
    }
}

/// Every series in buckets `first..=last` against the session (the buckets where `active`).
/// Out-of-range indices are clamped to the series.
pub fn compare(
    series: &[Named],
    active: &[bool],
    bucket_ms: i64,
    first: usize,
    last: usize,
    opts: &AlongsideOptions,
) -> Vec<Alongside> {
    let minute = 60_000.0 / bucket_ms.max(1) as f64;
    series
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|&(what, v)| {
            let last = last.min(v.len() - 1);
            let first = first.min(last);
            let count: u64 = v[first..=last].iter().sum();
            let inside_buckets = (last - first + 1) as f64;
            let (total, buckets) = v
                .iter()
                .zip(active.iter().chain(std::iter::repeat(&true)))
                .filter(|(_, a)| **a)
                .fold((0u64, 0u64), |(t, n), (x, _)| (t + x, n + 1));
            let per_min = count as f64 / inside_buckets * minute;
            let session_per_min = total as f64 / buckets.max(1) as f64 * minute;
            let ratio = if session_per_min > 0.0 {
                per_min / session_per_min
            } else {
                0.0
            };
            Alongside {
                what,
                count,
                per_min,
                session_per_min,
                ratio,
                notable: count >= opts.min_count && ratio >= opts.min_ratio,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_follow_burst_is_notable_steady_likes_are_not() {
        let follows = [0u64, 0, 1, 0, 6, 5, 0, 0, 0, 0];
        let likes = [10u64; 10];
        let a = compare(
            &[("follows", &follows), ("likes", &likes)],
            &[true; 10],
            60_000,
            4,
            5,
            &AlongsideOptions::default(),
        );
        assert_eq!(a[0].what, "follows");
        assert_eq!(a[0].count, 11);
        assert!((a[0].per_min - 5.5).abs() < 1e-9);
        assert!((a[0].session_per_min - 1.2).abs() < 1e-9);
        assert!(a[0].notable);
        assert!((a[1].ratio - 1.0).abs() < 1e-9 && !a[1].notable);
    }

    #[test]
    fn out_of_range_and_empty_series_do_not_panic() {
        let a = compare(
            &[("gifts", &[1, 2]), ("none", &[])],
            &[],
            10_000,
            5,
            9,
            &AlongsideOptions::default(),
        );
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].count, 2);
        assert!((a[0].per_min - 12.0).abs() < 1e-9);
    }
}

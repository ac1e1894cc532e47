//! Peaks of chat: the bursts a person would mark on the timeline, found on plain per-bucket
//! series (no events, no timeline type), so any timeline implementation can call [`find`].
//!
//! The method:
//! 1. **Warm-up and gaps.** The server replays recent history on every (re)connect, so buckets
//!    starting within `warmup_ms` of the first active bucket, or of the first active bucket after
//!    a silence longer than `gap_ms` (the capture stopped and resumed), are never peaks and are
//!    left out of every baseline, as are the silent buckets of such a gap.
//! 2. **A robust baseline.** For each bucket, the median `m` of chat over the eligible buckets
//!    within `baseline_ms` on either side (centred, so a burst is judged against the level around
//!    it, before and after), and the noise `s = max(1.4826 × MAD, √m, 1)`. The MAD is taken over
//!    the buckets at or below the median (bursts only go up, and may fill a good part of a short
//!    session's window), so it follows how ragged the stream itself is; `√m` is the Poisson
//!    floor of a count, so a quiet stream with MAD 0 does not make every wobble a peak. A burst
//!    shorter than `baseline_ms` cannot drag its own baseline up (the median ignores up to half
//!    the window).
//! 3. **Hot buckets**: chat ≥ `min_chat`, chat ≥ `min_ratio` × max(m, 1) and the robust score
//!    `(chat − m) / s` ≥ `min_score`.
//! 4. **One burst, one peak.** A hot bucket grows into its neighbours while they stay warm (half
//!    the hot margins: ratio ≥ 1 + (`min_ratio` − 1)/2 and score ≥ `min_score`/2), and peaks
//!    separated by at most `merge_gap_ms` of cooler buckets are merged. A peak has a start, an
//!    end and its top bucket (most chat).
//! 5. **How many.** Every peak that passes is kept: their number follows the data. With
//!    `max_peaks`, the most prominent are kept (prominence: top chat − baseline, so the tallest
//!    bursts always stay), then listed in time order.

use serde::Serialize;

/// The per-bucket series peaks are found on. Slices are read up to the shortest one.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    /// Start of each bucket, ms, increasing by the bucket length.
    pub start_ms: &'a [i64],
    /// Chat messages in each bucket.
    pub chat: &'a [u64],
    /// Whether anything at all arrived in the bucket (chat, likes, joins, gifts …): silence
    /// longer than `gap_ms` means the capture stopped, and what follows is a new connection.
    pub active: &'a [bool],
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeakOptions {
    /// A hot bucket has at least this many times its baseline's chat.
    pub min_ratio: f64,
    /// Keep at most this many peaks (the most prominent); `None`: every peak found.
    pub max_peaks: Option<usize>,
    /// A hot bucket's robust score, (chat − median) / noise, is at least this.
    pub min_score: f64,
    /// A hot bucket has at least this many chat messages.
    pub min_chat: u64,
    /// The baseline looks this far either side of a bucket.
    pub baseline_ms: i64,
    /// Peaks this close (cooler buckets between them) are one burst.
    pub merge_gap_ms: i64,
    /// Buckets starting this soon after the data starts (or resumes after a gap) are not
    /// peaks: the server replays history right after a connection.
    pub warmup_ms: i64,
    /// A silence this long means the capture stopped and resumed.
    pub gap_ms: i64,
}

impl Default for PeakOptions {
    fn default() -> Self {
        PeakOptions {
            min_ratio: 1.5,
            max_peaks: None,
            min_score: 3.0,
            min_chat: 5,
            baseline_ms: 30 * 60_000,
            merge_gap_ms: 60_000,
            warmup_ms: 60_000,
            gap_ms: 120_000,
        }
    }
}

/// A burst of chat: buckets `first..=last` of the series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Peak {
    /// Start of the first bucket, ms.
    pub start_ms: i64,
    /// End of the last bucket (exclusive), ms.
    pub end_ms: i64,
    /// Start of the top bucket (the one with the most chat), ms.
    pub top_ms: i64,
    /// Index of the first, top and last bucket in the series.
    pub first: usize,
    pub top: usize,
    pub last: usize,
    /// Chat messages in the top bucket.
    pub chat: u64,
    /// Chat messages in the whole peak.
    pub chat_total: u64,
    /// Chat messages per minute in the top bucket.
    pub rate_per_min: f64,
    /// The rolling median chat count at the top bucket.
    pub baseline: f64,
    /// Top chat / max(baseline, 1).
    pub ratio: f64,
    /// The top bucket's robust score, (chat − baseline) / noise.
    pub score: f64,
    /// Top chat − baseline: what `max_peaks` ranks by.
    pub prominence: f64,
}

/// Median and noise of chat around each bucket, or `None` where the bucket is not eligible.
fn baselines(chat: &[u64], eligible: &[bool], half: usize) -> Vec<Option<(f64, f64)>> {
    let n = chat.len();
    let mut window: Vec<f64> = Vec::with_capacity(2 * half + 1);
    let mut dev: Vec<f64> = Vec::with_capacity(2 * half + 1);
    (0..n)
        .map(|i| {
            if !eligible[i] {
                return None;
            }
            window.clear();
            let (lo, hi) = (i.saturating_sub(half), (i + half).min(n - 1));
            window.extend((lo..=hi).filter(|&j| eligible[j]).map(|j| chat[j] as f64));
            if window.len() < 3 {
                return None;
            }
            let m = median(&mut window);
            // Below the median only: bursts only go up, and in a short session they are a good
            // part of the window; the spread under the median is the stream's own noise.
            dev.clear();
            dev.extend(window.iter().filter(|x| **x <= m).map(|x| m - x));
            let mad = median(&mut dev);
            let noise = (1.4826 * mad).max(m.sqrt()).max(1.0);
            Some((m, noise))
        })
        .collect()
}

fn median(v: &mut [f64]) -> f64 {
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    let m = *m;
    if v.len() % 2 == 1 {
        m
    } else {
        let below = v[..mid].iter().copied().fold(f64::MIN, f64::max);
        (m + below) / 2.0
    }
}

/// Which buckets may be peaks or baseline: not in the warm-up after a (re)connect, not in a gap.
fn eligibility(s: &Series, n: usize, bucket_ms: i64, opts: &PeakOptions) -> Vec<bool> {
    let mut eligible = vec![false; n];
    let mut warm_until = i64::MIN;
    let mut last_active_end: Option<i64> = None;
    for (i, e) in eligible.iter_mut().enumerate() {
        let start = s.start_ms[i];
        if s.active[i] {
            if last_active_end.is_none_or(|end| start - end > opts.gap_ms) {
                warm_until = start + opts.warmup_ms;
            }
            last_active_end = Some(start + bucket_ms);
        }
        // Silent buckets count as the stream's quiet, unless the silence turns out to be a gap.
        *e = last_active_end.is_some() && start >= warm_until;
    }
    // Mark the silent buckets of gaps: a run of inactive buckets spanning more than gap_ms.
    let mut i = 0;
    while i < n {
        if s.active[i] {
            i += 1;
            continue;
        }
        let j = (i..n).find(|&j| s.active[j]).unwrap_or(n);
        if (j - i) as i64 * bucket_ms > opts.gap_ms || j == n {
            eligible[i..j].iter_mut().for_each(|e| *e = false);
        }
        i = j;
    }
    eligible
}

/// The peaks of `s` (buckets `bucket_ms` long), in time order.
pub fn find(s: &Series, bucket_ms: i64, opts: &PeakOptions) -> Vec<Peak> {
    let n = s.start_ms.len().min(s.chat.len()).min(s.active.len());
    if n == 0 || bucket_ms <= 0 {
        return Vec::new();
    }
    let chat = &s.chat[..n];
    let eligible = eligibility(s, n, bucket_ms, opts);
    let half = ((opts.baseline_ms / bucket_ms).max(3) as usize).min(n);
    let base = baselines(chat, &eligible, half);

    let margin = |i: usize, ratio: f64, score: f64| {
        base[i].is_some_and(|(m, noise)| {
            let c = chat[i] as f64;
            c >= ratio * m.max(1.0) && (c - m) / noise >= score
        })
    };
    let hot: Vec<bool> = (0..n)
        .map(|i| chat[i] >= opts.min_chat && margin(i, opts.min_ratio, opts.min_score))
        .collect();
    let warm_ratio = 1.0 + (opts.min_ratio - 1.0) / 2.0;
    let warm: Vec<bool> = (0..n)
        .map(|i| hot[i] || margin(i, warm_ratio, opts.min_score / 2.0))
        .collect();

    // Runs of warm buckets holding a hot one, then merged across short cool stretches.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < n {
        if !warm[i] {
            i += 1;
            continue;
        }
        let j = (i..n).find(|&j| !warm[j]).unwrap_or(n);
        if hot[i..j].iter().any(|h| *h) {
            runs.push((i, j - 1));
        }
        i = j;
    }
    let gap_buckets = (opts.merge_gap_ms / bucket_ms).max(0) as usize;
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in runs {
        match merged.last_mut() {
            Some(last) if a - last.1 - 1 <= gap_buckets => last.1 = b,
            _ => merged.push((a, b)),
        }
    }

    let mut peaks: Vec<Peak> = merged
        .into_iter()
        .map(|(first, last)| {
            // The first bucket with the most chat.
            let top = (first..=last)
                .rev()
                .max_by_key(|&k| chat[k])
                .unwrap_or(first);
            let (m, noise) = base[top].unwrap_or((0.0, 1.0));
            let c = chat[top] as f64;
            Peak {
                start_ms: s.start_ms[first],
                end_ms: s.start_ms[last] + bucket_ms,
                top_ms: s.start_ms[top],
                first,
                top,
                last,
                chat: chat[top],
                chat_total: chat[first..=last].iter().sum(),
                rate_per_min: c * 60_000.0 / bucket_ms as f64,
                baseline: m,
                ratio: c / m.max(1.0),
                score: (c - m) / noise,
                prominence: c - m,
            }
        })
        .collect();
    if let Some(max) = opts.max_peaks {
        peaks.sort_by(|a, b| {
            b.prominence
                .total_cmp(&a.prominence)
                .then(a.start_ms.cmp(&b.start_ms))
        });
        peaks.truncate(max);
        peaks.sort_by_key(|p| p.start_ms);
    }
    peaks
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn series(chat: &[u64]) -> (Vec<i64>, Vec<bool>) {
        let starts = (0..chat.len() as i64).map(|i| i * MIN).collect();
        (starts, vec![true; chat.len()])
    }

    fn run(chat: &[u64], opts: &PeakOptions) -> Vec<Peak> {
        let (starts, active) = series(chat);
        find(
            &Series {
                start_ms: &starts,
                chat,
                active: &active,
            },
            MIN,
            opts,
        )
    }

    /// A steady stream of ~20 a minute with small wobbles.
    fn steady(n: usize) -> Vec<u64> {
        (0..n).map(|i| 20 + (i * 7 % 5) as u64).collect()
    }

    #[test]
    fn a_flat_stream_has_no_peak() {
        assert!(run(&steady(120), &PeakOptions::default()).is_empty());
        assert!(run(&[], &PeakOptions::default()).is_empty());
        assert!(run(&[0; 50], &PeakOptions::default()).is_empty());
    }

    #[test]
    fn adjacent_hot_buckets_are_one_peak_with_start_end_and_top() {
        let mut c = steady(90);
        c[40] = 50;
        c[41] = 90;
        c[42] = 70;
        c[43] = 31; // warm: still part of it
        c[70] = 60;
        let p = run(&c, &PeakOptions::default());
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!((p[0].first, p[0].top, p[0].last), (40, 41, 43));
        assert_eq!(
            (p[0].start_ms, p[0].end_ms, p[0].top_ms),
            (40 * MIN, 44 * MIN, 41 * MIN)
        );
        assert_eq!(p[0].chat, 90);
        assert_eq!(p[0].chat_total, 50 + 90 + 70 + 31);
        assert!((20.0..=24.0).contains(&p[0].baseline), "{}", p[0].baseline);
        assert_eq!((p[1].first, p[1].last), (70, 70));
    }

    #[test]
    fn a_cool_bucket_between_two_hot_ones_does_not_split_a_burst() {
        let mut c = steady(60);
        c[30] = 80;
        c[31] = 21;
        c[32] = 75;
        let p = run(&c, &PeakOptions::default());
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].first, p[0].top, p[0].last), (30, 30, 32));
        let apart = PeakOptions {
            merge_gap_ms: 0,
            ..PeakOptions::default()
        };
        assert_eq!(run(&c, &apart).len(), 2);
    }

    #[test]
    fn the_number_of_peaks_follows_the_data_and_max_peaks_keeps_the_tallest() {
        let mut c = steady(400);
        let tops = [60u64, 300, 80, 45, 120, 70, 200, 55];
        for (k, t) in tops.iter().enumerate() {
            c[20 + k * 45] = *t;
        }
        let all = run(&c, &PeakOptions::default());
        assert_eq!(all.len(), tops.len(), "{all:?}");
        let three = run(
            &c,
            &PeakOptions {
                max_peaks: Some(3),
                ..PeakOptions::default()
            },
        );
        let got: Vec<u64> = three.iter().map(|p| p.chat).collect();
        assert_eq!(got, [300, 120, 200], "tallest three, in time order");
        let strict = run(
            &c,
            &PeakOptions {
                min_ratio: 4.0,
                ..PeakOptions::default()
            },
        );
        let got: Vec<u64> = strict.iter().map(|p| p.chat).collect();
        assert_eq!(got, [300, 120, 200]);
    }

    #[test]
    fn a_busy_hour_does_not_hide_the_tallest_minute() {
        // A long busy stretch raises the level; its tallest minute still stands out.
        let mut c = steady(240);
        for x in &mut c[100..160] {
            *x += 25;
        }
        c[130] = 287;
        c[200] = 232;
        let p = run(&c, &PeakOptions::default());
        let tops: Vec<usize> = p.iter().map(|p| p.top).collect();
        assert!(tops.contains(&130) && tops.contains(&200), "{p:?}");
    }

    #[test]
    fn the_replay_after_a_connect_is_no_peak() {
        // History replayed at the start, and again after the capture resumed from a gap.
        let mut c = steady(100);
        c[0] = 200;
        c[60..65].iter_mut().for_each(|x| *x = 0);
        c[65] = 180;
        let (starts, mut active) = series(&c);
        active[60..65].iter_mut().for_each(|a| *a = false);
        let p = find(
            &Series {
                start_ms: &starts,
                chat: &c,
                active: &active,
            },
            MIN,
            &PeakOptions::default(),
        );
        assert!(p.is_empty(), "{p:?}");
        // A short silence is the stream being quiet, not a reconnect: the burst after it counts.
        let mut c = steady(100);
        c[60] = 0;
        c[61] = 150;
        let (starts, mut active) = series(&c);
        active[60] = false;
        let p = find(
            &Series {
                start_ms: &starts,
                chat: &c,
                active: &active,
            },
            MIN,
            &PeakOptions::default(),
        );
        assert_eq!(p.iter().map(|p| p.top).collect::<Vec<_>>(), [61]);
    }

    #[test]
    fn slices_of_different_lengths_are_read_to_the_shortest() {
        let mut c = steady(60);
        c[50] = 100;
        let (starts, active) = series(&c[..40]);
        let p = find(
            &Series {
                start_ms: &starts,
                chat: &c,
                active: &active,
            },
            MIN,
            &PeakOptions::default(),
        );
        assert!(p.is_empty());
    }
}

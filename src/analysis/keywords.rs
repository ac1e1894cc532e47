//! Distinctive words: the words (or stickers) over-represented in a part of the session, such as
//! a peak, against the rest of it, on plain counts, so laughter shows up only where it stands out.
//!
//! The method is the log-odds ratio with an informative prior (Monroe, Colaresi & Quinn 2008,
//! "Fightin' Words"), per word and per message: a word's count is the number of messages it is
//! in. With `y` of the `n` messages inside and `r` of the `N − n` messages outside holding the
//! word, and its session rate `q = (y + r) / N` as the prior (a Beta prior of strength `a0`:
//! `α = a0·q`, `β = a0·(1 − q)`),
//!
//! ```text
//! δ = logit((y + α) / (n + a0)) − logit((r + α) / (N − n + a0))
//! σ² ≈ 1/(y + α) + 1/(n − y + β) + 1/(r + α) + 1/(N − n − r + β)
//! score = δ / σ
//! ```
//!
//! The prior pulls rare words towards the session rate, so a word said twice in a small peak is
//! not "infinitely" distinctive, and `score` is a z-like number: words with `score ≥ min_score`
//! and at least `min_count` messages inside are kept, highest score first.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeywordOptions {
    /// The prior's strength, in messages.
    pub prior: f64,
    /// A word must be in at least this many messages inside.
    pub min_count: u64,
    /// And score at least this (about 2: unlikely by chance).
    pub min_score: f64,
}

impl Default for KeywordOptions {
    fn default() -> Self {
        KeywordOptions {
            prior: 50.0,
            min_count: 3,
            min_score: 2.0,
        }
    }
}

/// Messages holding each word, and how many messages there were.
#[derive(Debug, Clone, Copy)]
pub struct Counts<'a, S: AsRef<str>> {
    pub words: &'a [(S, u64)],
    pub messages: u64,
}

/// A word that stands out inside.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distinctive {
    pub word: String,
    /// Messages inside holding it.
    pub count: u64,
    /// Messages in the whole session holding it.
    pub session_count: u64,
    /// Its rate inside over its rate in the session.
    pub lift: f64,
    /// The prior-smoothed log-odds z-score (see the module doc).
    pub score: f64,
}

/// Words of `inside` (a part of `session`) ranked by how distinctive they are there. Counts
/// inside larger than the session's (inconsistent input) are read as the session's being equal.
pub fn distinctive<A: AsRef<str>, B: AsRef<str>>(
    inside: Counts<A>,
    session: Counts<B>,
    opts: &KeywordOptions,
) -> Vec<Distinctive> {
    let total: std::collections::HashMap<&str, u64> = session
        .words
        .iter()
        .map(|(w, c)| (w.as_ref(), *c))
        .collect();
    let big_n = session.messages.max(inside.messages) as f64;
    let n = inside.messages as f64;
    let rest = (big_n - n).max(0.0);
    let a0 = opts.prior.max(1e-9);
    let mut out: Vec<Distinctive> = inside
        .words
        .iter()
        .filter(|(_, y)| *y >= opts.min_count)
        .filter_map(|(w, y)| {
            let w = w.as_ref();
            // Counted once per message, a word is in at most every message.
            let y_in = (*y as f64).min(n);
            let s = (total.get(w).copied().unwrap_or(0) as f64)
                .max(y_in)
                .min(big_n);
            let r = (s - y_in).min(rest);
            let q = (s / big_n.max(1.0)).clamp(1e-9, 1.0 - 1e-9);
            let (alpha, beta) = (a0 * q, a0 * (1.0 - q));
            let logit = |k: f64, m: f64| ((k + alpha) / (m - k + beta)).ln();
            let delta = logit(y_in, n) - logit(r, rest);
            let var = 1.0 / (y_in + alpha)
                + 1.0 / (n - y_in + beta)
                + 1.0 / (r + alpha)
                + 1.0 / (rest - r + beta);
            let score = delta / var.sqrt();
            (delta > 0.0 && score >= opts.min_score).then(|| Distinctive {
                word: w.to_string(),
                count: *y,
                session_count: s as u64,
                lift: (y_in / n.max(1.0)) / (s / big_n.max(1.0)).max(1e-12),
                score,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.count.cmp(&a.count))
            .then(a.word.cmp(&b.word))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rank(inside: &[(&str, u64)], n: u64, session: &[(&str, u64)], big_n: u64) -> Vec<String> {
        distinctive(
            Counts {
                words: inside,
                messages: n,
            },
            Counts {
                words: session,
                messages: big_n,
            },
            &KeywordOptions::default(),
        )
        .into_iter()
        .map(|d| d.word)
        .collect()
    }

    #[test]
    fn laughter_everywhere_is_not_distinctive_the_topic_is() {
        // 哈哈 is in 15% of messages inside and out; 福袋 is the peak's topic.
        let inside = [("哈哈", 30), ("福袋", 120), ("主播", 20), ("口令", 12)];
        let session = [("哈哈", 300), ("福袋", 130), ("主播", 200), ("口令", 12)];
        assert_eq!(rank(&inside, 200, &session, 2000), ["福袋", "口令"]);
    }

    #[test]
    fn a_word_said_twice_is_not_enough_and_commoner_outside_is_never_kept() {
        let inside = [("偶然", 2), ("少见", 1), ("常见", 5)];
        let session = [("偶然", 2), ("少见", 1), ("常见", 400)];
        assert!(rank(&inside, 50, &session, 1000).is_empty());
    }

    #[test]
    fn scores_and_lift_are_what_the_formula_says() {
        let d = distinctive(
            Counts {
                words: &[("福袋", 40u64)],
                messages: 100,
            },
            Counts {
                words: &[("福袋", 50u64)],
                messages: 1000,
            },
            &KeywordOptions::default(),
        );
        assert_eq!(d.len(), 1);
        assert!((d[0].lift - 8.0).abs() < 1e-9, "{}", d[0].lift);
        // q = 0.05, α = 2.5, β = 47.5; outside: 10 of 900 messages.
        let delta = (42.5f64 / 107.5).ln() - (12.5f64 / 937.5).ln();
        let sd = (1.0 / 42.5 + 1.0 / 107.5 + 1.0 / 12.5 + 1.0 / 937.5f64).sqrt();
        assert!((d[0].score - delta / sd).abs() < 1e-9);
        assert_eq!(d[0].session_count, 50);
    }

    #[test]
    fn a_part_that_is_the_whole_session_has_nothing_distinctive() {
        // Also inconsistent counts (more inside than in the session, than messages): no panic.
        assert!(rank(&[("词", 10)], 5, &[], 0).is_empty());
        assert!(rank(&[("词", 10)], 10, &[("词", 10)], 10).is_empty());
    }
}

//! The processors' results as the tables the commands print and the CSV files hold: each a
//! DataFrame, mostly the processor's own frame with a rank in front.

use polars::prelude::*;

use crate::analysis::summary::PeakWithWords;
use crate::analysis::timeline::Timeline;

/// The top `top` rows of a word ranking: `rank`, `word` (named `what`), `count`, `users`.
pub fn words(ranked: &DataFrame, top: usize, what: &str) -> PolarsResult<DataFrame> {
    ranked
        .head(Some(top))
        .lazy()
        .with_row_index("rank", Some(1))
        .select([
            col("rank").cast(DataType::UInt64),
            col("word").alias(what),
            col("count"),
            col("users"),
        ])
        .collect()
}

pub fn timeline(t: &Timeline) -> DataFrame {
    t.frame.clone()
}

/// One row per peak: `time` (its top bucket), `start`, `end`, `chat` (in the top bucket),
/// `chat_total`, `per_minute`, `baseline`, `ratio`, `distinctive_words`,
/// `distinctive_emotes`, `what_else` (what rose with the chat, e.g. `follows 6 (4.2×)`).
pub fn peaks(p: &[PeakWithWords]) -> PolarsResult<DataFrame> {
    let utc = DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
    let time = |f: fn(&PeakWithWords) -> i64, name: &str| -> PolarsResult<Column> {
        Column::new(name.into(), p.iter().map(f).collect::<Vec<_>>()).cast(&utc)
    };
    let joined = |f: fn(&PeakWithWords) -> Vec<String>, sep: &str| -> Vec<String> {
        p.iter().map(|x| f(x).join(sep)).collect()
    };
    DataFrame::new(
        p.len(),
        vec![
            time(|x| x.peak.top_ms, "time")?,
            time(|x| x.peak.start_ms, "start")?,
            time(|x| x.peak.end_ms, "end")?,
            Column::new(
                "chat".into(),
                p.iter().map(|x| x.peak.chat).collect::<Vec<_>>(),
            ),
            Column::new(
                "chat_total".into(),
                p.iter().map(|x| x.peak.chat_total).collect::<Vec<_>>(),
            ),
            Column::new(
                "per_minute".into(),
                p.iter().map(|x| x.peak.rate_per_min).collect::<Vec<_>>(),
            ),
            Column::new(
                "baseline".into(),
                p.iter().map(|x| x.peak.baseline).collect::<Vec<_>>(),
            ),
            Column::new(
                "ratio".into(),
                p.iter().map(|x| x.peak.ratio).collect::<Vec<_>>(),
            ),
            Column::new(
                "distinctive_words".into(),
                joined(|x| x.words.iter().map(|w| w.word.clone()).collect(), " "),
            ),
            Column::new(
                "distinctive_emotes".into(),
                joined(|x| x.emotes.iter().map(|w| w.word.clone()).collect(), " "),
            ),
            Column::new(
                "what_else".into(),
                joined(
                    |x| {
                        x.alongside
                            .iter()
                            .filter(|a| a.notable)
                            .map(|a| format!("{} {} ({:.1}×)", a.what, a.count, a.ratio))
                            .collect()
                    },
                    ", ",
                ),
            ),
        ],
    )
}

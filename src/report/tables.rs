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

/// `time`, `chat`, `per_minute`, `baseline`, `ratio`, `top_words`.
pub fn peaks(p: &[PeakWithWords]) -> PolarsResult<DataFrame> {
    let utc = DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
    let time: Vec<i64> = p.iter().map(|x| x.peak.start_ms).collect();
    let words: Vec<String> = p
        .iter()
        .map(|x| {
            x.words
                .iter()
                .map(|w| w.word.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    DataFrame::new(
        p.len(),
        vec![
            Column::new("time".into(), time).cast(&utc)?,
            Column::new(
                "chat".into(),
                p.iter().map(|x| x.peak.chat).collect::<Vec<_>>(),
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
            Column::new("top_words".into(), words),
        ],
    )
}

//! The processors' results as the tables the commands print and the CSV files hold: each a
//! DataFrame, mostly the processor's own frame with a rank in front.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::analysis::compare::cols as ret;
use crate::analysis::frame::{datetimes, f64s, strs, u32s, u64s};
use crate::analysis::summary::PeakWithWords;
use crate::analysis::timeline::Timeline;
use crate::analysis::words::cols as word_cols;
use crate::columns::Column as Col;

use super::error::ReportError;

/// The top `top` rows of a word ranking: `rank`, `word` (named `what`), `count`, `users`.
pub fn words(ranked: &DataFrame, top: usize, what: &str) -> PolarsResult<DataFrame> {
    ranked
        .head(Some(top))
        .lazy()
        .with_row_index("rank", Some(1))
        .select([
            col("rank").cast(DataType::UInt64),
            col(word_cols::WORD).alias(what),
            col(word_cols::COUNT),
            col(word_cols::USERS),
        ])
        .collect()
}

/// timeline.csv: the timeline, then the running total of diamonds and the rates per 1,000
/// viewers online (`chat_per_1k_online`, `chatters_per_1k_online`, `diamonds_per_1k_online`;
/// empty where the bucket has no viewer count).
pub fn timeline(t: &Timeline) -> PolarsResult<DataFrame> {
    use crate::analysis::timeline::cols as tl;
    let per_1k = |what: &str| {
        (col(what).cast(DataType::Float64) * lit(1000.0) / col(tl::ONLINE).cast(DataType::Float64))
            .alias(format!("{what}_per_1k_online"))
    };
    t.frame
        .clone()
        .lazy()
        .with_columns([
            col(tl::DIAMONDS)
                .cum_sum(false)
                .alias("diamonds_cumulative"),
            // No viewers online (none sent, or 0): no rate.
            when(col(tl::ONLINE).gt(lit(0u64)))
                .then(per_1k(tl::CHAT))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("chat_per_1k_online"),
            when(col(tl::ONLINE).gt(lit(0u64)))
                .then(per_1k(tl::CHATTERS))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("chatters_per_1k_online"),
            when(col(tl::ONLINE).gt(lit(0u64)))
                .then(per_1k(tl::DIAMONDS))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("diamonds_per_1k_online"),
        ])
        .collect()
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
                        // Inside a PK battle: said first, with its row in battles.csv.
                        x.battle
                            .map(|b| format!("PK {b}"))
                            .into_iter()
                            .chain(
                                x.alongside
                                    .iter()
                                    .filter(|a| a.notable)
                                    .map(|a| format!("{} {} ({:.1}×)", a.what, a.count, a.ratio)),
                            )
                            .collect()
                    },
                    ", ",
                ),
            ),
        ],
    )
}

/// The retention of one role as people read it: a row per room and session, a column per
/// later session (`+1`, `+2` …) holding `retained (share%)`.
pub fn retention_wide(retention: &DataFrame, role: &str) -> Result<DataFrame, ReportError> {
    let t = "retention";
    let rooms = u64s(retention, t, Col::RoomId.name())?;
    let roles = strs(retention, t, ret::ROLE)?;
    let cohorts = u32s(retention, t, ret::COHORT)?;
    let starts = datetimes(retention, t, ret::COHORT_START)?
        .physical()
        .clone();
    let sizes = u64s(retention, t, ret::COHORT_SIZE)?;
    let offsets = u32s(retention, t, ret::OFFSET)?;
    let kept = u64s(retention, t, ret::RETAINED)?;
    let shares = f64s(retention, t, ret::SHARE)?;
    // (room, cohort) → (start, size, offset → cell)
    type Row = (i64, u64, BTreeMap<u32, String>);
    let mut rows: BTreeMap<(u64, u32), Row> = BTreeMap::new();
    let mut widest = 0;
    for i in 0..retention.height() {
        if roles.get(i) != Some(role) {
            continue;
        }
        let (Some(room), Some(cohort), Some(offset)) =
            (rooms.get(i), cohorts.get(i), offsets.get(i))
        else {
            continue;
        };
        let row = rows.entry((room, cohort)).or_insert_with(|| {
            (
                starts.get(i).unwrap_or(0),
                sizes.get(i).unwrap_or(0),
                BTreeMap::new(),
            )
        });
        let cell = match shares.get(i) {
            Some(s) => format!("{} ({:.0}%)", kept.get(i).unwrap_or(0), s * 100.0),
            None => "-".into(),
        };
        row.2.insert(offset, cell);
        widest = widest.max(offset);
    }
    let utc = DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
    let mut columns = vec![
        Column::new(
            Col::RoomId.name().into(),
            rows.keys().map(|k| k.0).collect::<Vec<_>>(),
        ),
        Column::new(
            "session".into(),
            rows.keys().map(|k| k.1).collect::<Vec<_>>(),
        ),
        Column::new(
            "start".into(),
            rows.values().map(|v| v.0).collect::<Vec<_>>(),
        )
        .cast(&utc)?,
        Column::new(
            "people".into(),
            rows.values().map(|v| v.1).collect::<Vec<_>>(),
        ),
    ];
    for k in 1..=widest {
        columns.push(Column::new(
            format!("+{k}").into(),
            rows.values()
                .map(|v| v.2.get(&k).cloned().unwrap_or_default())
                .collect::<Vec<_>>(),
        ));
    }
    Ok(DataFrame::new(rows.len(), columns)?)
}

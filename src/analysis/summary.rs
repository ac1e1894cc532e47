//! Everything at once for `report`: the processors' results and the machine-readable summary.

use std::collections::BTreeMap;

use serde::Serialize;

use polars::prelude::*;

use super::battles::{battles, spans};
use super::during::{self, Alongside, AlongsideOptions};
use super::expr::{c, is_kind, ts_ms, Events, Run};
use super::frame::{strs, u64s, ColumnError};
use super::funnel::{audience, Funnel};
use super::gifts::{gifts, Gifts};
use super::keywords::{distinctive, Counts, Distinctive, KeywordOptions};
use super::newcomers::Newcomers;
use super::revenue::Revenue;
use super::timeline::{peaks, timeline, BucketSize, Peak, PeakOptions, Timeline};
use super::users::{cols as user_cols, users, Users};
use super::words::{tokenize, Segmenter, Tokens, WordCount, WordOptions, WordStats};
use crate::columns::Column as Col;
use crate::event::Kind;
use crate::pipeline::Stats;
use crate::timefmt::Zone;

#[derive(Debug, Clone, Copy)]
pub struct AnalysisOptions {
    pub bucket: BucketSize,
    pub words: WordOptions,
    pub peaks: PeakOptions,
    pub top: usize,
    pub rmb_per_diamond: f64,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            bucket: BucketSize(60_000),
            words: WordOptions::default(),
            peaks: PeakOptions::default(),
            top: 10,
            rmb_per_diamond: super::gifts::DEFAULT_RMB_PER_DIAMOND,
        }
    }
}

/// A peak, the words and stickers distinctive of it, and what else happened then.
#[derive(Debug, Clone, Serialize)]
pub struct PeakWithWords {
    #[serde(flatten)]
    pub peak: Peak,
    pub words: Vec<Distinctive>,
    pub emotes: Vec<Distinctive>,
    /// Gifts, diamonds, likes, joins and follows in the peak against the session's rate.
    pub alongside: Vec<Alongside>,
    /// The PK battle the peak overlaps, if any: its row in the battles table, from 1.
    pub battle: Option<u64>,
}

/// Whole-table numbers: one query over the events.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub events: u64,
    /// Events by kind (gifts as resolved combos).
    pub counts: BTreeMap<String, u64>,
    /// Room ids other than 0 (unknown), ascending.
    pub rooms: Vec<u64>,
    pub first_ts: Option<i64>,
    pub last_ts: Option<i64>,
    pub likes_total: u64,
    pub follows: u64,
    pub shares: u64,
    /// The highest viewer count (see [`super::viewers::online_max`]).
    pub online_max: u64,
}

/// The whole-table numbers of `events`.
pub fn totals(events: impl Into<Events>) -> PolarsResult<Totals> {
    let Events {
        lazy: events,
        engine,
    } = events.into();
    let social = |action: u32| {
        is_kind(Kind::Social)
            .and(c(Col::Action).eq(lit(action)))
            .sum()
            .cast(DataType::UInt64)
    };
    let online_max = super::viewers::online_max(events.clone())?;
    let one = events
        .clone()
        .select([
            len().cast(DataType::UInt64).alias("events"),
            ts_ms().min().alias("first"),
            ts_ms().max().alias("last"),
            c(Col::LikeCount)
                .filter(is_kind(Kind::Like))
                .sum()
                .cast(DataType::UInt64)
                .alias("likes"),
            social(1).alias("follows"),
            social(3).alias("shares"),
        ])
        .run(engine)?;
    let u = |name: &str| -> PolarsResult<u64> { Ok(one.column(name)?.u64()?.get(0).unwrap_or(0)) };
    let i = |name: &str| -> PolarsResult<Option<i64>> { Ok(one.column(name)?.i64()?.get(0)) };
    let by_kind = events
        .clone()
        .group_by([c(Col::Kind)])
        .agg([len().cast(DataType::UInt64).alias("n")])
        .run(engine)?;
    let counts = by_kind
        .column(Col::Kind.name())?
        .str()?
        .iter()
        .zip(by_kind.column("n")?.u64()?.iter())
        .map(|(k, n)| (k.unwrap_or("").to_string(), n.unwrap_or(0)))
        .collect();
    let rooms = events
        .select([c(Col::RoomId)])
        .filter(c(Col::RoomId).neq(lit(0u64)))
        .unique(None, UniqueKeepStrategy::Any)
        .sort([Col::RoomId.name()], SortMultipleOptions::default())
        .run(engine)?;
    let rooms = rooms
        .column(Col::RoomId.name())?
        .u64()?
        .into_no_null_iter()
        .collect();
    Ok(Totals {
        events: u("events")?,
        counts,
        rooms,
        first_ts: i("first")?,
        last_ts: i("last")?,
        likes_total: u("likes")?,
        follows: u("follows")?,
        shares: u("shares")?,
        online_max,
    })
}

/// Distinctive words and stickers kept per peak.
const PEAK_WORDS: usize = 5;
const PEAK_EMOTES: usize = 3;

/// Every processor's result over one event table.
pub struct Analysis {
    pub words: WordStats,
    pub timeline: Timeline,
    /// Chat per minute, whatever the timeline's bucket.
    pub per_minute: Timeline,
    pub peaks: Vec<PeakWithWords>,
    pub users: Users,
    pub gifts: Gifts,
    pub totals: Totals,
    /// The audience funnel, its viewers summed per room (see [`funnel`]); `report` sums them
    /// per session instead when it knows the sessions.
    pub funnel: Funnel,
    pub revenue: Revenue,
    /// See [`super::revenue::whales_by`].
    pub whales: DataFrame,
    /// See [`super::battles::battles`].
    pub battles: DataFrame,
    pub newcomers: Newcomers,
    /// See [`super::revenue::big_gifts`]: marked on the revenue chart.
    pub big_gifts: DataFrame,
}

/// Runs every processor on `events` (in time order, or a scan whose rows may come in any order:
/// see [`super`]); `stage` is told each stage's name as it starts (for progress). Chat is
/// segmented once: the peaks' words come from the same tokens, which are dropped before the
/// next processor runs.
pub fn analyze(
    events: impl Into<Events>,
    seg: &Segmenter,
    opts: &AnalysisOptions,
    mut stage: impl FnMut(&str),
) -> PolarsResult<Analysis> {
    let events = events.into();
    stage("timeline");
    let timeline = timeline(events.clone(), opts.bucket)?;
    let per_minute = if opts.bucket.0 == 60_000 {
        timeline.clone()
    } else {
        super::timeline::timeline(events.clone(), BucketSize(60_000))?
    };
    crate::alloc::trim();
    stage("words");
    let tokens = tokenize(events.clone(), seg, &opts.words)?;
    let all = tokens.rank(None)?;
    // Peaks are explained against all the chat (a draw's passphrase is what its peak is
    // about); the hot words leave passphrases out unless asked.
    let words = match tokens.has_passphrases() && !opts.words.passphrases {
        true => tokens.hot_words(false)?,
        false => all.clone(),
    };
    stage("battles");
    let battles = battles(events.clone())?;
    crate::alloc::trim();
    let found = peaks(&timeline, &opts.peaks)?;
    let peaks = explain(found, &timeline, &tokens, &all, &spans(&battles)?)?;
    drop(tokens);
    crate::alloc::trim();
    stage("users");
    let users = users(events.clone(), opts.top)?;
    crate::alloc::trim();
    stage("gifts");
    let gifts = gifts(events.clone(), opts.rmb_per_diamond)?;
    stage("funnel");
    let (funnel, newcomers) = audience(events.clone(), &[Col::RoomId.name()])?;
    crate::alloc::trim();
    let (revenue, whales) = Revenue::of(events.clone())?;
    let big_gifts = super::revenue::big_gifts(events.clone(), BIG_GIFTS_MARKED)?;
    let totals = totals(events)?;
    Ok(Analysis {
        words,
        timeline,
        per_minute,
        peaks,
        users,
        gifts,
        totals,
        funnel,
        revenue,
        whales,
        battles,
        newcomers,
        big_gifts,
    })
}

/// The biggest gifts the revenue chart marks, at most.
const BIG_GIFTS_MARKED: usize = 8;

/// Each peak's distinctive words and stickers (against the whole session's counts, from the
/// same tokens) and what else rose with it.
fn explain(
    found: Vec<Peak>,
    t: &Timeline,
    tokens: &Tokens,
    session: &WordStats,
    battles: &[(i64, i64)],
) -> PolarsResult<Vec<PeakWithWords>> {
    let buckets = t.buckets()?;
    let col =
        |f: fn(&super::timeline::Bucket) -> u64| -> Vec<u64> { buckets.iter().map(f).collect() };
    let series = [
        ("gifts", col(|b| b.gifts)),
        ("diamonds", col(|b| b.diamonds)),
        ("likes", col(|b| b.likes)),
        ("joins", col(|b| b.joins)),
        ("follows", col(|b| b.follows)),
    ];
    let named: Vec<during::Named> = series.iter().map(|(n, v)| (*n, v.as_slice())).collect();
    let active: Vec<bool> = buckets
        .iter()
        .map(|b| b.chat + b.joins + b.likes + b.gifts > 0)
        .collect();
    let pairs = |frame: &DataFrame| -> Result<Vec<(String, u64)>, ColumnError> {
        Ok(WordStats::top(frame, usize::MAX)?
            .into_iter()
            .map(|w| (w.word, w.count))
            .collect())
    };
    let (all_words, all_emotes) = (pairs(&session.words)?, pairs(&session.emotes)?);
    let kw = KeywordOptions::default();
    found
        .into_iter()
        .map(|peak| {
            let here = tokens.rank(Some((peak.start_ms, peak.end_ms)))?;
            let messages = here.messages;
            let rank = |mine: &DataFrame, all: &[(String, u64)], keep: usize| {
                let mut d = distinctive(
                    Counts {
                        words: &pairs(mine)?,
                        messages,
                    },
                    Counts {
                        words: all,
                        messages: session.messages,
                    },
                    &kw,
                );
                d.truncate(keep);
                Ok::<_, ColumnError>(d)
            };
            let alongside = during::compare(
                &named,
                &active,
                t.bucket_ms,
                peak.first,
                peak.last,
                &AlongsideOptions::default(),
            );
            let battle = battles
                .iter()
                .position(|(s, e)| *s <= peak.end_ms && peak.start_ms <= *e)
                .map(|i| i as u64 + 1);
            Ok(PeakWithWords {
                battle,
                words: rank(&here.words, &all_words, PEAK_WORDS)?,
                emotes: rank(&here.emotes, &all_emotes, PEAK_EMOTES)?,
                alongside,
                peak,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct TimeSpan {
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopChatter {
    pub user_id: String,
    pub user_name: String,
    pub messages: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopGifter {
    pub user_id: String,
    pub user_name: String,
    pub diamonds: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MinuteCount {
    pub minute: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SummaryPeak {
    /// The top bucket, as `top`.
    pub time: String,
    /// Chat in the top bucket.
    pub chat: u64,
    pub rate_per_min: f64,
    pub baseline: f64,
    pub ratio: f64,
    /// The distinctive words, most distinctive first (`distinctive_words` has their numbers).
    pub words: Vec<String>,
    pub start: String,
    pub end: String,
    pub top: String,
    pub chat_total: u64,
    pub score: f64,
    pub distinctive_words: Vec<Distinctive>,
    pub distinctive_emotes: Vec<Distinctive>,
    /// Gifts, diamonds, likes, joins, follows: in the peak, per minute, against the session.
    pub what_else: Vec<Alongside>,
    /// The PK battle the peak overlaps: its row in battles.csv, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub battle: Option<u64>,
}

/// `summary.json`: ids as strings (they exceed what JSON numbers hold exactly in JavaScript),
/// times as ISO-8601 with offset.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub time_span: TimeSpan,
    pub time_zone: String,
    pub rooms: Vec<String>,
    pub events: u64,
    pub counts: BTreeMap<String, u64>,
    pub distinct_chatters: u64,
    pub likes_total: u64,
    pub gift_units_total: u64,
    pub diamonds_total: u64,
    pub rmb_estimate: f64,
    pub follows: u64,
    pub shares: u64,
    pub online_max: u64,
    pub duplicates_dropped: u64,
    pub gift_updates: u64,
    pub decode_errors: u64,
    pub top_chatters: Vec<TopChatter>,
    pub top_gifters: Vec<TopGifter>,
    pub top_words: Vec<WordCount>,
    pub top_emotes: Vec<WordCount>,
    pub chat_per_minute: Vec<MinuteCount>,
    pub peaks: Vec<SummaryPeak>,
    /// The audience funnel (counts; see `analysis::funnel`).
    pub funnel: Funnel,
    /// Diamonds, their concentration and the whales (shares 0–1).
    pub revenue: Revenue,
    pub newcomers: Newcomers,
    /// PK battles seen.
    pub battles: u64,
}

impl Summary {
    /// The summary of `a`; an error if a result table lacks a column it reads.
    pub fn new(
        a: &Analysis,
        stats: &Stats,
        zone: &Zone,
        top: usize,
    ) -> Result<Summary, ColumnError> {
        let t = &a.totals;
        let chatters = ranking(&a.users.top_chatters, "top_chatters", user_cols::MESSAGES)?
            .into_iter()
            .take(top)
            .map(|(id, name, v)| TopChatter {
                user_id: id.to_string(),
                user_name: name,
                messages: v,
            })
            .collect();
        let gifters = ranking(&a.users.top_gifters, "top_gifters", user_cols::DIAMONDS)?
            .into_iter()
            .take(top)
            .map(|(id, name, v)| TopGifter {
                user_id: id.to_string(),
                user_name: name,
                diamonds: v,
            })
            .collect();
        let distinct_chatters = u64s(&a.users.all, "users", user_cols::MESSAGES)?
            .into_no_null_iter()
            .filter(|m| *m > 0)
            .count() as u64;
        Ok(Summary {
            time_span: TimeSpan {
                start: t.first_ts.map(|x| zone.iso(x)),
                end: t.last_ts.map(|x| zone.iso(x)),
            },
            time_zone: zone.name(),
            rooms: t.rooms.iter().map(u64::to_string).collect(),
            events: t.events,
            counts: t.counts.clone(),
            distinct_chatters,
            likes_total: t.likes_total,
            gift_units_total: a.gifts.units_total,
            diamonds_total: a.gifts.diamonds_total,
            rmb_estimate: a.gifts.rmb_total,
            follows: t.follows,
            shares: t.shares,
            online_max: t.online_max,
            duplicates_dropped: stats.duplicates_dropped,
            gift_updates: stats.gift_updates,
            decode_errors: stats.error_count,
            top_chatters: chatters,
            top_gifters: gifters,
            top_words: WordStats::top(&a.words.words, top * 2)?,
            top_emotes: WordStats::top(&a.words.emotes, top)?,
            chat_per_minute: a
                .per_minute
                .buckets()?
                .iter()
                .map(|b| MinuteCount {
                    minute: zone.iso_secs(b.start_ms),
                    count: b.chat,
                })
                .collect(),
            peaks: a
                .peaks
                .iter()
                .map(|p| SummaryPeak {
                    time: zone.iso_secs(p.peak.top_ms),
                    chat: p.peak.chat,
                    rate_per_min: p.peak.rate_per_min,
                    baseline: p.peak.baseline,
                    ratio: p.peak.ratio,
                    words: p.words.iter().map(|w| w.word.clone()).collect(),
                    start: zone.iso_secs(p.peak.start_ms),
                    end: zone.iso_secs(p.peak.end_ms),
                    top: zone.iso_secs(p.peak.top_ms),
                    chat_total: p.peak.chat_total,
                    score: p.peak.score,
                    distinctive_words: p.words.clone(),
                    distinctive_emotes: p.emotes.clone(),
                    what_else: p.alongside.clone(),
                    battle: p.battle,
                })
                .collect(),
            funnel: a.funnel.clone(),
            revenue: a.revenue.clone(),
            newcomers: a.newcomers.clone(),
            battles: a.battles.height() as u64,
        })
    }
}

/// The (user_id, user_name, value) rows of a ranking frame (named `table`, for the error).
pub fn ranking(
    f: &DataFrame,
    table: &'static str,
    value: &'static str,
) -> Result<Vec<(u64, String, u64)>, ColumnError> {
    let ids = u64s(f, table, Col::UserId.name())?;
    let names = strs(f, table, Col::UserName.name())?;
    let vals = u64s(f, table, value)?;
    Ok(ids
        .iter()
        .zip(names.iter())
        .zip(vals.iter())
        .map(|((i, n), v)| (i.unwrap_or(0), n.unwrap_or("").to_string(), v.unwrap_or(0)))
        .collect())
}

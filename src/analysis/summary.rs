//! Everything at once for `report`: the processors' results and the machine-readable summary.

use std::collections::BTreeMap;

use serde::Serialize;

use super::chats;
use super::during::{self, Alongside, AlongsideOptions};
use super::gifts::{gifts, Gifts};
use super::keywords::{distinctive, Counts, Distinctive, KeywordOptions};
use super::timeline::{peaks, timeline, BucketSize, Peak, PeakOptions, Timeline};
use super::users::{users, Users};
use super::words::{count_words, Segmenter, WordCount, WordOptions, WordStats};
use crate::event::{Event, Kind};
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
}

/// Distinctive words and stickers kept per peak.
const PEAK_WORDS: usize = 5;
const PEAK_EMOTES: usize = 3;

/// Every processor's result over one set of events.
pub struct Analysis {
    pub words: WordStats,
    pub timeline: Timeline,
    /// Chat per minute, whatever the timeline's bucket.
    pub per_minute: Timeline,
    pub peaks: Vec<PeakWithWords>,
    pub users: Users,
    pub gifts: Gifts,
    pub counts: BTreeMap<String, u64>,
    pub rooms: Vec<u64>,
    pub first_ts: Option<i64>,
    pub last_ts: Option<i64>,
}

/// Runs every processor; `stage` is told each stage's name as it starts (for progress).
pub fn analyze(
    events: &[&Event],
    seg: &Segmenter,
    opts: &AnalysisOptions,
    mut stage: impl FnMut(&str),
) -> Analysis {
    let chat = chats(events);
    stage("words");
    let words = count_words(seg, &chat, &opts.words);
    stage("timeline");
    let timeline = timeline(events, opts.bucket);
    let per_minute = if opts.bucket.0 == 60_000 {
        timeline.clone()
    } else {
        super::timeline::timeline(events, BucketSize(60_000))
    };
    let found = peaks(&timeline, &opts.peaks);
    let peaks = explain(found, &timeline, &chat, &words, seg, &opts.words);
    stage("users");
    let users = users(events, opts.top);
    stage("gifts");
    let gifts = gifts(events, opts.rmb_per_diamond);
    let mut counts = BTreeMap::new();
    let mut rooms = std::collections::BTreeSet::new();
    for ev in events {
        *counts.entry(ev.kind.name().to_string()).or_default() += 1;
        if ev.room_id != 0 {
            rooms.insert(ev.room_id);
        }
    }
    Analysis {
        words,
        timeline,
        per_minute,
        peaks,
        users,
        gifts,
        counts,
        rooms: rooms.into_iter().collect(),
        first_ts: events.iter().map(|e| e.ts).min(),
        last_ts: events.iter().map(|e| e.ts).max(),
    }
}

/// Each peak's distinctive words and stickers (against the whole session's counts) and what
/// else rose with it.
fn explain(
    found: Vec<Peak>,
    t: &Timeline,
    chat: &[&Event],
    session: &WordStats,
    seg: &Segmenter,
    opts: &WordOptions,
) -> Vec<PeakWithWords> {
    let col =
        |f: fn(&super::timeline::Bucket) -> u64| -> Vec<u64> { t.buckets.iter().map(f).collect() };
    let series = [
        ("gifts", col(|b| b.gifts)),
        ("diamonds", col(|b| b.diamonds)),
        ("likes", col(|b| b.likes)),
        ("joins", col(|b| b.joins)),
        ("follows", col(|b| b.follows)),
    ];
    let named: Vec<during::Named> = series.iter().map(|(n, v)| (*n, v.as_slice())).collect();
    let active: Vec<bool> = t
        .buckets
        .iter()
        .map(|b| b.chat + b.joins + b.likes + b.gifts > 0)
        .collect();
    let pairs = |list: &[WordCount]| -> Vec<(String, u64)> {
        list.iter().map(|w| (w.word.clone(), w.count)).collect()
    };
    let (all_words, all_emotes) = (pairs(&session.words), pairs(&session.emotes));
    let kw = KeywordOptions::default();
    found
        .into_iter()
        .map(|peak| {
            let inside: Vec<&Event> = chat
                .iter()
                .copied()
                .filter(|e| e.ts >= peak.start_ms && e.ts < peak.end_ms)
                .collect();
            let here = count_words(seg, &inside, opts);
            let rank = |mine: &[WordCount], all: &[(String, u64)], keep: usize| {
                let mut d = distinctive(
                    Counts {
                        words: &pairs(mine),
                        messages: here.messages,
                    },
                    Counts {
                        words: all,
                        messages: session.messages,
                    },
                    &kw,
                );
                d.truncate(keep);
                d
            };
            let alongside = during::compare(
                &named,
                &active,
                t.bucket_ms,
                peak.first,
                peak.last,
                &AlongsideOptions::default(),
            );
            PeakWithWords {
                words: rank(&here.words, &all_words, PEAK_WORDS),
                emotes: rank(&here.emotes, &all_emotes, PEAK_EMOTES),
                alongside,
                peak,
            }
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
}

impl Summary {
    pub fn new(a: &Analysis, events: &[&Event], stats: &Stats, zone: &Zone, top: usize) -> Summary {
        let social = |action| {
            events
                .iter()
                .filter(|e| e.kind == Kind::Social && e.action == Some(action))
                .count() as u64
        };
        Summary {
            time_span: TimeSpan {
                start: a.first_ts.map(|t| zone.iso(t)),
                end: a.last_ts.map(|t| zone.iso(t)),
            },
            time_zone: zone.name(),
            rooms: a.rooms.iter().map(u64::to_string).collect(),
            events: events.len() as u64,
            counts: a.counts.clone(),
            distinct_chatters: a.users.all.iter().filter(|u| u.messages > 0).count() as u64,
            likes_total: events
                .iter()
                .filter(|e| e.kind == Kind::Like)
                .map(|e| e.like_count.unwrap_or(0))
                .sum(),
            gift_units_total: a.gifts.units_total,
            diamonds_total: a.gifts.diamonds_total,
            rmb_estimate: a.gifts.rmb_total,
            follows: social(1),
            shares: social(3),
            online_max: events
                .iter()
                .filter(|e| e.kind == Kind::RoomUserSeq)
                .filter_map(|e| e.online)
                .max()
                .unwrap_or(0),
            duplicates_dropped: stats.duplicates_dropped,
            gift_updates: stats.gift_updates,
            decode_errors: stats.error_count,
            top_chatters: a
                .users
                .top_chatters
                .iter()
                .take(top)
                .map(|u| TopChatter {
                    user_id: u.user_id.to_string(),
                    user_name: u.user_name.clone(),
                    messages: u.messages,
                })
                .collect(),
            top_gifters: a
                .users
                .top_gifters
                .iter()
                .take(top)
                .map(|u| TopGifter {
                    user_id: u.user_id.to_string(),
                    user_name: u.user_name.clone(),
                    diamonds: u.diamonds,
                })
                .collect(),
            top_words: a.words.words.iter().take(top * 2).cloned().collect(),
            top_emotes: a.words.emotes.iter().take(top).cloned().collect(),
            chat_per_minute: a
                .per_minute
                .buckets
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
                })
                .collect(),
        }
    }
}

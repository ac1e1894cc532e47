//! Frames → events for a whole input: parallel frame decoding, then one ordered pass that drops
//! re-delivered messages, resolves gift combos and keeps the statistics `inspect` shows.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::decoder::{self, Depth, Received};
use crate::event::{Event, Kind};

/// Where something stood in the input, for error messages people can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Position {
    pub source: Arc<str>,
    /// Record index in a capture file, from 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    /// Byte offset in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Line number in a text dump, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl Position {
    pub fn file(source: Arc<str>) -> Position {
        Position {
            source,
            record: None,
            offset: None,
            line: None,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(l) = self.line {
            write!(f, ": line {l}")?;
        }
        if let Some(r) = self.record {
            write!(f, ": record {r}")?;
        }
        if let Some(o) = self.offset {
            write!(f, " (byte {o})")?;
        }
        Ok(())
    }
}

/// Something in the input that could not be read or decoded; it was counted and skipped.
#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    pub position: Position,
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.message)
    }
}

/// One WebSocket message as an input yields it.
#[derive(Debug, Clone)]
pub struct RawFrame {
    pub bytes: Vec<u8>,
    /// Capture receive time in milliseconds; 0 when the input has none.
    pub received_at_ms: u64,
    /// Room id the capture recorded; 0 when unknown.
    pub room_id: u64,
    pub position: Position,
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Drop messages whose (room, msgId) was seen before.
    pub dedup: bool,
    /// Count a gift combo once, at its final count.
    pub resolve_combos: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dedup: true,
            resolve_combos: true,
        }
    }
}

/// What decoding an input found, beside the events.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// Table inputs (Parquet, CSV, NDJSON) read beside the frames.
    #[serde(skip_serializing_if = "is_zero")]
    pub tables: u64,
    pub records: u64,
    pub bytes: u64,
    /// Frames by `payloadType` (`msg`, `hb`, `ack`, `close`, …).
    pub frames: BTreeMap<String, u64>,
    pub frames_need_ack: u64,
    /// Messages by `method`, as received (before dropping duplicates).
    pub methods: BTreeMap<String, u64>,
    pub messages: u64,
    pub duplicates_dropped: u64,
    /// Gift messages after dropping duplicates, and the combos they resolve to.
    pub gift_updates: u64,
    pub combos: u64,
    pub events: u64,
    pub rooms: BTreeSet<u64>,
    pub first_ts: Option<i64>,
    pub last_ts: Option<i64>,
    pub error_count: u64,
    /// The first [`MAX_ISSUES_KEPT`] issues; `error_count` has them all.
    pub errors: Vec<Issue>,
}

pub const MAX_ISSUES_KEPT: usize = 1000;

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Stats {
    pub fn add_issue(&mut self, issue: Issue) {
        self.error_count += 1;
        if self.errors.len() < MAX_ISSUES_KEPT {
            self.errors.push(issue);
        }
    }
}

/// The decoded events of all inputs, in time order, with their statistics. `T` is what the
/// events were collected into: a `Vec<Event>`, or the event table (see [`Sink`]).
#[derive(Debug, Clone, Default)]
pub struct Decoded<T = Vec<Event>> {
    pub events: T,
    pub stats: Stats,
}

/// Where the ordered pass puts the events it keeps. `seq` numbers them in arrival order; the
/// sink puts them in time order at the end, arrival order breaking ties.
pub trait Sink {
    type Output;
    /// A kept event other than a gift.
    fn push(&mut self, seq: u64, ev: Event);
    /// Everything is in: `gifts` are the resolved gift events, in `seq` order. Completes
    /// `stats` (events, combos, rooms, time span).
    fn finish(self, gifts: Vec<(u64, Event)>, stats: &mut Stats) -> Self::Output;
}

/// Collects events as structs: the bare decoder's sink (tests, fuzzing, row consumers).
#[derive(Debug, Default)]
pub struct EventVec(Vec<(u64, Event)>);

impl Sink for EventVec {
    type Output = Vec<Event>;

    fn push(&mut self, seq: u64, ev: Event) {
        self.0.push((seq, ev));
    }

    fn finish(self, gifts: Vec<(u64, Event)>, stats: &mut Stats) -> Vec<Event> {
        // Both lists are in seq order: merge them back into arrival order.
        let mut events = Vec::with_capacity(self.0.len() + gifts.len());
        let mut a = self.0.into_iter().peekable();
        let mut b = gifts.into_iter().peekable();
        loop {
            let take_a = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => x.0 < y.0,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let next = if take_a { a.next() } else { b.next() };
            events.extend(next.map(|(_, e)| e));
        }
        if !events.is_sorted_by_key(|e| e.ts) {
            sort_by_time(&mut events);
        }
        stats.events = events.len() as u64;
        stats.combos = events.iter().filter(|e| e.kind == Kind::Gift).count() as u64;
        for ev in &events {
            if ev.room_id != 0 {
                stats.rooms.insert(ev.room_id);
            }
        }
        stats.first_ts = events.iter().map(|e| e.ts).filter(|t| *t != 0).min();
        stats.last_ts = events.iter().map(|e| e.ts).max().filter(|t| *t != 0);
        events
    }
}

/// What one frame decoded to, before the ordered pass.
#[derive(Debug)]
pub struct FrameOutcome {
    pub position: Position,
    pub bytes: u64,
    /// `None` when the frame itself was undecodable.
    pub payload_type: Option<String>,
    pub need_ack: bool,
    pub events: Vec<Event>,
    /// Methods of messages that failed to decode (they still count as received).
    pub failed_methods: Vec<String>,
    pub issues: Vec<Issue>,
}

/// Decodes one frame (through [`decoder`]); never fails: problems become issues in the outcome.
pub fn decode_frame(raw: &RawFrame, scratch: &mut Vec<u8>) -> FrameOutcome {
    let mut out = FrameOutcome {
        position: raw.position.clone(),
        bytes: raw.bytes.len() as u64,
        payload_type: None,
        need_ack: false,
        events: Vec::new(),
        failed_methods: Vec::new(),
        issues: Vec::new(),
    };
    let issue = |message: String| Issue {
        position: raw.position.clone(),
        message,
    };
    let at = Received {
        at_ms: raw.received_at_ms,
        room_id: raw.room_id,
    };
    match decoder::decode(&raw.bytes, at, Depth::Events, scratch) {
        Ok(f) => {
            out.payload_type = Some(f.payload_type);
            out.need_ack = f.response.is_some_and(|r| r.need_ack);
            out.events = f.events;
            for (method, e) in f.failed {
                out.failed_methods.push(method);
                out.issues.push(issue(e.to_string()));
            }
        }
        Err(e) => {
            out.payload_type = e.payload_type;
            out.issues.push(issue(e.message));
        }
    }
    out
}

type ComboKey = (u64, u64, u64, u64);

/// The ordered pass over decoded frames.
pub struct Pipeline<S: Sink = EventVec> {
    opts: Options,
    /// msgIds seen, by room: a set of u64 per room is half the memory of one set of pairs.
    seen: FxHashMap<u64, FxHashSet<u64>>,
    /// Combo key → index in `gifts`.
    combos: FxHashMap<ComboKey, usize>,
    /// Gift events stay here until the end: a later update of a combo replaces its event.
    gifts: Vec<(u64, Event)>,
    sink: S,
    seq: u64,
    stats: Stats,
}

impl Pipeline {
    pub fn new(opts: Options) -> Pipeline {
        Pipeline::with_sink(opts, EventVec::default())
    }
}

impl<S: Sink> Pipeline<S> {
    pub fn with_sink(opts: Options, sink: S) -> Pipeline<S> {
        Pipeline {
            opts,
            seen: FxHashMap::default(),
            combos: FxHashMap::default(),
            gifts: Vec::new(),
            sink,
            seq: 0,
            stats: Stats::default(),
        }
    }

    pub fn add_issue(&mut self, issue: Issue) {
        self.stats.add_issue(issue);
    }

    pub fn absorb(&mut self, outcome: FrameOutcome) {
        let stats = &mut self.stats;
        stats.records += 1;
        stats.bytes += outcome.bytes;
        if let Some(t) = outcome.payload_type {
            *stats.frames.entry(t).or_default() += 1;
        }
        stats.frames_need_ack += u64::from(outcome.need_ack);
        for m in outcome.failed_methods {
            stats.messages += 1;
            *stats.methods.entry(m).or_default() += 1;
        }
        for issue in outcome.issues {
            stats.add_issue(issue);
        }
        for ev in outcome.events {
            self.push_event(ev);
        }
    }

    fn push_event(&mut self, ev: Event) {
        let stats = &mut self.stats;
        stats.messages += 1;
        match stats.methods.get_mut(ev.method.as_ref()) {
            Some(n) => *n += 1,
            None => {
                stats.methods.insert(ev.method.to_string(), 1);
            }
        }
        if self.opts.dedup
            && ev.msg_id != 0
            && !self.seen.entry(ev.room_id).or_default().insert(ev.msg_id)
        {
            stats.duplicates_dropped += 1;
            return;
        }
        let seq = self.seq;
        self.seq += 1;
        if ev.kind != Kind::Gift {
            self.sink.push(seq, ev);
            return;
        }
        stats.gift_updates += 1;
        if self.opts.resolve_combos {
            if let Some(c) = ev.combo.filter(|c| c.group_id != 0) {
                let key = (
                    ev.room_id,
                    ev.user_id.unwrap_or(0),
                    ev.gift_id.unwrap_or(0),
                    c.group_id,
                );
                if let Some(&i) = self.combos.get(&key) {
                    // A later update of a known combo: keep the highest count only, at the
                    // combo's first place. Equal counts are the same update re-sent under a
                    // new msgId.
                    let known = self.gifts[i].1.combo.map_or(0, |k| k.repeat_count);
                    if c.repeat_count > known {
                        self.gifts[i].1 = ev;
                    }
                    return;
                }
                self.combos.insert(key, self.gifts.len());
            }
        }
        self.gifts.push((seq, ev));
    }

    /// Puts the events in time order (arrival order breaks ties) and completes the stats.
    pub fn finish(mut self) -> Decoded<S::Output> {
        // The de-duplication and combo maps are done with: free them before the sink sorts.
        drop(std::mem::take(&mut self.seen));
        drop(std::mem::take(&mut self.combos));
        let events = self.sink.finish(self.gifts, &mut self.stats);
        Decoded {
            events,
            stats: self.stats,
        }
    }
}

/// Stable sort by `ts` that moves each (large) event by swaps along the permutation's cycles:
/// no second copy of the events, which at millions of events would double peak memory.
fn sort_by_time(events: &mut [Event]) {
    let mut order: Vec<(i64, usize)> = events.iter().enumerate().map(|(i, e)| (e.ts, i)).collect();
    order.sort_unstable();
    // perm[i]: where the event that belongs at i is now.
    let mut perm: Vec<usize> = order.into_iter().map(|(_, i)| i).collect();
    for start in 0..perm.len() {
        let mut cur = start;
        while perm[cur] != start {
            let next = perm[cur];
            events.swap(cur, next);
            perm[cur] = cur;
            cur = next;
        }
        perm[cur] = cur;
    }
}

/// Frames decoded together on the thread pool; large enough to keep both cores busy, small
/// enough that memory stays flat while streaming.
const BATCH: usize = 256;

type Item = Result<RawFrame, Issue>;
type DecodedItem = Result<FrameOutcome, Issue>;

fn next_batch(items: &mut impl Iterator<Item = Item>) -> Vec<Item> {
    items.by_ref().take(BATCH).collect()
}

thread_local! {
    /// Each worker's inflate buffer, kept across batches: a fresh buffer per frame costs page
    /// faults, since buffers this large come straight from mmap.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn decode_batch(batch: Vec<Item>) -> Vec<DecodedItem> {
    batch
        .into_par_iter()
        .map(|item| item.map(|raw| SCRATCH.with_borrow_mut(|scratch| decode_frame(&raw, scratch))))
        .collect()
}

/// Decodes a stream of frames (and the input issues met while reading them, kept in order).
///
/// While one batch is decoded on the thread pool, the previous one goes through the ordered pass
/// and the next one is read, so the sequential work hides behind the parallel work.
pub fn decode_all<I>(frames: I, opts: Options) -> Decoded
where
    I: IntoIterator<Item = Item>,
    I::IntoIter: Send,
{
    decode_into(frames, opts, EventVec::default())
}

/// [`decode_all`] into any [`Sink`] (the event table's builder, for one).
pub fn decode_into<I, S>(frames: I, opts: Options, sink: S) -> Decoded<S::Output>
where
    I: IntoIterator<Item = Item>,
    I::IntoIter: Send,
    S: Sink + Send,
{
    let mut items = frames.into_iter();
    let mut pipe = Pipeline::with_sink(opts, sink);
    let mut batch = next_batch(&mut items);
    let mut decoded: Vec<DecodedItem> = Vec::new();
    while !batch.is_empty() || !decoded.is_empty() {
        let absorb_and_read = || {
            for d in decoded {
                match d {
                    Ok(outcome) => pipe.absorb(outcome),
                    Err(issue) => pipe.add_issue(issue),
                }
            }
            next_batch(&mut items)
        };
        let (now_decoded, next) = rayon::join(|| decode_batch(batch), absorb_and_read);
        decoded = now_decoded;
        batch = next;
    }
    pipe.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_by_time_is_stable_and_complete() {
        let ts = [5, 3, 5, 1, 3, 9, 0, 5, 2, 2];
        let mut events: Vec<Event> = ts
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let mut e = Event::new(Kind::Chat, Kind::Chat.method().into());
                e.ts = t;
                e.msg_id = i as u64;
                e
            })
            .collect();
        sort_by_time(&mut events);
        let got: Vec<(i64, u64)> = events.iter().map(|e| (e.ts, e.msg_id)).collect();
        let mut want: Vec<(i64, u64)> =
            ts.iter().enumerate().map(|(i, &t)| (t, i as u64)).collect();
        want.sort();
        assert_eq!(got, want);
    }
}

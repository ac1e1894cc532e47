//! Frames → events for a whole input: parallel frame decoding, then one ordered pass that drops
//! re-delivered messages, resolves gift combos and keeps the statistics `inspect` shows.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::decoder::{self, Received};
use crate::event::{Event, EventRef, Kind};

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

/// Where decoded events go. Workers fill [`Sink::Rows`] from borrowed events, in arrival order;
/// the ordered pass appends each run of rows, minus the ones it drops; at the end the sink puts
/// its rows in the [`Plan`]'s order and then in time order (arrival order breaking ties).
pub trait Sink {
    /// Rows of consecutive frames, filled on a worker thread.
    type Rows: Send;
    /// What a worker needs to start its rows (the event table's builder: which columns it
    /// fills), taken once from the sink, since workers run while the sink takes earlier rows.
    type Layout: Send + Sync;
    fn layout(&self) -> Self::Layout;
    /// Rows for about `capacity` events.
    fn rows(layout: &Self::Layout, capacity: usize) -> Self::Rows;
    /// Rows finished on the worker, for the ordered pass.
    type Chunk: Send;
    type Output;
    fn add(rows: &mut Self::Rows, ev: &EventRef<'_>);
    fn seal(rows: Self::Rows) -> Self::Chunk;
    /// Keeps the rows of `chunk` whose `keep` is true, after the rows kept so far.
    fn append(&mut self, chunk: Self::Chunk, keep: &[bool]);
    /// Everything is in. Sets `stats.first_ts` and `stats.last_ts` from the rows it returns.
    fn finish(self, plan: Plan, stats: &mut Stats) -> Self::Output;
}

/// The event table's extra Boolean column when decoding with a context input
/// ([`decode_with_context`]): true for the rows that belong to the context.
pub const FROM_CONTEXT: &str = "_from_context";

/// How the kept rows are ordered before the sort by time: gift combos resolved.
#[derive(Debug, Default)]
pub struct Plan {
    /// Rows appended.
    pub rows: usize,
    /// With a context input: the rows appended while reading it. A row belongs to the context
    /// when its index is below this; a resolved combo belongs where its highest update is.
    context_rows: Option<usize>,
    /// A combo's first row → the row of its highest update, which takes the first's place.
    replaced: FxHashMap<usize, usize>,
    /// Rows that moved to a first row's place (or were outdone by a later update).
    moved: FxHashSet<usize>,
}

impl Plan {
    /// The kept rows in arrival order with combos resolved, or `None` when that is just
    /// `0..rows`.
    pub fn order(&self) -> Option<Vec<usize>> {
        if self.replaced.is_empty() {
            return None;
        }
        Some(
            (0..self.rows)
                .filter(|r| !self.moved.contains(r))
                .map(|r| self.replaced.get(&r).copied().unwrap_or(r))
                .collect(),
        )
    }

    pub fn len(&self) -> usize {
        self.rows - self.moved.len()
    }

    /// Rows below this index came from the context input (see [`decode_with_context`]).
    pub fn context_rows(&self) -> Option<usize> {
        self.context_rows
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Collects events as structs: the bare decoder's sink (tests, fuzzing, row consumers).
#[derive(Debug, Default)]
pub struct EventVec(Vec<Event>);

impl Sink for EventVec {
    type Rows = Vec<Event>;
    type Layout = ();

    fn layout(&self) {}

    fn rows(_: &(), _capacity: usize) -> Vec<Event> {
        // Events are large: grown as they come rather than reserved on an estimate.
        Vec::new()
    }

    type Chunk = Vec<Event>;
    type Output = Vec<Event>;

    fn add(rows: &mut Vec<Event>, ev: &EventRef<'_>) {
        rows.push(ev.to_event());
    }

    fn seal(rows: Vec<Event>) -> Vec<Event> {
        rows
    }

    fn append(&mut self, chunk: Vec<Event>, keep: &[bool]) {
        self.0.extend(
            chunk
                .into_iter()
                .zip(keep)
                .filter(|(_, k)| **k)
                .map(|(e, _)| e),
        );
    }

    fn finish(self, plan: Plan, stats: &mut Stats) -> Vec<Event> {
        let mut events = match plan.order() {
            None => self.0,
            Some(order) => {
                let mut rows: Vec<Option<Event>> = self.0.into_iter().map(Some).collect();
                order.into_iter().filter_map(|r| rows[r].take()).collect()
            }
        };
        if !events.is_sorted_by_key(|e| e.ts) {
            sort_by_time(&mut events);
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
    /// The frame's events ([`decode_frame`]; empty when a sink took them).
    pub events: Vec<Event>,
    /// Methods of messages that failed to decode (they still count as received).
    pub failed_methods: Vec<String>,
    pub issues: Vec<Issue>,
}

/// Decodes one frame (through [`decoder`]) into owned events; never fails: problems become
/// issues in the outcome.
pub fn decode_frame(raw: &RawFrame, scratch: &mut Vec<u8>) -> FrameOutcome {
    let mut events = Vec::new();
    let mut out = decode_frame_each(raw, scratch, |ev| events.push(ev.to_event()));
    out.events = events;
    out
}

/// [`decode_frame`], handing each event to `each` borrowed instead of keeping it.
fn decode_frame_each(
    raw: &RawFrame,
    scratch: &mut Vec<u8>,
    each: impl FnMut(&EventRef<'_>),
) -> FrameOutcome {
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
    match decoder::decode_events(&raw.bytes, at, scratch, each) {
        Ok(f) => {
            out.payload_type = Some(f.payload_type);
            out.need_ack = f.response.is_some_and(|r| r.need_ack);
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

/// What the ordered pass needs of a row: de-duplication and combo keys.
#[derive(Debug, Clone, Copy)]
struct RowKey {
    room_id: u64,
    msg_id: u64,
    gift: Option<GiftKey>,
}

#[derive(Debug, Clone, Copy)]
struct GiftKey {
    user_id: u64,
    gift_id: u64,
    /// 0: not part of a combo.
    group_id: u64,
    repeat_count: u64,
}

impl RowKey {
    fn of(ev: &EventRef<'_>) -> RowKey {
        RowKey {
            room_id: ev.room_id,
            msg_id: ev.msg_id,
            gift: (ev.kind == Kind::Gift).then(|| GiftKey {
                user_id: ev.user_id.unwrap_or(0),
                gift_id: ev.gift_id.unwrap_or(0),
                group_id: ev.combo.map_or(0, |c| c.group_id),
                repeat_count: ev.combo.map_or(0, |c| c.repeat_count),
            }),
        }
    }
}

/// Messages received by method, counted on the worker.
#[derive(Debug, Default)]
struct MethodCounts {
    known: [u64; Kind::ALL.len()],
    other: FxHashMap<String, u64>,
}

impl MethodCounts {
    fn add(&mut self, ev: &EventRef<'_>) {
        // A kind sent under several methods (battle) is counted by its method's own name.
        if ev.kind == Kind::Other || ev.method != ev.kind.method() {
            match self.other.get_mut(ev.method) {
                Some(n) => *n += 1,
                None => {
                    self.other.insert(ev.method.to_string(), 1);
                }
            }
        } else {
            self.known[ev.kind as usize] += 1;
        }
    }
}

/// A run of consecutive frames decoded on one worker.
struct Slice<C> {
    frames: Vec<Result<FrameOutcome, Issue>>,
    keys: Vec<RowKey>,
    methods: MethodCounts,
    chunk: C,
}

type ComboKey = (u64, u64, u64, u64);

/// The ordered pass over decoded frames.
pub struct Pipeline<S: Sink = EventVec> {
    opts: Options,
    /// msgIds seen, by room: a set of u64 per room is half the memory of one set of pairs.
    seen: FxHashMap<u64, FxHashSet<u64>>,
    /// Combo key → (its first row, its highest repeat count so far).
    combos: FxHashMap<ComboKey, (usize, u64)>,
    plan: Plan,
    gifts: u64,
    sink: S,
    stats: Stats,
}

impl Pipeline {
    pub fn new(opts: Options) -> Pipeline {
        Pipeline::with_sink(opts, EventVec::default())
    }

    /// Takes one frame decoded by [`decode_frame`].
    pub fn absorb(&mut self, mut outcome: FrameOutcome) {
        let events = std::mem::take(&mut outcome.events);
        let mut methods = MethodCounts::default();
        let keys = events
            .iter()
            .map(|e| {
                let v = e.view();
                methods.add(&v);
                RowKey::of(&v)
            })
            .collect();
        self.absorb_slice(Slice {
            frames: vec![Ok(outcome)],
            keys,
            methods,
            chunk: events,
        });
    }
}

impl<S: Sink> Pipeline<S> {
    pub fn with_sink(opts: Options, sink: S) -> Pipeline<S> {
        Pipeline {
            opts,
            seen: FxHashMap::default(),
            combos: FxHashMap::default(),
            plan: Plan::default(),
            gifts: 0,
            sink,
            stats: Stats::default(),
        }
    }

    pub fn add_issue(&mut self, issue: Issue) {
        self.stats.add_issue(issue);
    }

    fn absorb_frame(&mut self, outcome: FrameOutcome) {
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
    }

    fn absorb_slice(&mut self, slice: Slice<S::Chunk>) {
        for f in slice.frames {
            match f {
                Ok(outcome) => self.absorb_frame(outcome),
                Err(issue) => self.add_issue(issue),
            }
        }
        let stats = &mut self.stats;
        stats.messages += slice.keys.len() as u64;
        for (kind, n) in Kind::ALL.iter().zip(slice.methods.known) {
            if n > 0 {
                *stats.methods.entry(kind.method().to_string()).or_default() += n;
            }
        }
        for (method, n) in slice.methods.other {
            *stats.methods.entry(method).or_default() += n;
        }
        let keep: Vec<bool> = slice.keys.iter().map(|k| self.keep(k)).collect();
        self.sink.append(slice.chunk, &keep);
    }

    /// Whether the row goes on: not a re-delivered message, not a combo update that a
    /// higher one already outdid.
    fn keep(&mut self, k: &RowKey) -> bool {
        if self.opts.dedup
            && k.msg_id != 0
            && !self.seen.entry(k.room_id).or_default().insert(k.msg_id)
        {
            self.stats.duplicates_dropped += 1;
            return false;
        }
        if k.room_id != 0 {
            self.stats.rooms.insert(k.room_id);
        }
        let row = self.plan.rows;
        if let Some(g) = k.gift {
            self.stats.gift_updates += 1;
            if self.opts.resolve_combos && g.group_id != 0 {
                let key = (k.room_id, g.user_id, g.gift_id, g.group_id);
                if let Some((first, best)) = self.combos.get_mut(&key) {
                    // A later update of a known combo: keep the highest count only, at the
                    // combo's first place. Equal counts are the same update re-sent under a
                    // new msgId.
                    if g.repeat_count <= *best {
                        return false;
                    }
                    *best = g.repeat_count;
                    if let Some(outdone) = self.plan.replaced.insert(*first, row) {
                        debug_assert!(self.plan.moved.contains(&outdone));
                    }
                    self.plan.moved.insert(row);
                    self.plan.rows += 1;
                    return true;
                }
                self.combos.insert(key, (row, g.repeat_count));
            }
            self.gifts += 1;
        }
        self.plan.rows += 1;
        true
    }

    /// Puts the events in time order (arrival order breaks ties) and completes the stats.
    pub fn finish(mut self) -> Decoded<S::Output> {
        // The de-duplication and combo maps are done with: free them before the sink sorts.
        drop(std::mem::take(&mut self.seen));
        drop(std::mem::take(&mut self.combos));
        crate::alloc::trim();
        self.stats.events = self.plan.len() as u64;
        self.stats.combos = self.gifts;
        let events = self.sink.finish(self.plan, &mut self.stats);
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

/// Frames read and decoded together: large enough to keep both cores busy, small enough that
/// memory stays flat while streaming. A batch is at least `BATCH` frames and `BATCH_BYTES`
/// bytes (up to `BATCH_MAX` frames): a busy room's 256 frames are megabytes, a real room's a
/// fifth of one, and batches that small spent their time waking threads and starting runs.
const BATCH: usize = 256;
const BATCH_BYTES: usize = 2 << 20;
const BATCH_MAX: usize = 16_384;
/// Frames one worker decodes into one run of rows: at least `SLICE` frames and `SLICE_BYTES`
/// bytes, so a run is hundreds of rows or more whatever the messages per frame.
const SLICE: usize = 64;
const SLICE_BYTES: usize = 256 << 10;

type Item = Result<RawFrame, Issue>;

fn item_bytes(item: &Item) -> usize {
    item.as_ref().map_or(0, |f| f.bytes.len())
}

fn next_batch(items: &mut impl Iterator<Item = Item>) -> Vec<Item> {
    let mut batch = Vec::with_capacity(BATCH);
    let mut bytes = 0;
    while batch.len() < BATCH_MAX && (batch.len() < BATCH || bytes < BATCH_BYTES) {
        let Some(item) = items.next() else { break };
        bytes += item_bytes(&item);
        batch.push(item);
    }
    batch
}

/// The batch cut into runs of at least `SLICE` frames and `SLICE_BYTES` bytes (the last may
/// be shorter).
fn slices(batch: &[Item]) -> Vec<&[Item]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, item) in batch.iter().enumerate() {
        bytes += item_bytes(item);
        if i + 1 - start >= SLICE && bytes >= SLICE_BYTES {
            out.push(&batch[start..=i]);
            (start, bytes) = (i + 1, 0);
        }
    }
    if start < batch.len() {
        out.push(&batch[start..]);
    }
    out
}

thread_local! {
    /// Each worker's inflate buffer, kept across batches: a fresh buffer per frame costs page
    /// faults, since buffers this large come straight from mmap.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Compressed bytes per message, about (simulated and real frames alike: 200–300): sizes a
/// run's buffers up front instead of growing them by copies.
const BYTES_PER_ROW: usize = 192;

fn decode_slice<S: Sink>(items: &[Item], layout: &S::Layout) -> Slice<S::Chunk> {
    let bytes: usize = items.iter().map(item_bytes).sum();
    let capacity = (bytes / BYTES_PER_ROW).clamp(256, 1 << 15);
    let mut rows = S::rows(layout, capacity);
    let mut keys = Vec::with_capacity(capacity);
    let mut methods = MethodCounts::default();
    let frames = SCRATCH.with_borrow_mut(|scratch| {
        items
            .iter()
            .map(|item| match item {
                Ok(raw) => Ok(decode_frame_each(raw, scratch, |ev| {
                    methods.add(ev);
                    keys.push(RowKey::of(ev));
                    S::add(&mut rows, ev);
                })),
                Err(issue) => Err(issue.clone()),
            })
            .collect()
    });
    Slice {
        frames,
        keys,
        methods,
        chunk: S::seal(rows),
    }
}

fn decode_batch<S: Sink>(batch: Vec<Item>, layout: &S::Layout) -> Vec<Slice<S::Chunk>> {
    slices(&batch)
        .into_par_iter()
        .map(|items| decode_slice::<S>(items, layout))
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
    let mut pipe = Pipeline::with_sink(opts, sink);
    pipe.run(frames);
    pipe.finish()
}

/// [`decode_into`] over `context` then `frames`, as one stream (re-deliveries and combos are
/// resolved across the two), remembering which rows came from the context: the event table's
/// builder adds the Boolean column [`FROM_CONTEXT`]; a resolved combo counts as the input's
/// where its highest update is. [`EventVec`] keeps every row unmarked. The stats count both.
pub fn decode_with_context<C, I, S>(
    context: C,
    frames: I,
    opts: Options,
    sink: S,
) -> Decoded<S::Output>
where
    C: IntoIterator<Item = Item>,
    C::IntoIter: Send,
    I: IntoIterator<Item = Item>,
    I::IntoIter: Send,
    S: Sink + Send,
{
    let mut pipe = Pipeline::with_sink(opts, sink);
    pipe.run(context);
    pipe.plan.context_rows = Some(pipe.plan.rows);
    pipe.run(frames);
    pipe.finish()
}

impl<S: Sink + Send> Pipeline<S> {
    /// Decodes every frame of `frames` and absorbs it, in order.
    ///
    /// While one batch is decoded on the thread pool, the previous one goes through the ordered
    /// pass and the next one is read, so the sequential work hides behind the parallel work.
    fn run<I>(&mut self, frames: I)
    where
        I: IntoIterator<Item = Item>,
        I::IntoIter: Send,
    {
        let mut items = frames.into_iter();
        let layout = self.sink.layout();
        let mut batch = next_batch(&mut items);
        let mut decoded: Vec<Slice<S::Chunk>> = Vec::new();
        while !batch.is_empty() || !decoded.is_empty() {
            let absorb_and_read = || {
                for slice in decoded {
                    self.absorb_slice(slice);
                }
                next_batch(&mut items)
            };
            let (now_decoded, next) =
                rayon::join(|| decode_batch::<S>(batch, &layout), absorb_and_read);
            decoded = now_decoded;
            batch = next;
        }
    }
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

//! The session timeline: who chats, likes, enters, follows and gifts when, with bursts,
//! reconnects and the history replay, turned into Douyin messages and frames: the schedule
//! here, the messages of each kind and the frames in the modules below.

mod audience;
mod battle;
mod bursts;
mod chat;
mod frames;
mod gifts;
mod room;

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::io::{self, Write};

use prost::Message as _;

use super::people::People;
use super::phrases::{
    EMOJI_IDS, GIFTS, GIFT_BIG_FROM, GIFT_CLUB_LIGHT, GIFT_HEART, GIFT_ROSE, LOTTERY, SPAM,
};
use super::rng::{mix, sin, Rng, Zipf};
use super::truth::{Kind, Seen, Tally, Truth};
use super::wire::Sink;
use super::{SessionEnd, SimConfig};
use crate::proto::webcast::{Common, ControlMessage, Message};

/// The server replays this much history to a new connection.
const HISTORY_MS: u64 = 10_000;
/// Frames are at least this far apart, so a 5–80 ms latency keeps receive times increasing.
const FRAME_GAP_MS: u64 = 80;
/// Douyin rate-limits chat; nobody sends faster than this.
const CHAT_GAP_MS: u64 = 3_000;
/// Latest supported `start_ms` (year ~36 000 000), leaving headroom for any session length.
const MAX_START_MS: u64 = 1 << 60;
/// Messages kept for re-delivery after a reconnect.
const RECENT_MS: u64 = 25_000;

// Rates per viewer-minute. Chat, like and gift rates are averages over the session: bursts
// and the audience curve reshape them in time, but `calibrate` keeps the totals linear.
const CHAT_RATE: f64 = 0.5;
const LIKE_RATE: f64 = 0.25;
/// Average stay in minutes: sets how many viewers arrive to keep the room full.
const STAY_MIN: f64 = 6.0;
const FOLLOW_RATE: f64 = 0.006;
const SHARE_RATE: f64 = 0.0012;
const EMOJI_RATE: f64 = 0.004;
const GIFT_RATE: f64 = 0.04;
/// Samples per session when calibrating the rates.
const CALIBRATION_STEPS: u64 = 20_000;

const CHAT: &str = "WebcastChatMessage";
const EMOJI: &str = "WebcastEmojiChatMessage";
const GIFT: &str = "WebcastGiftMessage";
const LIKE: &str = "WebcastLikeMessage";
const MEMBER: &str = "WebcastMemberMessage";
const SOCIAL: &str = "WebcastSocialMessage";
const FANSCLUB: &str = "WebcastFansclubMessage";
const USER_SEQ: &str = "WebcastRoomUserSeqMessage";
const STATS: &str = "WebcastRoomStatsMessage";
const RANK: &str = "WebcastRoomRankMessage";
const CONTROL: &str = "WebcastControlMessage";
/// Real methods that no public schema describes; decoders must skip them.
const OTHER: &[&str] = &[
    "WebcastRanklistHourEntranceMessage",
    "WebcastInRoomBannerMessage",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum BurstKind {
    /// A big gift and a wave of thanks.
    BigGift,
    /// A lottery (福袋): many viewers send the same passphrase.
    Lottery,
    /// Singing or a PK: cheering.
    Hype,
}

struct Burst {
    start: u64,
    end: u64,
    mult: f64,
    kind: BurstKind,
    gifter: Option<u32>,
}

#[derive(Clone, Copy)]
struct GiftEv {
    user: u32,
    gift: usize,
    group_id: u64,
    group_count: u64,
    repeat: u64,
    end: bool,
}

enum Ev {
    /// `passphrase`: sent by a lucky-bag button (`chat_by` 9).
    Chat {
        user: u32,
        text: String,
        passphrase: bool,
    },
    Battle(battle::BattleEv),
    Emoji {
        user: u32,
        emoji: u64,
    },
    Like {
        user: u32,
        count: u64,
    },
    Member {
        user: u32,
    },
    Social {
        user: u32,
        action: u64,
    },
    Fansclub {
        user: u32,
        level: u8,
        join: bool,
    },
    Gift(GiftEv),
    UserSeq,
    Stats {
        cumulative: bool,
    },
    Rank,
    Other(&'static str),
}

/// Guaranteed events, so even a short session shows every kind.
#[derive(Clone, Copy)]
enum Script {
    Chat,
    Like,
    Member,
    Follow,
    ClubLight,
    HeartComboNoEnd,
    Emoji,
    RoseCombo,
    Share,
}

struct Queued {
    at: u64,
    order: u64,
    ev: Ev,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    // Reversed: BinaryHeap is a max-heap and the earliest event must come out first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.order).cmp(&(self.at, self.order))
    }
}

/// Appends a varint.
fn put_varint(mut v: u64, buf: &mut Vec<u8>) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn put(msg: &impl prost::Message, buf: &mut Vec<u8>) {
    // A Vec grows on demand, so encoding into it cannot run out of space.
    msg.encode(buf).expect("Vec<u8> grows as needed");
}

/// Encodes `head`, then an already-encoded `User` as field `tag`, then `tail`: the bytes prost
/// would write for the whole message (it writes fields in tag order), without re-encoding the user.
fn splice(
    head: &impl prost::Message,
    tag: u32,
    user: &[u8],
    tail: &impl prost::Message,
) -> Vec<u8> {
    let mut buf = Vec::with_capacity(head.encoded_len() + user.len() + tail.encoded_len() + 8);
    put(head, &mut buf);
    put_varint(u64::from(tag << 3 | 2), &mut buf);
    put_varint(user.len() as u64, &mut buf);
    buf.extend_from_slice(user);
    put(tail, &mut buf);
    buf
}

/// A built message: its method, payload and its own event time if it has one.
type Built = (&'static str, Vec<u8>, Option<u64>);

/// Chat, like and member carry no create_time (0); the rest carry it in ms. A zero time means
/// "use the frame's now", for decoders and the truth alike.
fn stamped(at: u64) -> Option<u64> {
    (at != 0).then_some(at)
}

/// Where a session from `start` to `end` sends no room_user_seq messages (`SimConfig::
/// stats_only`): one stretch of 3–6 minutes per 10 minutes of session, each within its tenth
/// minutes and after the first two minutes, none in sessions under five minutes.
fn stats_only_stretches(rng: &mut Rng, start: u64, end: u64) -> Vec<(u64, u64)> {
    let len = end.saturating_sub(start);
    if len < 5 * 60_000 {
        return Vec::new();
    }
    let n = (len / (10 * 60_000)).max(1);
    let seg = len / n;
    (0..n)
        .map(|i| {
            let from = start + seg * i + 2 * 60_000;
            let dur = rng.range(3 * 60_000, 6 * 60_000).min(seg - 2 * 60_000);
            let at = from + rng.below((seg - 2 * 60_000 - dur).max(1));
            (at, at + dur)
        })
        .collect()
}

/// Viewers in a session's pool: enough arrivals to keep `viewers` online for `minutes`.
pub(crate) fn pool_size(cfg: &SimConfig) -> usize {
    let viewers = f64::from(cfg.viewers.max(1));
    (viewers * (1.0 + f64::from(cfg.minutes) / STAY_MIN)).ceil() as usize
}

pub(crate) struct Session<'c, W: Write> {
    cfg: &'c SimConfig,
    rng: Rng,
    people: People,
    tally: Tally,
    sink: Sink<W>,
    chat_zipf: Zipf,
    chatters: usize,
    spend_zipf: Zipf,
    spammers: Vec<(u32, &'static str)>,
    last_chat: Vec<u64>,
    queue: BinaryHeap<Queued>,
    order: u64,
    ids: u64,
    id_salt: u32,

    start: u64,
    end: u64,
    viewers: f64,
    /// Rate factors from `calibrate`.
    chat_scale: f64,
    boost_scale: f64,
    wobble: [(f64, f64, f64); 2],
    bursts: Vec<Burst>,
    reconnects: VecDeque<u64>,
    script: VecDeque<(u64, Script)>,
    lottery: &'static str,
    battles: Vec<battle::Plan>,
    battle_events: VecDeque<(u64, battle::BattleEv)>,
    battle_truth: Vec<super::truth::BattleTruth>,

    like_total: u64,
    follow_count: u64,
    share_count: u64,
    club_members: u64,
    total_user: u64,
    arrivals: u64,
    next_user_seq: u64,
    next_stats: u64,
    /// `SimConfig::stats_only`: the stretches `[start, end)` without room_user_seq messages,
    /// the next room-stats message in them, and their own random numbers (so the rest of the
    /// session is what it would be without them).
    stretches: Vec<(u64, u64)>,
    next_stretch_stats: u64,
    stretch_rng: Rng,
    next_rank: u64,
    next_other: u64,
    next_hb: u64,

    seq_id: u64,
    last_frame_at: u64,
    first_req_ms: u64,
    recent: VecDeque<(u64, Message)>,
}

impl<'c, W: Write> Session<'c, W> {
    pub(crate) fn new(cfg: &'c SimConfig, out: W) -> io::Result<Self> {
        let mut rng = Rng::new(mix(cfg.seed, 0x53_494D));
        let viewers = f64::from(cfg.viewers.max(1));
        let (pool, people) = match &cfg.audience {
            Some(a) => {
                let people = People::of_audience(cfg.seed, a);
                (people.len(), people)
            }
            None => {
                let pool = pool_size(cfg);
                (pool, People::new(cfg.seed, pool))
            }
        };
        let chatters = (people.len() * 2 / 5).max(1);
        let spammers = [1u32, 3, 6]
            .iter()
            .filter(|i| (**i as usize) < chatters)
            .map(|i| (*i, rng.pick(SPAM)))
            .collect();
        // Far-future starts would overflow the millisecond arithmetic; no real capture is there.
        let start = cfg.start_ms.min(MAX_START_MS);
        let len = u64::from(cfg.minutes) * 60_000;
        let end = start.saturating_add(len);

        let mut bursts = Vec::new();
        let mut reconnects = VecDeque::new();
        let mut script = VecDeque::new();
        if len > 0 {
            // One burst per 20 minutes at least, so a long session is not two bursts in hours.
            let n = (2 + rng.below(3)).max(len / (20 * 60_000));
            let seg = len / n;
            let base_dur = (len / 12).clamp(10_000, 90_000) as f64;
            let mut kinds = if rng.chance(0.5) {
                vec![BurstKind::BigGift, BurstKind::Lottery]
            } else {
                vec![BurstKind::Lottery, BurstKind::BigGift]
            };
            while kinds.len() < n as usize {
                kinds.push(rng.pick(&[BurstKind::BigGift, BurstKind::Lottery, BurstKind::Hype]));
            }
            for (i, kind) in kinds.into_iter().enumerate() {
                let s = start + seg * i as u64 + (seg as f64 * rng.uniform(0.15, 0.6)) as u64;
                let dur = (base_dur * rng.uniform(0.8, 1.2)) as u64;
                bursts.push(Burst {
                    start: s,
                    end: s + dur,
                    mult: rng.uniform(3.0, 6.0),
                    kind,
                    gifter: None,
                });
            }
            let at = |f: f64| start + (len as f64 * f) as u64;
            if cfg.minutes >= 4 && rng.chance(0.5) {
                reconnects.push_back(at(rng.uniform(0.2, 0.45)));
                reconnects.push_back(at(rng.uniform(0.55, 0.85)));
            } else {
                reconnects.push_back(at(rng.uniform(0.25, 0.8)));
            }
            for (f, s) in [
                (0.02, Script::Chat),
                (0.03, Script::Like),
                (0.04, Script::Member),
                (0.06, Script::Follow),
                (0.10, Script::ClubLight),
                (0.14, Script::HeartComboNoEnd),
                (0.18, Script::Emoji),
                (0.22, Script::RoseCombo),
                (0.26, Script::Share),
            ] {
                script.push_back((at(f), s));
            }
        }
        let wobble = [
            (
                rng.uniform(7.0, 15.0) * 60_000.0,
                rng.uniform(0.0, 6.3),
                0.06,
            ),
            (
                rng.uniform(2.0, 4.0) * 60_000.0,
                rng.uniform(0.0, 6.3),
                0.04,
            ),
        ];
        let lottery = rng.pick(LOTTERY);
        let hist_from = start.saturating_sub(HISTORY_MS);
        let id_salt = rng.next_u64() as u32;
        let last_chat = vec![u64::MAX; people.len()];
        let (battles, battle_events, battle_truth) =
            battle::plan(cfg.seed, cfg.room_id, start, end);
        let mut s = Session {
            cfg,
            people,
            tally: Tally::new(),
            sink: Sink::new(out, cfg.room_id)?,
            chat_zipf: Zipf::new(chatters, 0.95),
            chatters,
            spend_zipf: Zipf::new(pool.max(1), 1.1),
            spammers,
            last_chat,
            queue: BinaryHeap::new(),
            order: 0,
            ids: 0,
            id_salt,
            start,
            end,
            viewers,
            chat_scale: 1.0,
            boost_scale: 1.0,
            wobble,
            bursts,
            reconnects,
            script,
            lottery,
            battles,
            battle_events,
            battle_truth,
            like_total: 0,
            follow_count: 0,
            share_count: 0,
            club_members: 0,
            total_user: 0,
            arrivals: 0,
            next_user_seq: hist_from + rng.range(2_000, 8_000),
            next_stats: start + rng.range(20_000, 40_000),
            stretches: Vec::new(),
            next_stretch_stats: 0,
            stretch_rng: Rng::new(mix(cfg.seed, 0x5354_4154)),
            next_rank: start + rng.range(30_000, 50_000),
            next_other: start + rng.range(30_000, 60_000),
            next_hb: start + rng.range(9_500, 10_500),
            seq_id: 0,
            last_frame_at: 0,
            first_req_ms: 0,
            recent: VecDeque::new(),
            rng,
        };
        // What the room had before the capture started.
        s.like_total = (viewers * s.rng.uniform(20.0, 60.0)) as u64;
        s.follow_count = s.rng.range(5_000, 300_000);
        s.club_members = s.rng.range(300, 20_000);
        s.total_user = (s.online(start) * s.rng.uniform(1.3, 2.0)) as u64;
        if cfg.stats_only {
            s.stretches = stats_only_stretches(&mut s.stretch_rng, start, end);
        }
        s.calibrate();
        Ok(s)
    }

    /// Scales the chat, like and gift rates so that, whatever the bursts and the audience curve,
    /// the session averages `CHAT_RATE` etc. per viewer-minute.
    fn calibrate(&mut self) {
        let len = self.end - self.start;
        if len == 0 {
            return;
        }
        let step = (len / CALIBRATION_STEPS).max(1);
        let (mut samples, mut chat, mut boosted) = (0.0, 0.0, 0.0);
        let mut t = self.start + step / 2;
        while t < self.end {
            let online = self.online(t);
            let (level, burst) = self.burst_at(t);
            let mult = burst.map_or(1.0, |i| 1.0 + (self.bursts[i].mult - 1.0) * level);
            chat += online * mult;
            boosted += online * (1.0 + level);
            samples += 1.0;
            t += step;
        }
        if chat > 0.0 && boosted > 0.0 {
            self.chat_scale = self.viewers * samples / chat;
            self.boost_scale = self.viewers * samples / boosted;
        }
    }

    /// Writes the session; returns its truth and who chatted and gifted in it.
    pub(crate) fn run(mut self) -> io::Result<(Truth, Seen)> {
        // Events before the capture started reach it as the history replayed on connecting.
        let mut t0 = self.start.saturating_sub(HISTORY_MS);
        let mut history = Vec::new();
        while t0 < self.start {
            let t1 = (t0 + self.rng.range(200, 1_000)).min(self.start);
            self.spawn(t0, t1);
            history.extend(self.pop_due(t1));
            t0 = t1;
        }
        self.first_req_ms = self.start.saturating_sub(self.rng.range(200, 1_500));
        let mut now = self.start;
        while !history.is_empty() {
            let rest = history.split_off(history.len().min(40));
            now = self.slot_after(now, 30, 150);
            self.send(now, history)?;
            history = rest;
        }

        let mut t0 = self.start;
        while t0 < self.end {
            self.heartbeats(t0)?;
            if self.reconnects.front().is_some_and(|r| *r <= t0) {
                self.reconnect(t0)?;
            }
            let t1 = (t0 + self.rng.range(200, 1_000)).max(self.last_frame_at + FRAME_GAP_MS);
            self.spawn(t0, t1.min(self.end));
            self.deliver(t1)?;
            t0 = t1;
        }
        // Combos still running at the end finish before the live does.
        while !self.queue.is_empty() {
            self.heartbeats(t0)?;
            let t1 = (t0 + self.rng.range(200, 1_000)).max(self.last_frame_at + FRAME_GAP_MS);
            self.deliver(t1)?;
            t0 = t1;
        }

        if self.cfg.end == SessionEnd::StreamEnd {
            self.stream_end(t0)?;
        }

        let bursts = self.burst_truth();
        self.sink.finish()?;
        let seen = self.tally.seen(&self.people);
        let stats_only = self.tally.stats_only(&self.stretches);
        let battles = std::mem::take(&mut self.battle_truth);
        let mut truth = self.tally.finish(&self.people);
        truth.bursts = bursts;
        truth.stats_only = stats_only;
        truth.battles = battles;
        Ok((truth, seen))
    }

    /// The stream-end control message (status 3) after `t0`, then the close.
    fn stream_end(&mut self, t0: u64) -> io::Result<()> {
        let now = self.slot_after(t0, 300, 800);
        let at = now - self.rng.range(20, 200);
        let id = self.next_id(at);
        let control = ControlMessage {
            common: Some(self.common(CONTROL, id, at, String::new())),
            status: 3,
        };
        self.tally.message(Kind::Control);
        let msg = Message {
            method: CONTROL.into(),
            payload: control.encode_to_vec(),
            msg_id: id,
        };
        self.send(now, vec![(msg, Some(at))])?;
        let close_at = self.slot_after(now, 100, 400);
        self.bare("close", close_at)
    }

    /// A snowflake-like id (seconds in the high half, as Douyin's are); the low half is a
    /// bijective scramble of a counter, so ids never repeat.
    fn next_id(&mut self, at_ms: u64) -> u64 {
        let mut x = (self.ids as u32) ^ self.id_salt;
        self.ids += 1;
        x = x.wrapping_mul(0x9E37_79B1);
        x ^= x >> 16;
        x = x.wrapping_mul(0x85EB_CA6B);
        x ^= x >> 13;
        (((at_ms / 1000) & 0x7FFF_FFFF) << 32) | u64::from(x)
    }

    fn common(&self, method: &str, msg_id: u64, create_time: u64, describe: String) -> Common {
        Common {
            method: method.into(),
            msg_id,
            room_id: self.cfg.room_id,
            create_time,
            describe,
        }
    }

    fn online(&self, t: u64) -> f64 {
        let len = self.end.saturating_sub(self.start).max(1) as f64;
        let s = (t as f64 - self.start as f64) / len;
        let ramp = if s < 0.15 {
            let x = s.max(0.0) / 0.15;
            0.72 + 0.28 * x * x * (3.0 - 2.0 * x)
        } else {
            1.0
        };
        let tail = if s > 0.88 {
            1.0 - 0.25 * ((s - 0.88) / 0.12).min(1.0)
        } else {
            1.0
        };
        let wobble: f64 = self
            .wobble
            .iter()
            .map(|(period, phase, amp)| {
                amp * sin(std::f64::consts::TAU * (t % 86_400_000) as f64 / period + phase)
            })
            .sum();
        let (level, _) = self.burst_at(t);
        self.viewers * ramp * tail * (1.0 + wobble) * (1.0 + 0.2 * level)
    }

    fn push(&mut self, at: u64, ev: Ev) {
        self.order += 1;
        self.queue.push(Queued {
            at,
            order: self.order,
            ev,
        });
    }

    /// Generates the events that start in `[a, b)`.
    fn spawn(&mut self, a: u64, b: u64) {
        if b <= a {
            return;
        }
        let span = b - a;
        let dt = span as f64 / 60_000.0;
        let mid = a + span / 2;
        let online = self.online(mid);
        let (level, burst) = self.burst_at(mid);
        let chat_mult = burst.map_or(1.0, |i| 1.0 + (self.bursts[i].mult - 1.0) * level);

        for i in 0..self.bursts.len() {
            let b0 = &self.bursts[i];
            if b0.start >= a && b0.start < b && b0.kind == BurstKind::BigGift {
                let whale = self.people.spender(self.rng.below(3) as usize);
                let gift =
                    GIFT_BIG_FROM + self.rng.below((GIFTS.len() - GIFT_BIG_FROM) as u64) as usize;
                let at = b0.start;
                self.bursts[i].gifter = Some(whale);
                self.combo(at, whale, gift, None);
            }
        }
        while self.script.front().is_some_and(|(t, _)| *t < b) {
            if let Some((t, s)) = self.script.pop_front() {
                self.scripted(t.max(a), s);
            }
        }

        while self.battle_events.front().is_some_and(|(t, _)| *t < b) {
            if let Some((t, ev)) = self.battle_events.pop_front() {
                self.push(t.max(a), Ev::Battle(ev));
            }
        }
        let n = self
            .rng
            .poisson(online * CHAT_RATE * dt * chat_mult * self.chat_scale);
        for _ in 0..n {
            let at = a + self.rng.below(span);
            let (user, text, passphrase) = self.chat_line(at, burst, level);
            self.push(
                at,
                Ev::Chat {
                    user,
                    text,
                    passphrase,
                },
            );
        }
        let n = self
            .rng
            .poisson(online * LIKE_RATE * dt * (1.0 + level) * self.boost_scale);
        for _ in 0..n {
            let at = a + self.rng.below(span);
            let user = if self.rng.chance(0.7) {
                self.chat_zipf.sample(&mut self.rng) as u32
            } else {
                self.rng.below(self.people.len() as u64) as u32
            };
            let u = self.rng.f64();
            let count = 1 + (u * u * 15.0) as u64;
            self.push(at, Ev::Like { user, count });
        }
        let s =
            (mid as f64 - self.start as f64) / self.end.saturating_sub(self.start).max(1) as f64;
        let arriving = if s < 0.15 { 1.6 } else { 1.0 } + 0.5 * level;
        let n = self.rng.poisson(online / STAY_MIN * dt * arriving);
        for _ in 0..n {
            let at = a + self.rng.below(span);
            let user = self.people.arrival(self.arrivals);
            self.arrivals += 1;
            self.push(at, Ev::Member { user });
        }
        let n = self.rng.poisson(online * FOLLOW_RATE * dt * (1.0 + level));
        for _ in 0..n {
            let at = a + self.rng.below(span);
            if let Some(user) = self.non_follower() {
                self.people.set_follows(user);
                self.push(at, Ev::Social { user, action: 1 });
            }
        }
        let n = self.rng.poisson(online * SHARE_RATE * dt);
        for _ in 0..n {
            let at = a + self.rng.below(span);
            let user = self.chat_zipf.sample(&mut self.rng) as u32;
            self.push(at, Ev::Social { user, action: 3 });
        }
        let n = self.rng.poisson(online * EMOJI_RATE * dt);
        for _ in 0..n {
            let at = a + self.rng.below(span);
            let user = self.chat_zipf.sample(&mut self.rng) as u32;
            let emoji = self.rng.pick(EMOJI_IDS);
            self.push(at, Ev::Emoji { user, emoji });
        }
        let n = self
            .rng
            .poisson(online * GIFT_RATE * dt * (1.0 + level) * self.boost_scale);
        for _ in 0..n {
            let at = a + self.rng.below(span);
            let user = self.people.spender(self.spend_zipf.sample(&mut self.rng));
            let gift = self.choose_gift(user);
            self.combo(at, user, gift, None);
        }

        while self.next_user_seq < b {
            let at = self.next_user_seq.max(a);
            if !self.stretches.iter().any(|(s, e)| (*s..*e).contains(&at)) {
                self.push(at, Ev::UserSeq);
            }
            self.next_user_seq = at + self.rng.range(10_000, 20_000);
        }
        while self.next_stats < b {
            let at = self.next_stats.max(a);
            self.push(at, Ev::Stats { cumulative: false });
            self.next_stats = at + self.rng.range(30_000, 60_000);
        }
        self.stretch_stats(a, b);
        while self.next_rank < b {
            let at = self.next_rank.max(a);
            self.push(at, Ev::Rank);
            self.next_rank = at + self.rng.range(50_000, 70_000);
        }
        while self.next_other < b {
            let at = self.next_other.max(a);
            // Unknown methods only mid-session, so they never decide the start or end time.
            if at + 30_000 < self.end {
                let method = self.rng.pick(OTHER);
                self.push(at, Ev::Other(method));
            }
            self.next_other = at + self.rng.range(60_000, 150_000);
        }
    }

    fn scripted(&mut self, at: u64, s: Script) {
        match s {
            Script::Chat => {
                let (user, text, passphrase) = self.chat_line(at, None, 0.0);
                self.push(
                    at,
                    Ev::Chat {
                        user,
                        text,
                        passphrase,
                    },
                );
            }
            Script::Like => {
                let user = self.chat_zipf.sample(&mut self.rng) as u32;
                self.push(at, Ev::Like { user, count: 1 });
            }
            Script::Member => {
                let user = self.people.arrival(self.arrivals);
                self.arrivals += 1;
                self.push(at, Ev::Member { user });
            }
            Script::Follow => {
                // In a room where everyone follows already, someone unfollowed and comes back.
                let user = self.non_follower().unwrap_or(0);
                self.people.set_follows(user);
                self.push(at, Ev::Social { user, action: 1 });
            }
            Script::Share => {
                let user = self.chat_zipf.sample(&mut self.rng) as u32;
                self.push(at, Ev::Social { user, action: 3 });
            }
            Script::Emoji => {
                let user = self.chat_zipf.sample(&mut self.rng) as u32;
                self.push(
                    at,
                    Ev::Emoji {
                        user,
                        emoji: EMOJI_IDS[0],
                    },
                );
            }
            Script::ClubLight => {
                let joiner = (0..20)
                    .map(|_| self.rng.below(self.people.len() as u64) as u32)
                    .find(|u| self.people.club_level(*u) == 0);
                match joiner {
                    Some(user) => self.combo(at, user, GIFT_CLUB_LIGHT, None),
                    None => {
                        // Everyone is in the club already: a member levels up instead.
                        let user = self.chat_zipf.sample(&mut self.rng) as u32;
                        let level = (self.people.club_level(user) + 1).min(20);
                        self.people.set_club_level(user, level);
                        self.push(
                            at,
                            Ev::Fansclub {
                                user,
                                level,
                                join: false,
                            },
                        );
                    }
                }
            }
            Script::HeartComboNoEnd => {
                let user = self.chat_zipf.sample(&mut self.rng) as u32;
                let n = self.rng.range(6, 20);
                self.combo(at, user, GIFT_HEART, Some((n, true)));
            }
            Script::RoseCombo => {
                let user = self.chat_zipf.sample(&mut self.rng) as u32;
                let n = self.rng.range(3, 9);
                self.combo(at, user, GIFT_ROSE, Some((n, false)));
            }
        }
    }

    /// Builds every event due before `t1`, as (message, its own event time if it has one).
    fn pop_due(&mut self, t1: u64) -> Vec<(Message, Option<u64>)> {
        let mut out = Vec::new();
        while self.queue.peek().is_some_and(|q| q.at < t1) {
            if let Some(q) = self.queue.pop() {
                if let Some(m) = self.build(q.at, q.ev) {
                    out.push(m);
                }
            }
        }
        out
    }

    fn build(&mut self, at: u64, ev: Ev) -> Option<(Message, Option<u64>)> {
        let id = self.next_id(at);
        let (method, payload, time) = match ev {
            Ev::Chat {
                user,
                text,
                passphrase,
            } => self.chat_message(id, at, user, text, passphrase),
            Ev::Battle(ev) => self.battle_message(id, at, ev),
            Ev::Emoji { user, emoji } => self.emoji_message(id, at, user, emoji),
            Ev::Like { user, count } => self.like_message(id, user, count),
            Ev::Member { user } => self.member_message(id, at, user),
            Ev::Social { user, action } => self.social_message(id, at, user, action),
            Ev::Fansclub { user, level, join } => self.fansclub_message(id, at, user, level, join),
            Ev::Gift(g) => (GIFT, self.gift_payload(id, at, g), stamped(at)),
            Ev::UserSeq => self.user_seq_message(id, at),
            Ev::Stats { cumulative } => self.stats_message(id, at, cumulative),
            Ev::Rank => self.rank_message(id, at)?,
            Ev::Other(method) => self.other_message(id, at, method),
        };
        Some((
            Message {
                method: method.into(),
                payload,
                msg_id: id,
            },
            time,
        ))
    }
}

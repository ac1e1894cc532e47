//! The session timeline: who chats, likes, enters, follows and gifts when, with bursts,
//! reconnects and the history replay, turned into Douyin messages and frames.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::io::{self, Write};

use prost::Message as _;

use super::people::People;
use super::phrases::{
    Gift, EMOJI_IDS, GIFTS, GIFT_BIG_FROM, GIFT_CLUB_LIGHT, GIFT_HEART, GIFT_ROSE, HYPE, LOTTERY,
    PHRASES, SPAM, STICKERS, THANKS,
};
use super::rng::{mix, sin, Rng, Zipf};
use super::truth::{Kind, Tally, Truth};
use super::wire::{header, Body, Frame, Sink};
use super::SimConfig;
use crate::proto::webcast::{
    ChatMessage, Common, ControlMessage, EmojiChatMessage, FansclubMessage, GiftMessage,
    GiftStruct, HeaderEntry, LikeMessage, MemberMessage, Message, Response, RoomRank,
    RoomRankMessage, RoomStatsMessage, RoomUserSeqMessage, SocialMessage, Text,
};

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

/// The common shape of the messages in `OTHER`.
#[derive(Clone, PartialEq, prost::Message)]
struct OtherMessage {
    #[prost(message, optional, tag = "1")]
    common: Option<Common>,
    #[prost(string, tag = "2")]
    data: String,
}

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
    Chat { user: u32, text: String },
    Emoji { user: u32, emoji: u64 },
    Like { user: u32, count: u64 },
    Member { user: u32 },
    Social { user: u32, action: u64 },
    Fansclub { user: u32, level: u8, join: bool },
    Gift(GiftEv),
    UserSeq,
    Stats,
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

/// Shows a count as the client does: "9876", "1.2万".
fn fmt_count(n: u64) -> String {
    if n >= 10_000 {
        format!("{}.{}万", n / 10_000, (n % 10_000) / 1_000)
    } else {
        n.to_string()
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

    like_total: u64,
    follow_count: u64,
    share_count: u64,
    club_members: u64,
    total_user: u64,
    arrivals: u64,
    next_user_seq: u64,
    next_stats: u64,
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
        let minutes = f64::from(cfg.minutes);
        let pool = (viewers * (1.0 + minutes / STAY_MIN)).ceil() as usize;
        let people = People::new(cfg.seed, pool);
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
            like_total: 0,
            follow_count: 0,
            share_count: 0,
            club_members: 0,
            total_user: 0,
            arrivals: 0,
            next_user_seq: hist_from + rng.range(2_000, 8_000),
            next_stats: start + rng.range(20_000, 40_000),
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

    pub(crate) fn run(mut self) -> io::Result<Truth> {
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
        self.bare("close", close_at)?;

        let bursts = self.burst_truth();
        self.sink.finish()?;
        let mut truth = self.tally.finish(&self.people);
        truth.bursts = bursts;
        Ok(truth)
    }

    /// The bursts as the truth tells them, with the lines each injected (see `chat_line`).
    fn burst_truth(&self) -> Vec<super::BurstTruth> {
        self.bursts
            .iter()
            .map(|b| {
                let (kind, topic): (&str, Vec<String>) = match b.kind {
                    BurstKind::Lottery => ("lottery", vec![self.lottery.to_string()]),
                    BurstKind::Hype => ("hype", HYPE.iter().map(|l| l.to_string()).collect()),
                    BurstKind::BigGift => {
                        let name = b
                            .gifter
                            .map(|g| self.people.nickname(g))
                            .unwrap_or_else(|| "大哥".into());
                        let lines = THANKS.iter().map(|l| l.replace("{}", &name)).collect();
                        ("big_gift", lines)
                    }
                };
                super::BurstTruth {
                    kind: kind.into(),
                    start_ms: b.start,
                    end_ms: b.end,
                    topic,
                }
            })
            .collect()
    }

    /// A frame time `lo..=hi` ms after `base`, as `slot` allows.
    fn slot_after(&mut self, base: u64, lo: u64, hi: u64) -> u64 {
        let d = self.rng.range(lo, hi);
        self.slot(base + d)
    }

    /// Takes the next frame time: at least `want`, and `FRAME_GAP_MS` after the previous frame.
    fn slot(&mut self, want: u64) -> u64 {
        let t = want.max(self.last_frame_at + FRAME_GAP_MS);
        self.last_frame_at = t;
        t
    }

    /// Sends everything due before `t1` in one frame stamped `t1`.
    fn deliver(&mut self, t1: u64) -> io::Result<()> {
        let due = self.pop_due(t1);
        if !due.is_empty() {
            let now = self.slot(t1);
            self.send(now, due)?;
        }
        Ok(())
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

    /// How far into a burst `t` is (0 outside, 1 at the plateau) and which burst.
    fn burst_at(&self, t: u64) -> (f64, Option<usize>) {
        for (i, b) in self.bursts.iter().enumerate() {
            if t >= b.start && t < b.end {
                let dur = (b.end - b.start).max(1) as f64;
                let up = ((t - b.start) as f64 / (0.1 * dur)).min(1.0);
                let down = ((b.end - t) as f64 / (0.3 * dur)).min(1.0);
                return (up.min(down), Some(i));
            }
        }
        (0.0, None)
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

        let n = self
            .rng
            .poisson(online * CHAT_RATE * dt * chat_mult * self.chat_scale);
        for _ in 0..n {
            let at = a + self.rng.below(span);
            let (user, text) = self.chat_line(at, burst, level);
            self.push(at, Ev::Chat { user, text });
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
            self.push(at, Ev::UserSeq);
            self.next_user_seq = at + self.rng.range(10_000, 20_000);
        }
        while self.next_stats < b {
            let at = self.next_stats.max(a);
            self.push(at, Ev::Stats);
            self.next_stats = at + self.rng.range(30_000, 60_000);
        }
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
                let (user, text) = self.chat_line(at, None, 0.0);
                self.push(at, Ev::Chat { user, text });
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

    fn non_follower(&mut self) -> Option<u32> {
        (0..8)
            .map(|_| self.rng.below(self.people.len() as u64) as u32)
            .find(|u| !self.people.follows(*u))
    }

    /// An active chatter free to chat at `at` (Zipf by activity, under the rate limit).
    fn chatter(&mut self, at: u64) -> u32 {
        for _ in 0..6 {
            let u = self.chat_zipf.sample(&mut self.rng);
            let last = self.last_chat[u];
            if last == u64::MAX || last.saturating_add(CHAT_GAP_MS) <= at {
                return u as u32;
            }
        }
        self.rng.below(self.chatters as u64) as u32
    }

    fn chat_line(&mut self, at: u64, burst: Option<usize>, level: f64) -> (u32, String) {
        let kind = burst.map(|i| (self.bursts[i].kind, self.bursts[i].gifter));
        let (user, text) = match kind {
            Some((BurstKind::Lottery, _)) if self.rng.chance(0.65 * level) => {
                // Lurkers join in to enter the lottery, not just the regulars.
                let user = self.rng.below(self.people.len() as u64) as u32;
                let mut text = self.lottery.to_string();
                if self.rng.chance(0.1) {
                    text.push_str(self.rng.pick(STICKERS));
                }
                (user, text)
            }
            Some((BurstKind::BigGift, gifter)) if self.rng.chance(0.45 * level) => {
                let user = self.chatter(at);
                let name = gifter
                    .map(|g| self.people.nickname(g))
                    .unwrap_or_else(|| "大哥".into());
                (user, self.rng.pick(THANKS).replace("{}", &name))
            }
            Some((BurstKind::Hype, _)) if self.rng.chance(0.5 * level) => {
                let user = self.chatter(at);
                (user, self.rng.pick(HYPE).to_string())
            }
            _ => {
                let user = self.chatter(at);
                let spam = self
                    .spammers
                    .iter()
                    .find(|(u, _)| *u == user)
                    .map(|(_, s)| *s);
                match spam {
                    Some(line) if self.rng.chance(0.6) => (user, line.to_string()),
                    _ => (user, self.everyday_text()),
                }
            }
        };
        if let Some(last) = self.last_chat.get_mut(user as usize) {
            *last = at;
        }
        (user, text)
    }

    /// A phrase, with a sticker code in about a fifth of messages.
    fn everyday_text(&mut self) -> String {
        if self.rng.chance(0.07) {
            let s = self.rng.pick(STICKERS);
            if self.rng.chance(0.3) {
                return format!("{s}{}", self.rng.pick(STICKERS));
            }
            return s.repeat(self.rng.range(1, 4) as usize);
        }
        let mut text = self.rng.pick(PHRASES).to_string();
        if self.rng.chance(0.14) {
            let stickers = self
                .rng
                .pick(STICKERS)
                .repeat(self.rng.range(1, 3) as usize);
            if self.rng.chance(0.7) {
                text.push_str(&stickers);
            } else {
                text.insert_str(0, &stickers);
            }
        }
        if self.rng.chance(0.03) {
            text.push_str(self.rng.pick(&["!!!", "！！！", "？", "~", "2026"]));
        }
        text
    }

    fn choose_gift(&mut self, user: u32) -> usize {
        let whale = self.people.is_whale(user);
        let weights: Vec<f64> = GIFTS
            .iter()
            .map(|g| {
                if whale && g.diamonds >= 52 {
                    g.weight * 8.0
                } else {
                    g.weight
                }
            })
            .collect();
        let gift = self.rng.weighted(&weights);
        if gift == GIFT_CLUB_LIGHT && self.people.club_level(user) > 0 {
            GIFT_HEART
        } else {
            gift
        }
    }

    fn repeat_for(&mut self, g: &Gift) -> u64 {
        if g.diamonds <= 1 {
            let mut n = 1 + self.rng.exponential(6.0) as u64;
            if self.rng.chance(0.06) {
                n = n * 5 + 20;
            }
            n.min(520)
        } else {
            (1 + self.rng.exponential(2.0) as u64).min(99)
        }
    }

    /// Schedules a gift combo: rising updates under one group id, then (usually) an end update.
    fn combo(&mut self, at: u64, user: u32, gift: usize, forced: Option<(u64, bool)>) {
        let g = &GIFTS[gift];
        let group_id = self.next_id(at);
        let (n, drop_end) = match forced {
            Some(f) => f,
            None => {
                let n = if g.combo { self.repeat_for(g) } else { 1 };
                (n, self.rng.chance(0.2))
            }
        };
        let group_count = if g.combo && g.diamonds <= 10 && forced.is_none() {
            [1, 10, 66, 99, 188][self.rng.weighted(&[0.9, 0.04, 0.03, 0.02, 0.01])]
        } else {
            1
        };
        let ev = GiftEv {
            user,
            gift,
            group_id,
            group_count,
            repeat: 1,
            end: false,
        };
        let mut t = at;
        if g.combo {
            let mut c = 0;
            loop {
                // The server batches clicks, so some counts are skipped.
                let step = if c > 0 && self.rng.chance(0.35) {
                    self.rng.range(2, 4)
                } else {
                    1
                };
                c = (c + step).min(n);
                self.gift_update(t, GiftEv { repeat: c, ..ev });
                if c >= n {
                    break;
                }
                t += self.rng.range(250, 700);
            }
            if !drop_end {
                t += self.rng.range(400, 1_500);
                self.gift_update(
                    t,
                    GiftEv {
                        repeat: n,
                        end: true,
                        ..ev
                    },
                );
            }
        } else {
            self.gift_update(
                t,
                GiftEv {
                    end: !drop_end,
                    ..ev
                },
            );
        }
        if gift == GIFT_CLUB_LIGHT && self.people.club_level(user) == 0 {
            self.people.set_club_level(user, 1);
            let at = t + self.rng.range(300, 800);
            self.push(
                at,
                Ev::Fansclub {
                    user,
                    level: 1,
                    join: true,
                },
            );
        } else if g.diamonds >= 52 && self.people.club_level(user) > 0 && self.rng.chance(0.3) {
            let level = (self.people.club_level(user) + 1).min(20);
            self.people.set_club_level(user, level);
            let at = t + self.rng.range(300, 800);
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

    fn gift_update(&mut self, at: u64, ev: GiftEv) {
        self.push(at, Ev::Gift(ev));
        if self.rng.chance(0.03) {
            // The same update again under a new msg_id, as the server sometimes does.
            let again = at + self.rng.range(30, 300);
            self.push(again, Ev::Gift(ev));
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
        // Chat, like and member carry no create_time (0 below); the rest carry it in ms. A zero
        // time means "use the frame's now", for decoders and the truth alike.
        let stamped = (at != 0).then_some(at);
        let (method, payload, time) = match ev {
            Ev::Chat { user, text } => {
                let head = ChatMessage {
                    common: Some(self.common(CHAT, id, 0, String::new())),
                    ..Default::default()
                };
                let tail = ChatMessage {
                    content: text,
                    event_time: at / 1000,
                    ..Default::default()
                };
                self.tally.chat(user);
                (
                    CHAT,
                    splice(&head, 2, self.people.user_bytes(user), &tail),
                    Some(at / 1000 * 1000),
                )
            }
            Ev::Like { user, count } => {
                self.like_total += count;
                let head = LikeMessage {
                    common: Some(self.common(LIKE, id, 0, String::new())),
                    count,
                    total: self.like_total,
                    ..Default::default()
                };
                self.tally.like(count);
                (
                    LIKE,
                    splice(
                        &head,
                        5,
                        self.people.user_bytes(user),
                        &LikeMessage::default(),
                    ),
                    None,
                )
            }
            Ev::Member { user } => {
                self.total_user += 1;
                let head = MemberMessage {
                    common: Some(self.common(MEMBER, id, 0, String::new())),
                    ..Default::default()
                };
                let tail = MemberMessage {
                    member_count: (self.online(at) + 0.5) as u64,
                    action: 1,
                    ..Default::default()
                };
                self.tally.message(Kind::Member);
                (
                    MEMBER,
                    splice(&head, 2, self.people.user_bytes(user), &tail),
                    None,
                )
            }
            Ev::Social { user, action } => {
                let nick = self.people.nickname(user);
                let (describe, tail) = if action == 1 {
                    self.follow_count += 1;
                    let tail = SocialMessage {
                        action,
                        follow_count: self.follow_count,
                        ..Default::default()
                    };
                    (format!("{nick} 关注了主播"), tail)
                } else {
                    self.share_count += 1;
                    let tail = SocialMessage {
                        share_type: 1,
                        action,
                        share_target: "101".into(),
                        share_count: self.share_count,
                        ..Default::default()
                    };
                    (format!("{nick} 分享了直播间"), tail)
                };
                let head = SocialMessage {
                    common: Some(self.common(SOCIAL, id, at, describe)),
                    ..Default::default()
                };
                self.tally.social(action);
                (
                    SOCIAL,
                    splice(&head, 2, self.people.user_bytes(user), &tail),
                    stamped,
                )
            }
            Ev::Fansclub { user, level, join } => {
                let nick = self.people.nickname(user);
                let (kind, content) = if join {
                    self.club_members += 1;
                    (
                        2,
                        format!("恭喜 {nick} 成为第{}名粉丝团成员", self.club_members),
                    )
                } else {
                    (1, format!("恭喜 {nick} 的粉丝团等级升级到{level}级"))
                };
                let head = FansclubMessage {
                    common: Some(self.common(FANSCLUB, id, at, String::new())),
                    r#type: kind,
                    content,
                    ..Default::default()
                };
                self.tally.message(Kind::Fansclub);
                (
                    FANSCLUB,
                    splice(
                        &head,
                        4,
                        self.people.user_bytes(user),
                        &FansclubMessage::default(),
                    ),
                    stamped,
                )
            }
            Ev::Emoji { user, emoji } => {
                let head = EmojiChatMessage {
                    common: Some(self.common(EMOJI, id, at, String::new())),
                    ..Default::default()
                };
                let tail = EmojiChatMessage {
                    emoji_id: emoji,
                    emoji_content: Some(Text {
                        key: "emoji_chat_default".into(),
                        default_pattern: "{0:image}".into(),
                    }),
                    default_content: "[表情]".into(),
                    ..Default::default()
                };
                self.tally.message(Kind::EmojiChat);
                (
                    EMOJI,
                    splice(&head, 2, self.people.user_bytes(user), &tail),
                    stamped,
                )
            }
            Ev::Gift(g) => (GIFT, self.gift_payload(id, at, g), stamped),
            Ev::UserSeq => {
                let online = self.online(at) * (1.0 + 0.01 * self.rng.normal());
                let total = (online.max(1.0) + 0.5) as u64;
                self.tally.online(total);
                let msg = RoomUserSeqMessage {
                    common: Some(self.common(USER_SEQ, id, at, String::new())),
                    total,
                    total_user: self.total_user,
                    total_user_str: fmt_count(self.total_user),
                    total_str: fmt_count(total),
                };
                (USER_SEQ, msg.encode_to_vec(), stamped)
            }
            Ev::Stats => {
                let online = (self.online(at) + 0.5) as u64;
                let short = fmt_count(online);
                let msg = RoomStatsMessage {
                    common: Some(self.common(STATS, id, at, String::new())),
                    display_middle: short.clone(),
                    display_long: format!("{short}在线观众"),
                    display_short: short,
                    display_value: online,
                    total: online,
                    display_type: 1,
                };
                self.tally.message(Kind::RoomStats);
                (STATS, msg.encode_to_vec(), stamped)
            }
            Ev::Rank => {
                let top = self.tally.top_gifters(&self.people, 3);
                if top.is_empty() {
                    return None;
                }
                let ranks = top
                    .into_iter()
                    .map(|(u, d)| RoomRank {
                        user: Some(self.people.user(u)),
                        score_str: fmt_count(d),
                        profile_hidden: false,
                    })
                    .collect();
                let msg = RoomRankMessage {
                    common: Some(self.common(RANK, id, at, String::new())),
                    ranks,
                };
                self.tally.message(Kind::RoomRank);
                (RANK, msg.encode_to_vec(), stamped)
            }
            Ev::Other(method) => {
                let data = format!(
                    "{{\"now_millis\":{at},\"room_id\":\"{}\"}}",
                    self.cfg.room_id
                );
                let msg = OtherMessage {
                    common: Some(self.common(method, id, at, String::new())),
                    data,
                };
                self.tally.message(Kind::Other);
                (method, msg.encode_to_vec(), stamped)
            }
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

    fn gift_payload(&mut self, id: u64, at: u64, g: GiftEv) -> Vec<u8> {
        let gift = &GIFTS[g.gift];
        let units = g.repeat * g.group_count;
        let describe = format!(
            "{}:送给主播 {units}个{}",
            self.people.nickname(g.user),
            gift.name
        );
        let head = GiftMessage {
            common: Some(self.common(GIFT, id, at, describe)),
            gift_id: gift.id,
            fan_ticket_count: units * u64::from(gift.diamonds),
            group_count: g.group_count,
            repeat_count: g.repeat,
            combo_count: g.repeat,
            ..Default::default()
        };
        let trace = self.next_id(at);
        let tail = GiftMessage {
            to_user: Some(self.people.anchor.clone()),
            repeat_end: u32::from(g.end),
            group_id: g.group_id,
            gift: Some(GiftStruct {
                describe: format!("送出{}", gift.name),
                duration: 1000,
                id: gift.id,
                for_fansclub: g.gift == GIFT_CLUB_LIGHT,
                combo: gift.combo,
                r#type: if gift.combo { 1 } else { 2 },
                diamond_count: gift.diamonds,
                name: gift.name.into(),
            }),
            total_count: units,
            trace_id: trace.to_string(),
            ..Default::default()
        };
        self.tally.gift(
            g.group_id,
            g.user,
            u64::from(gift.diamonds),
            g.group_count,
            g.repeat,
        );
        splice(&head, 7, self.people.user_bytes(g.user), &tail)
    }

    fn headers_and_response(
        &mut self,
        now: u64,
        messages: Vec<Message>,
    ) -> (Vec<HeaderEntry>, Response) {
        let cursor = format!("t-{now}_r-{}_d-1_u-1", self.next_id(now));
        let wrds = self.next_id(now);
        let internal_ext = format!(
            "internal_src:pushserver|first_req_ms:{}|wss_msg_type:r|wrds_v:{wrds}",
            self.first_req_ms
        );
        let headers = vec![
            header("compress_type", "gzip".into()),
            header("im-internal_ext", internal_ext.clone()),
            header("im-cursor", cursor.clone()),
            header("im-now", now.to_string()),
            header("im-live_cursor", "d-1_u-1".into()),
        ];
        let response = Response {
            messages,
            cursor,
            fetch_interval: 0,
            now,
            internal_ext,
            heartbeat_duration: 15,
            need_ack: true,
        };
        (headers, response)
    }

    fn push_frame(&mut self, now: u64, headers: Vec<HeaderEntry>, body: Body) -> io::Result<()> {
        self.seq_id += 1;
        let frame = Frame {
            seq_id: self.seq_id,
            log_id: self.rng.next_u64() >> 1,
            received_at_ms: now + self.rng.range(5, 80),
            headers,
            body,
        };
        self.sink.push(frame)
    }

    /// Sends first deliveries in one "msg" frame stamped `now`.
    fn send(&mut self, now: u64, items: Vec<(Message, Option<u64>)>) -> io::Result<()> {
        let retain = self
            .reconnects
            .front()
            .is_some_and(|r| now + RECENT_MS >= *r);
        let mut messages = Vec::with_capacity(items.len());
        for (m, time) in items {
            self.tally.event_time(time.unwrap_or(now));
            if retain {
                self.recent.push_back((now, m.clone()));
            }
            messages.push(m);
        }
        while self
            .recent
            .front()
            .is_some_and(|(t, _)| t + RECENT_MS < now)
        {
            self.recent.pop_front();
        }
        self.tally.frame("msg", messages.len() as u64, 0);
        let (headers, response) = self.headers_and_response(now, messages);
        self.push_frame(now, headers, Body::Msg(response))
    }

    fn bare(&mut self, kind: &'static str, at: u64) -> io::Result<()> {
        self.tally.frame(kind, 0, 0);
        self.push_frame(at, Vec::new(), Body::Bare(kind))
    }

    fn heartbeats(&mut self, upto: u64) -> io::Result<()> {
        while self.next_hb <= upto {
            let at = self.slot(self.next_hb);
            self.bare("hb", at)?;
            self.next_hb = at + self.rng.range(9_500, 10_500);
        }
        Ok(())
    }

    /// The connection drops at `t0`; the new one first gets the last 5–10 s again.
    fn reconnect(&mut self, t0: u64) -> io::Result<()> {
        self.reconnects.pop_front();
        let gap = self.rng.range(1_000, 3_000);
        let cutoff = t0.saturating_sub(self.rng.range(5_000, 10_000));
        let mut replay: Vec<Message> = self
            .recent
            .iter()
            .filter(|(t, _)| *t >= cutoff)
            .map(|(_, m)| m.clone())
            .collect();
        if replay.len() < 3 {
            // A quiet room still gets its last few messages back.
            let skip = self.recent.len().saturating_sub(3);
            replay = self
                .recent
                .iter()
                .skip(skip)
                .map(|(_, m)| m.clone())
                .collect();
        }
        self.recent.clear();
        let connected = t0 + gap;
        self.first_req_ms = connected.saturating_sub(self.rng.range(100, 400));
        let mut now = self.slot(connected);
        while !replay.is_empty() {
            let rest = replay.split_off(replay.len().min(50));
            let n = replay.len() as u64;
            self.tally.frame("msg", n, n);
            let (headers, response) = self.headers_and_response(now, replay);
            self.push_frame(now, headers, Body::Msg(response))?;
            replay = rest;
            if !replay.is_empty() {
                now = self.slot_after(now, 10, 60);
            }
        }
        self.next_hb = now + self.rng.range(9_500, 10_500);
        Ok(())
    }
}

//! A series of simulated sessions: several rooms live on several days, each room with an
//! audience that comes back (a share of a session's viewers are people of the room's earlier
//! sessions), some sessions ending with the stream-end message and others just stopping; with
//! the per-session truth a session splitter must reproduce.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::people::Audience;
use super::rng::{mix, Rng};
use super::session::{pool_size, Session};
use super::truth::Seen;
use super::{SessionEnd, SimConfig};

const DAY_MS: u64 = 86_400_000;
const MINUTE_MS: u64 = 60_000;
/// A session that just stops is followed by the room's next one at least this much later, so
/// any `--gap` up to it splits them.
pub const STOP_SPACING_MS: u64 = 120 * MINUTE_MS;
/// A restart after a stream end comes this many minutes after it: closer than the default
/// 30-minute gap, so only the stream-end message tells the two sessions apart.
const RESTART_MIN: (u64, u64) = (8, 20);
/// Loyal viewers listed in the truth.
const LOYAL: usize = 20;

/// What series to simulate: `days` days of `rooms` rooms, around `minutes` long with around
/// `viewers` viewers each (every session varies a little).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesConfig {
    pub rooms: u32,
    pub days: u32,
    pub minutes: u32,
    pub viewers: u32,
    pub seed: u64,
    /// The first room's id; the others follow it (+1, +2 …).
    pub room_id: u64,
    /// The first day's evening, ms since the Unix epoch; room `r` goes live about 47·r minutes
    /// later.
    pub start_ms: u64,
}

impl Default for SeriesConfig {
    fn default() -> Self {
        let one = SimConfig::default();
        SeriesConfig {
            rooms: 3,
            days: 4,
            minutes: one.minutes,
            viewers: one.viewers,
            seed: one.seed,
            room_id: one.room_id,
            start_ms: one.start_ms,
        }
    }
}

/// One simulated session, as a session splitter must report it. Chat, gifts and diamonds are
/// counted as in [`super::Truth`]: re-delivered messages once, a gift combo once at its final
/// count. A chatter (gifter) is returning when they chatted (gifted) in an earlier session of
/// the same room.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct SessionTruth {
    /// The capture file holding it.
    pub file: String,
    /// Decimal room id.
    pub room_id: String,
    /// 1 for the room's first session, 2 for its second …
    pub room_session: u32,
    /// Earliest and latest event time (ms) of the decoded events, a gift combo at the time of
    /// its highest update (the one a decoder keeps).
    pub start_ms: u64,
    pub end_ms: u64,
    /// Whether it ends with the stream-end control message (else the capture just stops).
    pub stream_end: bool,
    pub chat: u64,
    pub chatters: u64,
    pub returning_chatters: u64,
    /// Gift combos.
    pub gifts: u64,
    pub gifters: u64,
    pub returning_gifters: u64,
    pub diamonds: u64,
    pub follows: u64,
    /// Highest and mean viewer count of the room_user_seq and room_stats messages.
    pub viewers_peak: u64,
    pub viewers_mean: f64,
    /// The session's audience funnel (see `Truth::funnel`).
    #[serde(default)]
    pub funnel: super::truth::FunnelTruth,
}

/// Of a room's session `cohort`'s chatters (gifters), how many chatted (gifted) again in its
/// session `later`; one entry per pair of sessions of a room.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RetainedTruth {
    pub room_id: String,
    pub cohort: u32,
    pub later: u32,
    pub chatters: u64,
    pub gifters: u64,
}

/// A viewer by the number of sessions they chatted in (any room); ties by chat messages,
/// then user id ascending.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct LoyalTruth {
    pub user_id: String,
    pub user_name: String,
    pub sessions: u64,
    pub messages: u64,
}

/// What a series generated: its sessions by room and start, retention and loyal viewers.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct SeriesTruth {
    pub sessions: Vec<SessionTruth>,
    pub retention: Vec<RetainedTruth>,
    pub loyal: Vec<LoyalTruth>,
}

/// Who chatted and who gifted in a session, by user id.
type Met = (HashSet<u64>, HashSet<u64>);

/// A room's audience over its sessions.
struct Room {
    id: u64,
    /// Seeds who each person of the room's population is.
    seed: u64,
    /// Everyone who was in a session so far.
    population: Vec<u32>,
    next: u32,
    /// (chatters, gifters) of each session so far.
    sessions: Vec<Met>,
}

impl Room {
    /// A session's pool of `n`: the most active tenth mostly regulars, the rest partly.
    fn audience(&mut self, rng: &mut Rng, n: usize) -> Audience {
        let mut used = HashSet::with_capacity(n);
        let mut who = Vec::with_capacity(n);
        let mut fresh = Vec::new();
        for i in 0..n {
            let share = if i < n / 10 { 0.8 } else { 0.5 };
            let mut person = None;
            if !self.population.is_empty() && rng.chance(share) {
                for _ in 0..8 {
                    let p = self.population[rng.below(self.population.len() as u64) as usize];
                    if used.insert(p) {
                        person = Some(p);
                        break;
                    }
                }
            }
            let p = person.unwrap_or_else(|| {
                let p = self.next;
                self.next += 1;
                used.insert(p);
                fresh.push(p);
                p
            });
            who.push(p);
        }
        self.population.extend(fresh);
        Audience {
            seed: self.seed,
            who,
        }
    }
}

/// Writes every session of the series, each to the writer `open(file name)` gives, and returns
/// what was generated. The same config gives the same bytes.
pub fn series<W: Write>(
    cfg: &SeriesConfig,
    mut open: impl FnMut(&str) -> io::Result<W>,
) -> io::Result<SeriesTruth> {
    let mut rng = Rng::new(mix(cfg.seed, 0x5345_5249_4553));
    let mut sessions = Vec::new();
    let mut retention = Vec::new();
    // user id → (name, sessions, messages)
    let mut loyal: HashMap<u64, (String, u64, u64)> = HashMap::new();
    for r in 0..cfg.rooms {
        let mut room = Room {
            id: cfg.room_id.wrapping_add(u64::from(r)),
            seed: mix(cfg.seed, 0x524F_4F4D_0000 + u64::from(r)),
            population: Vec::new(),
            next: 0,
            sessions: Vec::new(),
        };
        // When the room's previous session ended.
        let mut last: Option<u64> = None;
        for d in 0..cfg.days {
            let day = cfg.start_ms + u64::from(d) * DAY_MS + u64::from(r) * 47 * MINUTE_MS;
            let planned = day + rng.below(20 * MINUTE_MS);
            // Fixed patterns rather than chance, so every series of 3 or more sessions in a
            // room has both endings and a restart.
            let stream_end = (d + r) % 3 != 1;
            let restart = stream_end && (d + 2 * r) % 4 == 0;
            // (planned start, or None for a restart minutes after the stream end before it)
            let mut plan = vec![(Some(planned), stream_end, "")];
            if restart {
                plan.push((None, true, "-2"));
            }
            for (planned, stream_end, suffix) in plan {
                let start = match (planned, last) {
                    (None, Some(end)) => end + rng.range(RESTART_MIN.0, RESTART_MIN.1) * MINUTE_MS,
                    (Some(p), Some(end)) => p.max(end + STOP_SPACING_MS),
                    (p, None) => p.unwrap_or(day),
                };
                let file = format!("room{}-day{}{suffix}.dmcap", r + 1, d + 1);
                let (truth, seen) = one(
                    cfg, &mut rng, &mut room, start, stream_end, &file, &mut open,
                )?;
                last = Some(truth.end_ms);
                for (id, name, n) in &seen.chatters {
                    let e = loyal.entry(*id).or_insert((String::new(), 0, 0));
                    e.0.clone_from(name);
                    e.1 += 1;
                    e.2 += n;
                }
                sessions.push(truth);
            }
        }
        for (i, (ci, gi)) in room.sessions.iter().enumerate() {
            for (j, (cj, gj)) in room.sessions.iter().enumerate().skip(i + 1) {
                retention.push(RetainedTruth {
                    room_id: room.id.to_string(),
                    cohort: i as u32 + 1,
                    later: j as u32 + 1,
                    chatters: ci.intersection(cj).count() as u64,
                    gifters: gi.intersection(gj).count() as u64,
                });
            }
        }
    }
    let mut loyal: Vec<(u64, (String, u64, u64))> = loyal.into_iter().collect();
    loyal.sort_by_key(|(id, (_, s, m))| (std::cmp::Reverse(*s), std::cmp::Reverse(*m), *id));
    let loyal = loyal
        .into_iter()
        .take(LOYAL)
        .map(|(id, (user_name, sessions, messages))| LoyalTruth {
            user_id: id.to_string(),
            user_name,
            sessions,
            messages,
        })
        .collect();
    Ok(SeriesTruth {
        sessions,
        retention,
        loyal,
    })
}

/// Simulates one session of `room` starting at `start`.
fn one<W: Write>(
    cfg: &SeriesConfig,
    rng: &mut Rng,
    room: &mut Room,
    start: u64,
    stream_end: bool,
    file: &str,
    open: &mut impl FnMut(&str) -> io::Result<W>,
) -> io::Result<(SessionTruth, Seen)> {
    let vary = |rng: &mut Rng, v: u32| (f64::from(v) * rng.uniform(0.8, 1.2)).round() as u32;
    let minutes = vary(rng, cfg.minutes);
    let viewers = vary(rng, cfg.viewers).max(1);
    let k = room.sessions.len() as u64;
    let mut sim = SimConfig {
        minutes,
        viewers,
        seed: mix(mix(cfg.seed, room.id), k),
        room_id: room.id,
        start_ms: start,
        audience: None,
        end: if stream_end {
            SessionEnd::StreamEnd
        } else {
            SessionEnd::Stop
        },
        stats_only: false,
    };
    sim.audience = Some(room.audience(rng, pool_size(&sim)));
    let (truth, seen) = Session::new(&sim, open(file)?)?.run()?;
    let chatters: HashSet<u64> = seen.chatters.iter().map(|c| c.0).collect();
    let gifters: HashSet<u64> = seen.gifters.iter().copied().collect();
    let earlier = |pick: fn(&Met) -> &HashSet<u64>, now: &HashSet<u64>| {
        now.iter()
            .filter(|u| room.sessions.iter().any(|s| pick(s).contains(u)))
            .count() as u64
    };
    let counts: &BTreeMap<String, u64> = &truth.counts;
    let st = SessionTruth {
        file: file.to_string(),
        room_id: room.id.to_string(),
        room_session: k as u32 + 1,
        start_ms: seen.start_ms,
        end_ms: seen.end_ms,
        stream_end,
        chat: counts.get("chat").copied().unwrap_or(0),
        chatters: chatters.len() as u64,
        returning_chatters: earlier(|s| &s.0, &chatters),
        gifts: truth.combos,
        gifters: gifters.len() as u64,
        returning_gifters: earlier(|s| &s.1, &gifters),
        diamonds: truth.diamonds_total,
        follows: truth.follows,
        viewers_peak: seen.viewers_peak,
        viewers_mean: seen.viewers_mean,
        funnel: truth.funnel.clone(),
    };
    room.sessions.push((chatters, gifters));
    Ok((st, seen))
}

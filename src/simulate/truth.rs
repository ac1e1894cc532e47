//! The ground truth of a simulated session (what a correct decoder must report), tallied while
//! the session is generated rather than by decoding the output.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::people::People;
pub(crate) use crate::event::Kind;

/// What a correct decoder reports for a simulated capture.
///
/// Duplicates are re-deliveries of an already-sent `(room_id, msg_id)`; every figure except
/// `messages_sent` and `duplicates` leaves them out. The history replayed on connecting is not a
/// duplicate (it was never sent before), so `start_ms` is about 10 s before `SimConfig::start_ms`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Truth {
    /// Capture records written.
    pub records: u64,
    /// Frames by `PushFrame.payload_type`: "msg", "hb", "close".
    pub frames: BTreeMap<String, u64>,
    /// `Message`s in all frames, duplicates included.
    pub messages_sent: u64,
    /// Messages whose `(room_id, msg_id)` had already been sent.
    pub duplicates: u64,
    /// Distinct messages by kind (chat, emoji_chat, gift, like, member, social, fansclub,
    /// room_user_seq, room_stats, room_rank, control, battle, other); only kinds that occur. `gift`
    /// counts combos (one gift event per `group_id`), not updates.
    pub counts: BTreeMap<String, u64>,
    /// Distinct `GiftMessage`s (after msg_id de-duplication), combo updates included.
    pub gift_updates: u64,
    /// Gift combos, equal to `counts["gift"]`.
    pub combos: u64,
    /// Σ over combos of max repeat_count × group_count × diamond_count.
    pub diamonds_total: u64,
    /// Σ over combos of max repeat_count × group_count.
    pub gift_units_total: u64,
    /// Σ of `LikeMessage.count`.
    pub likes_total: u64,
    /// Social messages with action 1.
    pub follows: u64,
    /// Social messages with action 3.
    pub shares: u64,
    /// Distinct user ids among chat messages.
    pub distinct_chatters: u64,
    /// Highest viewer count: of `RoomUserSeqMessage.total`, and of the online counts of
    /// `RoomStatsMessage`s sent in a minute without a RoomUserSeqMessage (the rule of
    /// `analysis::viewers`).
    pub online_max: u64,
    /// Top 10 by chat messages; ties by user id ascending (as a number).
    pub top_chatters: Vec<TopChatter>,
    /// Top 10 by diamonds over resolved combos; ties by user id ascending (as a number).
    pub top_gifters: Vec<TopGifter>,
    /// Earliest event time (ms) over distinct messages: chat `event_time`×1000, else
    /// `common.create_time` when nonzero, else the carrying frame's `Response.now`.
    pub start_ms: u64,
    /// Latest event time (ms), defined as `start_ms` is.
    pub end_ms: u64,
    /// The bursts of chat the simulator made, in time order: what a peak detector must find.
    #[serde(default)]
    pub bursts: Vec<BurstTruth>,
    /// The stretches in which the room sent no RoomUserSeqMessage, only RoomStatsMessage
    /// (`SimConfig::stats_only`), in time order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stats_only: Vec<StatsOnlyTruth>,
    /// Distinct chat messages sent by a lucky-bag button (`chat_by` 9): the draw's passphrase.
    #[serde(default)]
    pub passphrases: u64,
    /// The PK battles, in time order.
    #[serde(default)]
    pub battles: Vec<BattleTruth>,
    /// The audience funnel a decoder's events give (the rule of `analysis::funnel`).
    #[serde(default)]
    pub funnel: FunnelTruth,
    /// Diamonds per gifter and their concentration (`analysis::revenue`).
    #[serde(default)]
    pub revenue: RevenueTruth,
}

/// Distinct users per funnel step, and the viewers they are measured against.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct FunnelTruth {
    /// The highest count of viewers since the live began sent (RoomUserSeqMessage's
    /// `total_user`, a RoomStatsMessage's `N人看过`), unless the highest online count or the
    /// users seen are more.
    pub viewers: u64,
    /// `total_viewers`, `online_max` or `users_seen`: which of the three it is.
    pub viewers_source: String,
    /// Users with a member (entry) message.
    pub entered: u64,
    /// Users who chatted, sent an emoji, liked, followed, shared, gifted or joined the fans club.
    pub interacted: u64,
    pub chatted: u64,
    pub liked: u64,
    pub followed: u64,
    /// Users with a fans-club join message or a fans-club light-sign gift.
    pub joined_fans_club: u64,
    pub gifted: u64,
}

/// Revenue over gifters: diamonds of resolved combos. Integers only (JSON keeps them exact);
/// the shares and the Gini follow from them by definition (the methods).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct RevenueTruth {
    pub diamonds: u64,
    pub gifters: u64,
    /// Diamonds of the top gifter, the top 10 and the top ⌈1 %⌉ of gifters (at least one).
    pub top1_diamonds: u64,
    pub top10_diamonds: u64,
    pub top1pct_diamonds: u64,
    /// Σ i·xᵢ over the gifters' diamonds sorted ascending, i from 1.
    pub gini_weighted: u64,
    /// Gifters with at least 5 % of the diamonds, most first (ties by user id).
    pub whales: Vec<WhaleTruth>,
}

impl RevenueTruth {
    /// `part` of all the diamonds.
    pub fn share(&self, part: u64) -> f64 {
        match self.diamonds {
            0 => 0.0,
            d => part as f64 / d as f64,
        }
    }

    /// 2 Σ i·xᵢ / (n Σ x) − (n + 1) / n.
    pub fn gini(&self) -> f64 {
        if self.diamonds == 0 {
            return 0.0;
        }
        let n = self.gifters as f64;
        2.0 * self.gini_weighted as f64 / (n * self.diamonds as f64) - (n + 1.0) / n
    }
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct WhaleTruth {
    /// Decimal user id.
    pub user_id: String,
    pub user_name: String,
    pub diamonds: u64,
}

/// A stretch `[start_ms, end_ms)` without RoomUserSeqMessage: the viewers a timeline shows
/// there come from RoomStatsMessage alone.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct StatsOnlyTruth {
    pub start_ms: u64,
    pub end_ms: u64,
    /// The online counts of the RoomStatsMessages sent in it, as (event time in ms, count), in
    /// time order; those showing viewers since the start (`N人看过`) are not online counts and
    /// are left out.
    pub online: Vec<(u64, u64)>,
    /// RoomStatsMessages sent in it that show viewers since the start.
    pub cumulative: u64,
}

/// A PK battle the simulator sent: a start, score updates, contributor lists and an end, each
/// a `battle` event.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct BattleTruth {
    /// Decimal battle id.
    pub battle_id: String,
    /// `battle_settings.start_time_ms`.
    pub start_ms: u64,
    /// Start + duration: when the end message is sent.
    pub end_ms: u64,
    /// Decimal anchor ids: the room's, then the rival's (the contributor lists' order).
    pub anchors: Vec<String>,
    /// The end's scores, leader first (the room's anchor on a tie): (anchor id, score).
    pub final_scores: Vec<(String, u64)>,
    /// Score updates (link-mic messages of type 202) with this battle's id.
    pub score_updates: u64,
    /// Contributor-list messages sent during it.
    pub contributor_lists: u64,
}

/// A burst the simulator made: chat rises over `[start_ms, end_ms)` (up over its first tenth,
/// down over its last three tenths), and part of it is the burst's own lines.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct BurstTruth {
    /// `big_gift` (thanks after a big gift), `lottery` (everyone sends the passphrase) or
    /// `hype` (cheering a song or a PK).
    pub kind: String,
    pub start_ms: u64,
    pub end_ms: u64,
    /// The topic lines it injected (nicknames filled in): their words should explain the peak.
    pub topic: Vec<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct TopChatter {
    /// Decimal user id.
    pub user_id: String,
    pub user_name: String,
    pub messages: u64,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct TopGifter {
    /// Decimal user id.
    pub user_id: String,
    pub user_name: String,
    pub diamonds: u64,
}

struct Combo {
    user: u32,
    diamonds: u64,
    group_count: u64,
    max_repeat: u64,
    /// When the update with the highest count came: the time a decoder gives the combo.
    at: u64,
}

/// Running bookkeeping; turned into a [`Truth`] at the end.
pub(crate) struct Tally {
    pub(crate) records: u64,
    frames: BTreeMap<String, u64>,
    messages_sent: u64,
    duplicates: u64,
    counts: [u64; Kind::ALL.len()],
    gift_updates: u64,
    combos: HashMap<u64, Combo>,
    /// Diamonds per gifter so far, for the room rank messages.
    gifters: HashMap<u32, u64>,
    likes_total: u64,
    follows: u64,
    shares: u64,
    chats: HashMap<u32, u64>,
    passphrases: u64,
    start_ms: u64,
    end_ms: u64,
    /// Viewer counts sent: (event time in ms, count, from a room_user_seq rather than a
    /// room_stats message), in the order built.
    viewers: Vec<(u64, u64, bool)>,
    /// RoomStatsMessages showing viewers since the start: their event times.
    cumulative: Vec<u64>,
    /// Earliest and latest event time of messages other than gifts.
    other_span: (u64, u64),
    /// Who did what, for the funnel.
    members: HashSet<u32>,
    likers: HashSet<u32>,
    followers: HashSet<u32>,
    sharers: HashSet<u32>,
    emoji: HashSet<u32>,
    club: HashSet<u32>,
    /// The highest count of viewers since the live began sent.
    total_viewers: u64,
}

/// Who chatted and who gifted in a session, and the viewer counts it sent: what a series
/// needs beyond the [`Truth`] to tell returning viewers from new ones.
#[derive(Debug, Clone, Default)]
pub(crate) struct Seen {
    /// (user id, nickname, chat messages), by user id.
    pub(crate) chatters: Vec<(u64, String, u64)>,
    /// User ids with at least one gift combo, ascending.
    pub(crate) gifters: Vec<u64>,
    pub(crate) viewers_peak: u64,
    /// Mean of the viewer counts sent; 0 when none was.
    pub(crate) viewers_mean: f64,
    /// Earliest and latest event time of the decoded events: as `Truth::start_ms`, but a
    /// combo at the time of its highest update, as the decoder keeps it.
    pub(crate) start_ms: u64,
    pub(crate) end_ms: u64,
}

impl Tally {
    pub(crate) fn new() -> Self {
        Tally {
            records: 0,
            frames: BTreeMap::new(),
            messages_sent: 0,
            duplicates: 0,
            counts: [0; Kind::ALL.len()],
            gift_updates: 0,
            combos: HashMap::new(),
            gifters: HashMap::new(),
            likes_total: 0,
            follows: 0,
            shares: 0,
            chats: HashMap::new(),
            passphrases: 0,
            start_ms: u64::MAX,
            end_ms: 0,
            viewers: Vec::new(),
            cumulative: Vec::new(),
            other_span: (u64::MAX, 0),
            members: HashSet::new(),
            likers: HashSet::new(),
            followers: HashSet::new(),
            sharers: HashSet::new(),
            emoji: HashSet::new(),
            club: HashSet::new(),
            total_viewers: 0,
        }
    }

    /// A member (entry) message of `user`.
    pub(crate) fn member(&mut self, user: u32) {
        self.message(Kind::Member);
        self.members.insert(user);
    }

    pub(crate) fn emoji(&mut self, user: u32) {
        self.message(Kind::EmojiChat);
        self.emoji.insert(user);
    }

    /// `user` joined the fans club (its join message, or the light sign's gift).
    pub(crate) fn club(&mut self, user: u32) {
        self.club.insert(user);
    }

    /// A count of viewers since the live began, as sent.
    pub(crate) fn total_viewers(&mut self, n: u64) {
        self.total_viewers = self.total_viewers.max(n);
    }

    /// The event time of a distinct message other than a gift.
    pub(crate) fn other_time(&mut self, ms: u64) {
        let (lo, hi) = &mut self.other_span;
        *lo = (*lo).min(ms);
        *hi = (*hi).max(ms);
    }

    /// A viewer count sent at `at` in a room_user_seq (`seq`) or room_stats message.
    pub(crate) fn viewers(&mut self, at: u64, online: u64, seq: bool) {
        self.viewers.push((at, online, seq));
    }

    /// A room_stats message showing viewers since the start.
    pub(crate) fn cumulative(&mut self, at: u64) {
        self.message(Kind::RoomStats);
        self.cumulative.push(at);
    }

    /// The viewer counts a decoder reports: every room_user_seq one, and the room_stats ones
    /// of minutes without a room_user_seq one (`analysis::viewers`).
    fn kept_viewers(&self) -> impl Iterator<Item = u64> + '_ {
        const MINUTE: u64 = 60_000;
        let seq_minutes: std::collections::HashSet<u64> = self
            .viewers
            .iter()
            .filter(|v| v.2)
            .map(|v| v.0 / MINUTE)
            .collect();
        self.viewers
            .iter()
            .filter(move |v| v.2 || !seq_minutes.contains(&(v.0 / MINUTE)))
            .map(|v| v.1)
    }

    /// The stretches `[start, end)` as the truth lists them, with the counts sent in each.
    pub(crate) fn stats_only(&self, stretches: &[(u64, u64)]) -> Vec<StatsOnlyTruth> {
        stretches
            .iter()
            .map(|&(start_ms, end_ms)| {
                let within = |t: u64| (start_ms..end_ms).contains(&t);
                let mut online: Vec<(u64, u64)> = self
                    .viewers
                    .iter()
                    .filter(|v| !v.2 && within(v.0))
                    .map(|v| (v.0, v.1))
                    .collect();
                online.sort_by_key(|v| v.0);
                StatsOnlyTruth {
                    start_ms,
                    end_ms,
                    online,
                    cumulative: self.cumulative.iter().filter(|t| within(**t)).count() as u64,
                }
            })
            .collect()
    }

    pub(crate) fn seen(&self, people: &People) -> Seen {
        let mut chatters: Vec<(u64, String, u64)> = self
            .chats
            .iter()
            .map(|(u, n)| (people.id(*u), people.nickname(*u), *n))
            .collect();
        chatters.sort_unstable_by_key(|c| c.0);
        let mut gifters: Vec<u64> = self.combos.values().map(|c| people.id(c.user)).collect();
        gifters.sort_unstable();
        gifters.dedup();
        let (peak, sum, n) = self
            .kept_viewers()
            .fold((0, 0, 0u64), |(p, s, n), v| (p.max(v), s + v, n + 1));
        let combo_times = self.combos.values().map(|c| c.at);
        let start_ms = combo_times.clone().fold(self.other_span.0, u64::min);
        let end_ms = combo_times.fold(self.other_span.1, u64::max);
        let any = start_ms <= end_ms;
        Seen {
            start_ms: if any { start_ms } else { 0 },
            end_ms: if any { end_ms } else { 0 },
            chatters,
            gifters,
            viewers_peak: peak,
            viewers_mean: if n > 0 { sum as f64 / n as f64 } else { 0.0 },
        }
    }

    pub(crate) fn frame(&mut self, payload_type: &str, messages: u64, duplicates: u64) {
        *self.frames.entry(payload_type.to_string()).or_default() += 1;
        self.records += 1;
        self.messages_sent += messages;
        self.duplicates += duplicates;
    }

    /// A distinct (first-delivered) message of a kind other than gift.
    pub(crate) fn message(&mut self, kind: Kind) {
        self.counts[kind as usize] += 1;
    }

    pub(crate) fn event_time(&mut self, ms: u64) {
        self.start_ms = self.start_ms.min(ms);
        self.end_ms = self.end_ms.max(ms);
    }

    pub(crate) fn chat(&mut self, user: u32, passphrase: bool) {
        self.message(Kind::Chat);
        *self.chats.entry(user).or_default() += 1;
        self.passphrases += u64::from(passphrase);
    }

    pub(crate) fn like(&mut self, user: u32, count: u64) {
        self.message(Kind::Like);
        self.likes_total += count;
        self.likers.insert(user);
    }

    pub(crate) fn social(&mut self, user: u32, action: u64) {
        self.message(Kind::Social);
        match action {
            1 => {
                self.follows += 1;
                self.followers.insert(user);
            }
            3 => {
                self.shares += 1;
                self.sharers.insert(user);
            }
            _ => {}
        }
    }

    /// The funnel by the rule of `analysis::funnel`.
    fn funnel(&self, online_max: u64) -> FunnelTruth {
        let chatters: HashSet<u32> = self.chats.keys().copied().collect();
        let gifters: HashSet<u32> = self.combos.values().map(|c| c.user).collect();
        let interacted: HashSet<u32> = chatters
            .iter()
            .chain(&self.emoji)
            .chain(&self.likers)
            .chain(&self.followers)
            .chain(&self.sharers)
            .chain(&gifters)
            .chain(&self.club)
            .copied()
            .collect();
        let seen = interacted.union(&self.members).count() as u64;
        let tv = self.total_viewers;
        let (viewers, source) = if tv > 0 && tv >= online_max && tv >= seen {
            (tv, "total_viewers")
        } else if online_max > 0 && online_max >= seen {
            (online_max, "online_max")
        } else {
            (seen, "users_seen")
        };
        FunnelTruth {
            viewers,
            viewers_source: source.into(),
            entered: self.members.len() as u64,
            interacted: interacted.len() as u64,
            chatted: chatters.len() as u64,
            liked: self.likers.len() as u64,
            followed: self.followers.len() as u64,
            joined_fans_club: self.club.len() as u64,
            gifted: gifters.len() as u64,
        }
    }

    /// Revenue by the definitions of `analysis::revenue`.
    fn revenue(&self, people: &People) -> RevenueTruth {
        let mut per: Vec<(u32, u64)> = self.gifters.iter().map(|(u, d)| (*u, *d)).collect();
        per.sort_by_key(|(u, d)| (std::cmp::Reverse(*d), people.id(*u)));
        let total: u64 = per.iter().map(|p| p.1).sum();
        let n = per.len();
        let top = |k: usize| per.iter().take(k).map(|p| p.1).sum::<u64>();
        // Ascending order: the last of `per` is first.
        let gini_weighted = per
            .iter()
            .enumerate()
            .map(|(r, p)| (n - r) as u64 * p.1)
            .sum();
        let whales = per
            .iter()
            .filter(|p| total > 0 && p.1 as f64 / total as f64 >= 0.05)
            .map(|(u, d)| WhaleTruth {
                user_id: people.id(*u).to_string(),
                user_name: people.nickname(*u),
                diamonds: *d,
            })
            .collect();
        RevenueTruth {
            diamonds: total,
            gifters: n as u64,
            top1_diamonds: top(1),
            top10_diamonds: top(10),
            top1pct_diamonds: top(n.div_ceil(100).max(1)),
            gini_weighted,
            whales,
        }
    }

    /// One distinct GiftMessage; combos are keyed by group id.
    pub(crate) fn gift(
        &mut self,
        group_id: u64,
        user: u32,
        diamonds: u64,
        group_count: u64,
        repeat: u64,
        at: u64,
    ) {
        self.gift_updates += 1;
        let combo = self.combos.entry(group_id).or_insert(Combo {
            user,
            diamonds,
            group_count,
            max_repeat: 0,
            at,
        });
        if repeat > combo.max_repeat {
            let gained = (repeat - combo.max_repeat) * combo.group_count * combo.diamonds;
            combo.max_repeat = repeat;
            combo.at = at;
            *self.gifters.entry(combo.user).or_default() += gained;
        }
    }

    /// Up to `n` gifters with the most diamonds so far, as (viewer index, diamonds).
    pub(crate) fn top_gifters(&self, people: &People, n: usize) -> Vec<(u32, u64)> {
        let mut all: Vec<(u32, u64)> = self.gifters.iter().map(|(u, d)| (*u, *d)).collect();
        all.sort_by_key(|(u, d)| (std::cmp::Reverse(*d), people.id(*u)));
        all.truncate(n);
        all
    }

    pub(crate) fn finish(self, people: &People) -> Truth {
        let online_max = self.kept_viewers().max().unwrap_or(0);
        let funnel = self.funnel(online_max);
        let revenue = self.revenue(people);
        let mut counts: BTreeMap<String, u64> = Kind::ALL
            .iter()
            .map(|k| (k.name().to_string(), self.counts[*k as usize]))
            .collect();
        counts.insert(Kind::Gift.name().to_string(), self.combos.len() as u64);
        counts.retain(|_, n| *n > 0);

        let (mut diamonds_total, mut gift_units_total) = (0, 0);
        for c in self.combos.values() {
            gift_units_total += c.max_repeat * c.group_count;
            diamonds_total += c.max_repeat * c.group_count * c.diamonds;
        }

        let mut chatters: Vec<(u32, u64)> = self.chats.iter().map(|(u, n)| (*u, *n)).collect();
        chatters.sort_by_key(|(u, n)| (std::cmp::Reverse(*n), people.id(*u)));
        let top_chatters = chatters
            .iter()
            .take(10)
            .map(|(u, n)| TopChatter {
                user_id: people.id(*u).to_string(),
                user_name: people.nickname(*u),
                messages: *n,
            })
            .collect();
        let top_gifters = self
            .top_gifters(people, 10)
            .into_iter()
            .map(|(u, d)| TopGifter {
                user_id: people.id(u).to_string(),
                user_name: people.nickname(u),
                diamonds: d,
            })
            .collect();

        let any = self.start_ms <= self.end_ms;
        Truth {
            records: self.records,
            frames: self.frames,
            messages_sent: self.messages_sent,
            duplicates: self.duplicates,
            combos: self.combos.len() as u64,
            counts,
            gift_updates: self.gift_updates,
            diamonds_total,
            gift_units_total,
            likes_total: self.likes_total,
            follows: self.follows,
            shares: self.shares,
            distinct_chatters: self.chats.len() as u64,
            online_max,
            top_chatters,
            top_gifters,
            start_ms: if any { self.start_ms } else { 0 },
            end_ms: if any { self.end_ms } else { 0 },
            bursts: Vec::new(),
            stats_only: Vec::new(),
            passphrases: self.passphrases,
            battles: Vec::new(),
            funnel,
            revenue,
        }
    }
}

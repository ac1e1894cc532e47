//! The room's own messages: viewers online, room stats, the gift rank, methods no public
//! schema describes.

use std::io::Write;

use prost::Message as _;

use super::super::truth::Kind;
use super::{stamped, Built, Ev, Session, RANK, STATS, USER_SEQ};
use crate::proto::webcast::{
    Common, RoomRank, RoomRankMessage, RoomStatsMessage, RoomUserSeqMessage,
};

/// The common shape of the messages in `OTHER`.
#[derive(Clone, PartialEq, prost::Message)]
struct OtherMessage {
    #[prost(message, optional, tag = "1")]
    common: Option<Common>,
    #[prost(string, tag = "2")]
    data: String,
}

/// Shows a count as the client does: "9876", "1.2万".
fn fmt_count(n: u64) -> String {
    if n >= 10_000 {
        format!("{}.{}万", n / 10_000, (n % 10_000) / 1_000)
    } else {
        n.to_string()
    }
}

impl<W: Write> Session<'_, W> {
    pub(super) fn user_seq_message(&mut self, id: u64, at: u64) -> Built {
        let online = self.online(at) * (1.0 + 0.01 * self.rng.normal());
        let total = (online.max(1.0) + 0.5) as u64;
        self.tally.message(Kind::RoomUserSeq);
        self.tally.viewers(at, total, true);
        self.tally.total_viewers(self.total_user);
        let msg = RoomUserSeqMessage {
            common: Some(self.common(USER_SEQ, id, at, String::new())),
            total,
            total_user: self.total_user,
            total_user_str: fmt_count(self.total_user),
            total_str: fmt_count(total),
        };
        (USER_SEQ, msg.encode_to_vec(), stamped(at))
    }

    /// A room-stats message: viewers online as the real payload shows them (display_type 1,
    /// `160在线观众`), or with `cumulative` viewers since the start (`1.2万人看过`, as some
    /// rooms show; its display_type is not known, so none is sent, and `total` is left out
    /// as what it holds there is not known either).
    pub(super) fn stats_message(&mut self, id: u64, at: u64, cumulative: bool) -> Built {
        let common = Some(self.common(STATS, id, at, String::new()));
        let msg = if cumulative {
            let short = fmt_count(self.total_user);
            self.tally.cumulative(at);
            self.tally.total_viewers(self.total_user);
            RoomStatsMessage {
                common,
                display_middle: short.clone(),
                display_long: format!("{short}人看过"),
                display_short: short,
                display_value: self.total_user,
                total: 0,
                display_type: 0,
            }
        } else {
            let online = (self.online(at) + 0.5) as u64;
            let short = fmt_count(online);
            self.tally.message(Kind::RoomStats);
            self.tally.viewers(at, online, false);
            RoomStatsMessage {
                common,
                display_middle: short.clone(),
                display_long: format!("{short}在线观众"),
                display_short: short,
                display_value: online,
                total: online,
                display_type: 1,
            }
        };
        (STATS, msg.encode_to_vec(), stamped(at))
    }

    /// Room-stats messages every 5–15 s in the stretches without room_user_seq messages, due
    /// in `[a, b)`; three in ten show viewers since the start.
    pub(super) fn stretch_stats(&mut self, a: u64, b: u64) {
        loop {
            let next = self.next_stretch_stats;
            let Some(&(start, end)) = self.stretches.iter().find(|(_, e)| *e > next) else {
                break;
            };
            if self.next_stretch_stats < start {
                self.next_stretch_stats = start + self.stretch_rng.below(5_000);
                continue;
            }
            if self.next_stretch_stats >= b {
                break;
            }
            let at = self.next_stretch_stats.max(a);
            if at < end {
                let cumulative = self.stretch_rng.chance(0.3);
                self.push(at, Ev::Stats { cumulative });
            }
            self.next_stretch_stats = at + self.stretch_rng.range(5_000, 15_000);
        }
    }

    pub(super) fn rank_message(&mut self, id: u64, at: u64) -> Option<Built> {
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
        Some((RANK, msg.encode_to_vec(), stamped(at)))
    }

    pub(super) fn other_message(&mut self, id: u64, at: u64, method: &'static str) -> Built {
        let data = format!(
            "{{\"now_millis\":{at},\"room_id\":\"{}\"}}",
            self.cfg.room_id
        );
        let msg = OtherMessage {
            common: Some(self.common(method, id, at, String::new())),
            data,
        };
        self.tally.message(Kind::Other);
        (method, msg.encode_to_vec(), stamped(at))
    }
}

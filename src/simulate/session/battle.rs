//! PK battles: planned up front from a stream of their own (so the rest of a session is the
//! same with or without them), then sent as Douyin sends them: the start, score updates on
//! the link-mic method, the sides' contributor lists and the end.

use std::collections::VecDeque;
use std::io::Write;

use prost::Message as _;

use super::super::rng::{mix, Rng};
use super::super::truth::{BattleTruth, Kind};
use super::{stamped, Built, Session};
use crate::proto::webcast::{
    ArmiesEntry, BattleScore, BattleSettings, LinkMicArmies, LinkMicBattle, LinkMicBattleFinish,
    LinkMicMethod, UserScores,
};

const START: &str = "WebcastLinkMicBattleMethod";
const FINISH: &str = "WebcastLinkMicBattleFinishMethod";
const ARMIES: &str = "WebcastLinkMicArmiesMethod";
/// Douyin sends the link-mic method under both names; the simulator alternates.
const LINK_MIC: [&str; 2] = ["WebcastLinkMicMethod", "LinkMicMethod"];
/// `LinkMicMethod.message_type` of a score update.
const SCORES: u64 = 202;
/// A battle lasts five minutes, or less in a short session.
const LONGEST_MS: u64 = 300_000;

/// One battle, planned.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    id: u64,
    start: u64,
    /// Seconds, as sent.
    duration_s: u64,
    /// The room's anchor, then the rival.
    anchors: [u64; 2],
}

/// What a battle message says.
#[derive(Debug, Clone)]
pub(super) enum BattleEv {
    Start(usize),
    Scores(usize, [u64; 2], usize),
    Armies(usize),
    Finish(usize, [u64; 2]),
}

/// The battles of a session in `[start, end)` and their messages in time order, with the
/// truth each will be. One battle per half hour, none in a session under three minutes; the
/// room's side is the same anchor in every session of `room_id`.
pub(super) fn plan(
    seed: u64,
    room_id: u64,
    start: u64,
    end: u64,
) -> (Vec<Plan>, VecDeque<(u64, BattleEv)>, Vec<BattleTruth>) {
    let mut rng = Rng::new(mix(seed, 0x504B_BA77));
    let len = end.saturating_sub(start);
    let (mut plans, mut events, mut truths) = (Vec::new(), Vec::new(), Vec::new());
    if len < 180_000 {
        return (plans, VecDeque::new(), truths);
    }
    let n = (len / 1_800_000).max(1);
    let seg = len / n;
    // The room's anchor is the room's, whatever the session: from the room id.
    let ours = 100_000_000 + mix(room_id, 0x414E_4348) % 900_000_000;
    for i in 0..n as usize {
        let at = start + seg * i as u64 + (seg as f64 * rng.uniform(0.2, 0.4)) as u64;
        let duration_s = (LONGEST_MS.min(seg / 2) / 1000).max(60);
        let rival = 100_000_000 + rng.below(900_000_000);
        let id = ((at / 1000) << 32) | (rng.below(1 << 32) | 1);
        let plan = Plan {
            id,
            start: at,
            duration_s,
            anchors: [ours, rival.max(1) + u64::from(rival == ours)],
        };
        let finish = at + duration_s * 1000;
        events.push((at, BattleEv::Start(i)));
        let mut scores = [0u64; 2];
        let mut t = at + rng.range(5_000, 10_000);
        let mut updates = 0;
        while t + 2_000 < finish {
            for s in &mut scores {
                if rng.chance(0.7) {
                    *s += rng.range(1, 60);
                }
            }
            events.push((t, BattleEv::Scores(i, scores, updates)));
            updates += 1;
            t += rng.range(8_000, 20_000);
        }
        let mut t = at + rng.range(20_000, 40_000);
        let mut armies = 0;
        while t + 2_000 < finish {
            events.push((t, BattleEv::Armies(i)));
            armies += 1;
            t += rng.range(25_000, 45_000);
        }
        events.push((finish, BattleEv::Finish(i, scores)));
        let lead = sides(&plan, scores);
        truths.push(BattleTruth {
            battle_id: id.to_string(),
            start_ms: at,
            end_ms: finish,
            anchors: plan.anchors.map(|a| a.to_string()).to_vec(),
            final_scores: lead.iter().map(|(a, s)| (a.to_string(), *s)).collect(),
            score_updates: updates as u64,
            contributor_lists: armies,
        });
        plans.push(plan);
    }
    events.sort_by_key(|(t, _)| *t);
    (plans, events.into(), truths)
}

/// The sides as score messages list them: the leader first (the room's anchor on a tie).
fn sides(plan: &Plan, scores: [u64; 2]) -> [(u64, u64); 2] {
    let [a, b] = [(plan.anchors[0], scores[0]), (plan.anchors[1], scores[1])];
    if b.1 > a.1 {
        [b, a]
    } else {
        [a, b]
    }
}

impl<W: Write> Session<'_, W> {
    pub(super) fn battle_message(&mut self, id: u64, at: u64, ev: BattleEv) -> Built {
        let settings = |p: &Plan, status: u64| BattleSettings {
            battle_id: p.id,
            start_time_ms: p.start,
            duration: p.duration_s,
            battle_status: status,
        };
        self.tally.message(Kind::Battle);
        let (method, payload) = match ev {
            BattleEv::Start(i) => {
                let msg = LinkMicBattle {
                    common: Some(self.common(START, id, at, String::new())),
                    battle_settings: Some(settings(&self.battles[i], 1)),
                };
                (START, msg.encode_to_vec())
            }
            BattleEv::Scores(i, scores, n) => {
                let method = LINK_MIC[n % 2];
                let p = &self.battles[i];
                let msg = LinkMicMethod {
                    common: Some(self.common(method, id, at, String::new())),
                    message_type: SCORES,
                    user_scores: sides(p, scores)
                        .iter()
                        .map(|(a, s)| UserScores {
                            score: *s,
                            user_id: *a,
                        })
                        .collect(),
                    battle_id: p.id,
                };
                (method, msg.encode_to_vec())
            }
            BattleEv::Armies(i) => {
                let msg = LinkMicArmies {
                    common: Some(self.common(ARMIES, id, at, String::new())),
                    user_armies_map: self.battles[i]
                        .anchors
                        .iter()
                        .map(|a| ArmiesEntry { key: *a as i64 })
                        .collect(),
                };
                (ARMIES, msg.encode_to_vec())
            }
            BattleEv::Finish(i, scores) => {
                let p = &self.battles[i];
                let msg = LinkMicBattleFinish {
                    common: Some(self.common(FINISH, id, at, String::new())),
                    battle_settings: Some(settings(p, 2)),
                    battle_scores: sides(p, scores)
                        .iter()
                        .map(|(a, s)| BattleScore {
                            score: i32::try_from(*s).unwrap_or(i32::MAX),
                            user_id: *a,
                        })
                        .collect(),
                };
                (FINISH, msg.encode_to_vec())
            }
        };
        (method, payload, stamped(at))
    }
}

//! Gifts: which gift, how many, combos of rising updates under one group id (some never
//! ending, some re-sent), fans-club joins and level-ups they bring, and the gift message.

use std::io::Write;

use super::super::phrases::{Gift, GIFTS, GIFT_CLUB_LIGHT, GIFT_HEART};
use super::{splice, Ev, GiftEv, Session, GIFT};
use crate::proto::webcast::{GiftMessage, GiftStruct};

impl<W: Write> Session<'_, W> {
    pub(super) fn choose_gift(&mut self, user: u32) -> usize {
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

    pub(super) fn repeat_for(&mut self, g: &Gift) -> u64 {
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
    pub(super) fn combo(&mut self, at: u64, user: u32, gift: usize, forced: Option<(u64, bool)>) {
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

    pub(super) fn gift_update(&mut self, at: u64, ev: GiftEv) {
        self.push(at, Ev::Gift(ev));
        if self.rng.chance(0.03) {
            // The same update again under a new msg_id, as the server sometimes does.
            let again = at + self.rng.range(30, 300);
            self.push(again, Ev::Gift(ev));
        }
    }

    pub(super) fn gift_payload(&mut self, id: u64, at: u64, g: GiftEv) -> Vec<u8> {
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
        if g.gift == GIFT_CLUB_LIGHT {
            self.tally.club(g.user);
        }
        self.tally.gift(
            g.group_id,
            g.user,
            u64::from(gift.diamonds),
            g.group_count,
            g.repeat,
            at,
        );
        splice(&head, 7, self.people.user_bytes(g.user), &tail)
    }
}

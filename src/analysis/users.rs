//! Who chatted, who paid, who liked: rankings, level distributions, chatters who also paid.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::rank_desc;
use crate::event::{Event, Kind};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UserRow {
    pub user_id: u64,
    pub user_name: String,
    pub messages: u64,
    /// Distinct minutes (UTC-aligned) in which the user chatted.
    pub active_minutes: u64,
    /// Diamonds from resolved gift combos.
    pub diamonds: u64,
    /// Gift combos sent.
    pub gifts: u64,
    pub likes: u64,
    pub user_level: Option<u32>,
    pub fans_club_level: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Users {
    /// Everyone who did anything with a user id, unordered.
    pub all: Vec<UserRow>,
    pub top_chatters: Vec<UserRow>,
    pub top_gifters: Vec<UserRow>,
    pub top_likers: Vec<UserRow>,
    /// Distinct users by honour level (users whose level is known).
    pub user_levels: BTreeMap<u32, u64>,
    /// Distinct users by fans-club level (members only).
    pub fans_club_levels: BTreeMap<u32, u64>,
    /// Users who both chatted and sent gifts, by diamonds.
    pub chatters_who_paid: Vec<UserRow>,
}

/// Rankings over `events`; `top` rows per list.
pub fn users(events: &[&Event], top: usize) -> Users {
    let mut rows: FxHashMap<u64, UserRow> = FxHashMap::default();
    let mut minutes: FxHashSet<(u64, i64)> = FxHashSet::default();
    for ev in events {
        let Some(id) = ev.user_id else { continue };
        if ev.kind == Kind::RoomRank {
            // The leaderboard names its leader; that is not an action of theirs.
            continue;
        }
        let row = rows.entry(id).or_insert_with(|| UserRow {
            user_id: id,
            ..UserRow::default()
        });
        if let Some(name) = ev.user_name.as_deref().filter(|n| !n.is_empty()) {
            if row.user_name != name {
                row.user_name = name.to_string();
            }
        }
        row.user_level = ev.user_level.or(row.user_level);
        row.fans_club_level = ev.fans_club_level.or(row.fans_club_level);
        match ev.kind {
            Kind::Chat => {
                row.messages += 1;
                if minutes.insert((id, ev.ts.div_euclid(60_000))) {
                    row.active_minutes += 1;
                }
            }
            Kind::Gift => {
                row.gifts += 1;
                row.diamonds += ev.diamond_count.unwrap_or(0);
            }
            Kind::Like => row.likes += ev.like_count.unwrap_or(0),
            _ => {}
        }
    }
    let all: Vec<UserRow> = rows.into_values().collect();
    let top_by = |value: fn(&UserRow) -> u64| {
        let mut v: Vec<UserRow> = all.iter().filter(|r| value(r) > 0).cloned().collect();
        rank_desc(&mut v, |r| (value(r), r.user_id));
        v.truncate(top);
        v
    };
    let mut user_levels = BTreeMap::new();
    let mut fans_club_levels = BTreeMap::new();
    for r in &all {
        if let Some(l) = r.user_level {
            *user_levels.entry(l).or_default() += 1;
        }
        if let Some(l) = r.fans_club_level {
            *fans_club_levels.entry(l).or_default() += 1;
        }
    }
    let mut paid: Vec<UserRow> = all
        .iter()
        .filter(|r| r.messages > 0 && r.diamonds > 0)
        .cloned()
        .collect();
    rank_desc(&mut paid, |r| (r.diamonds, r.user_id));
    Users {
        top_chatters: top_by(|r| r.messages),
        top_gifters: top_by(|r| r.diamonds),
        top_likers: top_by(|r| r.likes),
        user_levels,
        fans_club_levels,
        chatters_who_paid: paid,
        all,
    }
}

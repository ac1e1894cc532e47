//! The processors' results as [`Grid`]s: what the commands print and the CSVs hold.

use crate::analysis::gifts::Gifts;
use crate::analysis::summary::PeakWithWords;
use crate::analysis::timeline::Timeline;
use crate::analysis::users::UserRow;
use crate::analysis::words::WordCount;
use crate::output::grid::{Grid, Val};
use crate::timefmt::Zone;

pub fn words(list: &[WordCount], top: usize, what: &'static str) -> Grid {
    let mut g = Grid::new(vec!["rank", what, "count", "users"]);
    for (i, w) in list.iter().take(top).enumerate() {
        g.rows.push(vec![
            Val::Int(i as u64 + 1),
            Val::Text(w.word.clone()),
            Val::Int(w.count),
            Val::Int(w.users),
        ]);
    }
    g
}

pub fn timeline(t: &Timeline, zone: &Zone) -> Grid {
    let mut g = Grid::new(vec![
        "time", "chat", "chatters", "gifts", "diamonds", "likes", "joins", "follows", "online",
    ]);
    for b in &t.buckets {
        g.rows.push(vec![
            Val::Text(zone.human(b.start_ms)),
            Val::Int(b.chat),
            Val::Int(b.chatters),
            Val::Int(b.gifts),
            Val::Int(b.diamonds),
            Val::Int(b.likes),
            Val::Int(b.joins),
            Val::Int(b.follows),
            b.online.map_or(Val::Empty, Val::Int),
        ]);
    }
    g
}

pub fn peaks(p: &[PeakWithWords], zone: &Zone) -> Grid {
    let mut g = Grid::new(vec![
        "time",
        "start",
        "end",
        "chat",
        "chat_total",
        "per_minute",
        "baseline",
        "ratio",
        "distinctive_words",
        "distinctive_emotes",
        "what_else",
    ]);
    for x in p {
        let words: Vec<&str> = x.words.iter().map(|w| w.word.as_str()).collect();
        let emotes: Vec<&str> = x.emotes.iter().map(|w| w.word.as_str()).collect();
        // Only what rose with the chat, e.g. `follows 6 (4.2×)`.
        let also: Vec<String> = x
            .alongside
            .iter()
            .filter(|a| a.notable)
            .map(|a| format!("{} {} ({:.1}×)", a.what, a.count, a.ratio))
            .collect();
        g.rows.push(vec![
            Val::Text(zone.human(x.peak.top_ms)),
            Val::Text(zone.human(x.peak.start_ms)),
            Val::Text(zone.human(x.peak.end_ms)),
            Val::Int(x.peak.chat),
            Val::Int(x.peak.chat_total),
            Val::Float(x.peak.rate_per_min, 1),
            Val::Float(x.peak.baseline, 1),
            Val::Float(x.peak.ratio, 2),
            Val::Text(words.join(" ")),
            Val::Text(emotes.join(" ")),
            Val::Text(also.join(", ")),
        ]);
    }
    g
}

/// A user ranking with the columns that matter for it.
pub fn users(rows: &[UserRow], value: &'static str) -> Grid {
    let mut g = Grid::new(vec![
        "rank",
        "user_id",
        "user_name",
        value,
        "messages",
        "active_minutes",
        "diamonds",
        "gifts",
        "likes",
        "user_level",
        "fans_club_level",
    ]);
    for (i, u) in rows.iter().enumerate() {
        g.rows.push(vec![
            Val::Int(i as u64 + 1),
            Val::Id(u.user_id),
            Val::Text(u.user_name.clone()),
            Val::Int(match value {
                "messages" => u.messages,
                "diamonds" => u.diamonds,
                _ => u.likes,
            }),
            Val::Int(u.messages),
            Val::Int(u.active_minutes),
            Val::Int(u.diamonds),
            Val::Int(u.gifts),
            Val::Int(u.likes),
            u.user_level.map_or(Val::Empty, |l| Val::Int(l.into())),
            u.fans_club_level.map_or(Val::Empty, |l| Val::Int(l.into())),
        ]);
    }
    // The ranked value is repeated for the chart; drop the duplicate column.
    let dup = g
        .headers
        .iter()
        .skip(4)
        .position(|h| *h == value)
        .map(|p| p + 4);
    if let Some(d) = dup {
        g.headers.remove(d);
        for r in &mut g.rows {
            r.remove(d);
        }
    }
    g
}

pub fn levels(
    user_levels: &std::collections::BTreeMap<u32, u64>,
    fans: &std::collections::BTreeMap<u32, u64>,
) -> Grid {
    let mut g = Grid::new(vec![
        "level",
        "users_at_honour_level",
        "users_at_fans_club_level",
    ]);
    let all: std::collections::BTreeSet<u32> =
        user_levels.keys().chain(fans.keys()).copied().collect();
    for l in all {
        g.rows.push(vec![
            Val::Int(l.into()),
            Val::Int(user_levels.get(&l).copied().unwrap_or(0)),
            Val::Int(fans.get(&l).copied().unwrap_or(0)),
        ]);
    }
    g
}

pub fn gifts(gifts: &Gifts) -> Grid {
    let mut g = Grid::new(vec![
        "gift_id",
        "gift_name",
        "combos",
        "units",
        "diamonds",
        "senders",
        "rmb",
    ]);
    for r in &gifts.rows {
        g.rows.push(vec![
            Val::Id(r.gift_id),
            Val::Text(r.gift_name.clone()),
            Val::Int(r.combos),
            Val::Int(r.units),
            Val::Int(r.diamonds),
            Val::Int(r.senders),
            Val::Float(r.rmb, 2),
        ]);
    }
    g
}

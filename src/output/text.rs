//! The aligned table `decode` prints for people: time, kind, user, and what happened.

use std::io::{self, Write};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::event::{Event, Kind};
use crate::timefmt::Zone;

const USER_WIDTH: usize = 20;
const KIND_WIDTH: usize = 13;

pub fn write_header<W: Write>(out: &mut W) -> io::Result<()> {
    writeln!(
        out,
        "{:<19}  {:<KIND_WIDTH$}  {}  DETAIL",
        "TIME",
        "KIND",
        pad("USER", USER_WIDTH)
    )
}

pub fn write_row<W: Write>(out: &mut W, ev: &Event, zone: &Zone) -> io::Result<()> {
    let user = ev.user_name.as_deref().unwrap_or("");
    writeln!(
        out,
        "{}  {:<KIND_WIDTH$}  {}  {}",
        zone.human(ev.ts),
        ev.kind.name(),
        pad(&clip(user, USER_WIDTH), USER_WIDTH),
        detail(ev)
    )
}

/// What happened, in a few words.
pub fn detail(ev: &Event) -> String {
    let n = |v: Option<u64>| v.unwrap_or(0);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    match ev.kind {
        Kind::Chat
        | Kind::EmojiChat
        | Kind::RoomStats
        | Kind::RoomRank
        | Kind::RoomNotice
        | Kind::ScreenChat => text(&ev.content).replace('\n', " "),
        Kind::Gift => format!(
            "{} x{} ({} diamonds)",
            text(&ev.gift_name),
            n(ev.gift_count),
            n(ev.diamond_count)
        ),
        Kind::Like => format!(
            "+{} likes (room total {})",
            n(ev.like_count),
            n(ev.like_total)
        ),
        Kind::Member => format!("joined (online {})", n(ev.member_count)),
        Kind::Social => match ev.action {
            Some(1) => format!("followed (followers {})", n(ev.follow_count)),
            Some(3) => "shared the live".to_string(),
            a => format!("social action {}", n(a)),
        },
        Kind::Fansclub => match ev.content.as_deref() {
            Some(c) if !c.is_empty() => c.to_string(),
            _ => format!("fans club event {}", n(ev.action)),
        },
        Kind::RoomUserSeq => format!(
            "online {}, viewers so far {}",
            n(ev.online),
            n(ev.total_viewers)
        ),
        Kind::Control => match ev.control_status {
            Some(3) => "live ended".to_string(),
            s => format!("control status {}", n(s)),
        },
        Kind::Battle => match (ev.anchor1_score, ev.anchor2_score) {
            (Some(a), Some(b)) => format!(
                "battle {}: {} {a} vs {} {b}",
                n(ev.battle_id),
                n(ev.anchor1_id),
                n(ev.anchor2_id)
            ),
            _ => format!("battle {} ({})", n(ev.battle_id), ev.method),
        },
        Kind::Other => ev.method.to_string(),
    }
}

/// Cuts `s` to at most `width` terminal columns (CJK characters take two).
fn clip(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

fn pad(s: &str, width: usize) -> String {
    let w = s.width();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

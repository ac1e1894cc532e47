//! The comparison page (sessions.html) of a report over several sessions, its tables and
//! trend charts; the charts are `sessions --png`'s too.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::{DataFrame, PolarsResult};

use super::ReportError;
use crate::charts::trend::{self, Line, Trend};
use crate::columns::Column as Col;
use crate::timefmt::Zone;

/// (file, caption) of each trend chart, in page order.
const TRENDS: [(&str, &str, &str); 4] = [
    ("sessions_chat.png", "每场弹幕", "弹幕条数"),
    ("sessions_chatters.png", "每场发言人数与回头客", "人数"),
    ("sessions_diamonds.png", "每场钻石", "钻石"),
    ("sessions_viewers.png", "每场最高在线", "在线人数"),
];

/// One line per room of `value` over the sessions table (see `analysis::sessions`).
fn lines(table: &DataFrame, value: &str, suffix: &str) -> PolarsResult<Vec<Line>> {
    let rooms = table.column(Col::RoomId.name())?.u64()?;
    let starts = table.column("start")?.datetime()?;
    let values = table.column(value)?.u64()?;
    let mut by_room: BTreeMap<u64, Vec<(i64, u64)>> = BTreeMap::new();
    for ((room, start), v) in rooms
        .iter()
        .zip(starts.physical().iter())
        .zip(values.iter())
    {
        if let (Some(room), Some(start)) = (room, start) {
            by_room
                .entry(room)
                .or_default()
                .push((start, v.unwrap_or(0)));
        }
    }
    Ok(by_room
        .into_iter()
        .map(|(room, points)| Line {
            name: format!("直播间 {room}{suffix}"),
            points,
        })
        .collect())
}

/// Draws the trend charts of a sessions table into `dir`; returns (file, caption) of each.
pub fn charts(
    dir: &Path,
    table: &DataFrame,
    zone: &Zone,
) -> Result<Vec<(String, String)>, ReportError> {
    let mut out = Vec::new();
    for (file, title, y_label) in TRENDS {
        let lines = match file {
            "sessions_chat.png" => lines(table, "chat", "")?,
            "sessions_chatters.png" => {
                let mut l = lines(table, "chatters", " 发言")?;
                l.extend(lines(table, "returning_chatters", " 回头客")?);
                l
            }
            "sessions_diamonds.png" => lines(table, "diamonds", "")?,
            _ => lines(table, "viewers_peak", "")?,
        };
        trend::draw(
            &dir.join(file),
            &Trend {
                title,
                y_label,
                lines: &lines,
            },
            zone,
        )?;
        out.push((file.to_string(), title.to_string()));
    }
    Ok(out)
}

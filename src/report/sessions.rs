//! The comparison page (sessions.html) of a report over several sessions, its tables and
//! trend charts; the charts are `sessions --png`'s too.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use polars::prelude::{Column, DataFrame, DataType, PolarsResult, TimeUnit, TimeZone};

use super::html::{esc, table, CSS};
use super::{write_csv, ReportError, ReportInput, Written};
use crate::analysis::compare::Comparison;
use crate::charts::trend::{self, Line, Trend};
use crate::columns::Column as Col;
use crate::timefmt::Zone;

/// The comparison page's file name.
pub const PAGE: &str = "sessions.html";

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

/// Writes the comparison's CSVs, trend charts and sessions.html into `dir`; returns the page.
pub(super) fn write(
    dir: &Path,
    r: &ReportInput,
    cmp: &Comparison,
    w: &mut Written,
) -> Result<String, ReportError> {
    let many_rooms = cmp.rooms.height() > 1;
    let mut tables: Vec<(&str, &DataFrame)> = vec![
        ("sessions.csv", &cmp.sessions),
        ("retention.csv", &cmp.retention),
        ("loyal_viewers.csv", &cmp.loyal),
    ];
    if many_rooms {
        tables.push(("rooms.csv", &cmp.rooms));
    }
    for (name, df) in &tables {
        write_csv(dir, name, df, r.csv)?;
        w.files.push(name.to_string());
    }
    let trends = charts(dir, &cmp.sessions, r.zone)?;
    w.files.extend(trends.iter().map(|c| c.0.clone()));

    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>{t} · 多场对比</title><style>{CSS}</style></head><body><h1>{t} · 多场对比</h1><p class=sub>{n} 场直播 · {rooms} 个直播间 · 时区 {tz} · <a href=\"index.html\">返回总览</a></p>",
        t = esc(r.title),
        n = cmp.sessions.height(),
        rooms = cmp.rooms.height(),
        tz = esc(&r.summary.time_zone),
    );
    let link = |name: &str| format!("<p><a href=\"{0}\">{0}</a></p>", esc(name));
    if many_rooms {
        let _ = write!(
            h,
            "<h2>直播间</h2>{}{}",
            table(&cmp.rooms, usize::MAX, r.zone)?,
            link("rooms.csv")
        );
    }
    let _ = write!(
        h,
        "<h2>每场直播</h2><p>回头客：在同一直播间更早的一场里也发过言（送过礼）的观众。</p>{}{}",
        table(&cmp.sessions, usize::MAX, r.zone)?,
        link("sessions.csv")
    );
    h.push_str("<div class=cols>");
    for (file, caption) in &trends {
        let _ = write!(
            h,
            "<div><h2>{}</h2><img src=\"{}\" alt=\"{}\"></div>",
            esc(caption),
            esc(file),
            esc(caption)
        );
    }
    h.push_str("</div>");
    for (role, title) in [("chatters", "发言观众"), ("gifters", "送礼观众")] {
        let _ = write!(
            h,
            "<h2>留存（{}）</h2><p>第 N 场的{}中，之后第 +1、+2 … 场又出现的人数（占比）。</p>{}",
            title,
            title,
            table(&retention_wide(&cmp.retention, role)?, usize::MAX, r.zone)?
        );
    }
    h.push_str(&link("retention.csv"));
    let _ = write!(
        h,
        "<h2>最忠实的观众</h2><p>发言场次最多的观众。</p>{}{}",
        table(&cmp.loyal, r.top.max(20), r.zone)?,
        link("loyal_viewers.csv")
    );
    h.push_str("<footer>danmu-analyze</footer></body></html>\n");
    let path = dir.join(PAGE);
    crate::atomic::write_bytes(&path, &h)?;
    w.files.push(PAGE.into());
    Ok(h)
}

/// The retention of one role as people read it: a row per room and session, a column per
/// later session (`+1`, `+2` …) holding `retained (share%)`.
pub fn retention_wide(retention: &DataFrame, role: &str) -> PolarsResult<DataFrame> {
    let rooms = retention.column(Col::RoomId.name())?.u64()?;
    let roles = retention.column("role")?.str()?;
    let cohorts = retention.column("cohort")?.u32()?;
    let starts = retention
        .column("cohort_start")?
        .datetime()?
        .physical()
        .clone();
    let sizes = retention.column("cohort_size")?.u64()?;
    let offsets = retention.column("offset")?.u32()?;
    let kept = retention.column("retained")?.u64()?;
    let shares = retention.column("share")?.f64()?;
    // (room, cohort) → (start, size, offset → cell)
    type Row = (i64, u64, BTreeMap<u32, String>);
    let mut rows: BTreeMap<(u64, u32), Row> = BTreeMap::new();
    let mut widest = 0;
    for i in 0..retention.height() {
        if roles.get(i) != Some(role) {
            continue;
        }
        let (Some(room), Some(cohort), Some(offset)) =
            (rooms.get(i), cohorts.get(i), offsets.get(i))
        else {
            continue;
        };
        let row = rows.entry((room, cohort)).or_insert_with(|| {
            (
                starts.get(i).unwrap_or(0),
                sizes.get(i).unwrap_or(0),
                BTreeMap::new(),
            )
        });
        let cell = match shares.get(i) {
            Some(s) => format!("{} ({:.0}%)", kept.get(i).unwrap_or(0), s * 100.0),
            None => "-".into(),
        };
        row.2.insert(offset, cell);
        widest = widest.max(offset);
    }
    let utc = DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
    let mut columns = vec![
        Column::new(
            Col::RoomId.name().into(),
            rows.keys().map(|k| k.0).collect::<Vec<_>>(),
        ),
        Column::new(
            "session".into(),
            rows.keys().map(|k| k.1).collect::<Vec<_>>(),
        ),
        Column::new(
            "start".into(),
            rows.values().map(|v| v.0).collect::<Vec<_>>(),
        )
        .cast(&utc)?,
        Column::new(
            "people".into(),
            rows.values().map(|v| v.1).collect::<Vec<_>>(),
        ),
    ];
    for k in 1..=widest {
        columns.push(Column::new(
            format!("+{k}").into(),
            rows.values()
                .map(|v| v.2.get(&k).cloned().unwrap_or_default())
                .collect::<Vec<_>>(),
        ));
    }
    DataFrame::new(rows.len(), columns)
}

//! sessions.html: the comparison page of a report over several sessions — the sessions side
//! by side, their trend charts, retention and the most loyal viewers, from the model's
//! sessions section.

use std::fmt::Write as _;

use super::error::ReportError;
use super::model::{Report, Section, TableId};
use super::page::{esc, table, CSS};

/// The comparison page's file name.
pub const PAGE: &str = "sessions.html";

/// The comparison page of `r`'s sessions section `s`.
pub fn page(r: &Report, s: &Section) -> Result<String, ReportError> {
    let sessions = s.table(TableId::Sessions)?;
    let rooms = s.table(TableId::Rooms)?;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>{t} · 多场对比</title><style>{CSS}</style></head><body><h1>{t} · 多场对比</h1><p class=sub>{n} 场直播 · {rooms} 个直播间 · 时区 {tz} · <a href=\"index.html\">返回总览</a></p>",
        t = esc(&r.title),
        n = sessions.df.height(),
        rooms = rooms.df.height(),
        tz = esc(&r.summary.time_zone),
    );
    let link = |file: Option<&str>| match file {
        Some(name) => format!("<p><a href=\"{0}\">{0}</a></p>", esc(name)),
        None => String::new(),
    };
    // The rooms have a file only when there are several to compare.
    if rooms.file.is_some() {
        let _ = write!(
            h,
            "<h2>{}</h2>{}{}",
            esc(rooms.caption),
            table(&rooms.df, usize::MAX, &r.zone)?,
            link(rooms.file)
        );
    }
    let _ = write!(
        h,
        "<h2>{}</h2><p>回头客：在同一直播间更早的一场里也发过言（送过礼）的观众。</p>{}{}",
        esc(sessions.caption),
        table(&sessions.df, usize::MAX, &r.zone)?,
        link(sessions.file)
    );
    h.push_str("<div class=cols>");
    for c in &s.charts {
        let _ = write!(
            h,
            "<div><h2>{}</h2><img src=\"{}\" alt=\"{}\"></div>",
            esc(c.caption),
            esc(c.file),
            esc(c.caption)
        );
    }
    h.push_str("</div>");
    for (id, who) in [
        (TableId::RetentionChatters, "发言观众"),
        (TableId::RetentionGifters, "送礼观众"),
    ] {
        let t = s.table(id)?;
        let _ = write!(
            h,
            "<h2>{}</h2><p>第 N 场的{}中，之后第 +1、+2 … 场又出现的人数（占比）。</p>{}",
            esc(t.caption),
            who,
            table(&t.df, usize::MAX, &r.zone)?
        );
    }
    h.push_str(&link(s.table(TableId::Retention)?.file));
    let loyal = s.table(TableId::LoyalViewers)?;
    let _ = write!(
        h,
        "<h2>{}</h2><p>发言场次最多的观众。</p>{}{}",
        esc(loyal.caption),
        table(&loyal.df, r.top.max(20), &r.zone)?,
        link(loyal.file)
    );
    h.push_str("<footer>danmu-analyze</footer></body></html>\n");
    Ok(h)
}

//! sessions.html: the comparison page of a report over several sessions — the sessions side
//! by side, their trend charts, retention and the most loyal viewers, from the model's
//! sessions section.

use std::fmt::Write as _;

use super::error::ReportError;
use super::lang::Lang;
use super::model::{Report, Section, TableId};
use super::page::{esc, table, view, CSS};

/// The comparison page's file name.
pub const PAGE: &str = "sessions.html";

/// The comparison page of `r`'s sessions section `s`.
pub fn page(r: &Report, s: &Section) -> Result<String, ReportError> {
    let sessions = s.table(TableId::Sessions)?;
    let rooms = s.table(TableId::Rooms)?;
    let lang = r.lang;
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let view = view(r);
    let mut h = String::new();
    let sub = match lang {
        Lang::Zh => format!(
            "{} 场直播 · {} 个直播间 · 时区 {}",
            sessions.df.height(),
            rooms.df.height(),
            r.summary.time_zone
        ),
        Lang::En => format!(
            "{} live sessions · {} room(s) · time zone {}",
            sessions.df.height(),
            rooms.df.height(),
            r.summary.time_zone
        ),
    };
    let _ = write!(
        h,
        "<!doctype html><html lang={html}><head><meta charset=utf-8><title>{title} · {compared}</title><style>{CSS}</style></head><body><h1>{title} · {compared}</h1><p class=sub>{sub} · <a href=\"index.html\">{back}</a></p>",
        html = lang.html(),
        title = esc(&r.title),
        compared = t("多场对比", "sessions compared"),
        sub = esc(&sub),
        back = t("返回总览", "back to the overview"),
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
            table(&rooms.df, usize::MAX, &r.zone, &view)?,
            link(rooms.file)
        );
        let side = s.table(TableId::RoomsFunnel)?;
        let _ = write!(
            h,
            "<h2>{}</h2><p>{}</p>{}{}",
            esc(side.caption),
            t(
                "各率均占该直播间观众（各场观众之和）；集中度见收入：榜一、前 10 名占钻石的比例与基尼系数。",
                "Every rate is of the room's viewers (its sessions' summed); concentration: the top gifter's and the top 10's shares of the diamonds, and the Gini.",
            ),
            table(&side.df, usize::MAX, &r.zone, &view)?,
            link(side.file)
        );
    }
    let _ = write!(
        h,
        "<h2>{}</h2><p>{}</p>{}{}",
        esc(sessions.caption),
        t(
            "回头客：在同一直播间更早的一场里也发过言（送过礼）的观众。",
            "Returning: viewers who also chatted (gifted) in an earlier session of the same room."
        ),
        table(&sessions.df, usize::MAX, &r.zone, &view)?,
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
    for (id, zh, en) in [
        (TableId::RetentionChatters, "发言观众", "chatters"),
        (TableId::RetentionGifters, "送礼观众", "gifters"),
    ] {
        let tb = s.table(id)?;
        let note = match lang {
            Lang::Zh => format!("第 N 场的{zh}中，之后第 +1、+2 … 场又出现的人数（占比）。"),
            Lang::En => {
                format!("Of session N's {en}, how many came back 1, 2 … sessions later (share).")
            }
        };
        let _ = write!(
            h,
            "<h2>{}</h2><p>{}</p>{}",
            esc(tb.caption),
            esc(&note),
            table(&tb.df, usize::MAX, &r.zone, &view)?
        );
    }
    h.push_str(&link(s.table(TableId::Retention)?.file));
    let loyal = s.table(TableId::LoyalViewers)?;
    let _ = write!(
        h,
        "<h2>{}</h2><p>{}</p>{}{}",
        esc(loyal.caption),
        t(
            "发言场次最多的观众。",
            "Viewers who chatted in the most sessions."
        ),
        table(&loyal.df, r.top.max(20), &r.zone, &view)?,
        link(loyal.file)
    );
    h.push_str("<footer>danmu-analyze</footer></body></html>\n");
    Ok(h)
}

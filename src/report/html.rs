//! index.html: one self-contained page (inline CSS, no scripts, no network), charts as files
//! beside it. Its tables and charts come from the report model.

use std::fmt::Write as _;

use super::error::ReportError;
use super::json;
use super::model::{Plot, Report, TableId};
use super::page::{esc, table, CSS};

/// The overview page of `r`.
pub fn page(r: &Report) -> Result<String, ReportError> {
    let s = &r.summary;
    let o = &r.overview;
    let mut h = String::new();
    let span = format!(
        "{} → {}",
        s.time_span.start.as_deref().unwrap_or("-"),
        s.time_span.end.as_deref().unwrap_or("-")
    );
    let _ = write!(
        h,
        "<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>{t}</title><style>{CSS}</style></head><body><h1>{t}</h1><p class=sub>{span} · 直播间 {rooms} · 时区 {tz}</p>",
        t = esc(&r.title),
        rooms = esc(&s.rooms.join(", ")),
        tz = esc(&s.time_zone),
    );
    let count = |k: &str| s.counts.get(k).copied().unwrap_or(0);
    let cards = [
        ("弹幕", count("chat").to_string()),
        ("发言人数", s.distinct_chatters.to_string()),
        ("礼物（连击合并后）", count("gift").to_string()),
        ("钻石", s.diamonds_total.to_string()),
        ("估算收入（元）", format!("{:.1}", s.rmb_estimate)),
        ("点赞", s.likes_total.to_string()),
        ("进场", count("member").to_string()),
        ("关注", s.follows.to_string()),
        ("最高在线", s.online_max.to_string()),
    ];
    h.push_str("<div class=cards>");
    for (label, v) in cards {
        let _ = write!(
            h,
            "<div class=card><b>{}</b><span>{}</span></div>",
            esc(&v),
            esc(label)
        );
    }
    h.push_str("</div>");
    if let Some(cmp) = &r.sessions {
        let _ = write!(
            h,
            "<p><a href=\"{}\">{} 场直播对比：每场数据、留存、最忠实的观众 →</a></p>",
            super::sessions::PAGE,
            cmp.table(TableId::Sessions)?.df.height()
        );
    }
    let is_timeline = |p: &Plot| matches!(p, Plot::Timeline(_));
    for c in o.charts.iter().filter(|c| is_timeline(&c.plot)) {
        let _ = write!(
            h,
            "<h2>{}</h2><img src=\"{}\" alt=\"{}\">",
            esc(c.caption),
            esc(c.file),
            esc(c.caption)
        );
    }
    let peaks = o.table(TableId::Peaks)?;
    let _ = write!(h, "<h2>{}</h2>", esc(peaks.caption));
    if s.peaks.is_empty() {
        h.push_str("<p>没有明显高于基线的时刻。</p>");
    } else {
        h.push_str(&table(&peaks.df, 20, &r.zone)?);
    }
    h.push_str("<div class=cols>");
    for c in o.charts.iter().filter(|c| !is_timeline(&c.plot)) {
        let _ = write!(
            h,
            "<div><h2>{}</h2><img src=\"{}\" alt=\"{}\"></div>",
            esc(c.caption),
            esc(c.file),
            esc(c.caption)
        );
    }
    h.push_str("</div><div class=cols>");
    for (id, limit) in [
        (TableId::TopChatters, r.top),
        (TableId::TopGifters, r.top),
        (TableId::Words, r.top * 2),
        (TableId::Emotes, r.top),
        (TableId::Gifts, r.top),
        (TableId::ChattersWhoPaid, r.top),
    ] {
        let t = o.table(id)?;
        let _ = write!(
            h,
            "<div><h2>{}</h2>{}",
            esc(t.caption),
            table(&t.df, limit, &r.zone)?
        );
        if let Some(file) = t.file {
            let _ = write!(h, "<p><a href=\"{0}\">{0}</a></p>", esc(file));
        }
        h.push_str("</div>");
    }
    h.push_str("</div><h2>全部数据</h2><ul>");
    for file in o.tables.iter().filter_map(|t| t.file) {
        let _ = write!(h, "<li><a href=\"{0}\">{0}</a></li>", esc(file));
    }
    let _ = write!(h, "<li><a href=\"{0}\">{0}</a></li></ul>", json::FILE);
    let _ = writeln!(
        h,
        "<footer>danmu-analyze · 重复推送的消息已去除 {} 条 · 礼物连击已合并（{} 条礼物消息 → {} 次送礼） · 解码错误 {} 处</footer></body></html>",
        s.duplicates_dropped,
        s.gift_updates,
        count("gift"),
        s.decode_errors
    );
    Ok(h)
}

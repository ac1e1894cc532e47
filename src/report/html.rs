//! index.html: one self-contained page (inline CSS, no scripts, no network), charts as files
//! beside it.

use std::fmt::Write as _;

use polars::prelude::{DataFrame, PolarsResult};

use super::ReportInput;
use crate::output::frame;
use crate::timefmt::Zone;

pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(super) fn table(df: &DataFrame, limit: usize, zone: &Zone) -> PolarsResult<String> {
    let head = df.head(Some(limit));
    let mut s = String::from("<table><thead><tr>");
    for h in head.get_column_names() {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr></thead><tbody>");
    for row in frame::cells(&head, zone)? {
        s.push_str("<tr>");
        for c in row {
            let _ = write!(
                s,
                "<td{}>{}</td>",
                if c.numeric { " class=n" } else { "" },
                esc(&c.text)
            );
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    Ok(s)
}

/// The page's font beside it (see `webfont`), and the bundled font's licence.
pub const FONT_FILE: &str = "page-font.ttf";
pub const FONT_LICENSE_FILE: &str = "page-font-LICENSE.txt";

// The page font first, for CJK characters only (unicode-range): Latin stays in the system's
// UI font. Listed after a system font, Chromium never loaded it and drew boxes where no CJK
// font is installed (checked headless).
pub(super) const CSS: &str = "@font-face{font-family:'danmu page';src:url(page-font.ttf) format('truetype');unicode-range:U+2E80-9FFF,U+F900-FAFF,U+FE30-FE4F,U+FF00-FFEF}body{font-family:'danmu page',system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;margin:2em auto;max-width:1240px;color:#222;padding:0 1em}h1{margin-bottom:.2em}.sub{color:#666;margin-top:0}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:1.2em 0}.card{border:1px solid #ddd;border-radius:8px;padding:10px 16px;min-width:130px}.card b{display:block;font-size:1.6em}.card span{color:#666}img{max-width:100%;border:1px solid #eee;margin:.5em 0}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #eee;padding:4px 10px;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f6f6f6}.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:20px}footer{color:#888;margin-top:2em;font-size:.9em}";

pub fn page(
    r: &ReportInput,
    charts: &[(String, String)],
    tables: &[(&str, DataFrame)],
) -> PolarsResult<String> {
    let s = r.summary;
    let table_named = |name: &str| tables.iter().find(|(n, _)| *n == name).map(|(_, g)| g);
    let mut h = String::new();
    let span = format!(
        "{} → {}",
        s.time_span.start.as_deref().unwrap_or("-"),
        s.time_span.end.as_deref().unwrap_or("-")
    );
    let _ = write!(
        h,
        "<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>{t}</title><style>{CSS}</style></head><body><h1>{t}</h1><p class=sub>{span} · 直播间 {rooms} · 时区 {tz}</p>",
        t = esc(r.title),
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
    if let Some(cmp) = r.sessions {
        let _ = write!(
            h,
            "<p><a href=\"{}\">{} 场直播对比：每场数据、留存、最忠实的观众 →</a></p>",
            super::sessions::PAGE,
            cmp.sessions.height()
        );
    }
    for (file, caption) in charts.iter().filter(|c| c.0 == "timeline.png") {
        let _ = write!(
            h,
            "<h2>{}</h2><img src=\"{}\" alt=\"{}\">",
            esc(caption),
            esc(file),
            esc(caption)
        );
    }
    h.push_str("<h2>高峰时刻</h2>");
    if s.peaks.is_empty() {
        h.push_str("<p>没有明显高于基线的时刻。</p>");
    } else if let Some(g) = table_named("peaks.csv") {
        h.push_str(&table(g, 20, r.zone)?);
    }
    h.push_str("<div class=cols>");
    for (file, caption) in charts.iter().filter(|c| c.0 != "timeline.png") {
        let _ = write!(
            h,
            "<div><h2>{}</h2><img src=\"{}\" alt=\"{}\"></div>",
            esc(caption),
            esc(file),
            esc(caption)
        );
    }
    h.push_str("</div><div class=cols>");
    for (name, title, limit) in [
        ("top_chatters.csv", "发言榜", r.top),
        ("top_gifters.csv", "送礼榜", r.top),
        ("words.csv", "热词", r.top * 2),
        ("emotes.csv", "表情", r.top),
        ("gifts.csv", "礼物", r.top),
        ("chatters_who_paid.csv", "既发言又送礼的观众", r.top),
    ] {
        if let Some(g) = table_named(name) {
            let _ = write!(
                h,
                "<div><h2>{}</h2>{}<p><a href=\"{}\">{}</a></p></div>",
                esc(title),
                table(g, limit, r.zone)?,
                esc(name),
                esc(name)
            );
        }
    }
    h.push_str("</div><h2>全部数据</h2><ul>");
    for (name, _) in tables {
        let _ = write!(h, "<li><a href=\"{0}\">{0}</a></li>", esc(name));
    }
    h.push_str("<li><a href=\"summary.json\">summary.json</a></li></ul>");
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

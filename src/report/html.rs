//! index.html: one self-contained page (inline CSS, no scripts, no network), charts as files
//! beside it. Its tables and charts come from the report model.

use std::fmt::Write as _;

use super::error::ReportError;
use super::json;
use super::lang::{group_thousands, Lang};
use super::model::{Plot, Report, TableId};
use super::page::{esc, table, view, CSS};

/// The overview page of `r`.
pub fn page(r: &Report) -> Result<String, ReportError> {
    let s = &r.summary;
    let o = &r.overview;
    let view = view(r);
    let lang = r.lang;
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let mut h = String::new();
    // The span in the page's zone, to the second; the date once when both ends share it.
    let when = |iso: &Option<String>| {
        iso.as_deref()
            .map(|t| t.get(..19).unwrap_or(t).replace('T', " "))
            .unwrap_or_else(|| "-".into())
    };
    let (start, end) = (when(&s.time_span.start), when(&s.time_span.end));
    let span = match &view.day {
        Some(day) => format!(
            "{day} {} → {}",
            start.get(11..).unwrap_or(&start),
            end.get(11..).unwrap_or(&end)
        ),
        None => format!("{start} → {end}"),
    };
    let _ = write!(
        h,
        "<!doctype html><html lang={html}><head><meta charset=utf-8><title>{title}</title><style>{CSS}</style></head><body><h1>{title}</h1><p class=sub>{span} · {room_word} {rooms} · {tz_word} {tz}</p>",
        html = lang.html(),
        title = esc(&r.title),
        room_word = t("直播间", "room"),
        rooms = esc(&s.rooms.join(", ")),
        tz_word = t("时区", "time zone"),
        tz = esc(&s.time_zone),
    );
    let count = |k: &str| s.counts.get(k).copied().unwrap_or(0);
    let n = |v: u64| group_thousands(&v.to_string());
    let cards = [
        (t("弹幕", "chat messages"), n(count("chat"))),
        (t("发言人数", "chatters"), n(s.distinct_chatters)),
        (
            t("礼物（连击合并后）", "gifts (combos merged)"),
            n(count("gift")),
        ),
        (t("钻石", "diamonds"), n(s.diamonds_total)),
        (
            t("估算收入（元）", "estimated income (¥)"),
            group_thousands(&format!("{:.1}", s.rmb_estimate)),
        ),
        (t("点赞", "likes"), n(s.likes_total)),
        (t("进场", "joins"), n(count("member"))),
        (t("关注", "follows"), n(s.follows)),
        (t("最高在线", "peak online"), n(s.online_max)),
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
        let sessions = cmp.table(TableId::Sessions)?.df.height();
        let text = match lang {
            Lang::Zh => format!("{sessions} 场直播对比：每场数据、留存、最忠实的观众 →"),
            Lang::En => format!(
                "{sessions} live sessions compared: each session, retention, the most loyal viewers →"
            ),
        };
        let _ = write!(
            h,
            "<p><a href=\"{}\">{}</a></p>",
            super::sessions::PAGE,
            esc(&text)
        );
    }
    let is_timeline = |p: &Plot| matches!(p, Plot::Timeline(..));
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
        let _ = write!(
            h,
            "<p>{}</p>",
            t(
                "没有明显高于基线的时刻。",
                "No moment stood clearly above the baseline."
            )
        );
    } else {
        h.push_str(&table(&peaks.df, 20, &r.zone, &view)?);
    }
    h.push_str(&super::operator::section(r)?);
    h.push_str("<div class=cols>");
    let in_grid = |p: &Plot| !is_timeline(p) && !super::operator::is_own(p);
    for c in o.charts.iter().filter(|c| in_grid(&c.plot)) {
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
        let tb = o.table(id)?;
        let _ = write!(
            h,
            "<div><h2>{}</h2>{}",
            esc(tb.caption),
            table(&tb.df, limit, &r.zone, &view)?
        );
        if let Some(file) = tb.file {
            let _ = write!(h, "<p><a href=\"{0}\">{0}</a></p>", esc(file));
        }
        h.push_str("</div>");
    }
    let _ = write!(h, "</div><h2>{}</h2><ul>", t("全部数据", "All the data"));
    for file in o.tables.iter().filter_map(|t| t.file) {
        let _ = write!(h, "<li><a href=\"{0}\">{0}</a></li>", esc(file));
    }
    let _ = write!(h, "<li><a href=\"{0}\">{0}</a></li></ul>", json::FILE);
    let footer = match lang {
        Lang::Zh => format!(
            "重复推送的消息已去除 {} 条 · 礼物连击已合并（{} 条礼物消息 → {} 次送礼） · 解码错误 {} 处",
            n(s.duplicates_dropped),
            n(s.gift_updates),
            n(count("gift")),
            n(s.decode_errors)
        ),
        Lang::En => format!(
            "{} re-delivered messages dropped · gift combos merged ({} gift messages → {} gifts) · {} decode errors",
            n(s.duplicates_dropped),
            n(s.gift_updates),
            n(count("gift")),
            n(s.decode_errors)
        ),
    };
    let _ = writeln!(
        h,
        "<footer>danmu-analyze · {}</footer></body></html>",
        esc(&footer)
    );
    Ok(h)
}

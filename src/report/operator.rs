//! The overview page's section for the people who run a live: the audience funnel, revenue
//! and its whales, PK battles and newcomers, from the model's tables and the summary.

use std::fmt::Write as _;

use super::audience::{percent, step_name, viewers_note};
use super::error::ReportError;
use super::lang::group_thousands;
use super::model::{Plot, Report, TableId};
use super::page::{esc, table, view};
use crate::analysis::funnel::{cols as fun, STEPS};

/// Whether a chart is drawn in this section rather than in the page's grid.
pub fn is_own(plot: &Plot) -> bool {
    matches!(plot, Plot::Funnel(_) | Plot::Revenue(_))
}

fn cards(h: &mut String, cards: &[(String, &str)]) {
    h.push_str("<div class=cards>");
    for (value, label) in cards {
        let _ = write!(
            h,
            "<div class=card><b>{}</b><span>{}</span></div>",
            esc(value),
            esc(label)
        );
    }
    h.push_str("</div>");
}

fn chart(h: &mut String, r: &Report, file: &str) {
    if let Some(c) = r.overview.charts.iter().find(|c| c.file == file) {
        let _ = write!(
            h,
            "<img src=\"{}\" alt=\"{}\">",
            esc(c.file),
            esc(c.caption)
        );
    }
}

fn link(h: &mut String, file: Option<&str>) {
    if let Some(f) = file {
        let _ = write!(h, "<p><a href=\"{0}\">{0}</a></p>", esc(f));
    }
}

/// The section's HTML.
pub fn section(r: &Report) -> Result<String, ReportError> {
    let lang = r.lang;
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let s = &r.summary;
    let f = &s.funnel;
    let n = |v: u64| group_thousands(&v.to_string());
    let view = view(r);
    let mut h = String::new();

    let funnel = r.overview.table(TableId::Funnel)?;
    let _ = write!(h, "<h2>{}</h2>", esc(funnel.caption));
    chart(&mut h, r, "funnel.png");
    let _ = write!(h, "<p class=sub>{}</p>", esc(&viewers_note(f, lang)));
    let share = |k: u64, of: u64| match of {
        0 => "-".to_string(),
        _ => percent(k as f64 / of as f64),
    };
    let _ = write!(
        h,
        "<div class=scroll><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t("步骤", "Step"),
        t("人数", "People"),
        t("占观众", "Of viewers"),
        t("占上一级", "Of its base"),
    );
    let viewers = match f.viewers_lower_bound {
        true => format!("≥ {}", n(f.viewers)),
        false => n(f.viewers),
    };
    let _ = write!(
        h,
        "<tr><td>{}</td><td class=n>{}</td><td class=n>100%</td><td></td></tr>",
        esc(step_name(fun::VIEWERS, lang)),
        esc(&viewers)
    );
    for (step, base) in STEPS {
        let k = f.count(step);
        let of_base = match base {
            fun::VIEWERS => String::new(),
            _ => format!(
                "{} {}",
                share(k, f.count(base)),
                lang.pick("（占互动）", "(of interacted)")
            ),
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            esc(step_name(step, lang)),
            n(k),
            share(k, f.viewers),
            esc(&of_base)
        );
    }
    h.push_str("</tbody></table></div>");
    link(&mut h, funnel.file);

    let rev = &s.revenue;
    let revenue = r.overview.table(TableId::Revenue)?;
    let _ = write!(h, "<h2>{}</h2>", esc(revenue.caption));
    cards(
        &mut h,
        &[
            (n(rev.diamonds), t("钻石", "diamonds")),
            (n(rev.gifters), t("送礼人数", "gifters")),
            (percent(rev.top1_share), t("榜一占比", "top gifter's share")),
            (
                percent(rev.top10_share),
                t("前 10 名占比", "top 10's share"),
            ),
            (
                percent(rev.top1pct_share),
                t("前 1% 占比", "top 1 %'s share"),
            ),
            (
                format!("{:.2}", rev.gini),
                t(
                    "基尼系数（0 平均，1 集中）",
                    "Gini (0 even, 1 one gave all)",
                ),
            ),
            (n(rev.whales.len() as u64), t("大额送礼观众", "whales")),
        ],
    );
    chart(&mut h, r, "revenue.png");
    link(&mut h, revenue.file);
    let whales = r.overview.table(TableId::Whales)?;
    if whales.df.height() > 0 {
        let _ = write!(
            h,
            "<h2>{}</h2>{}",
            esc(whales.caption),
            table(&whales.df, 50, &r.zone, &view)?
        );
        link(&mut h, whales.file);
    }

    let battles = r.overview.table(TableId::Battles)?;
    if battles.df.height() > 0 {
        let _ = write!(
            h,
            "<h2>{}</h2><p class=sub>{}</p>{}",
            esc(battles.caption),
            t(
                "时间线上的橙色区域即 PK 时段。直播间主播 = 每场 PK 都在的那一方（至少两场时才能判断）；倍数 = PK 中每分钟钻石 ÷ 全场每分钟钻石。",
                "The orange bands on the timeline are the battles. The room's anchor is the side in every battle (known from two battles on); ratio = diamonds per minute in the battle over the room's.",
            ),
            table(&battles.df, 100, &r.zone, &view)?
        );
        link(&mut h, battles.file);
    }

    let nc = &s.newcomers;
    let newcomers = r.overview.table(TableId::Newcomers)?;
    let secs = |v: Option<f64>| match v {
        Some(s) if s >= 60.0 => format!("{:.1} {}", s / 60.0, lang.pick("分钟", "min")),
        Some(s) => format!("{s:.0} {}", lang.pick("秒", "s")),
        None => "-".into(),
    };
    let _ = write!(
        h,
        "<h2>{}</h2><p class=sub>{}</p>",
        esc(newcomers.caption),
        t(
            "第一次出现就是进场消息的观众，以及他们之后做了什么。",
            "Users whose first act was entering, and what they did next.",
        )
    );
    cards(
        &mut h,
        &[
            (n(nc.newcomers), t("新进场观众", "newcomers")),
            (percent(nc.chatted_share), t("之后发言", "then chatted")),
            (percent(nc.followed_share), t("之后关注", "then followed")),
            (percent(nc.gifted_share), t("之后送礼", "then gifted")),
            (
                secs(nc.median_secs_to_chat),
                t(
                    "进场到首次发言（中位数）",
                    "entering to first chat (median)",
                ),
            ),
            (
                secs(nc.median_secs_to_gift),
                t(
                    "进场到首次送礼（中位数）",
                    "entering to first gift (median)",
                ),
            ),
        ],
    );
    link(&mut h, newcomers.file);
    Ok(h)
}

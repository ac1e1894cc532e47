//! What the operator section draws and says (see [`super::operator`] for its page): the funnel
//! and revenue charts, the rooms' rates, the steps' names and what the viewers are.

use polars::prelude::DataFrame;

use super::error::ReportError;
use super::lang::{group_thousands, Lang};
use crate::analysis::frame::{datetimes, f64s, strs, u64s, ColumnError};
use crate::analysis::funnel::{self as fun, Funnel};
use crate::analysis::revenue::cols as rev;
use crate::analysis::sessions::cols as session_cols;
use crate::analysis::summary::Analysis;
use crate::charts::{funnel, rates, revenue};
use crate::columns::Column as Col;

/// A funnel step's name on the page and charts.
pub fn step_name(step: &str, lang: Lang) -> &'static str {
    let (zh, en) = match step {
        fun::cols::VIEWERS => ("观众", "viewers"),
        fun::cols::ENTERED => ("进场", "entered"),
        fun::cols::INTERACTED => ("互动", "interacted"),
        fun::cols::CHATTED => ("发言", "chatted"),
        fun::cols::LIKED => ("点赞", "liked"),
        fun::cols::FOLLOWED => ("关注", "followed"),
        fun::cols::JOINED_FANS_CLUB => ("加入粉丝团", "joined the fans club"),
        fun::cols::GIFTED => ("送礼", "gifted"),
        _ => ("", ""),
    };
    lang.pick(zh, en)
}

/// What the funnel's viewers are and what each rate is of: under the chart and on the page.
pub fn viewers_note(f: &Funnel, lang: Lang) -> String {
    let what: Vec<&str> = f
        .viewers_source
        .split('+')
        .map(|s| match s {
            "total_viewers" => lang.pick(
                "直播间发来的累计观看人数（每场最高值）",
                "the room's count of viewers since the live began (at its highest)",
            ),
            "online_max" => lang.pick(
                "最高在线人数（直播间未发累计观看人数）",
                "the highest online count (the room sent no count since the start)",
            ),
            _ => lang.pick(
                "看到的不同观众数（直播间未发观看人数）",
                "the distinct users seen (the room sent no viewer count)",
            ),
        })
        .collect();
    let bound = match f.viewers_lower_bound {
        true => lang.pick(
            "，是下限：实际至少这么多",
            ", a lower bound: at least this many",
        ),
        false => "",
    };
    match lang {
        Lang::Zh => format!(
            "观众 = {}{bound}。进场只计抖音发来进场消息的人（大直播间只发一部分）；进场与互动占观众，其下各步占互动。",
            what.join(" + ")
        ),
        Lang::En => format!(
            "Viewers = {}{bound}. Entered counts only those Douyin sent an entry message for (a big room sends some); entered and interacted are shares of viewers, the steps below of interacted.",
            what.join(" + ")
        ),
    }
}

/// A share as the pages show it: `12.3%`.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

pub(super) fn funnel_chart(f: &Funnel, title: String, lang: Lang) -> funnel::Funnel {
    let share = |n: u64, of: u64| match of {
        0 => "-".to_string(),
        _ => percent(n as f64 / of as f64),
    };
    let mut steps = vec![funnel::Step {
        label: step_name(fun::cols::VIEWERS, lang).into(),
        count: f.viewers,
        note: format!(
            "{}{}",
            if f.viewers_lower_bound { "≥ " } else { "" },
            group_thousands(&f.viewers.to_string())
        ),
    }];
    for (step, base) in fun::STEPS {
        let n = f.count(step);
        let mut note = format!(
            "{} · {} {}",
            group_thousands(&n.to_string()),
            lang.pick("占观众", "of viewers"),
            share(n, f.viewers)
        );
        if base != fun::cols::VIEWERS {
            let _ = std::fmt::Write::write_fmt(
                &mut note,
                format_args!(
                    " · {}{} {}",
                    lang.pick("占", "of "),
                    step_name(base, lang),
                    share(n, f.count(base))
                ),
            );
        }
        steps.push(funnel::Step {
            label: step_name(step, lang).into(),
            count: n,
            note,
        });
    }
    funnel::Funnel {
        title,
        steps,
        footnote: viewers_note(f, lang),
    }
}

/// The revenue chart: the timeline's diamonds per bucket, the biggest gifts marked.
pub(super) fn revenue_chart(
    a: &Analysis,
    title: &str,
    lang: Lang,
) -> Result<revenue::Revenue, ReportError> {
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let buckets = a
        .timeline
        .buckets()?
        .iter()
        .map(|b| (b.start_ms, b.diamonds))
        .collect();
    let big = &a.big_gifts;
    let at = datetimes(big, "big_gifts", Col::Ts.name())?.physical();
    let users = strs(big, "big_gifts", Col::UserName.name())?;
    let gifts = strs(big, "big_gifts", Col::GiftName.name())?;
    let diamonds = u64s(big, "big_gifts", rev::DIAMONDS)?;
    let marks = at
        .iter()
        .zip(users.iter())
        .zip(gifts.iter().zip(diamonds.iter()))
        .filter_map(|((at, user), (gift, d))| {
            Some(revenue::BigGift {
                at_ms: at?,
                diamonds: d?,
                label: format!("{} {}", user.unwrap_or(""), gift.unwrap_or("")),
            })
        })
        .collect();
    let per_bucket = super::lang::bucket_words(a.timeline.bucket_ms, lang, t("钻石", "diamonds"));
    Ok(revenue::Revenue {
        title: format!("{} · {}", title, t("钻石收入", "diamonds")),
        bucket_ms: a.timeline.bucket_ms,
        buckets,
        marks,
        per_bucket,
        cumulative: t("累计钻石", "diamonds in all").into(),
    })
}

/// Each room's funnel rates over its viewers, for the comparison chart.
pub(super) fn room_rates(rooms: &DataFrame, lang: Lang) -> Result<rates::Rates, ColumnError> {
    use session_cols::*;
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let table = "rooms side by side";
    let ids = u64s(rooms, table, Col::RoomId.name())?;
    let columns = [
        (INTERACTED_RATE, t("互动率", "interacted")),
        (CHAT_RATE, t("发言率", "chatted")),
        (FOLLOW_RATE, t("关注率", "followed")),
        (FANS_CLUB_RATE, t("入团率", "joined fans club")),
        (GIFT_RATE, t("付费率", "gifted")),
    ];
    let values = columns
        .iter()
        .map(|(c, _)| f64s(rooms, table, c))
        .collect::<Result<Vec<_>, _>>()?;
    let groups = (0..rooms.height())
        .map(|i| {
            (
                format!("{} {}", t("直播间", "room"), ids.get(i).unwrap_or(0)),
                values.iter().map(|v| v.get(i)).collect(),
            )
        })
        .collect();
    Ok(rates::Rates {
        title: t("各直播间转化率（占观众）", "Each room's rates (of viewers)").into(),
        names: columns.iter().map(|c| c.1.to_string()).collect(),
        groups,
    })
}

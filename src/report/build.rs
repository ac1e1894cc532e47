//! From the processors' results to the report model: which tables and charts, their files,
//! captions and data. Nothing here writes.

use std::collections::BTreeMap;

use plotters::style::RGBColor;
use polars::prelude::DataFrame;

use super::audience::{funnel_chart, revenue_chart, room_rates};
use super::error::ReportError;
use super::lang::Lang;
use super::model::{Chart, Plot, Report, Section, Table, TableId};
use super::tables;
use crate::analysis::compare::{self, Comparison};
use crate::analysis::frame::{datetimes, strs, u64s, ColumnError};
use crate::analysis::gifts::cols as gift_cols;
use crate::analysis::sessions::cols as session_cols;
use crate::analysis::summary::{ranking, Analysis, Summary};
use crate::analysis::users::cols as user_cols;
use crate::analysis::words::WordStats;
use crate::charts::{bar, clean_label, line, trend};
use crate::columns::Column as Col;
use crate::timefmt::Zone;

/// What a report is built from.
pub struct ReportInput<'a> {
    pub analysis: &'a Analysis,
    pub summary: &'a Summary,
    pub zone: &'a Zone,
    pub title: &'a str,
    pub top: usize,
    /// The sessions compared, when there is more than one: then sessions.html too.
    pub sessions: Option<&'a Comparison>,
    /// The pages' language (and the chart titles'); the CSVs are the same in any.
    pub lang: Lang,
}

const BLUE: RGBColor = RGBColor(31, 119, 180);
const RED: RGBColor = RGBColor(214, 39, 40);
const GREEN: RGBColor = RGBColor(44, 160, 44);
/// The gift chart's colour (`gifts --png` draws it too).
pub const PURPLE: RGBColor = RGBColor(148, 103, 189);

/// The report model of `r`: every table and chart, once.
pub fn build(r: &ReportInput) -> Result<Report, ReportError> {
    Ok(Report {
        title: r.title.to_string(),
        zone: *r.zone,
        top: r.top,
        summary: r.summary.clone(),
        overview: overview(r)?,
        sessions: r.sessions.map(|c| sessions(c, r.lang)).transpose()?,
        lang: r.lang,
    })
}

fn table(id: TableId, file: &'static str, caption: &'static str, df: DataFrame) -> Table {
    Table {
        id,
        file: Some(file),
        caption,
        df,
    }
}

fn overview(r: &ReportInput) -> Result<Section, ReportError> {
    use TableId::*;
    let a = r.analysis;
    let u = &a.users;
    let t = |zh: &'static str, en: &'static str| r.lang.pick(zh, en);
    let tables = vec![
        table(
            Words,
            "words.csv",
            t("热词", "Hot words"),
            tables::words(&a.words.words, 500, "word")?,
        ),
        table(
            Emotes,
            "emotes.csv",
            t("表情", "Emotes"),
            tables::words(&a.words.emotes, 200, "emote")?,
        ),
        table(
            Timeline,
            "timeline.csv",
            t("时间线", "Timeline"),
            tables::timeline(&a.timeline)?,
        ),
        table(
            Peaks,
            "peaks.csv",
            t("高峰时刻", "Peaks"),
            tables::peaks(&a.peaks)?,
        ),
        table(
            TopChatters,
            "top_chatters.csv",
            t("发言榜", "Top chatters"),
            u.top_chatters.clone(),
        ),
        table(
            TopGifters,
            "top_gifters.csv",
            t("送礼榜", "Top gifters"),
            u.top_gifters.clone(),
        ),
        table(
            TopLikers,
            "top_likers.csv",
            t("点赞榜", "Top likers"),
            u.top_likers.clone(),
        ),
        table(
            ChattersWhoPaid,
            "chatters_who_paid.csv",
            t("既发言又送礼的观众", "Chatters who also gifted"),
            u.chatters_who_paid.clone(),
        ),
        table(Levels, "levels.csv", t("等级", "Levels"), u.levels.clone()),
        table(Gifts, "gifts.csv", t("礼物", "Gifts"), a.gifts.rows.clone()),
        table(
            TableId::Funnel,
            "funnel.csv",
            t("观众漏斗", "Audience funnel"),
            a.funnel.steps()?,
        ),
        table(
            TableId::Revenue,
            "revenue.csv",
            t("收入与集中度", "Revenue and its concentration"),
            a.revenue.table()?,
        ),
        table(
            Whales,
            "whales.csv",
            t(
                "大额送礼观众（占钻石 5% 以上）",
                "Whales (5 % of the diamonds or more)",
            ),
            a.whales.clone(),
        ),
        table(
            Battles,
            "battles.csv",
            t("PK 对战", "PK battles"),
            a.battles.clone(),
        ),
        table(
            Newcomers,
            "newcomers.csv",
            t("新进场观众", "Newcomers"),
            a.newcomers.table()?,
        ),
    ];

    let mut charts = vec![Chart {
        file: "timeline.png",
        caption: t(
            "时间线：弹幕、发言人数、进场与在线人数",
            "Timeline: chat, chatters, joins and viewers online",
        ),
        plot: Plot::Timeline(
            timeline_chart(a, format!("{} · {}", r.title, t("时间线", "timeline")))?,
            r.lang.chart_words(),
        ),
    }];
    charts.push(Chart {
        file: "funnel.png",
        caption: t("观众漏斗", "Audience funnel"),
        plot: Plot::Funnel(funnel_chart(
            &a.funnel,
            format!("{} · {}", r.title, t("观众漏斗", "audience funnel")),
            r.lang,
        )),
    });
    if a.revenue.diamonds > 0 {
        charts.push(Chart {
            file: "revenue.png",
            caption: t("钻石收入：每分钟与累计", "Diamonds: per minute and in all"),
            plot: Plot::Revenue(revenue_chart(a, r.title, r.lang)?),
        });
    }
    let top_words = word_pairs(&a.words.words, r.top.max(20))?;
    if !top_words.is_empty() {
        charts.push(Chart {
            file: "words.png",
            caption: t("热词", "Hot words"),
            plot: Plot::Bars(bars(
                t("热词 Top", "Top words"),
                top_words,
                t("出现在多少条弹幕中", "messages it appears in"),
                BLUE,
            )),
        });
        charts.push(Chart {
            file: "wordcloud.png",
            caption: t("词云", "Word cloud"),
            plot: Plot::Cloud(word_pairs(&a.words.words, 120)?),
        });
    }
    let rank = |df: &DataFrame, table: &'static str, value: &'static str| {
        Ok::<_, ColumnError>(
            ranking(df, table, value)?
                .into_iter()
                .map(|(id, name, v)| (clean_label(&name, &id.to_string()), v))
                .collect::<Vec<_>>(),
        )
    };
    let chatters = rank(&u.top_chatters, "top_chatters", user_cols::MESSAGES)?;
    if !chatters.is_empty() {
        charts.push(Chart {
            file: "top_chatters.png",
            caption: t("发言榜", "Top chatters"),
            plot: Plot::Bars(bars(
                t("发言榜", "Top chatters"),
                chatters,
                t("弹幕条数", "messages"),
                GREEN,
            )),
        });
    }
    let gifters = rank(&u.top_gifters, "top_gifters", user_cols::DIAMONDS)?;
    if !gifters.is_empty() {
        charts.push(Chart {
            file: "top_gifters.png",
            caption: t("送礼榜", "Top gifters"),
            plot: Plot::Bars(bars(
                t("送礼榜（钻石）", "Top gifters (diamonds)"),
                gifters,
                t("钻石", "diamonds"),
                RED,
            )),
        });
    }
    let gifts = gift_bars(&a.gifts.rows, r.top)?;
    if !gifts.is_empty() {
        charts.push(Chart {
            file: "gifts.png",
            caption: t("礼物", "Gifts"),
            plot: Plot::Bars(bars(
                t("礼物收入（钻石）", "Gift income (diamonds)"),
                gifts,
                t("钻石", "diamonds"),
                PURPLE,
            )),
        });
    }
    Ok(Section { tables, charts })
}

fn bars(title: &str, rows: Vec<(String, u64)>, value_label: &str, color: RGBColor) -> bar::Bars {
    bar::Bars {
        title: title.into(),
        rows,
        value_label: value_label.into(),
        color,
    }
}

fn word_pairs(ranked: &DataFrame, n: usize) -> Result<Vec<(String, u64)>, ColumnError> {
    Ok(WordStats::top(ranked, n)?
        .into_iter()
        .map(|x| (x.word, x.count))
        .collect())
}

/// The timeline chart of `a`: its buckets, its peaks marked.
pub fn timeline_chart(a: &Analysis, title: String) -> Result<line::Timeline, ColumnError> {
    Ok(line::Timeline {
        title,
        bucket_ms: a.timeline.bucket_ms,
        points: a
            .timeline
            .buckets()?
            .iter()
            .map(|b| line::Point {
                start_ms: b.start_ms,
                chat: b.chat,
                chatters: b.chatters,
                joins: b.joins,
                online: b.online,
            })
            .collect(),
        marks: a
            .peaks
            .iter()
            .map(|p| line::Mark {
                top_ms: p.peak.top_ms,
                chat: p.peak.chat,
            })
            .collect(),
        battles: crate::analysis::battles::spans(&a.battles)?,
    })
}

/// (gift name, diamonds) of the first `top` gifts of a gifts table, for the bar chart.
pub fn gift_bars(rows: &DataFrame, top: usize) -> Result<Vec<(String, u64)>, ColumnError> {
    let head = rows.head(Some(top));
    let names = strs(&head, "gifts", gift_cols::GIFT_NAME)?;
    let diamonds = u64s(&head, "gifts", gift_cols::DIAMONDS)?;
    Ok(names
        .iter()
        .zip(diamonds.iter())
        .map(|(n, d)| (n.unwrap_or("").to_string(), d.unwrap_or(0)))
        .collect())
}

fn sessions(cmp: &Comparison, lang: Lang) -> Result<Section, ReportError> {
    use TableId::*;
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let mut tables = vec![
        table(
            Sessions,
            "sessions.csv",
            t("每场直播", "Each session"),
            cmp.sessions.clone(),
        ),
        table(
            Retention,
            "retention.csv",
            t("留存", "Retention"),
            cmp.retention.clone(),
        ),
        table(
            LoyalViewers,
            "loyal_viewers.csv",
            t("最忠实的观众", "The most loyal viewers"),
            cmp.loyal.clone(),
        ),
        Table {
            id: Rooms,
            // One room is no comparison of rooms: no file of it.
            file: (cmp.rooms.height() > 1).then_some("rooms.csv"),
            caption: t("直播间", "Rooms"),
            df: cmp.rooms.clone(),
        },
    ];
    for (id, role, caption) in [
        (
            RetentionChatters,
            compare::cols::CHATTERS,
            t("留存（发言观众）", "Retention (chatters)"),
        ),
        (
            RetentionGifters,
            compare::cols::GIFTERS,
            t("留存（送礼观众）", "Retention (gifters)"),
        ),
    ] {
        tables.push(Table {
            id,
            file: None,
            caption,
            df: tables::retention_wide(&cmp.retention, role)?,
        });
    }
    let several = cmp.rooms_side_by_side.height() > 1;
    tables.push(Table {
        id: RoomsFunnel,
        file: several.then_some("rooms_funnel.csv"),
        caption: t(
            "直播间对比：漏斗、收入集中度与 PK",
            "Rooms side by side: funnel, revenue concentration and battles",
        ),
        df: cmp.rooms_side_by_side.clone(),
    });
    let mut charts = session_trends_in(&cmp.sessions, lang)?;
    if several {
        charts.push(Chart {
            file: "rooms_funnel.png",
            caption: t("各直播间转化率", "Each room's rates"),
            plot: Plot::Rates(room_rates(&cmp.rooms_side_by_side, lang)?),
        });
    }
    Ok(Section { tables, charts })
}

/// The trend charts of a sessions table (see `analysis::sessions`), in page order; `sessions
/// --png` draws them too (in Chinese).
pub fn session_trends(table: &DataFrame) -> Result<Vec<Chart>, ColumnError> {
    session_trends_in(table, Lang::Zh)
}

/// [`session_trends`] with titles, axes and legends in `lang`.
pub fn session_trends_in(table: &DataFrame, lang: Lang) -> Result<Vec<Chart>, ColumnError> {
    use session_cols::*;
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let chart = |file, title: &'static str, y_label: &str, lines| Chart {
        file,
        caption: title,
        plot: Plot::Trend(trend::Trend {
            title: title.into(),
            y_label: y_label.into(),
            lines,
        }),
    };
    let mut chatters = lines(table, CHATTERS, t(" 发言", " chatters"), lang)?;
    chatters.extend(lines(
        table,
        RETURNING_CHATTERS,
        t(" 回头客", " returning"),
        lang,
    )?);
    Ok(vec![
        chart(
            "sessions_chat.png",
            t("每场弹幕", "Chat per session"),
            t("弹幕条数", "messages"),
            lines(table, CHAT, "", lang)?,
        ),
        chart(
            "sessions_chatters.png",
            t(
                "每场发言人数与回头客",
                "Chatters and returning chatters per session",
            ),
            t("人数", "people"),
            chatters,
        ),
        chart(
            "sessions_diamonds.png",
            t("每场钻石", "Diamonds per session"),
            t("钻石", "diamonds"),
            lines(table, DIAMONDS, "", lang)?,
        ),
        chart(
            "sessions_viewers.png",
            t("每场最高在线", "Peak viewers per session"),
            t("在线人数", "viewers"),
            lines(table, VIEWERS_PEAK, "", lang)?,
        ),
    ])
}

/// One line per room of `value` over the sessions table.
fn lines(
    table: &DataFrame,
    value: &'static str,
    suffix: &str,
    lang: Lang,
) -> Result<Vec<trend::Line>, ColumnError> {
    let rooms = u64s(table, "sessions", Col::RoomId.name())?;
    let starts = datetimes(table, "sessions", session_cols::START)?;
    let values = u64s(table, "sessions", value)?;
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
        .map(|(room, points)| trend::Line {
            name: format!("{} {room}{suffix}", lang.pick("直播间", "room")),
            points,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use polars::prelude::{df, DataFrame};

    use super::*;

    #[test]
    fn a_missing_column_is_an_error_naming_table_and_column_not_an_empty_chart() {
        let gifts = df!(gift_cols::GIFT_NAME => ["小心心"], "diamond" => [10u64]).unwrap();
        let err = gift_bars(&gifts, 10).unwrap_err();
        assert!(
            matches!(
                err,
                ColumnError::Missing {
                    table: "gifts",
                    column: "diamonds"
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "the gifts table has no column \"diamonds\""
        );

        let sessions = df!(Col::RoomId.name() => [1u64], session_cols::CHAT => [3u64]).unwrap();
        let err = session_trends(&sessions).unwrap_err().to_string();
        assert!(err.contains("sessions") && err.contains("start"), "{err}");

        let words = df!("word" => ["主播"], "count" => [2i32], "users" => [1u64]).unwrap();
        let err = WordStats::top(&words, 10).unwrap_err().to_string();
        assert!(err.contains("\"count\"") && err.contains("u64"), "{err}");
    }

    #[test]
    fn the_gift_chart_reads_what_the_gifts_processor_writes() {
        use crate::event::{Event, Kind};
        use polars::prelude::IntoLazy;
        let mut g = Event::new(Kind::Gift, Kind::Gift.method().into());
        g.gift_id = Some(463);
        g.gift_name = Some("小心心".into());
        g.gift_count = Some(10);
        g.diamond_count = Some(10);
        let table = crate::table::from_events(&[g]).unwrap();
        let rows = crate::analysis::gifts::gifts(table.lazy(), 0.1)
            .unwrap()
            .rows;
        assert_eq!(
            gift_bars(&rows, 5).unwrap(),
            [("小心心".to_string(), 10u64)]
        );
    }

    #[test]
    fn a_page_asking_for_a_table_the_section_lacks_is_an_error() {
        let s = Section {
            tables: vec![table(
                TableId::Gifts,
                "gifts.csv",
                "礼物",
                DataFrame::empty(),
            )],
            charts: Vec::new(),
        };
        assert!(s.table(TableId::Gifts).is_ok());
        let err = s.table(TableId::Peaks).unwrap_err();
        assert_eq!(err.to_string(), "the report has no Peaks table");
    }
}

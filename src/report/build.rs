//! From the processors' results to the report model: which tables and charts, their files,
//! captions and data. Nothing here writes.

use std::collections::BTreeMap;

use plotters::style::RGBColor;
use polars::prelude::DataFrame;

use super::error::ReportError;
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
        sessions: r.sessions.map(sessions).transpose()?,
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
    let tables = vec![
        table(
            Words,
            "words.csv",
            "热词",
            tables::words(&a.words.words, 500, "word")?,
        ),
        table(
            Emotes,
            "emotes.csv",
            "表情",
            tables::words(&a.words.emotes, 200, "emote")?,
        ),
        table(
            Timeline,
            "timeline.csv",
            "时间线",
            tables::timeline(&a.timeline),
        ),
        table(Peaks, "peaks.csv", "高峰时刻", tables::peaks(&a.peaks)?),
        table(
            TopChatters,
            "top_chatters.csv",
            "发言榜",
            u.top_chatters.clone(),
        ),
        table(
            TopGifters,
            "top_gifters.csv",
            "送礼榜",
            u.top_gifters.clone(),
        ),
        table(TopLikers, "top_likers.csv", "点赞榜", u.top_likers.clone()),
        table(
            ChattersWhoPaid,
            "chatters_who_paid.csv",
            "既发言又送礼的观众",
            u.chatters_who_paid.clone(),
        ),
        table(Levels, "levels.csv", "等级", u.levels.clone()),
        table(Gifts, "gifts.csv", "礼物", a.gifts.rows.clone()),
    ];

    let mut charts = vec![Chart {
        file: "timeline.png",
        caption: "时间线：弹幕、发言人数、进场与在线人数",
        plot: Plot::Timeline(timeline_chart(a, format!("{} · 时间线", r.title))?),
    }];
    let top_words = word_pairs(&a.words.words, r.top.max(20))?;
    if !top_words.is_empty() {
        charts.push(Chart {
            file: "words.png",
            caption: "热词",
            plot: Plot::Bars(bars("热词 Top", top_words, "出现在多少条弹幕中", BLUE)),
        });
        charts.push(Chart {
            file: "wordcloud.png",
            caption: "词云",
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
            caption: "发言榜",
            plot: Plot::Bars(bars("发言榜", chatters, "弹幕条数", GREEN)),
        });
    }
    let gifters = rank(&u.top_gifters, "top_gifters", user_cols::DIAMONDS)?;
    if !gifters.is_empty() {
        charts.push(Chart {
            file: "top_gifters.png",
            caption: "送礼榜",
            plot: Plot::Bars(bars("送礼榜（钻石）", gifters, "钻石", RED)),
        });
    }
    let gifts = gift_bars(&a.gifts.rows, r.top)?;
    if !gifts.is_empty() {
        charts.push(Chart {
            file: "gifts.png",
            caption: "礼物",
            plot: Plot::Bars(bars("礼物收入（钻石）", gifts, "钻石", PURPLE)),
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

fn sessions(cmp: &Comparison) -> Result<Section, ReportError> {
    use TableId::*;
    let mut tables = vec![
        table(Sessions, "sessions.csv", "每场直播", cmp.sessions.clone()),
        table(Retention, "retention.csv", "留存", cmp.retention.clone()),
        table(
            LoyalViewers,
            "loyal_viewers.csv",
            "最忠实的观众",
            cmp.loyal.clone(),
        ),
        Table {
            id: Rooms,
            // One room is no comparison of rooms: no file of it.
            file: (cmp.rooms.height() > 1).then_some("rooms.csv"),
            caption: "直播间",
            df: cmp.rooms.clone(),
        },
    ];
    for (id, role, caption) in [
        (
            RetentionChatters,
            compare::cols::CHATTERS,
            "留存（发言观众）",
        ),
        (RetentionGifters, compare::cols::GIFTERS, "留存（送礼观众）"),
    ] {
        tables.push(Table {
            id,
            file: None,
            caption,
            df: tables::retention_wide(&cmp.retention, role)?,
        });
    }
    Ok(Section {
        tables,
        charts: session_trends(&cmp.sessions)?,
    })
}

/// The trend charts of a sessions table (see `analysis::sessions`), in page order; `sessions
/// --png` draws them too.
pub fn session_trends(table: &DataFrame) -> Result<Vec<Chart>, ColumnError> {
    use session_cols::*;
    let chart = |file, title: &'static str, y_label: &str, lines| Chart {
        file,
        caption: title,
        plot: Plot::Trend(trend::Trend {
            title: title.into(),
            y_label: y_label.into(),
            lines,
        }),
    };
    let mut chatters = lines(table, CHATTERS, " 发言")?;
    chatters.extend(lines(table, RETURNING_CHATTERS, " 回头客")?);
    Ok(vec![
        chart(
            "sessions_chat.png",
            "每场弹幕",
            "弹幕条数",
            lines(table, CHAT, "")?,
        ),
        chart(
            "sessions_chatters.png",
            "每场发言人数与回头客",
            "人数",
            chatters,
        ),
        chart(
            "sessions_diamonds.png",
            "每场钻石",
            "钻石",
            lines(table, DIAMONDS, "")?,
        ),
        chart(
            "sessions_viewers.png",
            "每场最高在线",
            "在线人数",
            lines(table, VIEWERS_PEAK, "")?,
        ),
    ])
}

/// One line per room of `value` over the sessions table.
fn lines(
    table: &DataFrame,
    value: &'static str,
    suffix: &str,
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
            name: format!("直播间 {room}{suffix}"),
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

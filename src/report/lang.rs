//! The report pages' language (`report --lang zh|en`, Chinese by default: its readers are
//! mostly Chinese-speaking) and how the pages show values: table headers in that language,
//! numbers with thousands separators, times without the date when the report is of one day.
//! Only the HTML: the CSVs keep their column names and plain values for programs.

use std::str::FromStr;

use crate::charts::line;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" | "chinese" => Ok(Lang::Zh),
            "en" | "english" => Ok(Lang::En),
            _ => Err(format!("unknown language `{s}`; expected zh or en")),
        }
    }
}

/// Result-table column → (Chinese, English) header.
const HEADERS: &[(&str, &str, &str)] = &[
    ("rank", "排名", "Rank"),
    ("user_id", "用户 ID", "User ID"),
    ("user_name", "昵称", "Nickname"),
    ("diamonds", "钻石", "Diamonds"),
    ("messages", "弹幕数", "Messages"),
    ("active_minutes", "活跃分钟", "Active minutes"),
    ("gifts", "礼物", "Gifts"),
    ("likes", "点赞", "Likes"),
    ("user_level", "财富等级", "Honour level"),
    ("fans_club_level", "粉丝团等级", "Fans club level"),
    ("emote", "表情", "Emote"),
    ("word", "词", "Word"),
    ("count", "条数", "Count"),
    ("users", "人数", "Users"),
    ("gift_id", "礼物 ID", "Gift ID"),
    ("gift_name", "礼物", "Gift"),
    ("combos", "连击次数", "Combos"),
    ("units", "个数", "Units"),
    ("senders", "送礼人数", "Senders"),
    ("rmb", "估算收入（元）", "Est. income (¥)"),
    ("level", "等级", "Level"),
    (
        "users_at_honour_level",
        "该财富等级人数",
        "Users at honour level",
    ),
    (
        "users_at_fans_club_level",
        "该粉丝团等级人数",
        "Users at fans club level",
    ),
    ("time", "时间", "Time"),
    ("start", "开始", "Start"),
    ("end", "结束", "End"),
    ("chat", "弹幕", "Chat"),
    ("chat_total", "弹幕合计", "Chat total"),
    ("per_minute", "每分钟", "Per minute"),
    ("baseline", "基线", "Baseline"),
    ("ratio", "倍数", "Ratio"),
    ("distinctive_words", "特色词", "Distinctive words"),
    ("distinctive_emotes", "特色表情", "Distinctive emotes"),
    ("what_else", "其他动静", "What else"),
    ("chatters", "发言人数", "Chatters"),
    ("joins", "进场", "Joins"),
    ("follows", "关注", "Follows"),
    ("online", "在线", "Online"),
    ("room_id", "直播间", "Room"),
    ("session", "场次", "Session"),
    ("room_session", "本直播间第几场", "Room's session"),
    ("minutes", "时长（分钟）", "Minutes"),
    ("stream_end", "收到下播消息", "Stream end seen"),
    ("new_chatters", "新发言观众", "New chatters"),
    ("returning_chatters", "回头发言观众", "Returning chatters"),
    ("gifters", "送礼人数", "Gifters"),
    ("new_gifters", "新送礼观众", "New gifters"),
    ("returning_gifters", "回头送礼观众", "Returning gifters"),
    ("viewers_peak", "最高在线", "Peak viewers"),
    ("viewers_mean", "平均在线", "Mean viewers"),
    ("top_words", "热词", "Top words"),
    ("people", "人数", "People"),
    ("sessions", "场次", "Sessions"),
    ("rooms", "直播间数", "Rooms"),
    ("first_seen", "首次出现", "First seen"),
    ("last_seen", "最后出现", "Last seen"),
    ("first_start", "首场开始", "First start"),
    ("last_end", "末场结束", "Last end"),
    ("hours", "时长（小时）", "Hours"),
    ("diamonds_share", "占钻石比例", "Share of diamonds"),
    ("top1pct_share", "前 1% 占比", "Top 1 %'s share"),
    ("whales", "大额送礼观众", "Whales"),
    ("newcomers", "新进场观众", "Newcomers"),
    ("chatted", "发言", "Chatted"),
    ("liked", "点赞", "Liked"),
    ("followed", "关注", "Followed"),
    ("joined_fans_club", "加入粉丝团", "Joined fans club"),
    ("gifted", "送礼", "Gifted"),
    ("first_gift", "首次送礼", "First gift"),
    ("last_gift", "最后送礼", "Last gift"),
    ("biggest_gift", "最大一笔礼物", "Biggest gift"),
    (
        "biggest_gift_diamonds",
        "最大一笔（钻石）",
        "Biggest gift (diamonds)",
    ),
    ("battle_id", "PK ID", "Battle ID"),
    ("anchor1_id", "一方主播", "Side 1 anchor"),
    ("anchor1_score", "一方得分", "Side 1 score"),
    ("anchor2_id", "另一方主播", "Side 2 anchor"),
    ("anchor2_score", "另一方得分", "Side 2 score"),
    ("room_anchor", "本直播间主播", "Room's anchor"),
    ("opponent", "对手", "Opponent"),
    ("result", "结果", "Result"),
    ("diamonds_per_min", "每分钟钻石", "Diamonds per min"),
    (
        "room_diamonds_per_min",
        "全场每分钟钻石",
        "Room's diamonds per min",
    ),
    ("viewers", "观众", "Viewers"),
    ("viewers_source", "观众口径", "Viewers from"),
    ("entered", "进场", "Entered"),
    ("interacted", "互动", "Interacted"),
    ("interacted_rate", "互动率", "Interaction rate"),
    ("chat_rate", "发言率", "Chat rate"),
    ("follow_rate", "关注率", "Follow rate"),
    ("fans_club_rate", "入团率", "Fans-club rate"),
    ("gift_rate", "付费率", "Paying rate"),
    ("top1_share", "榜一占比", "Top gifter's share"),
    ("top10_share", "前 10 名占比", "Top 10's share"),
    ("gini", "基尼系数", "Gini"),
    ("battles", "PK 场数", "Battles"),
    ("sessions_gifted", "送礼场次", "Sessions gifted in"),
    ("battles_won", "PK 胜", "Battles won"),
    ("battles_lost", "PK 负", "Battles lost"),
];

/// Cell values the pages say in their language.
const VALUES: &[(&str, &str, &str)] = &[
    ("win", "胜", "win"),
    ("loss", "负", "loss"),
    ("draw", "平", "draw"),
    ("total_viewers", "累计观看", "count since start"),
    ("online_max", "最高在线", "highest online"),
    ("users_seen", "看到的观众", "users seen"),
];

/// Whether a column holds shares 0–1, shown as percentages.
fn is_share(column: &str) -> bool {
    column == "share" || column.ends_with("_share") || column.ends_with("_rate")
}

impl Lang {
    /// The text in this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The timeline chart's own words (legend, axes, peak labels).
    pub fn chart_words(self) -> &'static line::Words {
        match self {
            Lang::Zh => &line::ZH,
            Lang::En => &line::EN,
        }
    }

    /// The `<html lang>` value.
    pub fn html(self) -> &'static str {
        self.pick("zh-CN", "en")
    }

    /// A result-table column's header; a column not listed keeps its name (`+1`, `+2` …).
    pub fn header(self, column: &str) -> String {
        match HEADERS.iter().find(|h| h.0 == column) {
            Some((_, zh, en)) => self.pick(zh, en).to_string(),
            None => column.to_string(),
        }
    }
}

/// How the pages show a cell: numbers grouped by thousands; a time on `day` (the report's one
/// date, when it has one) without its date.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub lang: Lang,
    /// `YYYY-MM-DD` when every event of the report is on that local date.
    pub day: Option<String>,
}

impl View {
    /// A cell of `column` as the page shows it.
    pub fn cell(&self, column: &str, text: &str, numeric: bool) -> String {
        if numeric {
            if is_share(column) {
                if let Ok(v) = text.parse::<f64>() {
                    return format!("{:.1}%", v * 100.0);
                }
            }
            return group_thousands(text);
        }
        if let Some((_, zh, en)) = VALUES.iter().find(|v| v.0 == text) {
            return self.lang.pick(zh, en).to_string();
        }
        match text {
            "true" => return self.lang.pick("是", "yes").to_string(),
            "false" => return self.lang.pick("否", "no").to_string(),
            _ => {}
        }
        if column == "what_else" {
            // `follows 8 (2.5×), gifts 26 (2.1×)`: the series named in the page's language.
            return text
                .split(' ')
                .map(|w| match HEADERS.iter().any(|h| h.0 == w) {
                    true => self.lang.header(w).to_lowercase(),
                    false => w.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" ");
        }
        if let Some(day) = &self.day {
            if let Some(time) = text
                .strip_prefix(day.as_str())
                .and_then(|t| t.strip_prefix(' '))
            {
                if time.len() >= 5 && time.as_bytes()[2] == b':' {
                    return time.to_string();
                }
            }
        }
        text.to_string()
    }
}

/// `what` per bucket of `ms`: `每1分钟钻石`, `diamonds per 1 min`.
pub fn bucket_words(ms: i64, lang: Lang, what: &str) -> String {
    let per = line::bucket_name(ms, lang == Lang::En);
    match lang {
        Lang::Zh => format!("{per}{what}"),
        Lang::En => format!("{what} {per}"),
    }
}

/// `1234567.5` → `1,234,567.5`; anything that is not a plain number is left as it is.
pub fn group_thousands(text: &str) -> String {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_same_day_times_short() {
        assert_eq!(group_thousands("1234567"), "1,234,567");
        assert_eq!(group_thousands("-1234.50"), "-1,234.50");
        assert_eq!(group_thousands("999"), "999");
        assert_eq!(group_thousands("12a"), "12a");
        let v = View {
            lang: Lang::Zh,
            day: Some("2026-01-01".into()),
        };
        assert_eq!(v.cell("start", "2026-01-01 18:00:05", false), "18:00:05");
        assert_eq!(
            v.cell("start", "2026-01-02 00:00:05", false),
            "2026-01-02 00:00:05"
        );
        assert_eq!(
            v.cell("content", "2026-01-01 抢到了", false),
            "2026-01-01 抢到了"
        );
        assert_eq!(v.cell("chat", "12345", true), "12,345");
        assert_eq!(
            v.cell("what_else", "follows 8 (2.5×), gifts 26 (2.1×)", false),
            "关注 8 (2.5×), 礼物 26 (2.1×)"
        );
        assert_eq!(v.cell("stream_end", "true", false), "是");
        assert_eq!(Lang::En.header("user_name"), "Nickname");
        assert_eq!(Lang::Zh.header("+1"), "+1");
        assert_eq!("EN".parse(), Ok(Lang::En));
    }
}

//! Live sessions: the event table split per room wherever the stream-end control message came
//! or the room fell silent for longer than a gap, and one row of totals per session, with new
//! and returning chatters and gifters (seen in an earlier session of the same room).

use polars::prelude::*;

use super::expr::{c, is_kind, keyed_by_name, name_without_id, ts_ms, Run};
use super::gifts::{rmb, DEFAULT_RMB_PER_DIAMOND};
use super::words::{tokenize, Segmenter, WordOptions, WordStats};
use crate::columns::Column as Col;
use crate::event::Kind;

/// `ControlMessage.status` of the stream end.
pub const STREAM_END: u32 = 3;

#[derive(Debug, Clone, Copy)]
pub struct SessionOptions {
    /// A silence longer than this (ms) between two events of a room starts a new session.
    pub gap_ms: i64,
    /// Words in each session's `top_words`.
    pub top_words: usize,
    pub words: WordOptions,
    pub rmb_per_diamond: f64,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            gap_ms: 30 * 60_000,
            top_words: 5,
            words: WordOptions::default(),
            rmb_per_diamond: DEFAULT_RMB_PER_DIAMOND,
        }
    }
}

/// The event table cut into sessions; [`Split::table`] and the comparisons in
/// [`super::compare`] read it.
pub struct Split {
    /// The events the totals need, by (room, time), each with its session `_sid`.
    pub(crate) rows: DataFrame,
    /// One row per session: `_sid`, `session` (1.. by start time), `room_id`, `room_session`
    /// (1.. within the room), `_start`, `_end` (UTC ms), `stream_end`.
    pub(crate) index: DataFrame,
    /// Users told apart by nickname where the table has no ids (see [`keyed_by_name`]).
    pub(crate) by_name: bool,
    /// Chat rows with the columns word counting reads.
    chat: DataFrame,
}

/// Whether each row, sorted by (room_id, `_ts`) with `_ended` marking the stream-end
/// message, starts a session: 1 or 0.
fn starts(gap_ms: i64) -> Expr {
    c(Col::RoomId)
        .neq(c(Col::RoomId).shift(lit(1)))
        .or((col("_ts") - col("_ts").shift(lit(1))).gt(lit(gap_ms)))
        .or(col("_ended").shift(lit(1)))
        .fill_null(lit(true))
        .cast(DataType::UInt32)
}

fn stream_ended() -> Expr {
    is_kind(Kind::Control)
        .and(c(Col::ControlStatus).eq(lit(STREAM_END)))
        .fill_null(lit(false))
        .alias("_ended")
}

/// How many sessions `events` hold, reading only the columns that split them: cheaper than
/// [`split`] when one session is the common case (`report`).
pub fn count(events: LazyFrame, gap_ms: i64) -> PolarsResult<usize> {
    let n = events
        .select([
            c(Col::RoomId).fill_null(lit(0u64)),
            ts_ms().alias("_ts"),
            stream_ended(),
        ])
        .sort_by_exprs(
            [c(Col::RoomId), col("_ts")],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .select([starts(gap_ms).sum().alias("n")])
        .run()?;
    Ok(n.column("n")?.u32()?.get(0).unwrap_or(0) as usize)
}

/// Splits `events` into sessions, per room: sorted by (room, time), a session starts at a
/// room's first event, after a silence longer than `gap_ms`, and after the stream-end message.
pub fn split(events: LazyFrame, gap_ms: i64) -> PolarsResult<Split> {
    let by_name = keyed_by_name(&events)?;
    let room = c(Col::RoomId).fill_null(lit(0u64));
    let rows = events
        .clone()
        .select([
            room.clone().alias(Col::RoomId.name()),
            ts_ms().alias("_ts"),
            c(Col::Kind),
            stream_ended(),
            c(Col::UserId),
            c(Col::UserName),
            c(Col::DiamondCount),
            c(Col::Online),
            c(Col::Action),
        ])
        .sort_by_exprs(
            [c(Col::RoomId), col("_ts")],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        // Sorted by room first, so one running count numbers every room's sessions.
        .with_column(starts(gap_ms).cum_sum(false).alias("_sid"))
        .run()?;
    let index = rows
        .clone()
        .lazy()
        .group_by([col("_sid")])
        .agg([
            c(Col::RoomId).first(),
            col("_ts").min().alias("_start"),
            col("_ts").max().alias("_end"),
            col("_ended").last().alias("stream_end"),
        ])
        .sort(["_sid"], SortMultipleOptions::default())
        .with_column(
            (col("_sid") - col("_sid").min().over([c(Col::RoomId)])? + lit(1u32))
                .alias("room_session"),
        )
        .sort_by_exprs(
            [col("_start"), c(Col::RoomId)],
            SortMultipleOptions::default(),
        )
        .with_row_index("session", Some(1))
        .with_column(col("session").cast(DataType::UInt32))
        .collect()?;
    let chat = events
        .filter(is_kind(Kind::Chat))
        .select([
            room.alias(Col::RoomId.name()),
            c(Col::Ts),
            c(Col::Kind),
            c(Col::UserId),
            c(Col::UserName),
            c(Col::Content),
        ])
        .run()?;
    Ok(Split {
        rows,
        index,
        by_name,
        chat,
    })
}

impl Split {
    /// The columns a user is keyed by: the id, and the nickname where there is none.
    pub(crate) fn user_keys(&self) -> Vec<Expr> {
        let mut keys = vec![c(Col::UserId)];
        if self.by_name {
            keys.push(col("_name"));
        }
        keys
    }

    /// Who did `kind` in which session, once per (session, user): `_sid`, `room_id`,
    /// `room_session`, the user keys, `messages` (their events of `kind` there), `user_name`.
    pub(crate) fn members(&self, kind: Kind) -> LazyFrame {
        let mut keys = vec![col("_sid"), c(Col::RoomId), c(Col::UserId)];
        let mut rows = self.rows.clone().lazy().filter(is_kind(kind));
        if self.by_name {
            rows = rows
                .with_column(name_without_id().alias("_name"))
                .filter(c(Col::UserId).is_not_null().or(col("_name").neq(lit(""))));
            keys.push(col("_name"));
        } else {
            rows = rows.filter(c(Col::UserId).is_not_null());
        }
        rows.group_by(keys)
            .agg([
                len().cast(DataType::UInt64).alias("messages"),
                c(Col::UserName)
                    .filter(c(Col::UserName).neq(lit("")))
                    .last()
                    .fill_null(lit(""))
                    .alias(Col::UserName.name()),
            ])
            .join(
                self.index
                    .clone()
                    .lazy()
                    .select([col("_sid"), col("room_session")]),
                [col("_sid")],
                [col("_sid")],
                JoinArgs::new(JoinType::Inner),
            )
    }

    /// Per session: `<role>`, `new_<role>`, `returning_<role>` (did `kind` in an earlier
    /// session of the room too).
    fn newcomers(&self, kind: Kind, role: &str) -> PolarsResult<LazyFrame> {
        let mut over = vec![c(Col::RoomId)];
        over.extend(self.user_keys());
        Ok(self
            .members(kind)
            .with_column(
                col("room_session")
                    .gt(col("room_session").min().over(over)?)
                    .alias("_back"),
            )
            .group_by([col("_sid")])
            .agg([
                len().cast(DataType::UInt64).alias(role),
                col("_back")
                    .sum()
                    .cast(DataType::UInt64)
                    .alias(format!("returning_{role}")),
            ])
            .with_column(
                (col(role) - col(format!("returning_{role}"))).alias(format!("new_{role}")),
            ))
    }

    /// One row per session and room, in start order: `session`, `room_id`, `room_session`,
    /// `start`, `end`, `minutes`, `stream_end` (it ended with the stream-end message), `chat`,
    /// `chatters`, `new_chatters`, `returning_chatters`, `gifts` (resolved combos), `gifters`,
    /// `new_gifters`, `returning_gifters`, `diamonds`, `rmb`, `follows`, `viewers_peak`,
    /// `viewers_mean` (of room_user_seq and room_stats counts), `top_words`.
    pub fn table(&self, seg: &Segmenter, opts: &SessionOptions) -> PolarsResult<DataFrame> {
        let viewers = c(Col::Online)
            .filter(is_kind(Kind::RoomUserSeq).or(is_kind(Kind::RoomStats)))
            .drop_nulls();
        let totals = self.rows.clone().lazy().group_by([col("_sid")]).agg([
            is_kind(Kind::Chat)
                .sum()
                .cast(DataType::UInt64)
                .alias("chat"),
            is_kind(Kind::Gift)
                .sum()
                .cast(DataType::UInt64)
                .alias("gifts"),
            c(Col::DiamondCount)
                .filter(is_kind(Kind::Gift))
                .sum()
                .cast(DataType::UInt64)
                .alias("diamonds"),
            is_kind(Kind::Social)
                .and(c(Col::Action).eq(lit(1u32)))
                .sum()
                .cast(DataType::UInt64)
                .alias("follows"),
            viewers
                .clone()
                .max()
                .cast(DataType::UInt64)
                .alias("viewers_peak"),
            viewers.cast(DataType::Float64).mean().alias("viewers_mean"),
        ]);
        let left = |l: LazyFrame, r: LazyFrame| {
            l.join(
                r,
                [col("_sid")],
                [col("_sid")],
                JoinArgs::new(JoinType::Left),
            )
        };
        let utc = DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
        let counts = [
            "chatters",
            "new_chatters",
            "returning_chatters",
            "gifters",
            "new_gifters",
            "returning_gifters",
        ];
        let joined = left(
            left(
                left(self.index.clone().lazy(), totals),
                self.newcomers(Kind::Chat, "chatters")?,
            ),
            self.newcomers(Kind::Gift, "gifters")?,
        )
        .with_columns(counts.map(|n| col(n).fill_null(lit(0u64))))
        .sort(["session"], SortMultipleOptions::default())
        .collect()?;
        let words = self.top_words(&joined, seg, opts)?;
        let mut joined = joined;
        joined.with_column(polars::prelude::Column::new("top_words".into(), words))?;
        joined
            .lazy()
            .select([
                col("session"),
                c(Col::RoomId),
                col("room_session"),
                col("_start").cast(utc.clone()).alias("start"),
                col("_end").cast(utc).alias("end"),
                ((col("_end") - col("_start")).cast(DataType::Float64) / lit(60_000.0))
                    .alias("minutes"),
                col("stream_end"),
                col("chat"),
                col("chatters"),
                col("new_chatters"),
                col("returning_chatters"),
                col("gifts"),
                col("gifters"),
                col("new_gifters"),
                col("returning_gifters"),
                col("diamonds"),
                rmb(col("diamonds"), opts.rmb_per_diamond),
                col("follows"),
                col("viewers_peak"),
                col("viewers_mean"),
                col("top_words"),
            ])
            .collect()
    }

    /// Each session's most used words, space-separated, in the order of `sessions`' rows.
    fn top_words(
        &self,
        sessions: &DataFrame,
        seg: &Segmenter,
        opts: &SessionOptions,
    ) -> PolarsResult<Vec<String>> {
        let rooms = sessions.column(Col::RoomId.name())?.u64()?;
        let starts = sessions.column("_start")?.i64()?;
        let ends = sessions.column("_end")?.i64()?;
        rooms
            .iter()
            .zip(starts.iter())
            .zip(ends.iter())
            .map(|((room, start), end)| {
                let (Some(room), Some(start), Some(end)) = (room, start, end) else {
                    return Ok(String::new());
                };
                let chat = self.chat.clone().lazy().filter(
                    c(Col::RoomId)
                        .eq(lit(room))
                        .and(ts_ms().gt_eq(lit(start)))
                        .and(ts_ms().lt_eq(lit(end))),
                );
                let ranked = tokenize(chat, seg, &opts.words)?.rank(None)?;
                Ok(WordStats::top(&ranked.words, opts.top_words)
                    .into_iter()
                    .map(|w| w.word)
                    .collect::<Vec<_>>()
                    .join(" "))
            })
            .collect()
    }
}

/// The sessions of `events`: one row per session and room (see [`Split::table`]).
///
/// ```
/// use danmu_analyze::analysis::sessions::{sessions, SessionOptions};
/// use danmu_analyze::analysis::words::Segmenter;
/// use danmu_analyze::event::{Event, Kind};
/// use polars::prelude::IntoLazy;
///
/// let chat = |ts: i64, user: u64| {
///     let mut e = Event::new(Kind::Chat, Kind::Chat.method().into());
///     e.ts = ts;
///     e.room_id = 1;
///     e.user_id = Some(user);
///     e.content = Some("主播晚上好".into());
///     e
/// };
/// // Two evenings a day apart; user 7 comes back.
/// let day = 86_400_000;
/// let events = [chat(0, 7), chat(60_000, 8), chat(day, 7)];
/// let table = danmu_analyze::table::from_events(&events).unwrap();
/// let seg = Segmenter::new(None, None).unwrap();
/// let s = sessions(table.lazy(), &seg, &SessionOptions::default()).unwrap();
/// assert_eq!(s.height(), 2);
/// let returning = s.column("returning_chatters").unwrap().u64().unwrap();
/// assert_eq!((returning.get(0), returning.get(1)), (Some(0), Some(1)));
/// ```
pub fn sessions(
    events: LazyFrame,
    seg: &Segmenter,
    opts: &SessionOptions,
) -> PolarsResult<DataFrame> {
    split(events, opts.gap_ms)?.table(seg, opts)
}

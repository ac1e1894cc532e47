//! Live sessions: the event table split per room wherever the stream-end control message came
//! or the room fell silent for longer than a gap, and one row of totals per session, with new
//! and returning chatters and gifters (seen in an earlier session of the same room).

use polars::prelude::*;

use super::expr::{c, is_kind, keyed_by_name, name_without_id, ts_ms, Events};
use super::funnel::cols as fc;
use super::gifts::{rmb, DEFAULT_RMB_PER_DIAMOND};
use super::viewers;
use super::words::{tokenize_keyed, Segmenter, WordOptions, WordStats};
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

/// Columns of the sessions table ([`Split::table`]) that other code reads.
pub mod cols {
    pub const SESSION: &str = "session";
    pub const ROOM_SESSION: &str = "room_session";
    pub const START: &str = "start";
    pub const CHAT: &str = "chat";
    pub const CHATTERS: &str = "chatters";
    pub const RETURNING_CHATTERS: &str = "returning_chatters";
    pub const DIAMONDS: &str = "diamonds";
    pub const VIEWERS_PEAK: &str = "viewers_peak";
    /// Funnel steps over the session's viewers (see [`super::super::funnel`]), 0–1.
    pub const INTERACTED_RATE: &str = "interacted_rate";
    pub const CHAT_RATE: &str = "chat_rate";
    pub const FOLLOW_RATE: &str = "follow_rate";
    pub const FANS_CLUB_RATE: &str = "fans_club_rate";
    pub const GIFT_RATE: &str = "gift_rate";
}

/// `step` over `viewers` as `name` (null without viewers).
pub(crate) fn rate(step: &str, name: &str) -> Expr {
    when(col(fc::VIEWERS).gt(lit(0u64)))
        .then(col(step).cast(DataType::Float64) / col(fc::VIEWERS).cast(DataType::Float64))
        .otherwise(lit(NULL).cast(DataType::Float64))
        .alias(name)
}

/// The event table cut into sessions; [`Split::table`] and the comparisons in
/// [`super::compare`] read it.
///
/// Nothing here holds the events: the cut is found from per-bucket aggregates (see [`cut`]),
/// and each total is one aggregating query over `events` that looks each row's session up by
/// its room and time bucket, so a scanned dataset is read column by column, never whole.
pub struct Split {
    /// The events, in any order (a dataset's parts unsorted is fine).
    events: LazyFrame,
    /// The engine the events' queries run on.
    engine: super::expr::Engine,
    /// One row per session: `_sid`, `session` (1.. by start time), `room_id`, `room_session`
    /// (1.. within the room), `_start`, `_end` (UTC ms), `stream_end`.
    pub(crate) index: DataFrame,
    /// Users told apart by nickname where the table has no ids (see [`keyed_by_name`]).
    pub(crate) by_name: bool,
    cut: Cut,
    /// [`Split::members_frame`] of each kind asked for.
    members: std::cell::RefCell<Vec<(Kind, DataFrame)>>,
}

/// Whether a row is the stream-end message.
fn stream_ended() -> Expr {
    is_kind(Kind::Control)
        .and(c(Col::ControlStatus).eq(lit(STREAM_END)))
        .fill_null(lit(false))
}

/// Where sessions begin and end, and how to find each row's session from its room and time.
///
/// The rows of a room are split, in (time, table) order, at a silence longer than the gap and
/// right after the stream-end message. Within a time bucket no wider than the gap no silence
/// can be longer than the gap, so a bucket without a stream-end message lies in one session:
/// its first and last times stand for all its rows. Only the buckets holding a stream-end
/// message are read row by row. A row is then found in `buckets` by (room, `_b`) or, in those
/// few buckets, in `instants` by (room, `_ts`).
struct Cut {
    /// Bucket width (ms): the gap, at most a minute.
    width: i64,
    /// `room_id`, `_b` (bucket), `_sid` of each bucket without a stream-end message.
    buckets: DataFrame,
    /// `room_id`, `_ts`, `_sid` of each time in a bucket with a stream-end message. Rows of one
    /// millisecond on both sides of a stream end go to the session it ends.
    instants: DataFrame,
    /// `_sid`, `room_id`, `_start`, `_end`, `stream_end`, one row per session.
    sessions: DataFrame,
}

/// Aggregations over all the events: on polars' streaming engine, which holds groups, not rows.
pub(crate) fn stream(lf: LazyFrame) -> PolarsResult<DataFrame> {
    lf.collect_with_engine(Engine::Streaming)
        .map(|r| r.unwrap_single())
}

fn room() -> Expr {
    c(Col::RoomId).fill_null(lit(0u64))
}

/// The session of each row of `events`, found as in [`Cut`].
fn cut(events: &LazyFrame, gap_ms: i64) -> PolarsResult<Cut> {
    let width = gap_ms.clamp(1, 60_000);
    let bucket = || col("_ts").floor_div(lit(width)).alias("_b");
    let keyed = events
        .clone()
        .select([room().alias(Col::RoomId.name()), ts_ms().alias("_ts")])
        .with_column(bucket());
    let spans = stream(
        keyed
            .group_by([c(Col::RoomId), col("_b")])
            .agg([col("_ts").min().alias("_lo"), col("_ts").max().alias("_hi")]),
    )?
    .sort([Col::RoomId.name(), "_b"], SortMultipleOptions::default())?;
    let ends = stream(
        events
            .clone()
            .filter(stream_ended())
            .select([room().alias(Col::RoomId.name()), ts_ms().alias("_ts")])
            .with_column(bucket())
            .unique(
                Some(cols([Col::RoomId.name(), "_b"])),
                UniqueKeepStrategy::Any,
            ),
    )?;
    let ended: std::collections::HashSet<(u64, i64)> = ends
        .column(Col::RoomId.name())?
        .u64()?
        .into_no_null_iter()
        .zip(ends.column("_b")?.i64()?.into_no_null_iter())
        .collect();
    // The rows of the buckets with a stream end, in (room, time, table) order.
    let mut exact: std::collections::HashMap<(u64, i64), Vec<(i64, bool)>> = Default::default();
    if !ended.is_empty() {
        let within = ended
            .iter()
            .map(|&(r, b)| {
                room()
                    .eq(lit(r))
                    .and(ts_ms().gt_eq(lit(b * width)))
                    .and(ts_ms().lt(lit((b + 1) * width)))
            })
            .reduce(|a, b| a.or(b))
            .expect("not empty");
        let rows = events
            .clone()
            .filter(within)
            .select([
                room().alias(Col::RoomId.name()),
                ts_ms().alias("_ts"),
                stream_ended().alias("_ended"),
            ])
            .sort_by_exprs(
                [c(Col::RoomId), col("_ts")],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .collect()?;
        let rooms = rows.column(Col::RoomId.name())?.u64()?;
        let ts = rows.column("_ts")?.i64()?;
        let flags = rows.column("_ended")?.bool()?;
        for ((r, t), e) in rooms.iter().zip(ts.iter()).zip(flags.iter()) {
            let (Some(r), Some(t)) = (r, t) else { continue };
            exact
                .entry((r, t.div_euclid(width)))
                .or_default()
                .push((t, e.unwrap_or(false)));
        }
    }
    // Walk each room's buckets in order, as the rows they stand for.
    let (mut b_room, mut b_b, mut b_sid) = (Vec::new(), Vec::new(), Vec::new());
    let (mut i_room, mut i_ts, mut i_sid) = (Vec::new(), Vec::new(), Vec::new());
    let (mut s_sid, mut s_room, mut s_start, mut s_end, mut s_ended) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let rooms = spans.column(Col::RoomId.name())?.u64()?;
    let bs = spans.column("_b")?.i64()?;
    let los = spans.column("_lo")?.i64()?;
    let his = spans.column("_hi")?.i64()?;
    let mut sid = 0u32;
    // (room, time, ended) of the row before.
    let mut prev: Option<(u64, i64, bool)> = None;
    let mut row = |r: u64, t: i64, e: bool, sid: &mut u32| {
        let starts = match prev {
            None => true,
            Some((pr, pt, pe)) => pr != r || t - pt > gap_ms || pe,
        };
        if starts {
            *sid += 1;
            s_sid.push(*sid);
            s_room.push(r);
            s_start.push(t);
            s_end.push(t);
            s_ended.push(e);
        } else {
            *s_end.last_mut().expect("a session") = t;
            *s_ended.last_mut().expect("a session") = e;
        }
        prev = Some((r, t, e));
    };
    for i in 0..spans.height() {
        let (Some(r), Some(b), Some(lo), Some(hi)) =
            (rooms.get(i), bs.get(i), los.get(i), his.get(i))
        else {
            continue;
        };
        match exact.get(&(r, b)) {
            Some(rows) => {
                for &(t, e) in rows {
                    row(r, t, e, &mut sid);
                    if i_ts.last() != Some(&t) || i_room.last() != Some(&r) {
                        i_room.push(r);
                        i_ts.push(t);
                        i_sid.push(sid);
                    }
                }
            }
            None => {
                row(r, lo, false, &mut sid);
                row(r, hi, false, &mut sid);
                b_room.push(r);
                b_b.push(b);
                b_sid.push(sid);
            }
        }
    }
    let frame = |cols: Vec<polars::prelude::Column>| {
        let n = cols.first().map_or(0, |c| c.len());
        DataFrame::new(n, cols)
    };
    let named = |n: &str, v: polars::prelude::Column| v.with_name(n.into());
    Ok(Cut {
        width,
        buckets: frame(vec![
            named(Col::RoomId.name(), Series::new("".into(), b_room).into()),
            named("_b", Series::new("".into(), b_b).into()),
            named("_sid", Series::new("".into(), b_sid).into()),
        ])?,
        instants: frame(vec![
            named(Col::RoomId.name(), Series::new("".into(), i_room).into()),
            named("_ts", Series::new("".into(), i_ts).into()),
            named("_sid_t", Series::new("".into(), i_sid).into()),
        ])?,
        sessions: frame(vec![
            named("_sid", Series::new("".into(), s_sid).into()),
            named(Col::RoomId.name(), Series::new("".into(), s_room).into()),
            named("_start", Series::new("".into(), s_start).into()),
            named("_end", Series::new("".into(), s_end).into()),
            named("stream_end", Series::new("".into(), s_ended).into()),
        ])?,
    })
}

/// How many sessions `events` hold, from the per-bucket aggregates alone: cheaper than
/// [`split`] when one session is the common case (`report`).
pub fn count(events: impl Into<Events>, gap_ms: i64) -> PolarsResult<usize> {
    Ok(cut(&events.into().lazy, gap_ms)?.sessions.height())
}

/// Splits `events` into sessions, per room: sorted by (room, time), a session starts at a
/// room's first event, after a silence longer than `gap_ms`, and after the stream-end message.
/// `events` may be in any order where times differ (a dataset's parts, unsorted); rows of one
/// millisecond are taken in their order.
pub fn split(events: impl Into<Events>, gap_ms: i64) -> PolarsResult<Split> {
    let Events {
        lazy: events,
        engine,
    } = events.into();
    let by_name = keyed_by_name(&events, engine)?;
    let cut = cut(&events, gap_ms)?;
    let index = cut
        .sessions
        .clone()
        .lazy()
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
    Ok(Split {
        events,
        engine,
        index,
        by_name,
        cut,
        members: Default::default(),
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

    /// `events` with each row's session `_sid`, `room_id` (0 for none) and `_ts` (UTC ms):
    /// a lazy query, so each reader reads only the columns and rows it needs.
    pub(crate) fn rows(&self) -> LazyFrame {
        let key = [c(Col::RoomId), col("_b")];
        let mut rows = self
            .events
            .clone()
            .with_columns([room().alias(Col::RoomId.name()), ts_ms().alias("_ts")])
            .with_column(col("_ts").floor_div(lit(self.cut.width)).alias("_b"))
            .join(
                self.cut.buckets.clone().lazy(),
                key.clone(),
                key,
                JoinArgs::new(JoinType::Left),
            );
        if self.cut.instants.height() > 0 {
            let key = [c(Col::RoomId), col("_ts")];
            rows = rows
                .join(
                    self.cut.instants.clone().lazy(),
                    key.clone(),
                    key,
                    JoinArgs::new(JoinType::Left),
                )
                .with_column(col("_sid").fill_null(col("_sid_t")));
        }
        rows
    }

    /// The names of [`Self::user_keys`].
    pub(crate) fn user_key_names(&self) -> Vec<&'static str> {
        let mut keys = vec![Col::UserId.name()];
        if self.by_name {
            keys.push("_name");
        }
        keys
    }

    /// Who did `kind` in which session, once per (session, user): `_sid`, `room_id`,
    /// `room_session`, the user keys, `messages` (their events of `kind` there).
    pub(crate) fn members(&self, kind: Kind) -> LazyFrame {
        let mut keys = vec![col("_sid"), c(Col::RoomId), c(Col::UserId)];
        let mut rows = self.rows().filter(is_kind(kind));
        if self.by_name {
            rows = rows
                .with_column(name_without_id().alias("_name"))
                .filter(c(Col::UserId).is_not_null().or(col("_name").neq(lit(""))));
            keys.push(col("_name"));
        } else {
            rows = rows.filter(c(Col::UserId).is_not_null());
        }
        rows.group_by(keys)
            .agg([len().cast(DataType::UInt64).alias("messages")])
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

    /// [`Self::members`] collected on the streaming engine (it reads every row of `kind`).
    /// Kept, as the table and each comparison read them.
    pub(crate) fn members_frame(&self, kind: Kind) -> PolarsResult<DataFrame> {
        if let Some((_, m)) = self.members.borrow().iter().find(|(k, _)| *k == kind) {
            return Ok(m.clone());
        }
        let m = stream(self.members(kind))?;
        self.members.borrow_mut().push((kind, m.clone()));
        Ok(m)
    }

    /// The latest nickname of each user of `users` (the user keys) who chatted: the last
    /// non-empty one of their last session, in table order.
    pub(crate) fn names(&self, users: &DataFrame) -> PolarsResult<DataFrame> {
        let mut rows = self
            .events
            .clone()
            .filter(is_kind(Kind::Chat).and(c(Col::UserName).neq(lit(""))));
        if !self.by_name {
            let ids = users
                .column(Col::UserId.name())?
                .as_materialized_series()
                .clone();
            rows = rows.filter(c(Col::UserId).is_in(lit(ids).implode(false), false));
        }
        let mut rows = Split {
            events: rows.with_row_index("_row", None),
            engine: self.engine,
            index: DataFrame::empty(),
            by_name: self.by_name,
            cut: Cut {
                width: self.cut.width,
                buckets: self.cut.buckets.clone(),
                instants: self.cut.instants.clone(),
                sessions: DataFrame::empty(),
            },
            members: Default::default(),
        }
        .rows();
        let mut keys = vec![c(Col::UserId)];
        if self.by_name {
            rows = rows.with_column(name_without_id().alias("_name"));
            keys.push(col("_name"));
        }
        let mut args = JoinArgs::new(JoinType::Semi);
        args.nulls_equal = true;
        rows.join(users.clone().lazy(), keys.clone(), keys.clone(), args)
            .sort(["_sid", "_ts", "_row"], SortMultipleOptions::default())
            .group_by_stable(keys)
            .agg([c(Col::UserName).last()])
            .collect()
    }

    /// Per session: `<role>`, `new_<role>`, `returning_<role>` (did `kind` in an earlier
    /// session of the room too).
    fn newcomers(&self, kind: Kind, role: &str) -> PolarsResult<LazyFrame> {
        let mut over = vec![c(Col::RoomId)];
        over.extend(self.user_keys());
        Ok(self
            .members_frame(kind)?
            .lazy()
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
    /// `viewers_mean` (of the room_user_seq counts, and the room_stats ones of minutes without
    /// any: see [`super::viewers`]), the funnel's `viewers`, `viewers_source`,
    /// `viewers_lower_bound`, `entered`,
    /// `interacted` and its rates over viewers (`interacted_rate`, `chat_rate`, `follow_rate`,
    /// `fans_club_rate`, `gift_rate`: see [`super::funnel`]), `top_words`.
    pub fn table(&self, seg: &Segmenter, opts: &SessionOptions) -> PolarsResult<DataFrame> {
        // Each value row by row, then plain sums, maxima and means: what the streaming engine
        // aggregates batch by batch (a filter inside an aggregation would make it hold the rows).
        let of = |kind: Kind, value: Expr| when(is_kind(kind)).then(value).otherwise(lit(NULL));
        let totals = self
            .rows()
            .select([
                col("_sid"),
                is_kind(Kind::Chat).cast(DataType::UInt64).alias("chat"),
                is_kind(Kind::Gift).cast(DataType::UInt64).alias("gifts"),
                of(Kind::Gift, c(Col::DiamondCount))
                    .cast(DataType::UInt64)
                    .alias("diamonds"),
                is_kind(Kind::Social)
                    .and(c(Col::Action).eq(lit(1u32)))
                    .fill_null(lit(false))
                    .cast(DataType::UInt64)
                    .alias("follows"),
            ])
            .group_by([col("_sid")])
            .agg([
                col("chat").sum(),
                col("gifts").sum(),
                col("diamonds").sum(),
                col("follows").sum(),
            ]);
        let totals = stream(totals)?.lazy();
        // Viewers by the rule of [`viewers`], per session and minute.
        let counts = stream(viewers::sent(self.rows(), vec![col("_sid")]))?;
        let minute = col("_ts").floor_div(lit(viewers::GRID_MS));
        let viewers = viewers::kept(counts.lazy(), vec![col("_sid"), minute])?
            .group_by([col("_sid")])
            .agg([
                col("online").max().alias("viewers_peak"),
                col("online")
                    .cast(DataType::Float64)
                    .mean()
                    .alias("viewers_mean"),
            ]);
        let totals = totals.join(
            viewers,
            [col("_sid")],
            [col("_sid")],
            JoinArgs::new(JoinType::Left),
        );
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
        let funnel = super::funnel::funnel_by(self.events_by_session(), &["_sid"])?;
        let joined = joined
            .lazy()
            .join(
                funnel.lazy(),
                [col("_sid")],
                [col("_sid")],
                JoinArgs::new(JoinType::Left),
            )
            .collect()?;
        let words = self.top_words(&joined, seg, opts)?;
        let mut joined = joined;
        joined.with_column(polars::prelude::Column::new("top_words".into(), words))?;
        joined
            .lazy()
            .select([
                col(cols::SESSION),
                c(Col::RoomId),
                col(cols::ROOM_SESSION),
                col("_start").cast(utc.clone()).alias(cols::START),
                col("_end").cast(utc).alias("end"),
                ((col("_end") - col("_start")).cast(DataType::Float64) / lit(60_000.0))
                    .alias("minutes"),
                col("stream_end"),
                col(cols::CHAT),
                col(cols::CHATTERS),
                col("new_chatters"),
                col(cols::RETURNING_CHATTERS),
                col("gifts"),
                col("gifters"),
                col("new_gifters"),
                col("returning_gifters"),
                col(cols::DIAMONDS),
                rmb(col(cols::DIAMONDS), opts.rmb_per_diamond),
                col("follows"),
                col(cols::VIEWERS_PEAK),
                col("viewers_mean"),
                col(fc::VIEWERS),
                col(fc::VIEWERS_SOURCE),
                col(fc::VIEWERS_LOWER_BOUND),
                col(fc::ENTERED),
                col(fc::INTERACTED),
                rate(fc::INTERACTED, cols::INTERACTED_RATE),
                rate(fc::CHATTED, cols::CHAT_RATE),
                rate(fc::FOLLOWED, cols::FOLLOW_RATE),
                rate(fc::JOINED_FANS_CLUB, cols::FANS_CLUB_RATE),
                rate(fc::GIFTED, cols::GIFT_RATE),
                col("top_words"),
            ])
            .collect()
    }

    /// The events with each row's session `_sid` (see [`Self::rows`]), on the split's engine.
    pub(crate) fn events_by_session(&self) -> Events {
        Events {
            lazy: self.rows(),
            engine: self.engine,
        }
    }

    /// `whales` (see [`super::revenue::whales_by`], over all rooms) with `sessions_gifted`:
    /// in how many sessions each gifted; more than one is a returning whale.
    pub fn whales_returning(&self, whales: &DataFrame) -> PolarsResult<DataFrame> {
        let id = Col::UserId.name();
        let per_user = self
            .members_frame(Kind::Gift)?
            .lazy()
            .filter(c(Col::UserId).is_not_null())
            .group_by([c(Col::UserId)])
            .agg([col("_sid")
                .n_unique()
                .cast(DataType::UInt64)
                .alias("sessions_gifted")]);
        whales
            .clone()
            .lazy()
            .join(
                per_user,
                [col(id)],
                [col(id)],
                JoinArgs::new(JoinType::Left),
            )
            .collect()
    }

    /// The funnel of all the events, its viewers summed per session (a live's count of
    /// viewers since it began is of that live alone).
    pub fn funnel(&self) -> PolarsResult<super::funnel::Funnel> {
        super::funnel::funnel(self.events_by_session(), &["_sid"])
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
            .map(|((r, start), end)| {
                let (Some(r), Some(start), Some(end)) = (r, start, end) else {
                    return Ok(String::new());
                };
                // One session's chat at a time: a dataset's reader skips the other parts.
                let chat = self.events.clone().filter(
                    is_kind(Kind::Chat)
                        .and(room().eq(lit(r)))
                        .and(ts_ms().gt_eq(lit(start)))
                        .and(ts_ms().lt_eq(lit(end))),
                );
                let chat = Events {
                    lazy: chat,
                    engine: self.engine,
                };
                let ranked = tokenize_keyed(chat, self.by_name, seg, &opts.words)?
                    .hot_words(opts.words.passphrases)?;
                Ok(WordStats::top(&ranked.words, opts.top_words)?
                    .into_iter()
                    .map(|w| w.word)
                    .collect::<Vec<_>>()
                    .join(" "))
            })
            .collect()
    }
}

/// The audience funnel of `events` (see [`super::funnel`]): its viewers summed per session
/// when there is more than one (sessions cut at silences over `gap_ms`), else per room.
pub fn funnel(events: impl Into<Events>, gap_ms: i64) -> PolarsResult<super::funnel::Funnel> {
    let events = events.into();
    match count(events.clone(), gap_ms)? > 1 {
        true => split(events, gap_ms)?.funnel(),
        false => super::funnel::funnel(events, &[Col::RoomId.name()]),
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
    events: impl Into<Events>,
    seg: &Segmenter,
    opts: &SessionOptions,
) -> PolarsResult<DataFrame> {
    split(events, opts.gap_ms)?.table(seg, opts)
}

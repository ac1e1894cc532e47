//! Sessions side by side: retention (of a session's chatters or gifters, how many came back in
//! each later session of the room), the most loyal viewers, and the rooms.

use polars::prelude::*;

use super::expr::c;
use super::sessions::{split, stream, SessionOptions, Split};
use super::words::Segmenter;
use crate::columns::Column as Col;
use crate::event::Kind;

/// Everything the comparison page shows.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// See [`Split::table`].
    pub sessions: DataFrame,
    /// See [`retention`].
    pub retention: DataFrame,
    /// See [`loyal`].
    pub loyal: DataFrame,
    /// See [`rooms`].
    pub rooms: DataFrame,
    /// See [`super::rooms::side_by_side`].
    pub rooms_side_by_side: DataFrame,
}

/// The sessions of `events` compared; `top` loyal viewers.
///
/// ```
/// use danmu_analyze::analysis::compare::compare;
/// use danmu_analyze::analysis::sessions::SessionOptions;
/// use danmu_analyze::analysis::words::Segmenter;
/// use danmu_analyze::event::{Event, Kind};
/// use polars::prelude::IntoLazy;
///
/// let chat = |ts: i64, user: u64| {
///     let mut e = Event::new(Kind::Chat, Kind::Chat.method().into());
///     e.ts = ts;
///     e.room_id = 1;
///     e.user_id = Some(user);
///     e
/// };
/// let day = 86_400_000;
/// let events = [chat(0, 7), chat(0, 8), chat(day, 7), chat(2 * day, 7)];
/// let table = danmu_analyze::table::from_events(&events).unwrap();
/// let seg = Segmenter::new(None, None).unwrap();
/// let cmp = compare(table.lazy(), &seg, &SessionOptions::default(), 10).unwrap();
/// // Of the first session's 2 chatters, 1 came back the next day.
/// let first = cmp.retention.head(Some(1));
/// assert_eq!(first.column("retained").unwrap().u64().unwrap().get(0), Some(1));
/// assert_eq!(cmp.loyal.column("sessions").unwrap().u64().unwrap().get(0), Some(3));
/// ```
pub fn compare(
    events: LazyFrame,
    seg: &Segmenter,
    opts: &SessionOptions,
    top: usize,
) -> PolarsResult<Comparison> {
    compare_split(&split(events, opts.gap_ms)?, seg, opts, top)
}

/// [`compare`] over sessions already split.
pub fn compare_split(
    s: &Split,
    seg: &Segmenter,
    opts: &SessionOptions,
    top: usize,
) -> PolarsResult<Comparison> {
    let sessions = s.table(seg, opts)?;
    Ok(Comparison {
        retention: retention(s)?,
        loyal: loyal(s, top)?,
        rooms: rooms(s, &sessions)?,
        rooms_side_by_side: super::rooms::side_by_side(s, &sessions)?,
        sessions,
    })
}

fn utc() -> DataType {
    DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
}

/// Joins on room and user, ids or (id-less tables) nicknames alike, nulls matching nulls.
fn by_user(s: &Split, how: JoinType) -> (Vec<Expr>, JoinArgs) {
    let mut on = vec![c(Col::RoomId)];
    on.extend(s.user_keys());
    let mut args = JoinArgs::new(how);
    args.nulls_equal = true;
    (on, args)
}

/// The columns of [`retention`] besides `room_id`.
pub mod cols {
    pub const ROLE: &str = "role";
    pub const COHORT: &str = "cohort";
    pub const COHORT_START: &str = "cohort_start";
    pub const COHORT_SIZE: &str = "cohort_size";
    /// The later session.
    pub const LATER: &str = "later";
    pub const OFFSET: &str = "offset";
    pub const RETAINED: &str = "retained";
    pub const SHARE: &str = "share";
    /// The roles: who chatted, who sent gifts.
    pub const CHATTERS: &str = "chatters";
    pub const GIFTERS: &str = "gifters";
}

/// One row per role (`chatters`, `gifters`), room, session `cohort` and later session
/// `later` of the room: `room_id`, `role`, `cohort`, `cohort_start`, `cohort_size` (its
/// chatters or gifters), `later`, `offset` (later − cohort), `retained` (of them, how many
/// chatted or gifted in `later` too), `share` (retained / cohort_size; empty for no one).
pub fn retention(s: &Split) -> PolarsResult<DataFrame> {
    let mut keys = vec![c(Col::RoomId), col("room_session")];
    keys.extend(s.user_keys());
    let index = s
        .index
        .clone()
        .lazy()
        .select([c(Col::RoomId), col("room_session"), col("_start")]);
    // Every pair of sessions of a room, retained or not.
    let grid = index
        .clone()
        .join(
            index.select([c(Col::RoomId), col("room_session").alias(cols::LATER)]),
            [c(Col::RoomId)],
            [c(Col::RoomId)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col(cols::LATER).gt(col("room_session")));
    let pair = [c(Col::RoomId), col("room_session")];
    let mut parts = Vec::new();
    for (kind, role) in [(Kind::Chat, cols::CHATTERS), (Kind::Gift, cols::GIFTERS)] {
        let m = s.members_frame(kind)?.lazy().select(keys.clone());
        let (on, args) = by_user(s, JoinType::Inner);
        let retained = m
            .clone()
            .join(
                m.clone().rename(["room_session"], [cols::LATER], true),
                on.clone(),
                on,
                args,
            )
            .filter(col(cols::LATER).gt(col("room_session")))
            .group_by([c(Col::RoomId), col("room_session"), col(cols::LATER)])
            .agg([len().cast(DataType::UInt64).alias(cols::RETAINED)]);
        let size = m
            .group_by(pair.clone())
            .agg([len().cast(DataType::UInt64).alias(cols::COHORT_SIZE)]);
        let triple = [c(Col::RoomId), col("room_session"), col(cols::LATER)];
        let part = grid
            .clone()
            .join(
                size,
                pair.clone(),
                pair.clone(),
                JoinArgs::new(JoinType::Left),
            )
            .join(
                retained,
                triple.clone(),
                triple,
                JoinArgs::new(JoinType::Left),
            )
            .with_columns([
                col(cols::COHORT_SIZE).fill_null(lit(0u64)),
                col(cols::RETAINED).fill_null(lit(0u64)),
            ])
            .select([
                c(Col::RoomId),
                lit(role).alias(cols::ROLE),
                col("room_session").alias(cols::COHORT),
                col("_start").cast(utc()).alias(cols::COHORT_START),
                col(cols::COHORT_SIZE),
                col(cols::LATER),
                (col(cols::LATER) - col("room_session")).alias(cols::OFFSET),
                col(cols::RETAINED),
                when(col(cols::COHORT_SIZE).gt(lit(0u64)))
                    .then(
                        col(cols::RETAINED).cast(DataType::Float64)
                            / col(cols::COHORT_SIZE).cast(DataType::Float64),
                    )
                    .otherwise(lit(NULL).cast(DataType::Float64))
                    .alias(cols::SHARE),
            ]);
        parts.push(part);
    }
    stream(concat(parts, UnionArgs::default())?.sort_by_exprs(
        [
            c(Col::RoomId),
            col(cols::ROLE),
            col(cols::COHORT),
            col(cols::LATER),
        ],
        SortMultipleOptions::default(),
    ))
}

/// The `top` viewers who chatted in the most sessions (any room): `rank`, `user_id`,
/// `user_name`, `sessions`, `rooms`, `messages` (chat over them all), `first_seen`,
/// `last_seen` (start of their first session, end of their last); ties by messages, then
/// user id.
pub fn loyal(s: &Split, top: usize) -> PolarsResult<DataFrame> {
    let index = s
        .index
        .clone()
        .lazy()
        .select([col("_sid"), col("_start"), col("_end")]);
    let top_users = s
        .members_frame(Kind::Chat)?
        .lazy()
        .join(
            index,
            [col("_sid")],
            [col("_sid")],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by(s.user_keys())
        .agg([
            len().cast(DataType::UInt64).alias("sessions"),
            c(Col::RoomId)
                .n_unique()
                .cast(DataType::UInt64)
                .alias("rooms"),
            col("messages").sum().alias("messages"),
            col("_start").min().cast(utc()).alias("first_seen"),
            col("_end").max().cast(utc()).alias("last_seen"),
        ])
        .sort_by_exprs(
            [col("sessions"), col("messages"), c(Col::UserId)],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, true, false])
                .with_nulls_last(true),
        )
        .limit(top as IdxSize)
        .collect()?;
    // The latest nickname, of these few.
    let mut keys = vec![c(Col::UserId)];
    if s.by_name {
        keys.push(col("_name"));
    }
    let mut args = JoinArgs::new(JoinType::Left);
    args.nulls_equal = true;
    let names = s.names(&top_users.select(s.user_key_names())?)?;
    top_users
        .lazy()
        .join(names.lazy(), keys.clone(), keys, args)
        .with_column(c(Col::UserName).fill_null(lit("")))
        .with_row_index("rank", Some(1))
        .select([
            col("rank").cast(DataType::UInt64),
            c(Col::UserId),
            c(Col::UserName),
            col("sessions"),
            col("rooms"),
            col("messages"),
            col("first_seen"),
            col("last_seen"),
        ])
        .collect()
}

/// One row per room: `room_id`, `sessions`, `first_start`, `last_end`, `hours` (live, summed
/// over sessions), `chat`, `chatters` and `gifters` (distinct over all its sessions), `gifts`,
/// `diamonds`, `rmb`, `follows`, `viewers_peak`; from `table` (see [`Split::table`]).
pub fn rooms(s: &Split, table: &DataFrame) -> PolarsResult<DataFrame> {
    let distinct = |kind: Kind, name: &str| {
        let mut keys = vec![c(Col::RoomId)];
        keys.extend(s.user_keys());
        Ok::<_, PolarsError>(
            s.members_frame(kind)?
                .lazy()
                .select(keys)
                .unique(None, UniqueKeepStrategy::Any)
                .group_by([c(Col::RoomId)])
                .agg([len().cast(DataType::UInt64).alias(name)]),
        )
    };
    let sum = |name: &str| col(name).sum();
    let room = [c(Col::RoomId)];
    table
        .clone()
        .lazy()
        .group_by(room.clone())
        .agg([
            len().cast(DataType::UInt64).alias("sessions"),
            col("start").min().alias("first_start"),
            col("end").max().alias("last_end"),
            (col("minutes").sum() / lit(60.0)).alias("hours"),
            sum("chat"),
            sum("gifts"),
            sum("diamonds"),
            sum("rmb"),
            sum("follows"),
            col("viewers_peak").max(),
        ])
        .join(
            distinct(Kind::Chat, "chatters")?,
            room.clone(),
            room.clone(),
            JoinArgs::new(JoinType::Left),
        )
        .join(
            distinct(Kind::Gift, "gifters")?,
            room.clone(),
            room,
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            col("chatters").fill_null(lit(0u64)),
            col("gifters").fill_null(lit(0u64)),
        ])
        .select([
            c(Col::RoomId),
            col("sessions"),
            col("first_start"),
            col("last_end"),
            col("hours"),
            col("chat"),
            col("chatters"),
            col("gifts"),
            col("gifters"),
            col("diamonds"),
            col("rmb"),
            col("follows"),
            col("viewers_peak"),
        ])
        .sort([Col::RoomId.name()], SortMultipleOptions::default())
        .collect()
}

//! Rooms side by side, for watching competitors: each room's funnel rates, revenue
//! concentration and PK results in one row.

use polars::prelude::*;

use super::battles::{battles, cols as bc};
use super::funnel::{cols as fc, funnel_by, SOURCES};
use super::revenue::{cols as rc, revenue_by};
use super::sessions::{cols as sc, rate, Split};
use crate::columns::Column as Col;

/// Columns of [`side_by_side`] besides `room_id` and those named in [`fc`], [`sc`], [`rc`].
pub mod cols {
    pub const SESSIONS: &str = "sessions";
    pub const BATTLES: &str = "battles";
    pub const BATTLES_WON: &str = "battles_won";
    pub const BATTLES_LOST: &str = "battles_lost";
}
use cols::*;

/// One row per room: `room_id`, `sessions`, `viewers` (the sessions' viewers summed: see
/// [`super::funnel`]), `viewers_source` (the weakest of its sessions'), `entered`,
/// `interacted` (distinct over the room's sessions), `interacted_rate`, `chat_rate`,
/// `follow_rate`, `fans_club_rate`, `gift_rate` (over viewers), `diamonds`, `gifters`,
/// `top1_share`, `top10_share`, `gini`, `whales`, `battles`, `battles_won`, `battles_lost`;
/// `sessions` is [`Split::table`]'s frame.
pub fn side_by_side(s: &Split, sessions: &DataFrame) -> PolarsResult<DataFrame> {
    let room = || [c_room()];
    let events = s.events_by_session();
    let users = funnel_by(events.clone(), &[Col::RoomId.name()])?;
    // The weakest source: its place in SOURCES, highest wins.
    let rank = || {
        when(col(fc::VIEWERS_SOURCE).eq(lit(SOURCES[0])))
            .then(lit(0u32))
            .when(col(fc::VIEWERS_SOURCE).eq(lit(SOURCES[1])))
            .then(lit(1u32))
            .otherwise(lit(2u32))
    };
    let viewers = sessions.clone().lazy().group_by(room()).agg([
        len().cast(DataType::UInt64).alias(SESSIONS),
        col(fc::VIEWERS).sum().alias("_summed"),
        rank().max().alias("_rank"),
    ]);
    let revenue = revenue_by(events.clone(), &[Col::RoomId.name()])?;
    let fights = battles(events)?.lazy().group_by([c_room()]).agg([
        len().cast(DataType::UInt64).alias(BATTLES),
        col(bc::RESULT)
            .eq(lit("win"))
            .sum()
            .cast(DataType::UInt64)
            .alias(BATTLES_WON),
        col(bc::RESULT)
            .eq(lit("loss"))
            .sum()
            .cast(DataType::UInt64)
            .alias(BATTLES_LOST),
    ]);
    let left = JoinArgs::new(JoinType::Left);
    let source = when(col("_rank").eq(lit(0u32)))
        .then(lit(SOURCES[0]))
        .when(col("_rank").eq(lit(1u32)))
        .then(lit(SOURCES[1]))
        .otherwise(lit(SOURCES[2]));
    viewers
        .join(
            users.lazy().drop(cols([fc::VIEWERS, fc::VIEWERS_SOURCE])),
            room(),
            room(),
            left.clone(),
        )
        .join(revenue.lazy(), room(), room(), left.clone())
        .join(fights, room(), room(), left)
        .with_columns([
            col(fc::SEEN).fill_null(lit(0u64)),
            col(rc::DIAMONDS).fill_null(lit(0u64)),
            col(rc::GIFTERS).fill_null(lit(0u64)),
            col(BATTLES).fill_null(lit(0u64)),
            col(BATTLES_WON).fill_null(lit(0u64)),
            col(BATTLES_LOST).fill_null(lit(0u64)),
        ])
        // Never fewer viewers than the users seen: no rate over 100 %.
        .with_columns([
            when(col("_summed").fill_null(lit(0u64)).gt_eq(col(fc::SEEN)))
                .then(col("_summed").fill_null(lit(0u64)))
                .otherwise(col(fc::SEEN))
                .alias(fc::VIEWERS),
            when(col("_summed").fill_null(lit(0u64)).gt_eq(col(fc::SEEN)))
                .then(source)
                .otherwise(lit(SOURCES[2]))
                .alias(fc::VIEWERS_SOURCE),
        ])
        .select([
            c_room(),
            col(SESSIONS),
            col(fc::VIEWERS),
            col(fc::VIEWERS_SOURCE),
            col(fc::ENTERED),
            col(fc::INTERACTED),
            rate(fc::INTERACTED, sc::INTERACTED_RATE),
            rate(fc::CHATTED, sc::CHAT_RATE),
            rate(fc::FOLLOWED, sc::FOLLOW_RATE),
            rate(fc::JOINED_FANS_CLUB, sc::FANS_CLUB_RATE),
            rate(fc::GIFTED, sc::GIFT_RATE),
            col(rc::DIAMONDS),
            col(rc::GIFTERS),
            col(rc::TOP1_SHARE),
            col(rc::TOP10_SHARE),
            col(rc::GINI),
            col(rc::WHALES),
            col(BATTLES),
            col(BATTLES_WON),
            col(BATTLES_LOST),
        ])
        .sort([Col::RoomId.name()], SortMultipleOptions::default())
        .collect()
}

fn c_room() -> Expr {
    col(Col::RoomId.name())
}

//! PK battles (连麦 PK): each battle's start, end, sides and scores as the room sent them, and
//! the diamonds, gifts and gifters of the room during it against the room's own rate.
//!
//! Which side is the room's own anchor is not in the messages; a room's anchor is in every
//! one of its battles, so over two or more battles the one anchor they all share is taken as
//! the room's, and the other side is the opponent. With one battle (or a pair who met twice)
//! the sides stay as sent.

use polars::prelude::*;

use super::expr::{c, is_kind, ts_ms, Events, Run};
use super::frame::{datetimes, ColumnError};
use crate::columns::Column as Col;
use crate::event::Kind;

/// Columns of [`battles`] besides the event table's `room_id`, `battle_id` and the anchors'.
pub mod cols {
    pub const START: &str = "start";
    pub const END: &str = "end";
    pub const MINUTES: &str = "minutes";
    pub const ROOM_ANCHOR: &str = "room_anchor";
    pub const OPPONENT: &str = "opponent";
    /// `win`, `loss` or `draw` for the room's anchor; empty where the sides are not known.
    pub const RESULT: &str = "result";
    pub const DIAMONDS: &str = "diamonds";
    pub const GIFTS: &str = "gifts";
    pub const GIFTERS: &str = "gifters";
    pub const DIAMONDS_PER_MIN: &str = "diamonds_per_min";
    pub const ROOM_DIAMONDS_PER_MIN: &str = "room_diamonds_per_min";
    pub const RATIO: &str = "ratio";
}
use cols::*;

/// One row per battle, by start: `room_id`, `battle_id`, `start`, `end` (UTC datetimes: the
/// start and scheduled end as sent, else the first and last of its messages), `minutes`,
/// `anchor1_id`, `anchor1_score`, `anchor2_id`, `anchor2_score` (the last scores sent, the
/// leader first as Douyin lists them), `room_anchor`, `opponent`, `result`, `diamonds`,
/// `gifts`, `gifters` (the room's gifts from start to end), `diamonds_per_min`,
/// `room_diamonds_per_min` (over the span of the room's gifts), `ratio`.
///
/// ```
/// use danmu_analyze::analysis::battles::battles;
/// use danmu_analyze::event::{Event, Kind};
/// use polars::prelude::IntoLazy;
///
/// let mut start = Event::new(Kind::Battle, "WebcastLinkMicBattleMethod".into());
/// start.room_id = 1;
/// start.battle_id = Some(42);
/// start.battle_start_ms = Some(60_000);
/// start.battle_end_ms = Some(360_000);
/// let mut end = start.clone();
/// end.ts = 360_000;
/// (end.anchor1_id, end.anchor1_score, end.anchor2_id, end.anchor2_score) =
///     (Some(7), Some(120), Some(8), Some(90));
/// let table = danmu_analyze::table::from_events(&[start, end]).unwrap();
/// let b = battles(table.lazy()).unwrap();
/// assert_eq!(b.height(), 1);
/// assert_eq!(b.column("minutes").unwrap().f64().unwrap().get(0), Some(5.0));
/// assert_eq!(b.column("anchor1_score").unwrap().u64().unwrap().get(0), Some(120));
/// ```
pub fn battles(events: impl Into<Events>) -> PolarsResult<DataFrame> {
    let e: Events = events.into();
    let room = || c(Col::RoomId).fill_null(lit(0u64));
    let rows = e
        .lazy
        .clone()
        .filter(is_kind(Kind::Battle).and(c(Col::BattleId).is_not_null()))
        .select([
            room().alias(Col::RoomId.name()),
            ts_ms().alias("_ts"),
            c(Col::BattleId),
            c(Col::BattleStartMs).cast(DataType::Int64).alias("_start"),
            c(Col::BattleEndMs).cast(DataType::Int64).alias("_end"),
            c(Col::Anchor1Id),
            c(Col::Anchor1Score),
            c(Col::Anchor2Id),
            c(Col::Anchor2Score),
        ])
        .run(e.engine)?;
    let any = rows.height() > 0;
    let key = [Col::RoomId.name(), Col::BattleId.name()];
    let scored = c(Col::Anchor1Score).is_not_null();
    let last_scored = |column: Col| c(column).filter(scored.clone()).last();
    let per_battle = rows
        .lazy()
        .sort(
            ["_ts"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .group_by(key.map(col))
        .agg([
            col("_start")
                .min()
                .fill_null(col("_ts").min())
                .alias("_from"),
            col("_end").max().fill_null(col("_ts").max()).alias("_to"),
            last_scored(Col::Anchor1Id),
            last_scored(Col::Anchor1Score),
            last_scored(Col::Anchor2Id),
            last_scored(Col::Anchor2Score),
        ])
        .collect()?;

    // The room's anchor: the one side in every battle of a room with two or more.
    let sides = concat(
        [Col::Anchor1Id, Col::Anchor2Id].map(|a| {
            per_battle.clone().lazy().select([
                c(Col::RoomId),
                c(Col::BattleId),
                c(a).alias("_anchor"),
            ])
        }),
        UnionArgs::default(),
    )?
    .filter(col("_anchor").is_not_null())
    .unique(None, UniqueKeepStrategy::Any);
    let battles_of_room = per_battle
        .clone()
        .lazy()
        .group_by([c(Col::RoomId)])
        .agg([len().cast(DataType::UInt64).alias("_battles")]);
    let anchors = sides
        .group_by([c(Col::RoomId), col("_anchor")])
        .agg([len().cast(DataType::UInt64).alias("_in")])
        .join(
            battles_of_room,
            [c(Col::RoomId)],
            [c(Col::RoomId)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            col("_in")
                .eq(col("_battles"))
                .and(col("_battles").gt_eq(lit(2u64))),
        )
        .group_by([c(Col::RoomId)])
        .agg([
            col("_anchor").first().alias(ROOM_ANCHOR),
            len().alias("_candidates"),
        ])
        // A pair who met every time: no telling which is the room's.
        .filter(col("_candidates").eq(lit(1u32)))
        .select([c(Col::RoomId), col(ROOM_ANCHOR)]);

    // The room's gifts in each battle, and the room's rate over its span.
    // The gift rows, only when there are battles: no pass over the events for a room without.
    let gifts = match any {
        false => df!(
            Col::RoomId.name() => Vec::<u64>::new(),
            "_ts" => Vec::<i64>::new(),
            Col::DiamondCount.name() => Vec::<u64>::new(),
            Col::UserId.name() => Vec::<u64>::new(),
        )?,
        true => e
            .lazy
            .clone()
            .filter(is_kind(Kind::Gift))
            .select([
                room().alias(Col::RoomId.name()),
                ts_ms().alias("_ts"),
                c(Col::DiamondCount)
                    .cast(DataType::UInt64)
                    .fill_null(lit(0u64)),
                c(Col::UserId),
            ])
            .run(e.engine)?,
    };
    // The room's rate over the span of its gifts: no pass over every event for it.
    let room_rate = gifts
        .clone()
        .lazy()
        .group_by([c(Col::RoomId)])
        .agg([
            c(Col::DiamondCount).sum().alias("_room_diamonds"),
            col("_ts").min().alias("_first"),
            col("_ts").max().alias("_last"),
        ])
        .with_column(
            (col("_room_diamonds")
                .fill_null(lit(0u64))
                .cast(DataType::Float64)
                / ((col("_last") - col("_first")).cast(DataType::Float64) / lit(60_000.0))
                    .clip_min(lit(1.0)))
            .alias(ROOM_DIAMONDS_PER_MIN),
        )
        .select([c(Col::RoomId), col(ROOM_DIAMONDS_PER_MIN)]);
    // Each battle's gifts by a filter of its own: a join of every gift with every battle of
    // its room would hold gifts × battles rows (10 M at 5 M events).
    let spans = per_battle.select([Col::RoomId.name(), Col::BattleId.name(), "_from", "_to"])?;
    let (rooms, ids) = (
        spans.column(Col::RoomId.name())?.u64()?,
        spans.column(Col::BattleId.name())?.u64()?,
    );
    let (from, to) = (spans.column("_from")?.i64()?, spans.column("_to")?.i64()?);
    let mut parts = Vec::with_capacity(spans.height());
    for i in 0..spans.height() {
        let (Some(room), Some(id), Some(from), Some(to)) =
            (rooms.get(i), ids.get(i), from.get(i), to.get(i))
        else {
            continue;
        };
        parts.push(
            gifts
                .clone()
                .lazy()
                .filter(
                    c(Col::RoomId)
                        .eq(lit(room).cast(DataType::UInt64))
                        .and(col("_ts").gt_eq(lit(from)))
                        .and(col("_ts").lt_eq(lit(to))),
                )
                .select([
                    lit(room).cast(DataType::UInt64).alias(Col::RoomId.name()),
                    lit(id).cast(DataType::UInt64).alias(Col::BattleId.name()),
                    c(Col::DiamondCount)
                        .sum()
                        .cast(DataType::UInt64)
                        .alias(DIAMONDS),
                    len().cast(DataType::UInt64).alias(GIFTS),
                    c(Col::UserId)
                        .drop_nulls()
                        .n_unique()
                        .cast(DataType::UInt64)
                        .alias(GIFTERS),
                ]),
        );
    }
    let during = match parts.is_empty() {
        true => df!(
            Col::RoomId.name() => Vec::<u64>::new(),
            Col::BattleId.name() => Vec::<u64>::new(),
            DIAMONDS => Vec::<u64>::new(),
            GIFTS => Vec::<u64>::new(),
            GIFTERS => Vec::<u64>::new(),
        )?
        .lazy(),
        false => concat(parts, UnionArgs::default())?,
    };

    let utc = DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
    let left = |on: &[&str]| {
        (
            on.iter().map(|k| col(*k)).collect::<Vec<_>>(),
            JoinArgs::new(JoinType::Left),
        )
    };
    let (on2, args2) = left(&key);
    let (on1, args1) = left(&[Col::RoomId.name()]);
    let minutes = (col("_to") - col("_from")).cast(DataType::Float64) / lit(60_000.0);
    let (a1, a2) = (c(Col::Anchor1Id), c(Col::Anchor2Id));
    let (s1, s2) = (c(Col::Anchor1Score), c(Col::Anchor2Score));
    let ours_first = a1.clone().eq(col(ROOM_ANCHOR));
    let ours_second = a2.clone().eq(col(ROOM_ANCHOR));
    let (ours, theirs) = (
        when(ours_first.clone())
            .then(s1.clone())
            .when(ours_second.clone())
            .then(s2.clone())
            .otherwise(lit(NULL).cast(DataType::UInt64)),
        when(ours_first.clone())
            .then(s2)
            .when(ours_second.clone())
            .then(s1)
            .otherwise(lit(NULL).cast(DataType::UInt64)),
    );
    per_battle
        .lazy()
        .join(during, on2.clone(), on2, args2)
        .join(anchors, on1.clone(), on1.clone(), args1.clone())
        .join(room_rate, on1.clone(), on1, args1)
        .with_columns([
            col(DIAMONDS).fill_null(lit(0u64)),
            col(GIFTS).fill_null(lit(0u64)),
            col(GIFTERS).fill_null(lit(0u64)),
            minutes.clone().alias(MINUTES),
            when(ours_first.clone())
                .then(a2.clone())
                .when(ours_second)
                .then(a1)
                .otherwise(lit(NULL).cast(DataType::UInt64))
                .alias(OPPONENT),
            when(ours.clone().gt(theirs.clone()))
                .then(lit("win"))
                .when(ours.clone().lt(theirs.clone()))
                .then(lit("loss"))
                .when(ours.eq(theirs))
                .then(lit("draw"))
                .otherwise(lit(""))
                .alias(RESULT),
        ])
        .with_columns([
            (col(DIAMONDS).cast(DataType::Float64) / minutes.clip_min(lit(1.0 / 60.0)))
                .alias(DIAMONDS_PER_MIN),
        ])
        .with_column(
            when(col(ROOM_DIAMONDS_PER_MIN).gt(lit(0.0)))
                .then(col(DIAMONDS_PER_MIN) / col(ROOM_DIAMONDS_PER_MIN))
                .otherwise(lit(0.0))
                .alias(RATIO),
        )
        .sort(
            ["_from", Col::RoomId.name()],
            SortMultipleOptions::default(),
        )
        .select([
            c(Col::RoomId),
            c(Col::BattleId),
            col("_from").cast(utc.clone()).alias(START),
            col("_to").cast(utc).alias(END),
            col(MINUTES),
            c(Col::Anchor1Id),
            c(Col::Anchor1Score),
            c(Col::Anchor2Id),
            c(Col::Anchor2Score),
            col(ROOM_ANCHOR),
            col(OPPONENT),
            col(RESULT),
            col(DIAMONDS),
            col(GIFTS),
            col(GIFTERS),
            col(DIAMONDS_PER_MIN),
            col(ROOM_DIAMONDS_PER_MIN),
            col(RATIO),
        ])
        .collect()
}

/// (start, end) UTC ms of each battle of a [`battles`] frame: for shading charts and telling
/// peaks inside one.
pub fn spans(battles: &DataFrame) -> Result<Vec<(i64, i64)>, ColumnError> {
    let start = datetimes(battles, "battles", START)?.physical();
    let end = datetimes(battles, "battles", END)?.physical();
    Ok(start
        .iter()
        .zip(end.iter())
        .filter_map(|(s, e)| Some((s?, e?)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    fn battle(room: u64, id: u64, at: i64, sides: Option<[(u64, u64); 2]>) -> Event {
        let mut e = Event::new(Kind::Battle, "WebcastLinkMicBattleMethod".into());
        e.room_id = room;
        e.ts = at;
        e.battle_id = Some(id);
        e.battle_start_ms = Some(id * 1_000_000);
        e.battle_end_ms = Some(id * 1_000_000 + 300_000);
        if let Some([(a1, s1), (a2, s2)]) = sides {
            (e.anchor1_id, e.anchor1_score) = (Some(a1), Some(s1));
            (e.anchor2_id, e.anchor2_score) = (Some(a2), Some(s2));
        }
        e
    }

    fn gift(room: u64, at: i64, user: u64, diamonds: u64) -> Event {
        let mut e = Event::new(Kind::Gift, Kind::Gift.method().into());
        e.room_id = room;
        e.ts = at;
        e.user_id = Some(user);
        e.diamond_count = Some(diamonds);
        e
    }

    #[test]
    fn the_anchor_in_every_battle_is_the_rooms_and_gifts_are_counted_inside_each() {
        let table = crate::table::from_events(&[
            battle(1, 1, 1_000_000, None),
            battle(1, 1, 1_100_000, Some([(9, 40), (5, 30)])),
            gift(1, 1_100_000, 70, 100),
            gift(1, 1_200_000, 71, 50),
            battle(1, 1, 1_300_000, Some([(5, 80), (9, 60)])),
            // Outside any battle.
            gift(1, 1_500_000, 70, 1_000),
            battle(1, 2, 2_000_000, Some([(5, 10), (8, 10)])),
            battle(1, 2, 2_300_000, Some([(8, 99), (5, 10)])),
            // Another room with one battle: sides as sent.
            battle(2, 3, 3_000_000, Some([(6, 1), (4, 0)])),
        ])
        .unwrap();
        let b = battles(table.lazy()).unwrap();
        assert_eq!(b.height(), 3);
        let u =
            |c: &str| -> Vec<Option<u64>> { b.column(c).unwrap().u64().unwrap().iter().collect() };
        let s = |c: &str| -> Vec<Option<String>> {
            b.column(c)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|v| v.map(String::from))
                .collect()
        };
        assert_eq!(u(ROOM_ANCHOR), [Some(5), Some(5), None]);
        assert_eq!(u(OPPONENT), [Some(9), Some(8), None]);
        assert_eq!(
            s(RESULT),
            [Some("win".into()), Some("loss".into()), Some("".into())]
        );
        assert_eq!(u(Col::Anchor1Score.name()), [Some(80), Some(99), Some(1)]);
        assert_eq!(u(DIAMONDS), [Some(150), Some(0), Some(0)]);
        assert_eq!(u(GIFTERS), [Some(2), Some(0), Some(0)]);
        let per_min = b.column(DIAMONDS_PER_MIN).unwrap().f64().unwrap();
        assert_eq!(per_min.get(0), Some(30.0));
        assert_eq!(spans(&b).unwrap()[0], (1_000_000, 1_300_000));
    }
}

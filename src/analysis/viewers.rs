//! Viewers online from whatever the room sends. `RoomUserSeqMessage` carries the count, every
//! 10–20 s; some rooms (seen 2026-07) send none for minutes, only `RoomStatsMessage`, whose
//! display then shows viewers online (room_stats rows with `online`; those showing viewers
//! since the start have none). So a bucket's viewers are its room_user_seq counts where it has
//! any, else its room_stats ones: the two are not mixed, as their counts differ a little.

use polars::prelude::*;

use super::expr::{c, is_kind, ts_ms};
use crate::columns::Column as Col;
use crate::event::Kind;

/// The bucket whole-session figures (`online_max`, sessions' viewers) use: a minute, what a
/// room that still sends RoomUserSeqMessage never goes without one.
pub const GRID_MS: i64 = 60_000;

/// The rows of `events` that carry a viewer count: `keep`, then `_ts` (UTC ms), `online`
/// (UInt64) and `_seq` (from room_user_seq, else room_stats). A filter and a projection, so a
/// scan streams through it; the rows are few (one every few seconds).
pub(crate) fn sent(events: LazyFrame, keep: Vec<Expr>) -> LazyFrame {
    let seq = is_kind(Kind::RoomUserSeq);
    let mut cols = keep;
    cols.extend([
        ts_ms().alias("_ts"),
        c(Col::Online).cast(DataType::UInt64).alias("online"),
        seq.clone().alias("_seq"),
    ]);
    events
        .filter(
            seq.or(is_kind(Kind::RoomStats))
                .and(c(Col::Online).is_not_null()),
        )
        .select(cols)
}

/// Of the counts [`sent`] gives (collected), those the rule keeps: every room_user_seq count,
/// and the room_stats counts of the groups of `by` (a bucket, and a room or session) that
/// have no room_user_seq count.
pub(crate) fn kept(counts: LazyFrame, by: Vec<Expr>) -> PolarsResult<LazyFrame> {
    Ok(counts.filter(col("_seq").or(col("_seq").any(true).over(by)?.not())))
}

/// The highest viewer count of `events`, by the rule per room and minute; 0 without any.
pub fn online_max(events: impl Into<super::expr::Events>) -> PolarsResult<u64> {
    let events = events.into();
    let counts = super::expr::Run::run(sent(events.lazy, vec![c(Col::RoomId)]), events.engine)?;
    let minute = col("_ts").floor_div(lit(GRID_MS));
    let max = kept(counts.lazy(), vec![c(Col::RoomId), minute])?
        .select([col("online").max()])
        .collect()?;
    Ok(max.column("online")?.u64()?.get(0).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    fn ev(kind: Kind, ts: i64, online: Option<u64>) -> Event {
        let mut e = Event::new(kind, kind.method().into());
        e.ts = ts;
        e.room_id = 1;
        e.online = online;
        e
    }

    #[test]
    fn room_stats_count_only_in_minutes_without_room_user_seq() {
        let table = crate::table::from_events(&[
            ev(Kind::RoomUserSeq, 1_000, Some(100)),
            // The same minute: the room_user_seq count decides, however high this one is.
            ev(Kind::RoomStats, 2_000, Some(500)),
            // A minute of room_stats only.
            ev(Kind::RoomStats, 61_000, Some(120)),
            ev(Kind::RoomStats, 62_000, Some(130)),
            // A cumulative display: no online count.
            ev(Kind::RoomStats, 63_000, None),
            ev(Kind::Chat, 64_000, None),
        ])
        .unwrap();
        assert_eq!(online_max(table.clone().lazy()).unwrap(), 130);
        let only_seq = table.lazy().filter(is_kind(Kind::RoomStats).not());
        assert_eq!(online_max(only_seq.clone()).unwrap(), 100);
        assert_eq!(online_max(only_seq.filter(lit(false))).unwrap(), 0);
    }
}

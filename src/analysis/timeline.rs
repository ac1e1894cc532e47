//! Activity per time bucket as a polars query on the event table: chat, distinct chatters,
//! gifts, diamonds, likes, joins, follows and the last viewer count. Empty buckets are rows of
//! zeros, not missing rows, so a silent minute looks like one.

use std::str::FromStr;

use polars::prelude::Column as PlColumn;
use polars::prelude::*;
use serde::Serialize;

use super::distinct::DistinctCounter;
use super::expr::{c, for_each_batch, is_kind, keyed_by_name, ts_ms, user_keys, Events, Run};
use super::frame::{datetimes, u64s, ColumnError};
use super::viewers;
use crate::columns::Column;
use crate::event::Kind;

/// A bucket length: `10s`, `1m`, `5m`, `1h` …
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketSize(pub i64);

impl FromStr for BucketSize {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let d = crate::timefmt::parse_duration(s)?;
        let ms = d.as_millis();
        // Whole seconds up to a year: finer buckets hold no data, coarser ones no timeline.
        if ms < 1000 || ms % 1000 != 0 || ms > 366 * 86_400_000 {
            return Err(format!(
                "`{s}` is not a bucket length: give whole seconds from 1s to a year, like 10s, 1m, 5m or 1h"
            ));
        }
        Ok(BucketSize(ms as i64))
    }
}

/// The timeline: one row per bucket from the first event's bucket to the last's.
///
/// Columns: `time` (bucket start, UTC Datetime), `chat`, `chatters`, `gifts`, `diamonds`,
/// `likes`, `joins`, `follows` (UInt64) and `online` (viewers online: the last room_user_seq
/// count in the bucket, else its last room_stats online count; null where none was sent).
#[derive(Debug, Clone)]
pub struct Timeline {
    pub bucket_ms: i64,
    pub frame: DataFrame,
}

/// One bucket's values, read out of [`Timeline::frame`] for charts and peak detection.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Bucket {
    pub start_ms: i64,
    pub chat: u64,
    pub chatters: u64,
    pub gifts: u64,
    pub diamonds: u64,
    pub likes: u64,
    pub joins: u64,
    pub follows: u64,
    pub online: Option<u64>,
}

/// At most this many buckets; a longer span gets coarser buckets (see [`Timeline::bucket_ms`]).
pub const MAX_BUCKETS: i64 = 100_000;

/// The columns of [`Timeline::frame`].
pub mod cols {
    pub const TIME: &str = "time";
    pub const CHAT: &str = "chat";
    pub const CHATTERS: &str = "chatters";
    pub const GIFTS: &str = "gifts";
    pub const DIAMONDS: &str = "diamonds";
    pub const LIKES: &str = "likes";
    pub const JOINS: &str = "joins";
    pub const FOLLOWS: &str = "follows";
    pub const ONLINE: &str = "online";
}

const COUNTS: [&str; 7] = [
    cols::CHAT,
    cols::CHATTERS,
    cols::GIFTS,
    cols::DIAMONDS,
    cols::LIKES,
    cols::JOINS,
    cols::FOLLOWS,
];

/// The timeline of `events` (the event table, or a scan of it) in buckets of `size`, aligned
/// to multiples of the bucket length since the epoch.
///
/// ```
/// use danmu_analyze::analysis::timeline::{timeline, BucketSize};
/// use danmu_analyze::event::{Event, Kind};
/// use polars::prelude::IntoLazy;
///
/// let mut chat = Event::new(Kind::Chat, Kind::Chat.method().into());
/// chat.ts = 90_000; // 00:01:30
/// chat.user_id = Some(7);
/// let table = danmu_analyze::table::from_events(&[chat]).unwrap();
/// let t = timeline(table.lazy(), BucketSize(60_000)).unwrap();
/// assert_eq!(t.frame.height(), 1);
/// assert_eq!(t.buckets().unwrap()[0].start_ms, 60_000);
/// assert_eq!(t.buckets().unwrap()[0].chat, 1);
/// ```
pub fn timeline(events: impl Into<Events>, size: BucketSize) -> PolarsResult<Timeline> {
    let Events {
        lazy: events,
        engine,
    } = events.into();
    let span = events
        .clone()
        .select([ts_ms().min().alias("first"), ts_ms().max().alias("last")])
        .run(engine)?;
    let first = span.column("first")?.i64()?.get(0);
    let last = span.column("last")?.i64()?.get(0);
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(Timeline {
            bucket_ms: size.0,
            frame: empty_frame()?,
        });
    };
    let b = bucket_for_span(size.0, last - first);
    let origin = first.div_euclid(b) * b;
    let n = (last - origin) / b + 1;
    let utc = DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
    let is_chat = is_kind(Kind::Chat);
    // Buckets as a plain group-by key rather than `group_by_dynamic`, and sums of row-wise
    // values rather than filtered aggregations: both need no time order and run as native
    // reductions on the streaming engine, so a dataset's unsorted parts are read batch by
    // batch instead of sorted whole (51 M events held 3 GB and more for the sort).
    let start = ts_ms().floor_div(lit(b)) * lit(b);
    let count = |e: Expr| e.cast(DataType::UInt64).sum();
    let value = |kind: Kind, column: Column| {
        when(is_kind(kind))
            .then(c(column).cast(DataType::UInt64))
            .otherwise(lit(NULL).cast(DataType::UInt64))
            .sum()
    };
    let sums = events
        .clone()
        .group_by([start.clone().alias("start")])
        .agg([
            count(is_chat.clone()).alias(cols::CHAT),
            count(is_kind(Kind::Gift)).alias(cols::GIFTS),
            value(Kind::Gift, Column::DiamondCount).alias(cols::DIAMONDS),
            value(Kind::Like, Column::LikeCount).alias(cols::LIKES),
            count(is_kind(Kind::Member)).alias(cols::JOINS),
            count(is_kind(Kind::Social).and(c(Column::Action).eq(lit(1u32)))).alias(cols::FOLLOWS),
        ])
        .run(engine)?;
    // Distinct chatters: the distinct (bucket, chatter) pairs, counted per bucket.
    let mut read = vec![start.alias("start"), c(Column::UserId)];
    if keyed_by_name(&events, engine)? {
        read.push(c(Column::UserName));
    }
    let mut pairs = DistinctCounter::new();
    for_each_batch(events.clone().filter(is_chat).select(read), engine, |df| {
        let starts = df.column("start")?.i64()?;
        for (start, who) in starts.iter().zip(user_keys(df)?) {
            pairs.add(start.unwrap_or(0) as u64, who);
        }
        Ok(())
    })?;
    let (starts, counts): (Vec<i64>, Vec<u64>) = pairs
        .finish()
        .into_iter()
        .map(|(start, n)| (start as i64, n))
        .unzip();
    let chatters = DataFrame::new(
        starts.len(),
        vec![
            PlColumn::new("start".into(), starts),
            PlColumn::new(cols::CHATTERS.into(), counts),
        ],
    )?;
    // Viewers online: the bucket's last room_user_seq count, or where it has none its last
    // room_stats one (see [`super::viewers`]). Their rows are few (one every few seconds), so
    // they are read with their order — time, then place in the table, the order of the sorted
    // table — and the last taken here.
    let counts = viewers::sent(events, vec![])
        .with_row_index("_row", None)
        .run(engine)?
        .lazy()
        .with_column((col("_ts").floor_div(lit(b)) * lit(b)).alias("start"));
    let online = viewers::kept(counts, vec![col("start")])?
        .sort(["_ts", "_row"], SortMultipleOptions::default())
        .group_by_stable([col("start")])
        .agg([col("online").last()])
        .collect()?;
    // Every bucket, so empty ones become zeros instead of missing rows.
    let starts: Vec<i64> = (0..n).map(|i| origin + i * b).collect();
    let all = DataFrame::new(n as usize, vec![PlColumn::new("start".into(), starts)])?.lazy();
    let mut fill: Vec<Expr> = COUNTS
        .iter()
        .map(|name| {
            col(*name)
                .cast(DataType::UInt64)
                .fill_null(lit(0u64))
                .alias(*name)
        })
        .collect();
    fill.insert(0, col("start").cast(utc).alias(cols::TIME));
    fill.push(col("online").cast(DataType::UInt64).alias(cols::ONLINE));
    let frame = all
        .left_join(sums.lazy(), col("start"), col("start"))
        .left_join(chatters.lazy(), col("start"), col("start"))
        .left_join(online.lazy(), col("start"), col("start"))
        .select(fill)
        .sort([cols::TIME], SortMultipleOptions::default())
        .collect()?;
    Ok(Timeline {
        bucket_ms: b,
        frame,
    })
}

fn empty_frame() -> PolarsResult<DataFrame> {
    let utc = DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
    let mut columns = vec![PlColumn::new_empty(cols::TIME.into(), &utc)];
    columns.extend(
        COUNTS
            .iter()
            .chain([cols::ONLINE].iter())
            .map(|n| PlColumn::new_empty((*n).into(), &DataType::UInt64)),
    );
    DataFrame::new(0, columns)
}

/// Inputs spanning years (old and new frames together) would make millions of empty buckets:
/// such spans get coarser buckets.
fn bucket_for_span(wanted: i64, span: i64) -> i64 {
    let mut b = wanted;
    for coarser in [60_000, 300_000, 3_600_000, 86_400_000, 7 * 86_400_000] {
        if span / b < MAX_BUCKETS {
            break;
        }
        b = b.max(coarser);
    }
    b.max(span / MAX_BUCKETS + 1)
}

impl Timeline {
    /// The buckets as plain values (charts and peak detection work on these).
    pub fn buckets(&self) -> Result<Vec<Bucket>, ColumnError> {
        let f = &self.frame;
        let u = |name: &'static str| -> Result<Vec<Option<u64>>, ColumnError> {
            Ok(u64s(f, "timeline", name)?.iter().collect())
        };
        let time: Vec<i64> = datetimes(f, "timeline", cols::TIME)?
            .physical()
            .into_no_null_iter()
            .collect();
        let counts = COUNTS.iter().map(|n| u(n)).collect::<Result<Vec<_>, _>>()?;
        let online = u(cols::ONLINE)?;
        Ok((0..time.len())
            .map(|i| {
                let v = |k: usize| counts[k].get(i).copied().flatten().unwrap_or(0);
                Bucket {
                    start_ms: time[i],
                    chat: v(0),
                    chatters: v(1),
                    gifts: v(2),
                    diamonds: v(3),
                    likes: v(4),
                    joins: v(5),
                    follows: v(6),
                    online: online.get(i).copied().flatten(),
                }
            })
            .collect())
    }
}

pub use super::peaks::{Peak, PeakOptions};

/// The chat peaks of `t`, in time order (the method: [`super::peaks`]).
pub fn peaks(t: &Timeline, opts: &PeakOptions) -> Result<Vec<Peak>, ColumnError> {
    Ok(peaks_of(&t.buckets()?, t.bucket_ms, opts))
}

/// [`peaks`] over buckets already read out of the frame.
pub fn peaks_of(buckets: &[Bucket], bucket_ms: i64, opts: &PeakOptions) -> Vec<Peak> {
    let starts: Vec<i64> = buckets.iter().map(|b| b.start_ms).collect();
    let chat: Vec<u64> = buckets.iter().map(|b| b.chat).collect();
    let active: Vec<bool> = buckets
        .iter()
        .map(|b| b.chat + b.joins + b.likes + b.gifts > 0)
        .collect();
    let series = super::peaks::Series {
        start_ms: &starts,
        chat: &chat,
        active: &active,
    };
    super::peaks::find(&series, bucket_ms, opts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    #[test]
    fn online_is_room_user_seq_where_a_bucket_has_it_else_room_stats() {
        let ev = |kind: Kind, ts: i64, online: Option<u64>| {
            let mut e = Event::new(kind, kind.method().into());
            e.ts = ts;
            e.online = online;
            e
        };
        let table = crate::table::from_events(&[
            ev(Kind::RoomStats, 1_000, Some(90)),
            ev(Kind::RoomUserSeq, 2_000, Some(100)),
            ev(Kind::RoomStats, 3_000, Some(95)),
            ev(Kind::RoomStats, 61_000, Some(120)),
            ev(Kind::RoomStats, 62_000, Some(130)),
            // Shows viewers since the start: no online count, so not the bucket's last.
            ev(Kind::RoomStats, 63_000, None),
            ev(Kind::Chat, 150_000, None),
        ])
        .unwrap();
        let online: Vec<Option<u64>> = timeline(table.lazy(), BucketSize(60_000))
            .unwrap()
            .buckets()
            .unwrap()
            .iter()
            .map(|b| b.online)
            .collect();
        assert_eq!(online, [Some(100), Some(130), None]);
    }

    #[test]
    fn bucket_sizes() {
        assert_eq!("10s".parse::<BucketSize>(), Ok(BucketSize(10_000)));
        assert_eq!("5m".parse::<BucketSize>(), Ok(BucketSize(300_000)));
        assert!("0m".parse::<BucketSize>().is_err());
        assert!("m".parse::<BucketSize>().is_err());
        assert!("5x".parse::<BucketSize>().is_err());
        // The shared duration parser: the same spellings as --rotate and --status-every.
        assert_eq!("1.5m".parse::<BucketSize>(), Ok(BucketSize(90_000)));
        assert_eq!("90".parse::<BucketSize>(), Ok(BucketSize(90_000)));
        assert!("200ms".parse::<BucketSize>().is_err());
        assert!("1e12d".parse::<BucketSize>().is_err());
    }
}

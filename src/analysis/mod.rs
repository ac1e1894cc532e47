//! Processors over the event table: words, timeline and peaks, users, gifts, the audience
//! funnel, revenue, PK battles and newcomers, and the summary that ties them together. Each is a polars query: it takes the table as a `LazyFrame` (an
//! in-memory table or a scan of files) and returns `DataFrame`s.
//!
//! An in-memory table is in time order. A scan may not be (a dataset's parts, read one after
//! another without a sort that would hold every row): where order matters (the latest name,
//! the last viewer count of a bucket, chat in time order) the processors order by time, then
//! by place in the table, which is the order the sorted table has. So a dataset gives what
//! its events sorted would.

pub mod battles;
pub mod compare;
pub mod dictionary;
pub mod distinct;
pub mod during;
pub mod expr;
pub mod frame;
pub mod funnel;
pub mod gifts;
pub mod keywords;
pub mod newcomers;
pub mod peaks;
pub mod revenue;
pub mod rooms;
pub mod sessions;
pub mod summary;
pub mod timeline;
pub mod users;
pub mod viewers;
pub mod words;

use crate::columns::Column;

/// Every event-table column some analysis reads. Frames decoded for analysis fill only these
/// (the rest stay null, which saves a quarter of the table's memory); a test runs every
/// analysis on a table with the other columns nulled and expects the same results.
pub const COLUMNS_READ: &[Column] = &[
    Column::Ts,
    Column::RoomId,
    Column::Kind,
    Column::UserId,
    Column::UserName,
    Column::UserLevel,
    Column::FansClubLevel,
    Column::Content,
    Column::GiftId,
    Column::GiftName,
    Column::GiftCount,
    Column::DiamondCount,
    Column::LikeCount,
    Column::Action,
    Column::Online,
    Column::ControlStatus,
    Column::ChatBy,
    Column::TotalViewers,
    Column::BattleId,
    Column::BattleStartMs,
    Column::BattleEndMs,
    Column::Anchor1Id,
    Column::Anchor1Score,
    Column::Anchor2Id,
    Column::Anchor2Score,
];

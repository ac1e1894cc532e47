//! Row access to the event table, for the consumers that are row-shaped by nature: the CSV and
//! NDJSON writers, the table `decode` prints, and MySQL's INSERTs.

use std::borrow::Cow;

use polars::prelude::{
    DataFrame, Int64Chunked, PolarsError, PolarsResult, StringChunked, UInt32Chunked, UInt64Chunked,
};

use crate::columns::{Cell, Column};
use crate::event::{Event, Kind, TimeSource};

enum Values<'a> {
    Time(&'a Int64Chunked),
    U64(&'a UInt64Chunked),
    U32(&'a UInt32Chunked),
    Text(&'a StringChunked),
    /// A column the frame does not have: every cell is null.
    Missing,
}

/// Typed views of an event table's columns. Build it over a frame whose columns are one chunk
/// each ([`DataFrame::rechunk_mut`]): lookups are then constant time.
pub struct Rows<'a> {
    height: usize,
    /// Indexed like [`Column::ALL`].
    values: Vec<Values<'a>>,
}

impl<'a> Rows<'a> {
    pub fn new(df: &'a DataFrame) -> PolarsResult<Rows<'a>> {
        let mut values = Vec::with_capacity(Column::ALL.len());
        for col in Column::ALL {
            let Ok(c) = df.column(col.name()) else {
                values.push(Values::Missing);
                continue;
            };
            let s = c.as_materialized_series();
            let v = match s.dtype() {
                polars::prelude::DataType::Datetime(..) => Values::Time(s.datetime()?.physical()),
                polars::prelude::DataType::UInt64 => Values::U64(s.u64()?),
                polars::prelude::DataType::UInt32 => Values::U32(s.u32()?),
                polars::prelude::DataType::String => Values::Text(s.str()?),
                other => {
                    return Err(PolarsError::SchemaMismatch(
                        format!(
                            "column {} has type {other}, not the event table's",
                            col.name()
                        )
                        .into(),
                    ))
                }
            };
            values.push(v);
        }
        Ok(Rows {
            height: df.height(),
            values,
        })
    }

    pub fn len(&self) -> usize {
        self.height
    }

    pub fn is_empty(&self) -> bool {
        self.height == 0
    }

    /// One cell, typed as the column is.
    pub fn cell(&self, col: Column, row: usize) -> Cell<'a> {
        // A column's discriminant is its place in `Column::ALL` (tested in columns.rs).
        match &self.values[col as usize] {
            Values::Time(ca) => ca.get(row).map_or(Cell::Null, Cell::Time),
            Values::U64(ca) => ca.get(row).map_or(Cell::Null, |v| num(col, v)),
            Values::U32(ca) => ca.get(row).map_or(Cell::Null, |v| num(col, u64::from(v))),
            Values::Text(ca) => ca.get(row).map_or(Cell::Null, Cell::Text),
            Values::Missing => Cell::Null,
        }
    }

    fn u64(&self, col: Column, row: usize) -> Option<u64> {
        match self.cell(col, row) {
            Cell::Id(v) | Cell::Count(v) => Some(v),
            _ => None,
        }
    }

    fn text(&self, col: Column, row: usize) -> Option<&'a str> {
        match self.cell(col, row) {
            Cell::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The kind of a row (`other` when the cell is empty or unknown).
    pub fn kind(&self, row: usize) -> Kind {
        self.text(Column::Kind, row)
            .and_then(|k| k.parse().ok())
            .unwrap_or(Kind::Other)
    }

    /// One row as an [`Event`], for row-shaped consumers. The time source is not part of the
    /// table: it is [`TimeSource::Unknown`].
    pub fn event(&self, row: usize) -> Event {
        let kind = self.kind(row);
        let method = match self.text(Column::Method, row) {
            Some(m) => match kind.methods().iter().find(|k| **k == m) {
                Some(k) => Cow::Borrowed(*k),
                None => Cow::Owned(m.to_string()),
            },
            None => Cow::Borrowed(kind.method()),
        };
        let mut ev = Event::new(kind, method);
        ev.ts = match self.cell(Column::Ts, row) {
            Cell::Time(ms) => ms,
            _ => 0,
        };
        ev.time_source = TimeSource::Unknown;
        ev.room_id = self.u64(Column::RoomId, row).unwrap_or(0);
        ev.msg_id = self.u64(Column::MsgId, row).unwrap_or(0);
        ev.user_id = self.u64(Column::UserId, row);
        ev.user_name = self.text(Column::UserName, row).map(str::to_string);
        let small = |c| {
            self.u64(c, row)
                .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
        };
        ev.user_level = small(Column::UserLevel);
        ev.fans_club_level = small(Column::FansClubLevel);
        ev.gender = self
            .u64(Column::Gender, row)
            .map(|v| u8::try_from(v).unwrap_or(u8::MAX));
        ev.content = self.text(Column::Content, row).map(str::to_string);
        ev.gift_id = self.u64(Column::GiftId, row);
        ev.gift_name = self.text(Column::GiftName, row).map(str::to_string);
        ev.gift_count = self.u64(Column::GiftCount, row);
        ev.diamond_count = self.u64(Column::DiamondCount, row);
        ev.like_count = self.u64(Column::LikeCount, row);
        ev.like_total = self.u64(Column::LikeTotal, row);
        ev.member_count = self.u64(Column::MemberCount, row);
        ev.follow_count = self.u64(Column::FollowCount, row);
        ev.action = self.u64(Column::Action, row);
        ev.online = self.u64(Column::Online, row);
        ev.total_viewers = self.u64(Column::TotalViewers, row);
        ev.control_status = self.u64(Column::ControlStatus, row);
        ev.chat_by = small(Column::ChatBy);
        ev.battle_id = self.u64(Column::BattleId, row);
        ev.battle_start_ms = self.u64(Column::BattleStartMs, row);
        ev.battle_end_ms = self.u64(Column::BattleEndMs, row);
        ev.anchor1_id = self.u64(Column::Anchor1Id, row);
        ev.anchor1_score = self.u64(Column::Anchor1Score, row);
        ev.anchor2_id = self.u64(Column::Anchor2Id, row);
        ev.anchor2_score = self.u64(Column::Anchor2Score, row);
        ev
    }
}

fn num(col: Column, v: u64) -> Cell<'static> {
    match col.ty() {
        crate::columns::ColumnType::Id => Cell::Id(v),
        _ => Cell::Count(v),
    }
}

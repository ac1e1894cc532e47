//! The event table's polars schema, derived from the column table in [`crate::columns`].

use polars::prelude::{DataType, Field, Schema, TimeUnit, TimeZone};

use crate::columns::{Column, ColumnType};

/// The polars type of a column: `ts` a UTC millisecond Datetime, ids UInt64, small codes
/// (levels, gender, action, status) UInt32, other counts UInt64, text String.
pub fn dtype(col: Column) -> DataType {
    match col.ty() {
        ColumnType::Time => DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC)),
        ColumnType::Id => DataType::UInt64,
        ColumnType::Count if small(col) => DataType::UInt32,
        ColumnType::Count => DataType::UInt64,
        ColumnType::Text => DataType::String,
    }
}

fn small(col: Column) -> bool {
    matches!(
        col,
        Column::UserLevel
            | Column::FansClubLevel
            | Column::Gender
            | Column::Action
            | Column::ControlStatus
    )
}

/// Every column, in table order.
pub fn schema() -> Schema {
    Column::ALL
        .iter()
        .map(|&c| Field::new(c.name().into(), dtype(c)))
        .collect()
}

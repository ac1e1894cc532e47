//! The event table's polars schema, derived from the column table (`crate::columns::TABLE`).
//! `source::conform` brings other tables into it.

use polars::prelude::{DataType, Schema, TimeUnit, TimeZone};

use crate::columns::{Column, Dtype};
/// The polars type a column is stored as.
pub fn dtype(d: Dtype) -> DataType {
    match d {
        Dtype::TimeMs => DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC)),
        Dtype::UInt64 => DataType::UInt64,
        Dtype::UInt32 => DataType::UInt32,
        Dtype::String => DataType::String,
    }
}

/// The event table's schema: every column of [`Column::ALL`] in order, `ts` in UTC.
pub fn schema() -> Schema {
    Column::ALL
        .into_iter()
        .map(|c| (c.name().into(), dtype(c.dtype())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_follows_the_column_table() {
        let s = schema();
        assert_eq!(s.len(), Column::ALL.len());
        let ts = s.get("ts").unwrap();
        assert_eq!(
            *ts,
            DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
        );
        assert_eq!(s.get("msg_id"), Some(&DataType::UInt64));
        assert_eq!(s.get("gender"), Some(&DataType::UInt32));
        assert_eq!(s.get("action"), Some(&DataType::UInt32));
        assert_eq!(s.get("like_total"), Some(&DataType::UInt64));
        assert_eq!(s.get("content"), Some(&DataType::String));
    }
}

//! The event table as a polars DataFrame.

use polars::prelude::{
    Column as PlColumn, DataFrame, DataType, NamedFrom, PolarsResult, Series, TimeUnit, TimeZone,
};

use crate::columns::{Cell, Column, ColumnType};
use crate::event::Event;
use crate::timefmt::Zone;

pub mod schema;

/// Builds the event table as a polars DataFrame. `ts` is a millisecond Datetime in `zone`
/// (the instants stay UTC; the zone only says how to show them).
pub fn to_dataframe(events: &[&Event], columns: &[Column], zone: &Zone) -> PolarsResult<DataFrame> {
    let mut out = Vec::with_capacity(columns.len());
    for &col in columns {
        let name = col.name().into();
        let series = match col.ty() {
            ColumnType::Time => {
                let ms: Vec<i64> = events.iter().map(|e| e.ts).collect();
                let tz = TimeZone::opt_try_new(Some(zone.name()))?;
                Series::new(name, ms).cast(&DataType::Datetime(TimeUnit::Milliseconds, tz))?
            }
            ColumnType::Id | ColumnType::Count => {
                let v: Vec<Option<u64>> = events
                    .iter()
                    .map(|e| match col.cell(e) {
                        Cell::Id(v) | Cell::Count(v) => Some(v),
                        _ => None,
                    })
                    .collect();
                Series::new(name, v)
            }
            ColumnType::Text => {
                let v: Vec<Option<&str>> = events
                    .iter()
                    .map(|e| match col.cell(e) {
                        Cell::Text(s) => Some(s),
                        _ => None,
                    })
                    .collect();
                Series::new(name, v)
            }
        };
        out.push(PlColumn::from(series));
    }
    DataFrame::new(events.len(), out)
}

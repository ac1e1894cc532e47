//! The event table: one polars DataFrame that every source becomes and every processor reads.
//!
//! Its columns are [`crate::columns::Column::ALL`] with the types of [`schema::schema`]; `ts` is
//! a UTC millisecond Datetime and the rows are in time order (arrival order breaks ties).

pub mod build;
pub mod filter;
pub mod rows;
pub mod schema;
pub mod sparse;

use polars::prelude::{
    Column as PlColumn, DataFrame, DataType, IntoColumn, IntoSeries, NamedFrom, PolarsResult,
    Series, TimeUnit, TimeZone, UInt32Chunked, UInt64Chunked,
};

use crate::columns::{Cell, Column};
use crate::event::Event;
use crate::timefmt::Zone;

pub use schema::schema;

/// The event table of `events`, every column, in the order given.
pub fn from_events(events: &[Event]) -> PolarsResult<DataFrame> {
    let refs: Vec<&Event> = events.iter().collect();
    from_event_refs(&refs)
}

/// [`from_events`] over borrowed events.
pub fn from_event_refs(events: &[&Event]) -> PolarsResult<DataFrame> {
    let columns = Column::ALL
        .iter()
        .map(|&c| column_of(events, c))
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new(events.len(), columns)
}

/// An empty event table.
pub fn empty() -> DataFrame {
    DataFrame::empty_with_schema(&schema())
}

fn column_of(events: &[&Event], col: Column) -> PolarsResult<PlColumn> {
    let name = col.name().into();
    let ty = schema::dtype(col.dtype());
    let series = match ty {
        DataType::Datetime(..) => {
            let ms: Vec<i64> = events.iter().map(|e| e.ts).collect();
            Series::new(name, ms).cast(&ty)?
        }
        DataType::UInt32 => {
            let v: UInt32Chunked = events
                .iter()
                .map(|e| match col.cell(&e.view()) {
                    Cell::Id(v) | Cell::Count(v) => Some(u32::try_from(v).unwrap_or(u32::MAX)),
                    _ => None,
                })
                .collect();
            v.with_name(name).into_series()
        }
        DataType::UInt64 => {
            let v: UInt64Chunked = events
                .iter()
                .map(|e| match col.cell(&e.view()) {
                    Cell::Id(v) | Cell::Count(v) => Some(v),
                    _ => None,
                })
                .collect();
            v.with_name(name).into_series()
        }
        _ => {
            let v: Vec<Option<&str>> = events
                .iter()
                .map(|e| match col.cell(&e.view()) {
                    Cell::Text(s) => Some(s),
                    _ => None,
                })
                .collect();
            Series::new(name, v)
        }
    };
    Ok(series.into_column())
}

/// `columns` of the table, with `ts` shown in `zone` (the instants stay the same): what the
/// Parquet export writes.
pub fn for_export(table: &DataFrame, columns: &[Column], zone: &Zone) -> PolarsResult<DataFrame> {
    let names: Vec<&str> = columns.iter().map(|c| c.name()).collect();
    let mut df = table.select(names)?;
    if columns.contains(&Column::Ts) {
        let tz = TimeZone::opt_try_new(Some(zone.name()))?;
        let ts = df
            .column(Column::Ts.name())?
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, tz))?;
        df.with_column(ts)?;
    }
    Ok(df)
}

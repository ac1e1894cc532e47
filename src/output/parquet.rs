//! Parquet through polars: typed columns (`ts` a millisecond Datetime with its zone, ids UInt64).

use std::io::Write;

use polars::prelude::{ParquetCompression, ParquetWriter, PolarsResult};

use crate::columns::Column;
use crate::event::Event;
use crate::table::to_dataframe;
use crate::timefmt::Zone;

pub fn write<W: Write>(
    out: W,
    events: &[&Event],
    columns: &[Column],
    zone: &Zone,
) -> PolarsResult<()> {
    let mut df = to_dataframe(events, columns, zone)?;
    ParquetWriter::new(out)
        .with_compression(ParquetCompression::Snappy)
        .finish(&mut df)?;
    Ok(())
}

//! Parquet through polars: typed columns (`ts` a millisecond Datetime with its zone, ids UInt64).

use std::io::Write;

use polars::prelude::{DataFrame, ParquetCompression, ParquetWriter, PolarsResult};

use crate::columns::Column;
use crate::table::for_export;
use crate::timefmt::Zone;

pub fn write<W: Write>(
    out: W,
    table: &DataFrame,
    columns: &[Column],
    zone: &Zone,
) -> PolarsResult<()> {
    let mut df = for_export(table, columns, zone)?;
    ParquetWriter::new(out)
        .with_compression(ParquetCompression::Snappy)
        .finish(&mut df)?;
    Ok(())
}

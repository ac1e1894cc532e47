//! Parquet: typed columns as `export` (or another tool) wrote them; `conform` does the rest.

use std::fs::File;
use std::io::Cursor;
use std::path::Path;

use polars::prelude::{DataFrame, ParquetReader, PolarsResult, SerReader};

pub fn read(path: &Path) -> PolarsResult<DataFrame> {
    ParquetReader::new(File::open(path)?).finish()
}

/// A whole file already in memory (stdin).
pub fn read_bytes(bytes: Vec<u8>) -> PolarsResult<DataFrame> {
    ParquetReader::new(Cursor::new(bytes)).finish()
}

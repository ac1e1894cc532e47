//! CSV, every column read as text: Excel id cells (`="123"`), local times and epoch numbers are
//! then read by `conform`, one rule for every tool's CSV. A UTF-8 BOM is skipped.

use std::io::Cursor;
use std::path::Path;

use polars::prelude::{CsvReadOptions, DataFrame, PolarsResult, SerReader};

fn options() -> CsvReadOptions {
    CsvReadOptions::default()
        .with_has_header(true)
        // No inference: every column is String, so no id is rounded through a float.
        .with_infer_schema_length(Some(0))
}

pub fn read(path: &Path) -> PolarsResult<DataFrame> {
    options()
        .try_into_reader_with_file_path(Some(path.to_path_buf()))?
        .finish()
}

/// A whole file already in memory (stdin).
pub fn read_bytes(bytes: Vec<u8>) -> PolarsResult<DataFrame> {
    options()
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
}

//! CSV, every column read as text: Excel id cells (`="123"`), local times and epoch numbers are
//! then read by `conform`, one rule for every tool's CSV. A UTF-8 BOM is skipped.

use std::path::Path;

use polars::prelude::{CsvReadOptions, DataFrame, PolarsResult, SerReader};

pub fn read(path: &Path) -> PolarsResult<DataFrame> {
    CsvReadOptions::default()
        .with_has_header(true)
        // No inference: every column is String, so no id is rounded through a float.
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))?
        .finish()
}

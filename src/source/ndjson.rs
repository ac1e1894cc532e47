//! NDJSON: one object per line (null fields left out, as `export` writes them). Every field is
//! read as text, so 64-bit ids stay exact; `conform` types them.

use std::io::{self, BufRead, Cursor};
use std::path::Path;
use std::sync::Arc;

use polars::prelude::{
    DataFrame, DataType, JsonFormat, JsonReader, PolarsError, Schema, SerReader,
};

#[derive(Debug)]
pub enum Error {
    Io(io::Error),
    /// A line that is not a JSON object.
    Line(String),
    Polars(PolarsError),
}

pub fn read(path: &Path) -> Result<DataFrame, Error> {
    read_bytes(std::fs::read(path).map_err(Error::Io)?)
}

/// A whole file in memory.
pub fn read_bytes(bytes: Vec<u8>) -> Result<DataFrame, Error> {
    // The fields of every line (a wide export leaves nulls out, so lines differ), in first-seen
    // order; this also finds the first line that is not an object.
    let mut names: Vec<String> = Vec::new();
    for (i, line) in bytes.as_slice().lines().enumerate() {
        let line = line.map_err(Error::Io)?;
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() {
            continue;
        }
        let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line)
            .map_err(|e| Error::Line(format!("line {}: not a JSON object ({e})", i + 1)))?;
        for k in obj.keys() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    let schema: Schema = names
        .iter()
        .map(|n| (n.as_str().into(), DataType::String))
        .collect();
    JsonReader::new(Cursor::new(bytes))
        .with_json_format(JsonFormat::JsonLines)
        .with_schema(Arc::new(schema))
        .finish()
        .map_err(Error::Polars)
}

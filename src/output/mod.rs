//! Writing the event table and result tables out: one writer per format, each to any
//! `io::Write` so tests need no files.

pub mod csv;
pub mod frame;
pub mod ndjson;
pub mod parquet;
pub mod text;

use std::str::FromStr;

/// Formats `decode` and `export` write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Ndjson,
    Parquet,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "table" => Format::Table,
            "csv" => Format::Csv,
            "ndjson" | "jsonl" => Format::Ndjson,
            "parquet" => Format::Parquet,
            _ => {
                return Err(format!(
                    "unknown format `{s}`; expected table, csv, ndjson or parquet"
                ))
            }
        })
    }
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Csv => "csv",
            Format::Ndjson => "ndjson",
            Format::Parquet => "parquet",
        }
    }
}

//! Writing the event table and result tables out: one writer per format, each to any
//! `io::Write` so tests need no files.

pub mod csv;
pub mod frame;
pub mod ndjson;
pub mod parquet;
pub mod text;

use std::io::{self, Write};
use std::str::FromStr;

use polars::prelude::{DataFrame, PolarsError};

use crate::columns::Column;
use crate::table::rows::Rows;
use crate::timefmt::Zone;

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

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("{0}")]
    Polars(#[from] PolarsError),
}

/// Writes the event table `table` with `columns` in `format` to `out`: the one dispatch every
/// command that writes events goes through. The text table and NDJSON show times in `zone`;
/// CSV as `csv` says.
pub fn write_events<W: Write>(
    mut out: W,
    format: Format,
    table: &DataFrame,
    columns: &[Column],
    zone: &Zone,
    csv: &csv::CsvOptions,
) -> Result<(), OutputError> {
    match format {
        Format::Table => {
            let rows = Rows::new(table)?;
            text::write_header(&mut out)?;
            for i in 0..rows.len() {
                text::write_row(&mut out, &rows.event(i), zone)?;
            }
        }
        Format::Csv => csv::write(out, &Rows::new(table)?, columns, csv)?,
        Format::Ndjson => ndjson::write(out, &Rows::new(table)?, columns, zone)?,
        Format::Parquet => parquet::write(out, table, columns, zone)?,
    }
    Ok(())
}

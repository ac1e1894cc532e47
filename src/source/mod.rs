//! Table sources: files holding the event table itself, read into the canonical DataFrame
//! ([`crate::table::schema::schema`], `ts` in UTC) — the tool's own `export`s (Parquet, CSV as
//! Excel gets it, NDJSON; one wide file or a folder of per-kind files) and other tools' CSV or
//! Parquet, whose columns are found through the column table's aliases (`--map ours=theirs` for
//! the rest). Capture files and frame dumps are [`crate::input`]'s.

pub mod conform;
mod csv;
mod encoding;
mod format;
mod ndjson;
mod options;
mod parquet;
mod paths;
mod scan;

use std::fs::File;
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

use encoding_rs::Encoding;
use polars::prelude::{DataFrame, PolarsError, SortMultipleOptions};

use crate::columns::Column;
use crate::input::is_stdin;
use conform::{conform, ConformOptions, SchemaError};

pub use encoding::parse_label as parse_encoding;
pub use format::{detect, detect_with, TableFormat, EXPECTED};
pub use options::{ColumnMap, SourceOptions};
pub use paths::expand;
pub use scan::scan;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("no input files")]
    NoInput,
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: no file matches this pattern")]
    NoMatch { path: String },
    #[error("{path}: the folder holds no files")]
    EmptyFolder { path: String },
    #[error("{path}: not an event table: expected {EXPECTED}")]
    NotTable { path: String },
    #[error("{path}: {message}")]
    Bad { path: String, message: String },
    #[error("{path}: {source}")]
    Polars { path: String, source: PolarsError },
    #[error("{path}: {source}")]
    Csv { path: String, source: csv::CsvError },
    #[error("{path}: {source}")]
    Schema { path: String, source: SchemaError },
}

/// The files' events as one table, and what could not be read of them.
#[derive(Debug, Clone)]
pub struct Read {
    /// Exactly the event-table schema; in time order when it came from several files.
    pub df: DataFrame,
    /// Values that were not numbers or times (left empty), one line per file and column.
    pub problems: Vec<String>,
    /// Columns of the files no event-table column was read from (`file: column`).
    pub unused_columns: Vec<String>,
    /// CSV rows left out because they hold bytes the file's encoding cannot decode
    /// (`file: line 7, column 3 (content): …`).
    pub skipped_rows: Vec<String>,
}

/// Reads `paths` (files, folders of files, `*`/`?` patterns in a file name, `-` for stdin) as one
/// event table.
/// `format` forces the format of every file; otherwise each is detected from its first bytes.
/// Any file that cannot be read fails the whole read, naming it: nothing is silently left out.
pub fn read(
    paths: &[PathBuf],
    format: Option<TableFormat>,
    opts: &SourceOptions,
) -> Result<Read, SourceError> {
    let files = expand(paths)?;
    let conform_opts = ConformOptions {
        zone: opts.zone,
        renames: opts
            .map
            .iter()
            .map(|m| (m.ours, m.theirs.clone()))
            .collect(),
    };
    let mut out: Option<DataFrame> = None;
    let mut problems = Vec::new();
    let mut unused_columns = Vec::new();
    let mut skipped_rows = Vec::new();
    for file in &files {
        let name = file.display().to_string();
        let (raw, skipped) = read_file(file, format, opts.encoding)?;
        skipped_rows.extend(skipped.iter().map(|s| format!("{name}: {s}")));
        let c = conform(raw, &conform_opts).map_err(|source| SourceError::Schema {
            path: name.clone(),
            source,
        })?;
        problems.extend(c.problems.iter().map(|p| format!("{name}: {p}")));
        unused_columns.extend(c.unused_columns.iter().map(|u| format!("{name}: {u}")));
        match &mut out {
            None => out = Some(c.df),
            Some(df) => {
                df.vstack_mut_owned(c.df)
                    .map_err(|source| SourceError::Polars {
                        path: name.clone(),
                        source,
                    })?;
            }
        }
    }
    let mut df = out.ok_or(SourceError::NoInput)?;
    if files.len() > 1 {
        // Per-kind files are read kind by kind: back into time order, file order among ties.
        df = df
            .sort(
                [Column::Ts.name()],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .map_err(|source| SourceError::Polars {
                path: files[0].display().to_string(),
                source,
            })?;
    }
    df.rechunk_mut();
    Ok(Read {
        df,
        problems,
        unused_columns,
        skipped_rows,
    })
}

/// How many bytes [`detect`] looks at.
const HEAD: usize = 4096;

/// The file's format: `forced`, else detected from its first bytes (read in `encoding` if given).
fn format_of(
    path: &Path,
    forced: Option<TableFormat>,
    encoding: Option<&'static Encoding>,
) -> Result<TableFormat, SourceError> {
    if let Some(f) = forced {
        return Ok(f);
    }
    let name = || path.display().to_string();
    let io_err = |source| SourceError::Io {
        path: name(),
        source,
    };
    let mut head = Vec::with_capacity(HEAD);
    File::open(path)
        .map_err(io_err)?
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .map_err(io_err)?;
    detect_with(&head, encoding).ok_or_else(|| SourceError::NotTable { path: name() })
}

/// One file as polars reads it, before [`conform`], and the CSV rows left out of it.
fn read_file(
    path: &Path,
    format: Option<TableFormat>,
    encoding: Option<&'static Encoding>,
) -> Result<(DataFrame, Vec<String>), SourceError> {
    if is_stdin(path) {
        return read_stdin(format, encoding);
    }
    let name = path.display().to_string();
    match format_of(path, format, encoding)? {
        TableFormat::Parquet => parquet::read(path)
            .map(|df| (df, Vec::new()))
            .map_err(|e| polars_error(&name, e)),
        TableFormat::Csv => {
            // Whole, to be decoded (GB18030, UTF-16) and its bad rows found.
            let bytes = std::fs::read(path).map_err(|source| SourceError::Io {
                path: name.clone(),
                source,
            })?;
            read_csv(bytes, encoding, &name)
        }
        TableFormat::Ndjson => ndjson::read(path)
            .map(|df| (df, Vec::new()))
            .map_err(|e| ndjson_error(&name, e)),
    }
}

/// `-`: all of stdin (a pipe cannot be read twice, so it is held in memory), detected and read
/// like a file.
fn read_stdin(
    format: Option<TableFormat>,
    encoding: Option<&'static Encoding>,
) -> Result<(DataFrame, Vec<String>), SourceError> {
    let mut bytes = Vec::new();
    io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|source| SourceError::Io {
            path: STDIN.into(),
            source,
        })?;
    read_bytes(bytes, format, encoding, STDIN)
}

const STDIN: &str = "<stdin>";

/// A whole input in memory, named `name` in errors.
fn read_bytes(
    bytes: Vec<u8>,
    format: Option<TableFormat>,
    encoding: Option<&'static Encoding>,
    name: &str,
) -> Result<(DataFrame, Vec<String>), SourceError> {
    let format = match format {
        Some(f) => f,
        None => detect_with(&bytes[..bytes.len().min(HEAD)], encoding)
            .ok_or_else(|| SourceError::NotTable { path: name.into() })?,
    };
    let none = |df| (df, Vec::new());
    match format {
        TableFormat::Parquet => parquet::read_bytes(bytes)
            .map(none)
            .map_err(|e| polars_error(name, e)),
        TableFormat::Csv => read_csv(bytes, encoding, name),
        TableFormat::Ndjson => ndjson::read_bytes(bytes)
            .map(none)
            .map_err(|e| ndjson_error(name, e)),
    }
}

fn read_csv(
    bytes: Vec<u8>,
    encoding: Option<&'static Encoding>,
    name: &str,
) -> Result<(DataFrame, Vec<String>), SourceError> {
    let r = csv::read_bytes(bytes, encoding).map_err(|source| SourceError::Csv {
        path: name.into(),
        source,
    })?;
    Ok((r.df, r.skipped))
}

fn polars_error(name: &str, source: PolarsError) -> SourceError {
    SourceError::Polars {
        path: name.into(),
        source,
    }
}

fn ndjson_error(name: &str, e: ndjson::Error) -> SourceError {
    let path = name.to_string();
    match e {
        ndjson::Error::Io(source) => SourceError::Io { path, source },
        ndjson::Error::Line(message) => SourceError::Bad { path, message },
        ndjson::Error::Polars(source) => SourceError::Polars { path, source },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_in_memory_is_detected_and_read() {
        let csv =
            b"\xEF\xBB\xBFts,ts_ms,msg_id\n2026-01-01 18:00:00.000,1767261600000,\"=\"\"7\"\"\"\n";
        let (df, _) = read_bytes(csv.to_vec(), None, None, STDIN).unwrap();
        assert_eq!(df.height(), 1);
        let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(
            names,
            ["ts", "ts_ms", "msg_id"],
            "the BOM is not in the first name"
        );
        assert_eq!(
            df.column("msg_id").unwrap().str().unwrap().get(0),
            Some("=\"7\"")
        );
        let json = b"{\"ts_ms\":1,\"msg_id\":18446744073709551615}\n".to_vec();
        let (df, _) = read_bytes(json, None, None, STDIN).unwrap();
        let id = df.column("msg_id").unwrap().str().unwrap().get(0);
        assert_eq!(id, Some("18446744073709551615"), "u64::MAX stays exact");
        let err = read_bytes(b"hello\n".to_vec(), None, None, STDIN).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("<stdin>: not an event table: expected {EXPECTED}")
        );
    }
}

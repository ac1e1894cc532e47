//! Table sources: files holding the event table itself, read into the canonical DataFrame
//! ([`crate::table::schema::schema`], `ts` in UTC) — the tool's own `export`s (Parquet, CSV as
//! Excel gets it, NDJSON; one wide file or a folder of per-kind files) and other tools' CSV or
//! Parquet, whose columns are found through the column table's aliases (`--map ours=theirs` for
//! the rest). Capture files and frame dumps are [`crate::input`]'s.

mod csv;
mod format;
mod ndjson;
mod options;
mod parquet;
mod paths;
mod scan;

use std::fs::File;
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

use polars::prelude::{DataFrame, PolarsError, SortMultipleOptions};

use crate::columns::Column;
use crate::table::schema::{conform, ConformOptions, SchemaError};

pub use format::{detect, TableFormat, EXPECTED};
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
}

/// Reads `paths` (files, folders of files, `*`/`?` patterns in a file name) as one event table.
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
    for file in &files {
        let name = file.display().to_string();
        let raw = read_file(file, format)?;
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
    })
}

/// How many bytes [`detect`] looks at.
const HEAD: usize = 4096;

/// The file's format: `forced`, else detected from its first bytes.
fn format_of(path: &Path, forced: Option<TableFormat>) -> Result<TableFormat, SourceError> {
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
    detect(&head).ok_or_else(|| SourceError::NotTable { path: name() })
}

/// One file as polars reads it, before [`conform`].
fn read_file(path: &Path, format: Option<TableFormat>) -> Result<DataFrame, SourceError> {
    let name = path.display().to_string();
    let format = format_of(path, format)?;
    let polars_err = |source| SourceError::Polars {
        path: name.clone(),
        source,
    };
    match format {
        TableFormat::Parquet => parquet::read(path).map_err(polars_err),
        TableFormat::Csv => csv::read(path).map_err(polars_err),
        TableFormat::Ndjson => ndjson::read(path).map_err(|e| match e {
            ndjson::Error::Io(source) => SourceError::Io {
                path: name.clone(),
                source,
            },
            ndjson::Error::Line(message) => SourceError::Bad {
                path: name.clone(),
                message,
            },
            ndjson::Error::Polars(source) => SourceError::Polars {
                path: name.clone(),
                source,
            },
        }),
    }
}

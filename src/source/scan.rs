//! A lazy event table: the tool's own Parquet exports scanned (polars reads only what a query
//! needs, and the streaming engine can run it in bounded memory); anything else is read eagerly
//! by [`super::read`] and handed over as a `LazyFrame`.

use std::path::{Path, PathBuf};

use polars::prelude::{
    col, concat, lit, DataType, Expr, IntoLazy, LazyFrame, PlRefPath, PolarsResult,
    ScanArgsParquet, Schema, SortMultipleOptions, TimeUnit, UnionArgs, NULL,
};

use crate::columns::{Column, ColumnType};
use crate::input::is_stdin;
use crate::table::schema::dtype;

use super::{expand, format_of, read, SourceError, SourceOptions, TableFormat};

/// The files as a lazy event table with exactly the canonical schema. Parquet files whose columns
/// all carry the event table's names and types (what `export` writes) are scanned; any other
/// input (CSV, NDJSON, another tool's Parquet, `--map`) is read with [`read`] first, and its
/// unreadable values are then not reported: use [`read`] where they matter.
pub fn scan(
    paths: &[PathBuf],
    format: Option<TableFormat>,
    opts: &SourceOptions,
) -> Result<LazyFrame, SourceError> {
    let eager = || Ok(read(paths, format, opts)?.df.lazy());
    if !opts.map.is_empty() || paths.iter().any(|p| is_stdin(p)) {
        return eager();
    }
    let files = expand(paths)?;
    let mut frames = Vec::with_capacity(files.len());
    for file in &files {
        if format_of(file, format, opts.encoding)? != TableFormat::Parquet {
            return eager();
        }
        match scan_own_parquet(file).map_err(|source| SourceError::Polars {
            path: file.display().to_string(),
            source,
        })? {
            Some(lf) => frames.push(lf),
            None => return eager(),
        }
    }
    let polars_err = |source| SourceError::Polars {
        path: files[0].display().to_string(),
        source,
    };
    let mut lf = match frames.len() {
        1 => frames.pop().expect("one frame"),
        _ => concat(frames, UnionArgs::default()).map_err(polars_err)?,
    };
    if files.len() > 1 {
        lf = lf.sort(
            [Column::Ts.name()],
            SortMultipleOptions::default().with_maintain_order(true),
        );
    }
    Ok(lf)
}

/// The file as the canonical table, when it is one of ours: `None` for any other layout.
fn scan_own_parquet(path: &Path) -> PolarsResult<Option<LazyFrame>> {
    let mut lf = LazyFrame::scan_parquet(
        PlRefPath::new(path.to_string_lossy()),
        ScanArgsParquet::default(),
    )?;
    let schema = lf.collect_schema()?;
    Ok(own_columns(&schema).map(|exprs| lf.select(exprs)))
}

/// Each canonical column as a cast of the file's column of that name (or nulls), when every
/// column of the file is an event-table column of a compatible type.
fn own_columns(file: &Schema) -> Option<Vec<Expr>> {
    if file.iter_names().any(|n| Column::from_name(n).is_none()) {
        return None;
    }
    let mut exprs = Vec::with_capacity(Column::ALL.len());
    for c in Column::ALL {
        let target = dtype(c.dtype());
        let expr = match (c.ty(), file.get(c.name())) {
            (ColumnType::Time, Some(DataType::Datetime(_, Some(tz)))) => {
                // To milliseconds in its zone, then the same instants labelled UTC.
                col(c.name())
                    .cast(DataType::Datetime(TimeUnit::Milliseconds, Some(tz.clone())))
                    .cast(target)
            }
            (ColumnType::Id | ColumnType::Count, Some(dt)) if dt.is_integer() => {
                col(c.name()).cast(target)
            }
            (ColumnType::Text, Some(DataType::String)) => col(c.name()),
            (_, None) if !c.always() => lit(NULL).cast(target),
            _ => return None,
        };
        exprs.push(expr.alias(c.name()));
    }
    Some(exprs)
}

//! What can go wrong building or writing a report.

use std::io;
use std::path::PathBuf;

use polars::prelude::PolarsError;

use super::model::MissingTable;
use super::webfont::WebFontError;
use crate::analysis::frame::ColumnError;
use crate::charts::ChartError;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error("building the report's tables failed: {0}")]
    Table(#[from] PolarsError),
    #[error(transparent)]
    Column(#[from] ColumnError),
    #[error(transparent)]
    NoTable(#[from] MissingTable),
    #[error("cannot make the page's font: {0}")]
    Font(#[from] WebFontError),
    /// Files are written whole or not at all; this says which and that nothing partial is left.
    #[error(transparent)]
    Write(#[from] crate::atomic::WriteError),
}

/// An error writing `path`, for `map_err`.
pub(super) fn io_err(path: &std::path::Path) -> impl FnOnce(io::Error) -> ReportError {
    let path = path.to_path_buf();
    move |source| ReportError::Io { path, source }
}

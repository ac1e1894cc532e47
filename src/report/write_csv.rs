//! The CSV writer: each table of a section that has a file.

use std::path::Path;

use super::error::ReportError;
use super::model::Section;
use crate::atomic;
use crate::output::csv::CsvOptions;
use crate::output::frame;

/// Writes the CSV files of `section` into `dir`; returns their names.
pub fn section(
    dir: &Path,
    section: &Section,
    opts: &CsvOptions,
) -> Result<Vec<&'static str>, ReportError> {
    let mut written = Vec::new();
    for t in &section.tables {
        let Some(name) = t.file else { continue };
        atomic::write_file(&dir.join(name), |out| frame::write_csv(&t.df, out, opts))?;
        written.push(name);
    }
    Ok(written)
}

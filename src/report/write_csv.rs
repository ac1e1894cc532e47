//! The CSV writer: each table of a section that has a file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::error::{io_err, ReportError};
use super::model::Section;
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
        let path = dir.join(name);
        let file = File::create(&path).map_err(io_err(&path))?;
        let mut out = BufWriter::new(file);
        frame::write_csv(&t.df, &mut out, opts)
            .and_then(|_| out.flush())
            .map_err(io_err(&path))?;
        written.push(name);
    }
    Ok(written)
}

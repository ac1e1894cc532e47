//! The JSON writer: summary.json, for programs.

use std::path::Path;

use super::error::{io_err, ReportError};
use super::model::Report;

pub const FILE: &str = "summary.json";

/// Writes summary.json into `dir`; returns its name.
pub fn write(dir: &Path, report: &Report) -> Result<&'static str, ReportError> {
    let path = dir.join(FILE);
    let json =
        serde_json::to_string_pretty(&report.summary).map_err(|e| io_err(&path)(e.into()))?;
    crate::atomic::write_bytes(&path, json + "\n")?;
    Ok(FILE)
}

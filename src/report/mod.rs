//! `report`: one folder a person can open — index.html with the headline numbers, charts and
//! top tables, the PNG charts and CSV tables beside it, and summary.json for programs.
//!
//! Two steps: [`build`] turns the processors' results into the report [`model`] (its tables,
//! charts and summary, once); [`write_all`] hands the model to each writer — CSV
//! ([`write_csv`]), JSON ([`json`]), PNG ([`png`]) and the pages ([`html`], [`sessions`]).
//!
//! ```
//! use danmu_analyze::analysis::summary::{analyze, AnalysisOptions, Summary};
//! use danmu_analyze::analysis::words::Segmenter;
//! use danmu_analyze::event::{Event, Kind};
//! use danmu_analyze::output::csv::CsvOptions;
//! use danmu_analyze::pipeline::Stats;
//! use danmu_analyze::report::{self, Lang, ReportInput, TableId};
//! use danmu_analyze::timefmt::Zone;
//! use polars::prelude::IntoLazy;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut chat = Event::new(Kind::Chat, Kind::Chat.method().into());
//! chat.user_id = Some(1);
//! chat.content = Some("主播晚上好".into());
//! let table = danmu_analyze::table::from_events(&[chat])?;
//! let (zone, opts) = (Zone::default(), AnalysisOptions::default());
//! let a = analyze(table.lazy(), &Segmenter::new(None, None)?, &opts, |_| {})?;
//! let summary = Summary::new(&a, &Stats::default(), &zone, opts.top)?;
//! let model = report::build(&ReportInput {
//!     analysis: &a,
//!     summary: &summary,
//!     zone: &zone,
//!     title: "直播弹幕报告",
//!     top: opts.top,
//!     sessions: None,
//!     lang: Lang::Zh,
//! })?;
//! assert_eq!(model.overview.table(TableId::TopChatters)?.df.height(), 1);
//! let dir = tempfile::tempdir()?;
//! let written = report::write_all(&model, dir.path(), &CsvOptions::default(), |_| {})?;
//! assert!(written.files.iter().any(|f| f == "index.html"));
//! # Ok(())
//! # }
//! ```

pub mod audience;
pub mod build;
pub mod error;
pub mod html;
pub mod json;
pub mod lang;
pub mod model;
pub mod operator;
pub mod page;
pub mod png;
pub mod sessions;
pub mod tables;
pub mod webfont;
pub mod write_csv;

use std::fs;
use std::path::Path;

pub use build::{build, gift_bars, session_trends, session_trends_in, timeline_chart, ReportInput};
pub use error::ReportError;
pub use lang::Lang;
pub use model::{Chart, Plot, Report, Section, Table, TableId};

use crate::atomic;
use crate::charts;
use crate::output::csv::CsvOptions;
use error::io_err;

/// What went into the folder.
#[derive(Debug, Default)]
pub struct Written {
    /// File names in the folder, in the order written.
    pub files: Vec<String>,
}

/// Writes the whole report into `dir` (created if missing): tables, summary, charts, pages
/// and the pages' font; `stage` hears each step.
pub fn write_all(
    report: &Report,
    dir: &Path,
    csv: &CsvOptions,
    mut stage: impl FnMut(&str),
) -> Result<Written, ReportError> {
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let mut w = Written::default();
    let mut add = |files: Vec<&str>| w.files.extend(files.into_iter().map(String::from));
    stage("tables");
    add(write_csv::section(dir, &report.overview, csv)?);
    add(vec![json::write(dir, report)?]);

    stage("charts");
    add(png::section(dir, &report.overview, &report.zone)?);

    stage("page");
    let index = html::page(report)?;
    let mut shown = index.clone();
    if let Some(s) = &report.sessions {
        add(write_csv::section(dir, s, csv)?);
        add(png::section(dir, s, &report.zone)?);
        let page = sessions::page(report, s)?;
        let path = dir.join(sessions::PAGE);
        atomic::write_bytes(&path, &page)?;
        add(vec![sessions::PAGE]);
        shown.push_str(&page);
    }
    // The pages' own font, cut to what they show: Chinese needs no CJK font where they are
    // opened.
    let path = dir.join(page::FONT_FILE);
    atomic::write_bytes(&path, webfont::subset(charts::font_data(), &shown)?)?;
    add(vec![page::FONT_FILE]);
    if charts::font_is_bundled() {
        let path = dir.join(page::FONT_LICENSE_FILE);
        atomic::write_bytes(&path, charts::BUNDLED_FONT_LICENSE)?;
        add(vec![page::FONT_LICENSE_FILE]);
    }
    let path = dir.join("index.html");
    atomic::write_bytes(&path, index)?;
    add(vec!["index.html"]);
    Ok(w)
}

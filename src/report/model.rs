//! The report as data: built once from the processors' results (see [`super::build`]), then
//! walked by each writer (CSV, JSON, PNG, HTML). Tables are DataFrames (cheap to clone: their
//! columns are shared), charts are what to draw, not pixels.

use polars::prelude::DataFrame;

use super::lang::Lang;
use crate::analysis::summary::Summary;
use crate::charts::{bar, funnel, line, rates, revenue, trend};
use crate::timefmt::Zone;

/// A whole report: the overview (index.html) and, over several sessions, their comparison
/// (sessions.html).
#[derive(Debug, Clone)]
pub struct Report {
    pub title: String,
    pub zone: Zone,
    /// Rows of the page's rankings (words: twice as many).
    pub top: usize,
    /// summary.json, and the page's headline numbers.
    pub summary: Summary,
    pub overview: Section,
    pub sessions: Option<Section>,
    /// The pages' language; the captions and charts are already in it.
    pub lang: Lang,
}

/// One page's tables and charts, in the order their files are written.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub tables: Vec<Table>,
    pub charts: Vec<Chart>,
}

impl Section {
    /// The table `id`; a page asking for one the section lacks is a bug in the builder, and
    /// an error rather than a page without it.
    pub fn table(&self, id: TableId) -> Result<&Table, MissingTable> {
        self.tables
            .iter()
            .find(|t| t.id == id)
            .ok_or(MissingTable(id))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the report has no {0:?} table")]
pub struct MissingTable(pub TableId);

/// Which table: what pages look them up by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableId {
    Words,
    Emotes,
    Timeline,
    Peaks,
    TopChatters,
    TopGifters,
    TopLikers,
    ChattersWhoPaid,
    Levels,
    Gifts,
    Sessions,
    Retention,
    LoyalViewers,
    Rooms,
    /// The retention of chatters as people read it (see `tables::retention_wide`).
    RetentionChatters,
    RetentionGifters,
    /// The audience funnel's steps (funnel.csv).
    Funnel,
    /// Revenue and its concentration (revenue.csv).
    Revenue,
    Whales,
    Battles,
    Newcomers,
    /// Each room's funnel rates, revenue concentration and battles (rooms_funnel.csv).
    RoomsFunnel,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub id: TableId,
    /// Its CSV file; `None`: shown on a page only.
    pub file: Option<&'static str>,
    /// Its heading on a page.
    pub caption: &'static str,
    pub df: DataFrame,
}

#[derive(Debug, Clone)]
pub struct Chart {
    /// Its PNG file.
    pub file: &'static str,
    /// Its heading on a page.
    pub caption: &'static str,
    pub plot: Plot,
}

/// What a chart draws.
#[derive(Debug, Clone)]
pub enum Plot {
    /// The timeline, its legend, axes and peak labels in these words.
    Timeline(line::Timeline, &'static line::Words),
    Bars(bar::Bars),
    /// (word, count), most frequent first.
    Cloud(Vec<(String, u64)>),
    Trend(trend::Trend),
    Funnel(funnel::Funnel),
    Revenue(revenue::Revenue),
    Rates(rates::Rates),
}

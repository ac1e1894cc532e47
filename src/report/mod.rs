//! `report`: one folder a person can open — index.html with the headline numbers, charts and
//! top tables, the PNG charts and CSV tables beside it, and summary.json for programs.

mod html;
pub mod sessions;
pub mod tables;
pub mod webfont;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use plotters::style::RGBColor;

use polars::prelude::{DataFrame, PolarsError};

use crate::analysis::compare::Comparison;
use crate::analysis::summary::{ranking, Analysis, Summary};
use crate::analysis::words::WordStats;
use crate::atomic;
use crate::charts::{self, bar, cloud, line, ChartError};
use crate::output::csv::CsvOptions;
use crate::output::frame;
use crate::timefmt::Zone;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error("building the report's tables failed: {0}")]
    Table(#[from] PolarsError),
    #[error("cannot make the page's font: {0}")]
    Font(#[from] webfont::WebFontError),
    /// Files are written whole or not at all; this says which and that nothing partial is left.
    #[error(transparent)]
    Write(#[from] crate::atomic::WriteError),
}

/// What went into the folder.
#[derive(Debug, Default)]
pub struct Written {
    /// File names in the folder, in the order written.
    pub files: Vec<String>,
}

pub struct ReportInput<'a> {
    pub analysis: &'a Analysis,
    pub summary: &'a Summary,
    pub zone: &'a Zone,
    pub csv: &'a CsvOptions,
    pub title: &'a str,
    pub top: usize,
    /// The sessions compared, when there is more than one: then sessions.html too.
    pub sessions: Option<&'a Comparison>,
}

const BLUE: RGBColor = RGBColor(31, 119, 180);
const RED: RGBColor = RGBColor(214, 39, 40);
const GREEN: RGBColor = RGBColor(44, 160, 44);
const PURPLE: RGBColor = RGBColor(148, 103, 189);

/// Writes the whole report into `dir` (created if missing); `stage` hears each step.
pub fn write(
    dir: &Path,
    r: &ReportInput,
    mut stage: impl FnMut(&str),
) -> Result<Written, ReportError> {
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let a = r.analysis;
    let mut w = Written::default();
    stage("tables");
    let u = &a.users;
    let tables: Vec<(&str, DataFrame)> = vec![
        ("words.csv", tables::words(&a.words.words, 500, "word")?),
        ("emotes.csv", tables::words(&a.words.emotes, 200, "emote")?),
        ("timeline.csv", tables::timeline(&a.timeline)),
        ("peaks.csv", tables::peaks(&a.peaks)?),
        ("top_chatters.csv", u.top_chatters.clone()),
        ("top_gifters.csv", u.top_gifters.clone()),
        ("top_likers.csv", u.top_likers.clone()),
        ("chatters_who_paid.csv", u.chatters_who_paid.clone()),
        ("levels.csv", u.levels.clone()),
        ("gifts.csv", a.gifts.rows.clone()),
    ];
    for (name, df) in &tables {
        write_csv(dir, name, df, r.csv)?;
        w.files.push(name.to_string());
    }
    let path = dir.join("summary.json");
    let json = serde_json::to_string_pretty(r.summary).map_err(|e| ReportError::Io {
        path: path.clone(),
        source: e.into(),
    })?;
    atomic::write_bytes(&path, json + "\n")?;
    w.files.push("summary.json".into());

    stage("charts");
    let mut charts: Vec<(String, String)> = Vec::new();
    let peaks: Vec<_> = a.peaks.iter().map(|p| p.peak.clone()).collect();
    line::draw(
        &dir.join("timeline.png"),
        &a.timeline.buckets(),
        a.timeline.bucket_ms,
        &peaks,
        r.zone,
        &format!("{} · 时间线", r.title),
    )?;
    charts.push((
        "timeline.png".into(),
        "时间线：弹幕、发言人数、进场与在线人数".into(),
    ));
    let top_words: Vec<(String, u64)> = WordStats::top(&a.words.words, r.top.max(20))
        .into_iter()
        .map(|x| (x.word, x.count))
        .collect();
    if !top_words.is_empty() {
        bar::draw(
            &dir.join("words.png"),
            &bar::Bars {
                title: "热词 Top",
                rows: &top_words,
                value_label: "出现在多少条弹幕中",
                color: BLUE,
            },
        )?;
        charts.push(("words.png".into(), "热词".into()));
        let many: Vec<(String, u64)> = WordStats::top(&a.words.words, 120)
            .into_iter()
            .map(|x| (x.word, x.count))
            .collect();
        cloud::draw(&dir.join("wordcloud.png"), &many)?;
        charts.push(("wordcloud.png".into(), "词云".into()));
    }
    let rank = |df: &DataFrame, value: &str| -> Vec<(String, u64)> {
        ranking(df, value)
            .into_iter()
            .map(|(id, name, v)| (charts::clean_label(&name, &id.to_string()), v))
            .collect()
    };
    let chatters = rank(&a.users.top_chatters, "messages");
    if !chatters.is_empty() {
        bar::draw(
            &dir.join("top_chatters.png"),
            &bar::Bars {
                title: "发言榜",
                rows: &chatters,
                value_label: "弹幕条数",
                color: GREEN,
            },
        )?;
        charts.push(("top_chatters.png".into(), "发言榜".into()));
    }
    let gifters = rank(&a.users.top_gifters, "diamonds");
    if !gifters.is_empty() {
        bar::draw(
            &dir.join("top_gifters.png"),
            &bar::Bars {
                title: "送礼榜（钻石）",
                rows: &gifters,
                value_label: "钻石",
                color: RED,
            },
        )?;
        charts.push(("top_gifters.png".into(), "送礼榜".into()));
    }
    let gift_rows = gift_bars(&a.gifts.rows, r.top);
    if !gift_rows.is_empty() {
        bar::draw(
            &dir.join("gifts.png"),
            &bar::Bars {
                title: "礼物收入（钻石）",
                rows: &gift_rows,
                value_label: "钻石",
                color: PURPLE,
            },
        )?;
        charts.push(("gifts.png".into(), "礼物".into()));
    }
    w.files.extend(charts.iter().map(|c| c.0.clone()));

    stage("page");
    let page = html::page(r, &charts, &tables)?;
    let mut shown = page.clone();
    if let Some(cmp) = r.sessions {
        shown.push_str(&sessions::write(dir, r, cmp, &mut w)?);
    }
    // The pages' own font, cut to what they show: Chinese needs no CJK font where they are
    // opened.
    let path = dir.join(html::FONT_FILE);
    atomic::write_bytes(&path, webfont::subset(charts::font_data(), &shown)?)?;
    w.files.push(html::FONT_FILE.into());
    if charts::font_is_bundled() {
        let path = dir.join(html::FONT_LICENSE_FILE);
        atomic::write_bytes(&path, charts::BUNDLED_FONT_LICENSE)?;
        w.files.push(html::FONT_LICENSE_FILE.into());
    }
    let path = dir.join("index.html");
    atomic::write_bytes(&path, page)?;
    w.files.push("index.html".into());
    Ok(w)
}

fn write_csv(dir: &Path, name: &str, df: &DataFrame, opts: &CsvOptions) -> Result<(), ReportError> {
    let path = dir.join(name);
    Ok(atomic::write_file(&path, |out| {
        frame::write_csv(df, out, opts)
    })?)
}

/// (gift name, diamonds) of the first `top` gifts, for the bar chart.
pub fn gift_bars(rows: &DataFrame, top: usize) -> Vec<(String, u64)> {
    let head = rows.head(Some(top));
    let (Ok(names), Ok(diamonds)) = (head.column("gift_name"), head.column("diamonds")) else {
        return Vec::new();
    };
    let (Ok(names), Ok(diamonds)) = (names.str(), diamonds.u64()) else {
        return Vec::new();
    };
    names
        .iter()
        .zip(diamonds.iter())
        .map(|(n, d)| (n.unwrap_or("").to_string(), d.unwrap_or(0)))
        .collect()
}

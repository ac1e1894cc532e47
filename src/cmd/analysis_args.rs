//! Options the analysis commands share, and their output plumbing (table, --csv, --png).

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use danmu_analyze::analysis::dictionary::CharSet;
use danmu_analyze::analysis::sessions::SessionOptions;
use danmu_analyze::analysis::summary::AnalysisOptions;
use danmu_analyze::analysis::timeline::{BucketSize, PeakOptions};
use danmu_analyze::analysis::words::{Segmenter, WordOptions};
use danmu_analyze::charts;
use danmu_analyze::output::frame;
use polars::prelude::DataFrame;

use super::CsvArgs;

#[derive(Args, Debug)]
pub struct AnalysisArgs {
    /// Rows in each ranking.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Timeline bucket: 10s, 1m, 5m, 1h …
    #[arg(long, default_value = "1m")]
    pub bucket: BucketSize,
    /// Extra jieba dictionary (lines of `word [freq] [tag]`), added to the bundled ones.
    #[arg(long, value_name = "FILE")]
    pub user_dict: Option<PathBuf>,
    /// Extra stopwords, one per line, added to the bundled list.
    #[arg(long, value_name = "FILE")]
    pub stopwords: Option<PathBuf>,
    /// Shortest word counted, in characters.
    #[arg(long, default_value_t = 2)]
    pub min_len: usize,
    /// Count a word once per message (true) or every time it occurs (false).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "true|false")]
    pub per_message: bool,
    /// Count words made only of digits (666) too.
    #[arg(long)]
    pub keep_digits: bool,
    /// Count lucky-bag (福袋) passphrases among the hot words too. Left out by default: one
    /// phrase sent for thousands who join a draw is not the audience talking.
    #[arg(long)]
    pub passphrases: bool,
    /// Yuan per diamond for the revenue estimate.
    #[arg(long, default_value_t = 0.1)]
    pub rmb_per_diamond: f64,
    /// A TrueType/OpenType font with CJK glyphs for the charts, instead of the bundled one.
    #[arg(long, value_name = "FILE")]
    pub font: Option<PathBuf>,
    #[command(flatten)]
    pub csv: CsvArgs,
}

impl AnalysisArgs {
    pub fn options(&self) -> AnalysisOptions {
        AnalysisOptions {
            bucket: self.bucket,
            words: WordOptions {
                min_len: self.min_len.max(1),
                per_message: self.per_message,
                keep_digits: self.keep_digits,
                passphrases: self.passphrases,
            },
            peaks: PeakOptions::default(),
            top: self.top.max(1),
            rmb_per_diamond: self.rmb_per_diamond,
        }
    }

    /// The segmenter for texts made of `chars` only (it loads faster).
    pub fn segmenter_for(&self, chars: &CharSet) -> Result<Segmenter> {
        Ok(Segmenter::for_chars(
            chars,
            self.user_dict.as_deref(),
            self.stopwords.as_deref(),
        )?)
    }

    pub fn segmenter(&self) -> Result<Segmenter> {
        Ok(Segmenter::new(
            self.user_dict.as_deref(),
            self.stopwords.as_deref(),
        )?)
    }

    /// Applies --font (before any chart is drawn).
    pub fn setup_charts(&self) -> Result<()> {
        if let Some(f) = &self.font {
            charts::use_font_file(f)?;
        }
        Ok(())
    }
}

/// The peak options of `timeline` and `report`.
#[derive(Args, Debug)]
pub struct PeakArgs {
    /// A peak's top bucket has at least this many times the chat of its rolling median.
    #[arg(long, default_value_t = 1.5, value_name = "RATIO", value_parser = ratio)]
    pub min_ratio: f64,
    /// Keep only the N most prominent peaks (default: every peak found).
    #[arg(long, value_name = "N")]
    pub max_peaks: Option<usize>,
}

fn ratio(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r >= 1.0 && r.is_finite() => Ok(r),
        _ => Err(format!("`{s}` is not a ratio of at least 1, like 1.5 or 3")),
    }
}

impl PeakArgs {
    /// `opts` with these peak settings.
    pub fn apply(&self, mut opts: AnalysisOptions) -> AnalysisOptions {
        opts.peaks.min_ratio = self.min_ratio;
        opts.peaks.max_peaks = self.max_peaks;
        opts
    }
}

/// Where a command's result table goes besides the terminal: `--csv` and `--json`, with `-`
/// for stdout (then the aligned table is not printed, so the output pipes cleanly).
#[derive(Args, Debug, Default)]
pub struct TableOutput {
    /// Write the table as CSV (Excel-ready: BOM, ids as text) to FILE; - for stdout.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write the table as JSON (an array of objects, the columns of --csv) to FILE; - for stdout.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

impl TableOutput {
    pub fn csv_only(csv: Option<&Path>) -> TableOutput {
        TableOutput {
            csv: csv.map(Path::to_path_buf),
            json: None,
        }
    }

    /// `--csv -` or `--json -`: stdout carries that output and nothing else.
    pub fn to_stdout(&self) -> bool {
        [&self.csv, &self.json]
            .into_iter()
            .flatten()
            .any(|p| danmu_analyze::input::is_stdin(p))
    }
}

/// Prints a result table to stdout (unless `--csv -` or `--json -` take stdout) and writes it
/// where `out` asks.
pub fn emit(
    table: &DataFrame,
    out: &TableOutput,
    args: &AnalysisArgs,
    zone: danmu_analyze::timefmt::Zone,
) -> Result<()> {
    if !out.to_stdout() {
        let mut stdout = BufWriter::new(io::stdout().lock());
        frame::print(table, &zone, &mut stdout)?;
        stdout.flush()?;
    }
    emit_files(table, out, args, zone)
}

/// Writes `table` where `out` asks, printing nothing else.
pub fn emit_files(
    table: &DataFrame,
    out: &TableOutput,
    args: &AnalysisArgs,
    zone: danmu_analyze::timefmt::Zone,
) -> Result<()> {
    if let Some(path) = &out.csv {
        let opts = args.csv.options(zone);
        write_to(path, |w| frame::write_csv(table, w, &opts))?;
    }
    if let Some(path) = &out.json {
        write_to(path, |w| frame::write_json(table, w, &zone))?;
    }
    Ok(())
}

/// Writes to `path` whole or not at all, or to stdout for `-`.
pub(super) fn write_to(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    if danmu_analyze::input::is_stdin(path) {
        let mut stdout = BufWriter::new(io::stdout().lock());
        write(&mut stdout)?;
        stdout.flush()?;
        return Ok(());
    }
    danmu_analyze::atomic::write_file(path, |w| write(w))?;
    super::verbosity::note!("wrote {}", path.display());
    Ok(())
}

/// Stage messages on stderr while a long command works, only when a person is watching; with
/// `-v`, a log line per finished stage with its time and memory (where a slow or large run
/// spends them).
pub struct Progress {
    on: bool,
    total: usize,
    done: usize,
    started: std::time::Instant,
    current: Option<(String, std::time::Instant)>,
}

impl Progress {
    pub fn new(total: usize) -> Progress {
        Progress {
            on: io::stderr().is_terminal() && !super::verbosity::quiet(),
            total,
            done: 0,
            started: std::time::Instant::now(),
            current: None,
        }
    }

    pub fn stage(&mut self, name: &str) {
        self.log_stage_end();
        self.current = Some((name.to_string(), std::time::Instant::now()));
        self.done += 1;
        if self.on {
            let filled = self.done * 20 / self.total.max(1);
            eprint!(
                "\r\x1b[2K[{}{}] {}/{} {} ({:.1}s)",
                "#".repeat(filled.min(20)),
                " ".repeat(20 - filled.min(20)),
                self.done.min(self.total),
                self.total,
                name,
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    /// The stage that just ended, for `-v`.
    fn log_stage_end(&mut self) {
        if let Some((name, at)) = self.current.take() {
            let (rss, peak) = danmu_analyze::alloc::resident_mb();
            log::info!(
                "{name}: {:.3} s; resident {rss:.0} MB, peak so far {peak:.0} MB",
                at.elapsed().as_secs_f64()
            );
        }
    }

    pub fn finish(&mut self) {
        self.log_stage_end();
        if self.on {
            eprintln!(
                "\r\x1b[2Kdone in {:.1}s",
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}

/// How `sessions` and `report` split the events into live sessions.
#[derive(Args, Debug)]
pub struct SessionArgs {
    /// A silence of more than this many minutes in a room starts a new session (as does the
    /// stream-end message).
    #[arg(long, default_value_t = 30, value_name = "MINUTES", value_parser = clap::value_parser!(u32).range(1..))]
    pub gap: u32,
    /// Words in each session's top words.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub session_words: usize,
}

impl SessionArgs {
    pub fn options(&self, analysis: &AnalysisOptions) -> SessionOptions {
        SessionOptions {
            gap_ms: i64::from(self.gap) * 60_000,
            top_words: self.session_words,
            words: analysis.words,
            rmb_per_diamond: analysis.rmb_per_diamond,
        }
    }
}

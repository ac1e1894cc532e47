//! Subcommands, one module each, and the arguments they share.

mod analysis_args;
mod capture;
mod dataset;
#[cfg(feature = "mysql")]
mod db;
mod decode;
mod export;
mod funnel;
mod gifts;
mod inspect;
#[cfg(feature = "mysql")]
mod load;
#[cfg(not(feature = "mysql"))]
mod no_mysql;
mod replay;
mod report;
mod sessions;
mod sign;
mod simulate;
mod timeline;
mod users;
pub mod verbosity;
mod words;

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, CommandFactory, Parser, Subcommand};

use danmu_analyze::analysis::COLUMNS_READ;
use danmu_analyze::columns::Column;
use danmu_analyze::db::Filter;
use danmu_analyze::event::Kind;
use danmu_analyze::load::{self as loading, EventTable, Format, LoadOptions, Source};
use danmu_analyze::output::csv::CsvOptions;
use danmu_analyze::pipeline::Stats;
use danmu_analyze::source::{self, ColumnMap};
use danmu_analyze::timefmt::{parse_time, Zone, DEFAULT_TZ};

// Without MySQL the commands stay, saying how to build with it.
#[cfg(not(feature = "mysql"))]
use no_mysql as db;
#[cfg(not(feature = "mysql"))]
use no_mysql as load;

/// `println!` that returns the write's error instead of panicking, so a closed stdout pipe
/// (`… | head`) ends the command as success (see main) rather than with a panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*)
    }};
}
pub(crate) use say;

/// The error and its causes on one line, each cause said once: many errors already quote their
/// cause in their own text, and anyhow's `{:#}` would print it again after them.
pub fn chain_text(err: &anyhow::Error) -> String {
    let mut text = err.to_string();
    for cause in err.chain().skip(1) {
        let c = cause.to_string();
        if !text.contains(&c) {
            text.push_str(": ");
            text.push_str(&c);
        }
    }
    text
}

/// Exit code when the command finished but skipped unreadable input (see stderr).
pub const EXIT_SKIPPED: u8 = 3;

#[derive(Parser)]
#[command(
    name = "danmu-analyze",
    version,
    about = "Record, decode and analyse Douyin live-stream danmaku (弹幕)",
    after_help = "Exit codes: 0 success, 1 failure, 2 bad usage, 3 finished but skipped unreadable input; `capture` adds 4, 5, 6, 130 and 143 (see its --help).\n\nStart with: danmu-analyze inspect sample-data/session.dmcap"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Only warnings and errors on stderr: no summaries, "wrote …" lines or progress.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Also the network libraries' log on stderr (ureq, rustls, tungstenite), cookies and
    /// proxy credentials scrubbed: -v info, -vv debug, -vvv trace.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Subcommand)]
enum Command {
    Decode(decode::DecodeArgs),
    Export(export::ExportArgs),
    Inspect(inspect::InspectArgs),
    Simulate(simulate::SimulateArgs),
    Words(words::WordsArgs),
    Timeline(timeline::TimelineArgs),
    Users(users::UsersArgs),
    Sessions(sessions::SessionsArgs),
    Gifts(gifts::GiftsArgs),
    Funnel(funnel::FunnelArgs),
    Report(report::ReportArgs),
    Load(load::LoadArgs),
    Db(db::DbArgs),
    Capture(capture::CaptureArgs),
    Replay(replay::ReplayArgs),
    Sign(sign::SignArgs),
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell.
    #[command(
        after_help = "Examples:\n  source <(danmu-analyze completions bash)      # this shell; add it to ~/.bashrc to keep it\n  danmu-analyze completions zsh > \"${fpath[1]}/_danmu-analyze\"\n  danmu-analyze completions fish > ~/.config/fish/completions/danmu-analyze.fish\n  danmu-analyze completions powershell >> $PROFILE"
    )]
    Completions {
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): danmu-analyze man > danmu-analyze.1; man ./danmu-analyze.1
    Man,
}

/// How a command that read input ended.
pub enum Outcome {
    Clean,
    /// Some input was unreadable and skipped; the rest was processed.
    Skipped,
    /// A command whose exit code says how it ended (`capture`: see its --help).
    Exit(u8),
}

pub fn run(cli: Cli) -> Result<Outcome> {
    verbosity::init(cli.quiet, cli.verbose);
    match cli.command {
        Command::Decode(a) => decode::run(a),
        Command::Export(a) => export::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Words(a) => words::run(a),
        Command::Timeline(a) => timeline::run(a),
        Command::Users(a) => users::run(a),
        Command::Sessions(a) => sessions::run(a),
        Command::Gifts(a) => gifts::run(a),
        Command::Funnel(a) => funnel::run(a),
        Command::Report(a) => report::run(a),
        Command::Load(a) => load::run(a),
        Command::Db(a) => db::run(a),
        Command::Capture(a) => capture::run(a),
        Command::Replay(a) => replay::run(a),
        Command::Sign(a) => sign::run(a),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "danmu-analyze", &mut out);
            if shell == clap_complete::Shell::Bash {
                // clap_complete's bash script spells a hyphenated program's subcommand states
                // two ways (clap-rs/clap#6421): `danmu__analyze__subcmd__report` when walking the
                // words, `danmu__subcmd__analyze__subcmd__report` in the case arms, so nothing
                // past the subcommand completed. One spelling; a no-op once fixed upstream.
                let text = String::from_utf8_lossy(&out)
                    .replace("danmu__subcmd__analyze", "danmu__analyze");
                out = text.into_bytes();
            }
            std::io::Write::write_all(&mut std::io::stdout(), &out)?;
            Ok(Outcome::Clean)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut out)?;
            std::io::Write::write_all(&mut std::io::stdout(), &out)?;
            Ok(Outcome::Clean)
        }
    }
}

/// Inputs and filters every reading command takes.
#[derive(Args, Debug)]
pub struct InputArgs {
    /// Capture files (.dmcap), hex/base64 dumps (one frame per line), raw frames, - for stdin;
    /// or event tables: Parquet, CSV or NDJSON files (this tool's exports or another tool's),
    /// a folder of them (export's per-kind files), a pattern like 'out/*.parquet', or a
    /// dataset directory (`export --dataset`; --room, --since and --until prune its partitions).
    #[arg(required_unless_present_any = ["mysql", "mysql_query"], value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Input format, when detection from the first bytes is not wanted.
    #[arg(
        long,
        default_value = "auto",
        value_name = "auto|capture|hex|base64|raw|parquet|csv|ndjson"
    )]
    input_format: Format,
    /// For another tool's CSV, Parquet or --mysql-query: read our column OURS from its column THEIRS
    /// (repeatable), where the built-in aliases (see README) do not find it.
    #[arg(long = "map", value_name = "OURS=THEIRS")]
    map: Vec<ColumnMap>,
    /// Text encoding of CSV input: utf-8, gb18030 (gbk), utf-16le, utf-16be, … Detected when not
    /// given: a BOM, else UTF-8 if most lines are, else GB18030.
    #[arg(long, value_name = "ENCODING", value_parser = source::parse_encoding)]
    encoding: Option<&'static encoding_rs::Encoding>,
    /// Time zone for shown times: an IANA name or an offset like +08:00.
    #[arg(long, default_value = DEFAULT_TZ)]
    tz: Zone,
    /// Keep only events of this kind (repeatable): chat, gift, like, member, social, …
    #[arg(long = "kind", value_name = "KIND")]
    kinds: Vec<Kind>,
    /// Keep only events of this room id.
    #[arg(long)]
    room: Option<u64>,
    /// Keep events at or after this time (2026-01-01 18:00:00 in --tz, RFC 3339, or epoch ms).
    #[arg(long)]
    since: Option<String>,
    /// Keep events before this time.
    #[arg(long)]
    until: Option<String>,
    /// Keep re-delivered messages (same room and msgId) instead of dropping them.
    #[arg(long)]
    keep_duplicates: bool,
    /// Keep every gift update instead of counting each combo once at its final count.
    #[arg(long)]
    raw_gifts: bool,
    /// Fail on the first unreadable frame or record instead of skipping it.
    #[arg(long)]
    strict: bool,
    /// Read events from MySQL (table t_danmu) instead of INPUT files:
    /// mysql://USER:PASSWORD@HOST:PORT/DATABASE, or no value for $DANMU_MYSQL_URL. --room,
    /// --since, --until and --kind filter on the server.
    #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "")]
    mysql: Option<String>,
    /// Read another tool's table: a SELECT whose columns are matched by name (create_time, time
    /// or ts; user_name or nickname; content or text; … see README); DATETIMEs are read in --tz.
    /// The URL is --mysql's or $DANMU_MYSQL_URL.
    #[arg(long, value_name = "SELECT")]
    mysql_query: Option<String>,
}

impl InputArgs {
    /// Reads every input into the event table (or reads MySQL: `--mysql`, `--mysql-query`),
    /// with the filters applied; reports skipped input on stderr.
    pub fn load(&self) -> Result<Loaded> {
        self.load_columns(&Column::ALL)
    }

    /// [`Self::load`] for the analyses: frames decode into just the columns they read
    /// ([`COLUMNS_READ`]), the others left null, as a Parquet scan reads only those.
    pub fn load_for_analysis(&self) -> Result<Loaded> {
        self.load_columns(COLUMNS_READ)
    }

    /// Reads the INPUT files into the event table, never MySQL (`load` writes them there).
    #[cfg(feature = "mysql")] // only `load` calls it
    pub fn load_files(&self) -> Result<Loaded> {
        self.read(&Source::Files(self.inputs.clone()), &Column::ALL)
    }

    fn load_columns(&self, columns: &[Column]) -> Result<Loaded> {
        if self.mysql.is_none() && self.mysql_query.is_none() {
            return self.read(&Source::Files(self.inputs.clone()), columns);
        }
        if self.has_files() {
            bail!("give INPUT files or --mysql / --mysql-query, not both (`load` writes files into MySQL)");
        }
        let source = Source::MySql {
            url: self.mysql.clone().filter(|u| !u.is_empty()),
            query: self.mysql_query.clone(),
        };
        self.read(&source, columns)
    }

    fn read(&self, source: &Source, columns: &[Column]) -> Result<Loaded> {
        let mut opts = self.options(columns)?;
        // A bar on stderr while a terminal watches: bytes of the inputs read so far.
        let bar = ReadProgress::start(&self.inputs);
        opts.bytes_read = bar.as_ref().map(ReadProgress::counter);
        let table = loading::load(source, &opts);
        drop(bar);
        let table = table?;
        report_issues(table.decode_errors, &table.stats);
        if !table.skipped_rows.is_empty() {
            report_skipped_rows(&table.skipped_rows);
        }
        for line in &table.warnings {
            eprintln!("{line}");
        }
        for note in &table.notes {
            verbosity::note!("{note}");
        }
        Ok(Loaded(table))
    }

    /// The checked load options these arguments say.
    pub fn options(&self, columns: &[Column]) -> Result<LoadOptions> {
        let parse = |t: &Option<String>| {
            t.as_deref()
                .map(|s| parse_time(s, &self.tz))
                .transpose()
                .map_err(anyhow::Error::msg)
        };
        Ok(LoadOptions {
            format: self.input_format,
            map: self.map.clone(),
            zone: self.tz,
            encoding: self.encoding,
            filter: Filter {
                room: self.room,
                since: parse(&self.since)?,
                until: parse(&self.until)?,
                kinds: self.kinds.clone(),
            },
            dedup: !self.keep_duplicates,
            resolve_combos: !self.raw_gifts,
            strict: self.strict,
            columns: columns.to_vec(),
            bytes_read: None,
        })
    }

    /// What reading table files takes besides the files: --tz, --map, --encoding.
    pub fn source_options(&self) -> source::SourceOptions {
        source::SourceOptions {
            zone: self.tz,
            map: self.map.clone(),
            encoding: self.encoding,
        }
    }

    #[cfg(feature = "mysql")] // only `load` calls it
    /// `--mysql`'s URL: `Some("")` when given without one (then $DANMU_MYSQL_URL).
    pub fn mysql_url(&self) -> Option<&str> {
        self.mysql.as_deref()
    }

    #[cfg(feature = "mysql")] // only `load` calls it
    pub fn mysql_query(&self) -> Option<&str> {
        self.mysql_query.as_deref()
    }

    pub fn has_files(&self) -> bool {
        !self.inputs.is_empty()
    }

    pub fn zone(&self) -> Zone {
        self.tz
    }
}

/// `[#######             ] 35%  94.5 MB of 270.1 MB  reading the inputs`, redrawn on stderr
/// five times a second while the inputs are read, and erased when done. Only when stderr is a
/// terminal and not `-q`; written by hand (one line, no crate needed for it).
struct ReadProgress {
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ReadProgress {
    fn start(inputs: &[PathBuf]) -> Option<ReadProgress> {
        use std::io::IsTerminal as _;
        use std::sync::atomic::Ordering;
        if !std::io::stderr().is_terminal() || verbosity::quiet() {
            return None;
        }
        let total: u64 = inputs
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum();
        if total == 0 {
            return None;
        }
        let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (r, d) = (read.clone(), done.clone());
        let thread = std::thread::spawn(move || {
            let mb = |b: u64| b as f64 / 1e6;
            while !d.load(Ordering::Relaxed) {
                let n = r.load(Ordering::Relaxed).min(total);
                let filled = (n * 20 / total) as usize;
                eprint!(
                    "\r\x1b[2K[{}{}] {:>3}%  {:.1} MB of {:.1} MB  reading the inputs",
                    "#".repeat(filled),
                    " ".repeat(20 - filled),
                    n * 100 / total,
                    mb(n),
                    mb(total)
                );
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            eprint!("\r\x1b[2K");
        });
        Some(ReadProgress {
            read,
            done,
            thread: Some(thread),
        })
    }

    fn counter(&self) -> std::sync::Arc<std::sync::atomic::AtomicU64> {
        self.read.clone()
    }
}

impl Drop for ReadProgress {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The event table a command read ([`loading::EventTable`]), and how the command ends for it.
pub struct Loaded(EventTable);

impl std::ops::Deref for Loaded {
    type Target = EventTable;
    fn deref(&self) -> &EventTable {
        &self.0
    }
}

impl Loaded {
    pub fn outcome(&self) -> Outcome {
        if self.stats.error_count > 0 {
            Outcome::Skipped
        } else {
            Outcome::Clean
        }
    }
}

/// At most this many skipped items are listed on stderr; `inspect --json` lists more.
const ISSUES_SHOWN: usize = 20;

/// The frames, records or rows the decoder skipped (`count` of them; `s.errors` the first).
fn report_issues(count: u64, s: &Stats) {
    if count == 0 {
        return;
    }
    eprintln!("warning: skipped {count} unreadable item(s); everything else was decoded:");
    for issue in s.errors.iter().take(ISSUES_SHOWN) {
        eprintln!("  {issue}");
    }
    if count as usize > ISSUES_SHOWN {
        eprintln!(
            "  … and {} more (`danmu-analyze inspect --json` lists them)",
            count as usize - ISSUES_SHOWN
        );
    }
}

/// CSV rows left out for bytes their encoding cannot decode, on stderr.
pub fn report_skipped_rows(rows: &[String]) {
    eprintln!(
        "warning: skipped {} unreadable row(s); everything else was read:",
        rows.len()
    );
    for row in rows.iter().take(ISSUES_SHOWN) {
        eprintln!("  {row}");
    }
    if rows.len() > ISSUES_SHOWN {
        eprintln!("  … and {} more", rows.len() - ISSUES_SHOWN);
    }
}

/// CSV settings shared by the commands that write CSV.
#[derive(Args, Debug)]
pub struct CsvArgs {
    /// CSV: leave out the UTF-8 BOM (Excel needs it to read Chinese as UTF-8).
    #[arg(long)]
    no_bom: bool,
    /// CSV: write ids as bare numbers instead of ="…" text cells (Excel rounds numbers past 15
    /// digits; other programs may prefer bare numbers).
    #[arg(long)]
    plain_ids: bool,
}

impl CsvArgs {
    pub fn options(&self, zone: Zone) -> CsvOptions {
        CsvOptions {
            bom: !self.no_bom,
            excel_ids: !self.plain_ids,
            zone,
        }
    }
}

/// A source error as one line: its message already names the file and the cause.
fn one_line(e: source::SourceError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

//! Subcommands, one module each, and the arguments they share.

mod analysis_args;
mod capture;
mod dataset;
#[cfg(feature = "mysql")]
mod db;
mod decode;
mod export;
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

use std::fs::File;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{bail, Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand};

use polars::prelude::{
    concat, len, DataFrame, IntoLazy, LazyFrame, SortMultipleOptions, UnionArgs,
};

use danmu_analyze::analysis::COLUMNS_READ;
use danmu_analyze::columns::Column;
use danmu_analyze::dataset as ds;
use danmu_analyze::db::Filter;
use danmu_analyze::event::Kind;
use danmu_analyze::input::{self, InputFormat, InputSpec};
use danmu_analyze::output::csv::CsvOptions;
use danmu_analyze::pipeline::{self, Options, Stats};
use danmu_analyze::source::{self, ColumnMap, SourceOptions, TableFormat};
use danmu_analyze::table::{self, build::TableBuilder, filter};
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
    input_format: InputFormatArg,
    /// For another tool's CSV or Parquet: read our column OURS from its column THEIRS
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

    fn load_columns(&self, columns: &[Column]) -> Result<Loaded> {
        if self.mysql.is_none() && self.mysql_query.is_none() {
            return self.load_files_columns(columns);
        }
        if self.has_files() {
            bail!("give INPUT files or --mysql / --mysql-query, not both (`load` writes files into MySQL)");
        }
        let filter = self.filter()?;
        let (decoded, source) = db::read_events(
            self.mysql.as_deref(),
            self.mysql_query.as_deref(),
            &filter,
            self.tz,
        )?;
        self.check_strict(&decoded.stats, "value")?;
        report_issues(&decoded.stats);
        let table = table::from_events(&decoded.events)?;
        drop(decoded.events);
        let table = table.lazy();
        Loaded::new(
            table.clone(),
            table,
            decoded.stats,
            &filter,
            Some(source),
            true,
        )
    }

    #[cfg(feature = "mysql")] // only `load` calls it
    /// Reads the INPUT files into the event table, never MySQL (`load` writes them there):
    /// capture files and dumps through the decoder, table files through [`source`].
    pub fn load_files(&self) -> Result<Loaded> {
        self.load_files_columns(&Column::ALL)
    }

    fn load_files_columns(&self, columns: &[Column]) -> Result<Loaded> {
        let mut frame_specs: Vec<InputSpec> = Vec::new();
        let mut table_paths: Vec<PathBuf> = Vec::new();
        let mut datasets: Vec<&Path> = Vec::new();
        for p in &self.inputs {
            if ds::is_dataset(p) {
                datasets.push(p);
            } else if self.is_table(p) {
                table_paths.push(p.clone());
            } else {
                let format = match self.input_format {
                    InputFormatArg::Frames(f) => f,
                    InputFormatArg::Table(_) => InputFormat::Auto,
                };
                frame_specs.push(InputSpec::new(p, format));
            }
        }
        let mut parts: Vec<LazyFrame> = Vec::new();
        // The same parts, a dataset's unsorted (see `Loaded::unordered`).
        let mut unordered: Vec<LazyFrame> = Vec::new();
        let mut stats = Stats::default();
        let mut eager = true;
        if !frame_specs.is_empty() {
            let frames = input::open_all(&frame_specs).context("opening the inputs failed")?;
            let opts = Options {
                dedup: !self.keep_duplicates,
                resolve_combos: !self.raw_gifts,
            };
            let decoded = pipeline::decode_into(frames, opts, TableBuilder::only(columns));
            self.check_strict(&decoded.stats, "input")?;
            report_issues(&decoded.stats);
            stats = decoded.stats;
            let part = decoded.events?.lazy();
            parts.push(part.clone());
            unordered.push(part);
        }
        if !table_paths.is_empty() {
            let sopts = self.source_options();
            let format = match self.input_format {
                InputFormatArg::Table(f) => Some(f),
                InputFormatArg::Frames(_) => None,
            };
            let parquet_only = self.map.is_empty()
                && table_paths.iter().all(|p| {
                    format == Some(TableFormat::Parquet)
                        || p.extension().is_some_and(|e| e == "parquet")
                });
            if parquet_only {
                // Scanned, not read: filters and projections reach the files.
                let part = source::scan(&table_paths, format, &sopts).map_err(one_line)?;
                parts.push(part.clone());
                unordered.push(part);
                eager = false;
            } else {
                let read = source::read(&table_paths, format, &sopts).map_err(one_line)?;
                if let Some(first) = read.skipped_rows.first() {
                    if self.strict {
                        bail!("{first} (--strict: stopping at the first unreadable row)");
                    }
                    report_skipped_rows(&read.skipped_rows);
                    stats.error_count += read.skipped_rows.len() as u64;
                }
                if !read.problems.is_empty() {
                    if self.strict {
                        bail!(
                            "{} (--strict: stopping at the first unreadable value)",
                            read.problems[0]
                        );
                    }
                    eprintln!("warning: some values could not be read and were left empty:");
                    for p in &read.problems {
                        eprintln!("  {p}");
                    }
                    stats.error_count += read.problems.len() as u64;
                }
                for c in &read.unused_columns {
                    verbosity::note!("note: column {c} matches no event-table column (--map OURS=THEIRS reads it)");
                }
                let part = read.df.lazy();
                parts.push(part.clone());
                unordered.push(part);
            }
            stats.tables = table_paths.len() as u64;
        }
        if !datasets.is_empty() {
            // Scanned, with the partitions outside --room / --since / --until never opened.
            let f = self.filter()?;
            for d in &datasets {
                let context = || format!("reading the dataset {} failed", d.display());
                parts.push(ds::scan(d, &f).with_context(context)?);
                unordered.push(ds::scan_unordered(d, &f).with_context(context)?);
            }
            stats.tables += datasets.len() as u64;
            eager = false;
        }
        let table = match parts.len() {
            1 => parts.remove(0),
            _ => concat(parts, UnionArgs::default())?.sort(
                [Column::Ts.name()],
                SortMultipleOptions::default().with_maintain_order(true),
            ),
        };
        let unordered = match unordered.len() {
            1 => unordered.remove(0),
            _ => concat(unordered, UnionArgs::default())?,
        };
        Loaded::new(table, unordered, stats, &self.filter()?, None, eager)
    }

    /// Whether an input holds the event table itself rather than frames: a folder, a pattern,
    /// a forced table format, or a file whose first bytes say Parquet, CSV or NDJSON.
    fn is_table(&self, path: &Path) -> bool {
        match self.input_format {
            InputFormatArg::Table(_) => return true,
            InputFormatArg::Frames(InputFormat::Auto) => {}
            InputFormatArg::Frames(_) => return false,
        }
        if input::is_stdin(path) {
            return false;
        }
        if path.is_dir() || path.to_string_lossy().contains(['*', '?']) {
            return true;
        }
        let mut head = Vec::with_capacity(8192);
        let read = File::open(path).and_then(|f| f.take(8192).read_to_end(&mut head));
        read.is_ok()
            && input::detect(&head) != InputFormat::Capture
            && source::detect_with(&head, self.encoding).is_some()
    }

    /// What reading table files takes besides the files: --tz, --map, --encoding.
    pub fn source_options(&self) -> SourceOptions {
        SourceOptions {
            zone: self.tz,
            map: self.map.clone(),
            encoding: self.encoding,
        }
    }

    fn check_strict(&self, stats: &Stats, what: &str) -> Result<()> {
        if self.strict {
            if let Some(first) = stats.errors.first() {
                bail!("{first} (--strict: stopping at the first unreadable {what})");
            }
        }
        Ok(())
    }

    /// --kind, --room, --since and --until.
    fn filter(&self) -> Result<Filter> {
        let (since, until) = self.times()?;
        Ok(Filter {
            room: self.room,
            since,
            until,
            kinds: self.kinds.clone(),
        })
    }

    /// --since and --until as UTC ms.
    fn times(&self) -> Result<(Option<i64>, Option<i64>)> {
        let parse = |t: &Option<String>| {
            t.as_deref()
                .map(|s| parse_time(s, &self.tz))
                .transpose()
                .map_err(anyhow::Error::msg)
        };
        Ok((parse(&self.since)?, parse(&self.until)?))
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

/// The event table of the inputs, filtered, and what reading them found.
pub struct Loaded {
    /// The table as the processors take it: an in-memory table, or a scan of Parquet files.
    lazy: LazyFrame,
    /// `lazy` with the rows in no particular order: a dataset's parts unsorted.
    unordered: LazyFrame,
    /// The in-memory table, one chunk per column (so [`Rows`] lookups are constant time).
    table: Option<DataFrame>,
    pub stats: Stats,
    /// The MySQL URL (password masked) the events came from.
    mysql: Option<String>,
}

impl Loaded {
    fn new(
        table: LazyFrame,
        unordered: LazyFrame,
        stats: Stats,
        f: &Filter,
        mysql: Option<String>,
        eager: bool,
    ) -> Result<Loaded> {
        let lazy = filter::apply(table, f);
        if !eager {
            // A scan: each query reads only its columns and rows from the files, in batches on
            // polars' streaming engine (at 10 M events the timeline held 500 MB more on the
            // in-memory one; `users` picks the in-memory engine itself, see there).
            danmu_analyze::analysis::expr::use_streaming(true);
            return Ok(Loaded {
                lazy,
                unordered: filter::apply(unordered, f),
                table: None,
                stats,
                mysql,
            });
        }
        let mut table = lazy.collect()?;
        table.rechunk_mut();
        Ok(Loaded {
            lazy: table.clone().lazy(),
            unordered: table.clone().lazy(),
            table: Some(table),
            stats,
            mysql,
        })
    }

    /// The table as the processors take it.
    pub fn lazy(&self) -> LazyFrame {
        self.lazy.clone()
    }

    /// The table as [`Self::lazy`], but for a dataset its parts unsorted (each in time order,
    /// one after another): what the processors take, since they read order only as time then
    /// place in the table, which is the sorted table's order, and so nothing holds every row.
    pub fn unordered(&self) -> LazyFrame {
        self.unordered.clone()
    }

    /// The table in memory (collected from the scan if it was one).
    pub fn frame(&self) -> Result<DataFrame> {
        if let Some(t) = &self.table {
            return Ok(t.clone());
        }
        let mut t = self.lazy.clone().collect()?;
        t.rechunk_mut();
        Ok(t)
    }

    /// For commands that write results: inputs that yielded no event at all, only errors,
    /// get no (empty) output.
    pub fn require_events(&self) -> Result<()> {
        if self.stats.error_count > 0 {
            let n = self.lazy.clone().select([len()]).collect()?;
            if n.column("len")?.u32()?.get(0).unwrap_or(0) == 0 {
                bail!("nothing could be read from the inputs (see above); nothing was written");
            }
        }
        Ok(())
    }

    /// One line on what reading did, for stderr.
    pub fn summary(&self) -> String {
        let s = &self.stats;
        if let Some(url) = &self.mysql {
            return format!("{} events read from {url}", s.events);
        }
        if s.records == 0 && s.tables > 0 {
            return format!("the event table read from {} table input(s)", s.tables);
        }
        format!(
            "{} records, {} messages → {} events ({} re-delivered dropped, {} gift updates → {} gifts)",
            s.records, s.messages, s.events, s.duplicates_dropped, s.gift_updates, s.combos
        )
    }

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

fn report_issues(s: &Stats) {
    if s.error_count == 0 {
        return;
    }
    eprintln!(
        "warning: skipped {} unreadable item(s); everything else was decoded:",
        s.error_count
    );
    for issue in s.errors.iter().take(ISSUES_SHOWN) {
        eprintln!("  {issue}");
    }
    if s.error_count as usize > ISSUES_SHOWN {
        eprintln!(
            "  … and {} more (`danmu-analyze inspect --json` lists them)",
            s.error_count as usize - ISSUES_SHOWN
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

/// `--input-format`: a frame format (captures, dumps) or an event-table format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormatArg {
    Frames(InputFormat),
    Table(TableFormat),
}

impl FromStr for InputFormatArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<TableFormat>() {
            Ok(t) => Ok(InputFormatArg::Table(t)),
            Err(_) => s.parse::<InputFormat>().map(InputFormatArg::Frames).map_err(|_| {
                format!(
                    "unknown input format `{s}`; expected auto, capture, hex, base64, raw, parquet, csv or ndjson"
                )
            }),
        }
    }
}

/// A source error as one line: its message already names the file and the cause.
fn one_line(e: source::SourceError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

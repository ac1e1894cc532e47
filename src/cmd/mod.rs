//! Subcommands, one module each, and the arguments they share.

mod analysis_args;
mod capture;
mod db;
mod decode;
mod export;
mod gifts;
mod inspect;
mod load;
mod replay;
mod report;
mod sign;
mod simulate;
mod timeline;
mod users;
mod words;

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};

use polars::prelude::{DataFrame, IntoLazy, LazyFrame};

use danmu_analyze::db::read::Filter;
use danmu_analyze::event::Kind;
use danmu_analyze::input::{self, InputFormat, InputSpec};
use danmu_analyze::output::csv::CsvOptions;
use danmu_analyze::pipeline::{self, Options, Stats};
use danmu_analyze::table::{self, build::TableBuilder, filter, rows::Rows};
use danmu_analyze::timefmt::{parse_time, Zone, DEFAULT_TZ};

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
    Gifts(gifts::GiftsArgs),
    Report(report::ReportArgs),
    Load(load::LoadArgs),
    Db(db::DbArgs),
    Capture(capture::CaptureArgs),
    Replay(replay::ReplayArgs),
    Sign(sign::SignArgs),
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
    match cli.command {
        Command::Decode(a) => decode::run(a),
        Command::Export(a) => export::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Words(a) => words::run(a),
        Command::Timeline(a) => timeline::run(a),
        Command::Users(a) => users::run(a),
        Command::Gifts(a) => gifts::run(a),
        Command::Report(a) => report::run(a),
        Command::Load(a) => load::run(a),
        Command::Db(a) => db::run(a),
        Command::Capture(a) => capture::run(a),
        Command::Replay(a) => replay::run(a),
        Command::Sign(a) => sign::run(a),
    }
}

/// Inputs and filters every reading command takes.
#[derive(Args, Debug)]
pub struct InputArgs {
    /// Capture files (.dmcap), hex/base64 dumps (one frame per line), raw frames, or - for stdin.
    #[arg(required_unless_present_any = ["mysql", "mysql_query"], value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Input format, when detection from the first bytes is not wanted.
    #[arg(
        long,
        default_value = "auto",
        value_name = "auto|capture|hex|base64|raw"
    )]
    input_format: InputFormat,
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
        if self.mysql.is_none() && self.mysql_query.is_none() {
            return self.load_files();
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
        Loaded::new(table, decoded.stats, &filter, Some(source))
    }

    /// Reads the INPUT files into the event table, never MySQL (`load` writes them there).
    pub fn load_files(&self) -> Result<Loaded> {
        let specs: Vec<InputSpec> = self
            .inputs
            .iter()
            .map(|p| InputSpec::new(p, self.input_format))
            .collect();
        let frames = input::open_all(&specs).context("opening the inputs failed")?;
        let opts = Options {
            dedup: !self.keep_duplicates,
            resolve_combos: !self.raw_gifts,
        };
        let decoded = pipeline::decode_into(frames, opts, TableBuilder::new());
        self.check_strict(&decoded.stats, "input")?;
        report_issues(&decoded.stats);
        Loaded::new(decoded.events?, decoded.stats, &self.filter()?, None)
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

    /// `--mysql`'s URL: `Some("")` when given without one (then $DANMU_MYSQL_URL).
    pub fn mysql_url(&self) -> Option<&str> {
        self.mysql.as_deref()
    }

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
    /// One chunk per column, so [`Rows`] lookups are constant time.
    pub table: DataFrame,
    pub stats: Stats,
    /// The MySQL URL (password masked) the events came from.
    mysql: Option<String>,
}

impl Loaded {
    fn new(table: DataFrame, stats: Stats, f: &Filter, mysql: Option<String>) -> Result<Loaded> {
        let mut table = filter::apply(table.lazy(), f).collect()?;
        table.rechunk_mut();
        Ok(Loaded {
            table,
            stats,
            mysql,
        })
    }

    /// The table as the processors take it.
    pub fn lazy(&self) -> LazyFrame {
        self.table.clone().lazy()
    }

    pub fn rows(&self) -> Result<Rows<'_>> {
        Ok(Rows::new(&self.table)?)
    }

    /// One line on what reading did, for stderr.
    pub fn summary(&self) -> String {
        let s = &self.stats;
        if let Some(url) = &self.mysql {
            return format!("{} events read from {url}", s.events);
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

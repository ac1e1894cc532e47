//! Subcommands, one module each, and the arguments they share.

mod decode;
mod export;
mod inspect;
mod simulate;

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};

use danmu_analyze::event::{Event, Kind};
use danmu_analyze::input::{self, InputFormat, InputSpec};
use danmu_analyze::output::csv::CsvOptions;
use danmu_analyze::pipeline::{self, Decoded, Options};
use danmu_analyze::timefmt::{parse_time, Zone, DEFAULT_TZ};

/// Exit code when the command finished but skipped unreadable input (see stderr).
pub const EXIT_SKIPPED: u8 = 3;

#[derive(Parser)]
#[command(
    name = "danmu-analyze",
    version,
    about = "Record, decode and analyse Douyin live-stream danmaku (弹幕)",
    after_help = "Exit codes: 0 success, 1 failure, 2 bad usage, 3 finished but skipped unreadable input.\n\nStart with: danmu-analyze inspect sample-data/session.dmcap"
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
}

/// How a command that read input ended.
pub enum Outcome {
    Clean,
    /// Some input was unreadable and skipped; the rest was processed.
    Skipped,
}

pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Decode(a) => decode::run(a),
        Command::Export(a) => export::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Simulate(a) => simulate::run(a),
    }
}

/// Inputs and filters every reading command takes.
#[derive(Args, Debug)]
pub struct InputArgs {
    /// Capture files (.dmcap), hex/base64 dumps (one frame per line), raw frames, or - for stdin.
    #[arg(required = true, value_name = "INPUT")]
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
}

impl InputArgs {
    /// Reads and decodes every input; reports skipped input on stderr.
    pub fn load(&self) -> Result<Loaded> {
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
        let decoded = pipeline::decode_all(frames, opts);
        if self.strict {
            if let Some(first) = decoded.stats.errors.first() {
                bail!("{first} (--strict: stopping at the first unreadable input)");
            }
        }
        report_issues(&decoded);
        let since = self
            .since
            .as_deref()
            .map(|s| parse_time(s, &self.tz))
            .transpose()
            .map_err(anyhow::Error::msg)?;
        let until = self
            .until
            .as_deref()
            .map(|s| parse_time(s, &self.tz))
            .transpose()
            .map_err(anyhow::Error::msg)?;
        Ok(Loaded {
            decoded,
            kinds: self.kinds.clone(),
            room: self.room,
            since,
            until,
        })
    }

    pub fn zone(&self) -> Zone {
        self.tz
    }
}

/// Decoded input plus the filters to view it through.
pub struct Loaded {
    pub decoded: Decoded,
    kinds: Vec<Kind>,
    room: Option<u64>,
    since: Option<i64>,
    until: Option<i64>,
}

impl Loaded {
    pub fn keeps(&self, ev: &Event) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&ev.kind))
            && self.room.is_none_or(|r| ev.room_id == r)
            && self.since.is_none_or(|t| ev.ts >= t)
            && self.until.is_none_or(|t| ev.ts < t)
    }

    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.decoded.events.iter().filter(|e| self.keeps(e))
    }

    /// One line on what decoding did, for stderr.
    pub fn summary(&self) -> String {
        let s = &self.decoded.stats;
        format!(
            "{} records, {} messages → {} events ({} re-delivered dropped, {} gift updates → {} gifts)",
            s.records, s.messages, s.events, s.duplicates_dropped, s.gift_updates, s.combos
        )
    }

    pub fn outcome(&self) -> Outcome {
        if self.decoded.stats.error_count > 0 {
            Outcome::Skipped
        } else {
            Outcome::Clean
        }
    }
}

/// At most this many skipped items are listed on stderr; `inspect --json` lists more.
const ISSUES_SHOWN: usize = 20;

fn report_issues(d: &Decoded) {
    let s = &d.stats;
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

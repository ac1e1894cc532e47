//! `decode`: events as a table for people, or as NDJSON / CSV for programs.

use std::io::{self, BufWriter, Write};

use anyhow::Result;
use clap::Args;

use danmu_analyze::columns::Column;
use danmu_analyze::output::{self, Format};

use super::{CsvArgs, InputArgs, Outcome};

/// Decode frames into events and print them.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  danmu-analyze decode sample-data/session.dmcap | head\n  danmu-analyze decode dump.hex --kind chat --format ndjson\n  pbpaste | danmu-analyze decode -"
)]
pub struct DecodeArgs {
    #[command(flatten)]
    input: InputArgs,
    /// table (for people), ndjson or csv.
    #[arg(long, default_value = "table")]
    format: Format,
    #[command(flatten)]
    csv: CsvArgs,
}

pub fn run(args: DecodeArgs) -> Result<Outcome> {
    let loaded = args.input.load()?;
    let zone = args.input.zone();
    if args.format == Format::Parquet {
        anyhow::bail!("decode prints text; use `export --format parquet --out DIR` for Parquet");
    }
    let table = loaded.frame()?;
    let mut out = BufWriter::new(io::stdout().lock());
    let csv = args.csv.options(zone);
    output::write_events(&mut out, args.format, &table, &Column::ALL, &zone, &csv)?;
    out.flush()?;
    Ok(loaded.outcome())
}

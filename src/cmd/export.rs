//! `export`: the event table to files, one per kind or one wide file.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;

use polars::prelude::{col, lit, DataFrame};

use danmu_analyze::atomic;
use danmu_analyze::columns::Column;
use danmu_analyze::event::Kind;
use danmu_analyze::output::{self, Format};
use danmu_analyze::timefmt::Zone;

use super::{CsvArgs, InputArgs, Outcome};

/// Write the event table to files (CSV for Excel, Parquet, NDJSON).
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  danmu-analyze export sample-data/session.dmcap --out out/\n  danmu-analyze export a.dmcap b.dmcap --out out/ --format parquet --wide\n  danmu-analyze export rec/room-*.dmcap --dataset data/   # then: danmu-analyze report data/ --room 7300000000000000001"
)]
pub struct ExportArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Directory to write into (created if missing); with --wide, `-` writes the one table to
    /// stdout (Parquet, NDJSON or CSV), for pipes into Python, DuckDB or jq.
    #[arg(long, required_unless_present = "dataset")]
    out: Option<PathBuf>,
    /// Append to a Hive-partitioned Parquet dataset instead:
    /// DIR/room_id=<id>/date=<YYYY-MM-DD>/part-….parquet, dates in --tz (created if missing).
    /// Each input goes in once: exporting it again adds nothing. Give a recording's rotated
    /// capture files in order: each is decoded after the one before it, so re-deliveries and
    /// gift combos across a rotation count once. Every reading command reads DIR.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["out", "wide", "format"])]
    dataset: Option<PathBuf>,
    /// csv, parquet or ndjson.
    #[arg(long, default_value = "csv")]
    format: Format,
    /// One file `events.<ext>` with every column, instead of one file per kind.
    #[arg(long)]
    wide: bool,
    #[command(flatten)]
    csv: CsvArgs,
}

pub fn run(args: ExportArgs) -> Result<Outcome> {
    if let Some(dir) = &args.dataset {
        return super::dataset::export(&args.input, dir);
    }
    let out = args
        .out
        .as_ref()
        .context("--out DIR or --dataset DIR is required")?;
    if args.format == Format::Table {
        bail!("export writes csv, parquet or ndjson; `decode` prints the table");
    }
    let loaded = args.input.load()?;
    let zone = args.input.zone();
    super::verbosity::note!("{}", loaded.summary());
    loaded.require_events()?;
    if danmu_analyze::input::is_stdin(out) {
        if !args.wide {
            bail!(
                "--out - writes one table to stdout: add --wide (per-kind files need a directory)"
            );
        }
        let table = loaded.frame()?;
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        let csv = args.csv.options(zone);
        output::write_events(&mut stdout, args.format, &table, &Column::ALL, &zone, &csv)?;
        std::io::Write::flush(&mut stdout)?;
        return Ok(loaded.outcome());
    }
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut parts: Vec<(String, DataFrame, Vec<Column>)> = Vec::new();
    if args.wide {
        parts.push(("events".into(), loaded.frame()?, Column::ALL.to_vec()));
    } else {
        for kind in Kind::ALL {
            let mut of_kind = loaded
                .lazy()
                .filter(col(Column::Kind.name()).eq(lit(kind.name())))
                .collect()?;
            if of_kind.height() > 0 {
                of_kind.rechunk_mut();
                parts.push((kind.name().into(), of_kind, Column::for_kind(kind)));
            }
        }
    }
    for (name, rows, columns) in &parts {
        let path = out.join(format!("{name}.{}", args.format.extension()));
        write_file(&path, args.format, rows, columns, &zone, &args.csv)?;
        super::say!("{:>9} rows  {}", rows.height(), path.display())?;
    }
    if parts.is_empty() {
        eprintln!("no events to export (check the inputs and filters)");
    }
    Ok(loaded.outcome())
}

fn write_file(
    path: &Path,
    format: Format,
    table: &DataFrame,
    columns: &[Column],
    zone: &Zone,
    csv: &CsvArgs,
) -> Result<()> {
    // Whole or not at all: a full disk or Ctrl-C leaves no truncated file (see atomic).
    atomic::write_file(path, |out| {
        output::write_events(out, format, table, columns, zone, &csv.options(*zone))
    })?;
    Ok(())
}

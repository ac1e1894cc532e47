//! `timeline`: activity per bucket and the peaks of chat.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use danmu_analyze::analysis::summary::analyze;
use danmu_analyze::charts::line;
use danmu_analyze::report::{tables, timeline_chart};

use super::analysis_args::{emit, emit_files, AnalysisArgs, PeakArgs, TableOutput};
use super::{InputArgs, Outcome};

/// Chat, chatters, gifts, likes, joins, follows and viewers per time bucket, and the peaks.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  danmu-analyze timeline sample-data/session.dmcap\n  danmu-analyze timeline cap.dmcap --bucket 10s --csv t.csv --png t.png\n  danmu-analyze timeline cap.dmcap --since '2026-01-01 18:00' --until '2026-01-01 19:00'"
)]
pub struct TimelineArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    analysis: AnalysisArgs,
    #[command(flatten)]
    peaks: PeakArgs,
    #[command(flatten)]
    output: TableOutput,
    /// Write the peaks as CSV.
    #[arg(long)]
    peaks_csv: Option<PathBuf>,
    /// Write the chart.
    #[arg(long)]
    png: Option<PathBuf>,
}

pub fn run(args: TimelineArgs) -> Result<Outcome> {
    args.analysis.setup_charts()?;
    let loaded = args.input.load_for_analysis()?;
    let zone = args.input.zone();
    let seg = args.analysis.segmenter()?;
    let a = analyze(
        loaded.events(),
        &seg,
        &args.peaks.apply(args.analysis.options()),
        |_| {},
    )?;
    emit(
        &tables::timeline(&a.timeline)?,
        &args.output,
        &args.analysis,
        zone,
    )?;
    // With `--csv -` / `--json -` stdout holds the timeline alone; --peaks-csv still writes.
    let peaks_out = TableOutput::csv_only(args.peaks_csv.as_deref());
    if !args.output.to_stdout() {
        super::say!()?;
        super::say!("peaks (bursts of chat above its rolling median, with their distinctive words; the first minute after a connection is skipped):")?;
        emit(&tables::peaks(&a.peaks)?, &peaks_out, &args.analysis, zone)?;
    } else if args.peaks_csv.is_some() {
        emit_files(&tables::peaks(&a.peaks)?, &peaks_out, &args.analysis, zone)?;
    }
    if let Some(p) = &args.png {
        line::draw(p, &timeline_chart(&a, "时间线".into())?, &zone)?;
        super::verbosity::note!("wrote {}", p.display());
    }
    Ok(loaded.outcome())
}

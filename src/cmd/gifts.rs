//! `gifts`: per gift combos, units, diamonds, senders, and the revenue estimate.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use danmu_analyze::analysis::gifts::gifts;
use danmu_analyze::charts::bar;
use danmu_analyze::report;

use super::analysis_args::{emit, AnalysisArgs, TableOutput};
use super::{InputArgs, Outcome};

/// Gifts by gift, with combos counted once at their final count.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  danmu-analyze gifts sample-data/session.dmcap\n  danmu-analyze gifts cap.dmcap --rmb-per-diamond 0.1 --csv gifts.csv --png gifts.png"
)]
pub struct GiftsArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    analysis: AnalysisArgs,
    #[command(flatten)]
    output: TableOutput,
    /// Write a bar chart of diamonds by gift.
    #[arg(long)]
    png: Option<PathBuf>,
}

pub fn run(args: GiftsArgs) -> Result<Outcome> {
    args.analysis.setup_charts()?;
    let loaded = args.input.load_for_analysis()?;
    let g = gifts(loaded.events(), args.analysis.rmb_per_diamond)?;
    emit(&g.rows, &args.output, &args.analysis, args.input.zone())?;
    // With `--csv -` / `--json -` stdout holds the table alone.
    if !args.output.to_stdout() {
        super::say!(
            "\ntotal: {} gifts ({} units) worth {} diamonds ≈ ¥{:.2} at ¥{} per diamond",
            g.combos_total,
            g.units_total,
            g.diamonds_total,
            g.rmb_total,
            args.analysis.rmb_per_diamond
        )?;
    }
    if let Some(p) = &args.png {
        bar::draw(
            p,
            &bar::Bars {
                title: "礼物收入（钻石）".into(),
                rows: report::gift_bars(&g.rows, args.analysis.top)?,
                value_label: "钻石".into(),
                color: report::build::PURPLE,
            },
        )?;
        super::verbosity::note!("wrote {}", p.display());
    }
    Ok(loaded.outcome())
}

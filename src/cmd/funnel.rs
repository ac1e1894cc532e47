//! `funnel`: the audience funnel and revenue, as an operator reads a live.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use danmu_analyze::analysis::revenue::Revenue;
use danmu_analyze::analysis::sessions;
use danmu_analyze::output::frame;

use super::analysis_args::{write_to, AnalysisArgs, SessionArgs};
use super::{InputArgs, Outcome};

/// The audience funnel (viewers → entered → interacted → chatted, liked, followed, joined the
/// fans club, gifted) and revenue (diamonds, the top gifters' shares, the Gini coefficient,
/// the whales).
#[derive(Args, Debug)]
#[command(
    after_help = "Viewers are the room's count of viewers since the live began (at its highest, summed over sessions), else the highest online count, else the users seen; `viewers_source` says which. Entered and interacted are shares of viewers, the steps below shares of interacted: Douyin sends entry messages for only some entrants in a big room.\n\nExamples:\n  danmu-analyze funnel sample-data/session.dmcap\n  danmu-analyze funnel day1.dmcap day2.dmcap --csv funnel.csv --revenue-csv revenue.csv\n  danmu-analyze funnel cap.dmcap --json - | jq .revenue.gini"
)]
pub struct FunnelArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    analysis: AnalysisArgs,
    #[command(flatten)]
    split: SessionArgs,
    /// Write the funnel table as CSV (Excel-ready) to FILE; - for stdout.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Write the revenue table as CSV to FILE; - for stdout.
    #[arg(long, value_name = "FILE")]
    revenue_csv: Option<PathBuf>,
    /// Write {"funnel": …, "revenue": …} (as summary.json has them) to FILE; - for stdout.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

pub fn run(args: FunnelArgs) -> Result<Outcome> {
    let loaded = args.input.load_for_analysis()?;
    loaded.require_events()?;
    let zone = args.input.zone();
    let opts = args.split.options(&args.analysis.options());
    let funnel = sessions::funnel(loaded.events(), opts.gap_ms)?;
    let (revenue, whales) = Revenue::of(loaded.events())?;
    let (steps, money) = (funnel.steps()?, revenue.table()?);
    let to_stdout = [&args.csv, &args.revenue_csv, &args.json]
        .into_iter()
        .flatten()
        .any(|p| danmu_analyze::input::is_stdin(p));
    if !to_stdout {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        writeln!(
            out,
            "funnel (viewers: {}{}):",
            funnel.viewers_source,
            match funnel.viewers_lower_bound {
                true => ", a lower bound",
                false => "",
            }
        )?;
        frame::print(&steps, &zone, &mut out)?;
        writeln!(out, "\nrevenue:")?;
        frame::print(&money, &zone, &mut out)?;
        if whales.height() > 0 {
            writeln!(out, "\nwhales (at least 5 % of the diamonds):")?;
            frame::print(&whales, &zone, &mut out)?;
        }
        out.flush()?;
    }
    let csv = args.analysis.csv.options(zone);
    if let Some(p) = &args.csv {
        write_to(p, |w| frame::write_csv(&steps, w, &csv))?;
    }
    if let Some(p) = &args.revenue_csv {
        write_to(p, |w| frame::write_csv(&money, w, &csv))?;
    }
    if let Some(p) = &args.json {
        let both = serde_json::json!({ "funnel": funnel, "revenue": revenue });
        write_to(p, |w| {
            serde_json::to_writer_pretty(&mut *w, &both)?;
            writeln!(w)
        })?;
    }
    Ok(loaded.outcome())
}

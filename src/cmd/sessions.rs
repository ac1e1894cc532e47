//! `sessions`: one row per live session and room.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use danmu_analyze::analysis::sessions::sessions;
use danmu_analyze::report::{png, session_trends};

use super::analysis_args::{emit, AnalysisArgs, SessionArgs, TableOutput};
use super::{InputArgs, Outcome};

/// Split the events into live sessions (the stream-end message, or a silence of --gap
/// minutes) and show each: times, chat, chatters new and returning, gifts, diamonds, ¥,
/// follows, viewers, top words.
#[derive(Args, Debug)]
#[command(
    after_help = "A chatter (gifter) is returning when they chatted (gifted) in an earlier session of the same room.\n\nExamples:\n  danmu-analyze sessions week/*.dmcap\n  danmu-analyze sessions week/*.dmcap --gap 60 --csv sessions.csv --png charts/"
)]
pub struct SessionsArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    analysis: AnalysisArgs,
    #[command(flatten)]
    split: SessionArgs,
    #[command(flatten)]
    output: TableOutput,
    /// Write trend charts (chat, chatters and returning ones, diamonds, peak viewers per
    /// session) into this folder.
    #[arg(long, value_name = "DIR")]
    png: Option<PathBuf>,
}

pub fn run(args: SessionsArgs) -> Result<Outcome> {
    args.analysis.setup_charts()?;
    let loaded = args.input.load_for_analysis()?;
    let seg = args.analysis.segmenter()?;
    let opts = args.split.options(&args.analysis.options());
    let table = sessions(loaded.events(), &seg, &opts)?;
    let zone = args.input.zone();
    emit(&table, &args.output, &args.analysis, zone)?;
    if let Some(dir) = &args.png {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for chart in session_trends(&table)? {
            png::draw(dir, &chart, &zone)?;
            super::verbosity::note!("wrote {}", dir.join(chart.file).display());
        }
    }
    Ok(loaded.outcome())
}

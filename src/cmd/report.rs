//! `report`: everything, into one folder a person can open.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use danmu_analyze::analysis::compare::compare_split;
use danmu_analyze::analysis::dictionary::content_chars;
use danmu_analyze::analysis::sessions;
use danmu_analyze::analysis::summary::{analyze, Summary};
use danmu_analyze::report::{self, Lang, ReportInput};

use super::analysis_args::{AnalysisArgs, PeakArgs, Progress, SessionArgs};
use super::{InputArgs, Outcome};

/// Run every analysis and write index.html, PNG charts, CSV tables and summary.json to a folder.
#[derive(Args, Debug)]
#[command(
    after_help = "Over more than one live session (see `sessions`), the folder also holds sessions.html: the sessions side by side, trend charts, retention, the most loyal viewers and, over several rooms, the rooms.\n\nExamples:\n  danmu-analyze report sample-data/session.dmcap --out report/\n  danmu-analyze report day1.dmcap day2.dmcap --out report/ --tz UTC --title '周末直播'"
)]
pub struct ReportArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    analysis: AnalysisArgs,
    #[command(flatten)]
    peaks: PeakArgs,
    #[command(flatten)]
    split: SessionArgs,
    /// Folder to write (created if missing; files in it are replaced).
    #[arg(long)]
    out: PathBuf,
    /// Title of the page (default: 直播弹幕报告, or "Live danmaku report" with --lang en).
    #[arg(long)]
    title: Option<String>,
    /// Language of the pages and chart titles: zh (中文) or en. The CSVs are the same in both.
    #[arg(long, default_value = "zh", value_name = "zh|en")]
    lang: Lang,
}

pub fn run(args: ReportArgs) -> Result<Outcome> {
    args.analysis.setup_charts()?;
    let mut progress = Progress::new(12);
    progress.stage("decode");
    let loaded = args.input.load_for_analysis()?;
    let zone = args.input.zone();
    loaded.require_events()?;
    progress.stage("dictionary");
    // Only the dictionary words the chat's characters can form: a fraction of the 0.15 s CPU
    // the whole dictionary takes, with the same words found.
    let seg = args
        .analysis
        .segmenter_for(&content_chars(&loaded.events())?)?;
    let opts = args.peaks.apply(args.analysis.options());
    let mut a = analyze(loaded.events(), &seg, &opts, |s| progress.stage(s))?;
    progress.stage("sessions");
    let sopts = args.split.options(&opts);
    let comparison = if sessions::count(loaded.events(), sopts.gap_ms)? > 1 {
        let split = sessions::split(loaded.events(), sopts.gap_ms)?;
        a.whales = split.whales_returning(&a.whales)?;
        let cmp = compare_split(&split, &seg, &sopts, opts.top.max(20))?;
        // Each live counts its own viewers: the funnel's are summed per session.
        a.funnel = a.funnel.over_sessions(&cmp.sessions)?;
        Some(cmp)
    } else {
        None
    };
    let summary = Summary::new(&a, &loaded.stats, &zone, opts.top)?;
    let model = report::build(&ReportInput {
        analysis: &a,
        summary: &summary,
        zone: &zone,
        title: args
            .title
            .as_deref()
            .unwrap_or(args.lang.pick("直播弹幕报告", "Live danmaku report")),
        top: opts.top,
        sessions: comparison.as_ref(),
        lang: args.lang,
    })?;
    let csv = args.analysis.csv.options(zone);
    let written = report::write_all(&model, &args.out, &csv, |s| progress.stage(s))
        .with_context(|| format!("writing the report to {} failed", args.out.display()))?;
    progress.finish();
    super::verbosity::note!("{}", loaded.summary());
    super::say!(
        "{} files in {}; open {}",
        written.files.len(),
        args.out.display(),
        args.out.join("index.html").display()
    )?;
    Ok(loaded.outcome())
}

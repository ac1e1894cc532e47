//! `users`: top chatters, gifters and likers, level distributions, chatters who also paid.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use danmu_analyze::analysis::summary::ranking;
use danmu_analyze::analysis::users::{cols, users};
use danmu_analyze::charts::{bar, clean_label};
use polars::prelude::DataFrame;

use super::analysis_args::{emit, AnalysisArgs, TableOutput};
use super::{InputArgs, Outcome};

/// Rank users: chatters by messages, gifters by diamonds (combos resolved), likers by likes.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  danmu-analyze users sample-data/session.dmcap\n  danmu-analyze users cap.dmcap --by gifters --top 20 --csv gifters.csv --png gifters.png"
)]
pub struct UsersArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    analysis: AnalysisArgs,
    /// Which ranking: chatters, gifters, likers, paid (chatters who also sent gifts) or levels.
    #[arg(long, default_value = "chatters", value_parser = ["chatters", "gifters", "likers", "paid", "levels"])]
    by: String,
    #[command(flatten)]
    output: TableOutput,
    /// Write a bar chart of the ranking.
    #[arg(long)]
    png: Option<PathBuf>,
}

pub fn run(args: UsersArgs) -> Result<Outcome> {
    args.analysis.setup_charts()?;
    let loaded = args.input.load_for_analysis()?;
    let top = args.analysis.options().top;
    let u = users(loaded.events(), top)?;
    type Ranking<'a> = (&'a DataFrame, &'static str, &'static str, &'static str);
    let (rows, table, value, title): Ranking = match args.by.as_str() {
        "gifters" => (
            &u.top_gifters,
            "top_gifters",
            cols::DIAMONDS,
            "送礼榜（钻石）",
        ),
        "likers" => (&u.top_likers, "top_likers", cols::LIKES, "点赞榜"),
        "paid" => (
            &u.chatters_who_paid,
            "chatters_who_paid",
            cols::DIAMONDS,
            "既发言又送礼",
        ),
        "levels" => {
            emit(&u.levels, &args.output, &args.analysis, args.input.zone())?;
            return Ok(loaded.outcome());
        }
        _ => (&u.top_chatters, "top_chatters", cols::MESSAGES, "发言榜"),
    };
    let rows = rows.head(Some(top));
    emit(&rows, &args.output, &args.analysis, args.input.zone())?;
    if let Some(p) = &args.png {
        let bars: Vec<(String, u64)> = ranking(&rows, table, value)?
            .into_iter()
            .map(|(id, name, v)| (clean_label(&name, &id.to_string()), v))
            .collect();
        bar::draw(
            p,
            &bar::Bars {
                title: title.into(),
                rows: bars,
                value_label: value.into(),
                color: plotters::style::RGBColor(44, 160, 44),
            },
        )?;
        super::verbosity::note!("wrote {}", p.display());
    }
    let positive = |name: &str| -> Result<usize> {
        Ok(u.all
            .column(name)?
            .u64()?
            .into_no_null_iter()
            .filter(|v| *v > 0)
            .count())
    };
    // With `--csv -` / `--json -` stdout holds the table alone.
    if !args.output.to_stdout() {
        super::say!(
            "\n{} distinct users; {} chatted; {} sent gifts; {} did both",
            u.all.height(),
            positive(cols::MESSAGES)?,
            positive(cols::GIFTS)?,
            u.chatters_who_paid.height()
        )?;
    }
    Ok(loaded.outcome())
}

//! `words`: the words and stickers the room used most.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use danmu_analyze::analysis::words::{words, WordStats};
use danmu_analyze::charts::{bar, cloud};
use danmu_analyze::report::tables;

use super::analysis_args::{emit, AnalysisArgs, TableOutput};
use super::{InputArgs, Outcome};

/// Top words of chat (jieba), with stickers like [捂脸] ranked separately as emotes.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  danmu-analyze words sample-data/session.dmcap\n  danmu-analyze words cap.dmcap --top 50 --csv words.csv --png words.png --cloud cloud.png\n  danmu-analyze words cap.dmcap --user-dict mine.txt --stopwords stop.txt --per-message false"
)]
pub struct WordsArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    analysis: AnalysisArgs,
    #[command(flatten)]
    output: TableOutput,
    /// Write a bar chart of the top words.
    #[arg(long)]
    png: Option<PathBuf>,
    /// Write a word cloud.
    #[arg(long)]
    cloud: Option<PathBuf>,
    /// Rank stickers ([捂脸]) instead of words.
    #[arg(long)]
    emotes: bool,
}

pub fn run(args: WordsArgs) -> Result<Outcome> {
    args.analysis.setup_charts()?;
    let loaded = args.input.load_for_analysis()?;
    let seg = args.analysis.segmenter()?;
    let opts = args.analysis.options();
    let stats = words(loaded.events(), &seg, &opts.words)?;
    let ranked = if args.emotes {
        &stats.emotes
    } else {
        &stats.words
    };
    let table = tables::words(ranked, opts.top, if args.emotes { "emote" } else { "word" })?;
    emit(&table, &args.output, &args.analysis, args.input.zone())?;
    let bars = |n: usize| -> Result<Vec<(String, u64)>> {
        Ok(WordStats::top(ranked, n)?
            .into_iter()
            .map(|w| (w.word, w.count))
            .collect())
    };
    let rows = bars(opts.top)?;
    if let Some(p) = &args.png {
        let title = if args.emotes {
            "表情 Top"
        } else {
            "热词 Top"
        };
        bar::draw(
            p,
            &bar::Bars {
                title: title.into(),
                rows,
                value_label: "出现在多少条弹幕中".into(),
                color: plotters::style::RGBColor(31, 119, 180),
            },
        )?;
        super::verbosity::note!("wrote {}", p.display());
    }
    if let Some(p) = &args.cloud {
        cloud::draw(p, &bars(120)?)?;
        super::verbosity::note!("wrote {}", p.display());
    }
    Ok(loaded.outcome())
}

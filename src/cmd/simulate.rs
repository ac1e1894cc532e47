//! `simulate`: a deterministic, protocol-faithful live session as a capture file, with the truth
//! it generated beside it.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use danmu_analyze::simulate::{simulate, SimConfig};

use super::Outcome;

/// Write a simulated live session (gzip'd frames exactly as Douyin sends them) and its truth.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  danmu-analyze simulate --out session.dmcap\n  danmu-analyze simulate --out big.dmcap --minutes 120 --viewers 5000 --seed 7"
)]
pub struct SimulateArgs {
    /// Capture file to write (replaced if it exists).
    #[arg(long)]
    out: PathBuf,
    /// Length of the session in minutes.
    #[arg(long, default_value_t = SimConfig::default().minutes)]
    minutes: u32,
    /// Typical number of viewers in the room.
    #[arg(long, default_value_t = SimConfig::default().viewers)]
    viewers: u32,
    /// Random seed; the same seed gives the same bytes.
    #[arg(long, default_value_t = SimConfig::default().seed)]
    seed: u64,
    /// Room id written into the messages.
    #[arg(long, default_value_t = SimConfig::default().room_id)]
    room: u64,
    /// Where to write the truth (JSON); default: OUT with `.truth.json` added.
    #[arg(long)]
    truth: Option<PathBuf>,
}

pub fn run(args: SimulateArgs) -> Result<Outcome> {
    let cfg = SimConfig {
        minutes: args.minutes,
        viewers: args.viewers,
        seed: args.seed,
        room_id: args.room,
        ..SimConfig::default()
    };
    let file =
        File::create(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let truth = simulate(&cfg, BufWriter::new(file))
        .with_context(|| format!("writing {} failed", args.out.display()))?;
    let truth_path = args.truth.unwrap_or_else(|| {
        let mut p = args.out.clone().into_os_string();
        p.push(".truth.json");
        p.into()
    });
    let json = serde_json::to_string_pretty(&truth)?;
    std::fs::write(&truth_path, json + "\n")
        .with_context(|| format!("cannot write {}", truth_path.display()))?;
    eprintln!(
        "wrote {} ({} records, {} messages) and {}",
        args.out.display(),
        truth.records,
        truth.messages_sent,
        truth_path.display()
    );
    Ok(Outcome::Clean)
}

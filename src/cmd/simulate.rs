//! `simulate`: a deterministic, protocol-faithful live session as a capture file, with the truth
//! it generated beside it.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;

use danmu_analyze::simulate::{series, simulate, SeriesConfig, SimConfig};

use super::Outcome;

/// Write a simulated live session (gzip'd frames exactly as Douyin sends them) and its truth.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  danmu-analyze simulate --out session.dmcap\n  danmu-analyze simulate --out big.dmcap --minutes 120 --viewers 5000 --seed 7\n  danmu-analyze simulate --out-dir week/ --rooms 3 --days 4   # then: danmu-analyze sessions week/*.dmcap"
)]
pub struct SimulateArgs {
    /// Capture file to write (replaced if it exists).
    #[arg(long, required_unless_present = "out_dir", conflicts_with = "out_dir")]
    out: Option<PathBuf>,
    /// Write a series instead: one capture per session of --rooms rooms over --days days
    /// (returning viewers, some sessions ending with the stream-end message, others just
    /// stopping, a restart minutes after a stream end), and DIR/series.truth.json.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Series: rooms, with ids --room, --room + 1, … [default: 1]
    #[arg(long, requires = "out_dir", value_parser = clap::value_parser!(u32).range(1..=1000))]
    rooms: Option<u32>,
    /// Series: days, each room live once a day (about a day apart) [default: 1]
    #[arg(long, requires = "out_dir", value_parser = clap::value_parser!(u32).range(1..=1000))]
    days: Option<u32>,
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
    /// Where to write the truth (JSON); default: OUT with `.truth.json` added, or
    /// DIR/series.truth.json.
    #[arg(long)]
    truth: Option<PathBuf>,
}

pub fn run(args: SimulateArgs) -> Result<Outcome> {
    if let Some(dir) = &args.out_dir {
        return run_series(&args, dir);
    }
    if args.rooms.is_some() || args.days.is_some() {
        // clap's `requires` does not fire here (`out` conflicts with --out-dir), so say it.
        bail!("--rooms and --days make a series: give --out-dir DIR instead of --out");
    }
    let out = args
        .out
        .as_ref()
        .context("--out or --out-dir is required")?;
    let cfg = SimConfig {
        minutes: args.minutes,
        viewers: args.viewers,
        seed: args.seed,
        room_id: args.room,
        ..SimConfig::default()
    };
    let file = File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    let truth = simulate(&cfg, BufWriter::new(file))
        .with_context(|| format!("writing {} failed", out.display()))?;
    let truth_path = args.truth.clone().unwrap_or_else(|| {
        let mut p = out.clone().into_os_string();
        p.push(".truth.json");
        p.into()
    });
    write_json(&truth_path, &truth)?;
    eprintln!(
        "wrote {} ({} records, {} messages) and {}",
        out.display(),
        truth.records,
        truth.messages_sent,
        truth_path.display()
    );
    Ok(Outcome::Clean)
}

fn run_series(args: &SimulateArgs, dir: &Path) -> Result<Outcome> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let cfg = SeriesConfig {
        rooms: args.rooms.unwrap_or(1),
        days: args.days.unwrap_or(1),
        minutes: args.minutes,
        viewers: args.viewers,
        seed: args.seed,
        room_id: args.room,
        ..SeriesConfig::default()
    };
    let truth = series(&cfg, |name| {
        File::create(dir.join(name)).map(BufWriter::new)
    })
    .with_context(|| format!("writing the series into {} failed", dir.display()))?;
    let truth_path = args
        .truth
        .clone()
        .unwrap_or_else(|| dir.join("series.truth.json"));
    write_json(&truth_path, &truth)?;
    eprintln!(
        "wrote {} sessions of {} room(s) into {} and {}",
        truth.sessions.len(),
        cfg.rooms,
        dir.display(),
        truth_path.display()
    );
    Ok(Outcome::Clean)
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    let json = serde_json::to_string_pretty(value)?;
    std::fs::write(path, json + "\n").with_context(|| format!("cannot write {}", path.display()))
}

//! `simulate`: a deterministic, protocol-faithful live session as a capture file, with the truth
//! it generated beside it.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;

use danmu_analyze::dataset::Dataset;
use danmu_analyze::pipeline::Options;
use danmu_analyze::simulate::{
    series, simulate, simulate_rooms, RoomsConfig, SeriesConfig, SimConfig,
};
use danmu_analyze::timefmt::{Zone, DEFAULT_TZ};

use super::Outcome;

/// Write a simulated live session (gzip'd frames exactly as Douyin sends them) and its truth.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  danmu-analyze simulate --out session.dmcap\n  danmu-analyze simulate --out big.dmcap --minutes 120 --viewers 5000 --seed 7\n  danmu-analyze simulate --out rooms.dmcap --rooms 10 --minutes 112 --viewers 190   # ten real-sized rooms in one capture\n  danmu-analyze simulate --out-dir week/ --rooms 3 --days 4   # then: danmu-analyze sessions week/*.dmcap"
)]
pub struct SimulateArgs {
    /// Capture file to write (replaced if it exists).
    #[arg(long, required_unless_present_any = ["out_dir", "dataset"], conflicts_with_all = ["out_dir", "dataset"])]
    out: Option<PathBuf>,
    /// Write a series instead: one capture per session of --rooms rooms over --days days
    /// (returning viewers, some sessions ending with the stream-end message, others just
    /// stopping, a restart minutes after a stream end), and DIR/series.truth.json.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Series: also append every session to this dataset (see `export --dataset`), each as soon
    /// as its capture is written; without --out-dir only the dataset is kept (the captures are
    /// temporary files) and the truth goes to DIR/series.truth.json.
    #[arg(long, value_name = "DIR")]
    dataset: Option<PathBuf>,
    /// Series with --dataset: the zone whose local dates the dataset's partitions are.
    #[arg(long, default_value = DEFAULT_TZ)]
    tz: Zone,
    /// Series: rooms, with ids --room, --room + 1, … [default: 1]. With --out: that many rooms
    /// live at once (each a session of --minutes and --viewers, starting 5 minutes after the
    /// one before), their frames interleaved in one capture in receive order, as a multi-room
    /// capture holds them; the truth is then a list, one per room.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    rooms: Option<u32>,
    /// Series: days, each room live once a day (about a day apart) [default: 1]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
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
    /// Add stretches of a few minutes in which the room sends no RoomUserSeqMessage, only
    /// RoomStatsMessage (some showing viewers since the start), as some rooms do; the truth
    /// lists them under `stats_only`.
    #[arg(long, conflicts_with_all = ["out_dir", "dataset"])]
    stats_only: bool,
    /// Where to write the truth (JSON); default: OUT with `.truth.json` added, or
    /// DIR/series.truth.json.
    #[arg(long)]
    truth: Option<PathBuf>,
}

pub fn run(args: SimulateArgs) -> Result<Outcome> {
    if args.out_dir.is_some() || args.dataset.is_some() {
        return run_series(&args);
    }
    if args.days.is_some() {
        bail!("--days makes a series: give --out-dir DIR (or --dataset DIR) instead of --out");
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
        stats_only: args.stats_only,
        ..SimConfig::default()
    };
    let file = File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    let truth_path = args.truth.clone().unwrap_or_else(|| {
        let mut p = out.clone().into_os_string();
        p.push(".truth.json");
        p.into()
    });
    if let Some(rooms) = args.rooms {
        let rooms = RoomsConfig {
            rooms,
            one: cfg,
            stagger_ms: 5 * 60_000,
        };
        let truths = simulate_rooms(&rooms, file)
            .with_context(|| format!("writing {} failed", out.display()))?;
        write_json(&truth_path, &truths)?;
        super::verbosity::note!(
            "wrote {} ({} rooms, {} records, {} messages) and {}",
            out.display(),
            truths.len(),
            truths.iter().map(|t| t.records).sum::<u64>(),
            truths.iter().map(|t| t.messages_sent).sum::<u64>(),
            truth_path.display()
        );
        return Ok(Outcome::Clean);
    }
    let truth = simulate(&cfg, BufWriter::new(file))
        .with_context(|| format!("writing {} failed", out.display()))?;
    write_json(&truth_path, &truth)?;
    super::verbosity::note!(
        "wrote {} ({} records, {} messages) and {}",
        out.display(),
        truth.records,
        truth.messages_sent,
        truth_path.display()
    );
    Ok(Outcome::Clean)
}

fn run_series(args: &SimulateArgs) -> Result<Outcome> {
    let ds = match &args.dataset {
        Some(d) => Some(
            Dataset::open(d, &args.tz)
                .with_context(|| format!("opening the dataset {} failed", d.display()))?,
        ),
        None => None,
    };
    // Without --out-dir the captures are temporary files inside the dataset, which readers
    // pass over (not a room_id= directory).
    let (dir, temporary) = match (&args.out_dir, &args.dataset) {
        (Some(d), _) => (d.clone(), false),
        (None, Some(d)) => (d.join(".simulate"), true),
        (None, None) => unreachable!("run checks for one of them"),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let cfg = SeriesConfig {
        rooms: args.rooms.unwrap_or(1),
        days: args.days.unwrap_or(1),
        minutes: args.minutes,
        viewers: args.viewers,
        seed: args.seed,
        room_id: args.room,
        ..SeriesConfig::default()
    };
    // The session written before: appended to the dataset once the next one starts (the series
    // writes one session at a time, each complete when the next file is opened).
    let mut written: Option<PathBuf> = None;
    let mut events = 0u64;
    let mut append = |path: PathBuf| -> std::io::Result<()> {
        if let Some(ds) = &ds {
            let a = ds
                .append_frames(&path, None, Options::default())
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            events += a.events;
            if temporary {
                std::fs::remove_file(&path)?;
            }
        }
        Ok(())
    };
    let truth = series(&cfg, |name| {
        if let Some(done) = written.take() {
            append(done)?;
        }
        let path = dir.join(name);
        let file = File::create(&path)?;
        written = Some(path);
        Ok(BufWriter::new(file))
    })
    .and_then(|t| {
        // Sessions are separate connections: no re-delivery or combo crosses from one to the
        // next, so each is appended without context.
        if let Some(done) = written.take() {
            append(done)?;
        }
        Ok(t)
    })
    .with_context(|| format!("writing the series into {} failed", dir.display()))?;
    if temporary {
        let _ = std::fs::remove_dir(&dir);
    }
    let truth_dir = match (&args.out_dir, &args.dataset) {
        (Some(d), _) | (None, Some(d)) => d.clone(),
        (None, None) => unreachable!("run checks for one of them"),
    };
    let truth_path = args
        .truth
        .clone()
        .unwrap_or_else(|| truth_dir.join("series.truth.json"));
    write_json(&truth_path, &truth)?;
    let into = match (&args.out_dir, &args.dataset) {
        (Some(d), Some(ds)) => format!(
            "{} and the dataset {} ({events} events)",
            d.display(),
            ds.display()
        ),
        (None, Some(ds)) => format!("the dataset {} ({events} events)", ds.display()),
        (Some(d), None) => d.display().to_string(),
        (None, None) => unreachable!("run checks for one of them"),
    };
    super::verbosity::note!(
        "wrote {} sessions of {} room(s) into {into} and {}",
        truth.sessions.len(),
        cfg.rooms,
        truth_path.display()
    );
    Ok(Outcome::Clean)
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    let json = serde_json::to_string_pretty(value)?;
    std::fs::write(path, json + "\n").with_context(|| format!("cannot write {}", path.display()))
}

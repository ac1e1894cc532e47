//! `replay`: serve a capture file as a push server, checking the ACKs and heartbeats it gets.

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Result};
use clap::Args;

use danmu_analyze::live::log::Log;
use danmu_analyze::live::replay::{check_capture, serve, ReplaySettings};
use danmu_analyze::live::spec::parse_duration;
use danmu_analyze::live::LiveError;
use danmu_analyze::timefmt::{Zone, DEFAULT_TZ};

use super::capture::install_signal_handlers;
use super::Outcome;

/// Serve a capture file as a push server, for overlays and bots built offline.
///
/// Every client connection gets the recorded frames at their recorded pace (scaled by --speed);
/// a client that connects with a `cursor` parameter the capture holds resumes after it, as with
/// Douyin. The ACKs and heartbeats each client sends are checked (the log_id and internal_ext of
/// every ACK; heartbeats exactly 3A 02 68 62): mismatches are logged and counted, and each
/// client gets a summary line. Heartbeats sent as WebSocket pings carrying the heartbeat bytes
/// count as heartbeats. A slow client is never cut off: after the last frame replay sends a
/// close frame behind it and waits for the client's answer. Stop it with Ctrl-C (exit 0).
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  danmu-analyze replay sample-data/session.dmcap --listen 127.0.0.1:9000
  danmu-analyze replay room.dmcap --listen 127.0.0.1:0 --speed 0 --once
  danmu-analyze capture --ws-url ws://127.0.0.1:9000/ --out copy.dmcap --print

Exit codes: 0 done, 1 error, 2 bad usage, 3 served but skipped unreadable capture records.")]
pub struct ReplayArgs {
    /// The capture file to serve.
    #[arg(value_name = "CAPTURE")]
    capture: PathBuf,
    /// Address to listen on; port 0 picks a free one (the address is logged).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9000")]
    listen: String,
    /// Pace: 1 as recorded, 10 ten times faster, 0 as fast as possible.
    #[arg(long, value_name = "X", default_value_t = 1.0)]
    speed: f64,
    /// Exit after the first client is done.
    #[arg(long)]
    once: bool,
    /// How long a client may make no progress. After the last frame replay closes the
    /// WebSocket and waits for the client to read to the end and answer the close, as long as
    /// it hears an ACK or heartbeat at least this often; a send that cannot go out for this long
    /// drops the client.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    linger: Duration,
    /// Time zone of log times.
    #[arg(long, default_value = DEFAULT_TZ)]
    tz: Zone,
}

pub fn run(args: ReplayArgs) -> Result<Outcome> {
    if !(args.speed.is_finite() && args.speed >= 0.0) {
        bail!("--speed must be 0 (as fast as possible) or a positive number");
    }
    let log = Log::stderr(args.tz);
    check_capture(&args.capture)?;
    let stop = install_signal_handlers()?;
    let listener = TcpListener::bind(&args.listen).map_err(|source| LiveError::Listen {
        addr: args.listen.clone(),
        source,
    })?;
    let addr = listener.local_addr()?;
    log.line(format!(
        "listening on ws://{addr}/ serving {} at {}",
        args.capture.display(),
        if args.speed == 0.0 {
            "full speed".to_string()
        } else {
            format!("{}x the recorded pace", args.speed)
        }
    ));
    let settings = ReplaySettings {
        speed: args.speed,
        once: args.once,
        linger: args.linger,
    };
    let summary = serve(listener, &args.capture, &settings, stop, &log)?;
    let total = |f: fn(&danmu_analyze::live::replay::ClientReport) -> u64| {
        summary.clients.iter().map(f).sum::<u64>()
    };
    log.line(format!(
        "replay done: {} client(s), {} frames sent; ACKs: {} ok, {} wrong, {} missing; heartbeats: {} ok ({} as pings), {} malformed; {} other messages",
        summary.clients.len(),
        total(|c| c.frames_sent),
        total(|c| c.acks_ok),
        total(|c| c.acks_wrong),
        total(|c| c.acks_missing),
        total(|c| c.heartbeats_ok),
        total(|c| c.heartbeats_as_ping),
        total(|c| c.heartbeats_malformed),
        total(|c| c.other),
    ));
    if summary.unreadable_records > 0 {
        eprintln!(
            "warning: skipped {} unreadable record(s) of {}",
            summary.unreadable_records,
            args.capture.display()
        );
        return Ok(Outcome::Skipped);
    }
    Ok(Outcome::Clean)
}

//! `capture`: join a live room and record every raw frame, unattended; the exit code says why
//! it stopped.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;
use signal_hook::consts::{SIGINT, SIGTERM};

use danmu_analyze::live::log::Log;
use danmu_analyze::live::recorder::Recorder;
use danmu_analyze::live::room::{web_id_of, PageError};
use danmu_analyze::live::session::{self, End, Endpoint, Settings};
use danmu_analyze::live::source::{RoomSource, Signing};
use danmu_analyze::live::spec::{human_bytes, human_duration, parse_duration, Rotate};
use danmu_analyze::live::url::{query_param, DEFAULT_USER_AGENT, PUSH_URL, SITE_URL};
use danmu_analyze::live::LiveError;
use danmu_analyze::timefmt::{Zone, DEFAULT_TZ};

use super::Outcome;

/// Exit code: reconnecting failed --max-reconnects times in a row.
pub const EXIT_GAVE_UP: u8 = 4;
/// Exit code: the room is not live (and --follow was not given); nothing was recorded.
pub const EXIT_NOT_LIVE: u8 = 5;

const EXIT_CODES: &str = "Exit codes:
  0    the live ended, or the server closed the stream
  1    error (the message says what failed)
  2    bad usage
  4    gave up: --max-reconnects failed connection attempts in a row
  5    the room is not live (without --follow); nothing recorded
  130  stopped by SIGINT (Ctrl-C), 143 stopped by SIGTERM: the file was closed cleanly
A second Ctrl-C or SIGTERM exits at once.";

/// Join a live room and record every raw frame to a capture file, unattended.
///
/// Every WebSocket message is appended to the file (flushed per record) before it is decoded or
/// ACKed, so a crash loses at most the record being written. The session heartbeats, ACKs what
/// asks for it, reconnects when the connection drops or falls silent (resuming from the last
/// cursor), and ends when the live ends.
#[derive(Args, Debug)]
#[command(after_help = format!("Examples:
  danmu-analyze capture https://live.douyin.com/80017709309 --out room.dmcap --signer ./sign.sh
  danmu-analyze capture 80017709309 --out rec/room.dmcap --rotate 1h --print --signer 'node sign.js'
  danmu-analyze capture --ws-url ws://127.0.0.1:9000/ --out copy.dmcap --print

The push URL's signature is computed by Douyin's own script, which is not shipped: --signer runs
a command of yours with the X-MS-STUB (as its last argument and on stdin) and reads the
signature from its first line of output.

{EXIT_CODES}"))]
pub struct CaptureArgs {
    /// The live room: its URL (https://live.douyin.com/80017709309) or its web id (80017709309).
    #[arg(value_name = "ROOM", required_unless_present = "ws_url")]
    room: Option<String>,
    /// Capture file to append to (created when missing). With --rotate: the stem of
    /// time-stamped files (room.dmcap → room-20260101T180000.dmcap, …).
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    /// Connect to this push URL as it is, skipping the room page and the signature (a replay
    /// server, a URL taken from the browser).
    #[arg(long, value_name = "URL", conflicts_with_all = ["room", "signature", "dump_page"])]
    ws_url: Option<String>,
    /// Command that prints the push URL's signature for the X-MS-STUB it is given (as its last
    /// argument and on stdin).
    #[arg(long, value_name = "CMD", env = "DANMU_SIGNER")]
    signer: Option<String>,
    /// The push URL's signature, when it is known already (overrides --signer).
    #[arg(long, value_name = "SIG")]
    signature: Option<String>,
    /// Save the fetched room page here, to look at when it is not understood.
    #[arg(long, value_name = "FILE")]
    dump_page: Option<PathBuf>,
    /// Heartbeat period [default: 10s, or what the server asks for; given, it stays fixed].
    /// Nothing received for two periods means a dead connection: reconnect.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    heartbeat: Option<Duration>,
    /// Give up (exit 4) after this many failed connection attempts in a row; 0: never.
    #[arg(long, value_name = "N", default_value_t = 20)]
    max_reconnects: u32,
    /// When the live ends (or is not on yet), wait for the next one instead of exiting.
    #[arg(long)]
    follow: bool,
    /// With --follow: how long to wait before looking for the next live again (doubles up to
    /// ten times this).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    poll: Duration,
    /// Start a new time-stamped file every DURATION (1h, 30m) or at SIZE (256MB, 1GiB).
    #[arg(long, value_name = "DURATION|SIZE")]
    rotate: Option<Rotate>,
    /// Show chat, gifts (combo updates as they come) and joins on stderr as they arrive.
    #[arg(long)]
    print: bool,
    /// How often to log a status line (frames, messages by kind, reconnects, bytes).
    #[arg(long, value_name = "DURATION", default_value = "1m", value_parser = parse_duration)]
    status_every: Duration,
    /// Time zone of log times and rotated file names: an IANA name or an offset like +08:00.
    #[arg(long, default_value = DEFAULT_TZ)]
    tz: Zone,
    /// User agent for the room page and the WebSocket handshake.
    #[arg(long, value_name = "UA", default_value = DEFAULT_USER_AGENT)]
    user_agent: String,
    /// With --ws-url: the room id written into the records [default: the URL's room_id].
    #[arg(long, value_name = "ID")]
    room_id: Option<u64>,
    /// The site serving room pages (for tests and mirrors).
    #[arg(long, hide = true, default_value = SITE_URL)]
    site_url: String,
    /// The push server URL, without query (Douyin moves it now and then).
    #[arg(long, value_name = "URL", default_value = PUSH_URL)]
    push_url: String,
}

pub fn run(args: CaptureArgs) -> Result<Outcome> {
    let log = Log::stderr(args.tz);
    let stop = install_signal_handlers()?;
    let settings = Settings {
        heartbeat: args.heartbeat.unwrap_or(Duration::from_secs(10)),
        heartbeat_fixed: args.heartbeat.is_some(),
        max_reconnects: args.max_reconnects,
        follow: args.follow,
        poll: args.poll,
        status_every: args.status_every,
        print: args.print,
        ..Settings::default()
    };
    if settings.heartbeat < Duration::from_millis(20) {
        bail!("--heartbeat must be at least 20ms");
    }

    let source;
    let first = if let Some(url) = &args.ws_url {
        check_ws_url(url)?;
        source = None;
        let room_id = match args.room_id {
            Some(id) => id,
            None => query_param(url, "room_id")
                .and_then(|r| r.parse().ok())
                .unwrap_or(0),
        };
        Some(Endpoint {
            url: url.clone(),
            headers: vec![("User-Agent".into(), args.user_agent.clone())],
            room_id,
        })
    } else {
        let room = args.room.as_deref().unwrap_or_default();
        let web_id = web_id_of(room)?;
        let signing = match (&args.signature, &args.signer) {
            (Some(sig), _) => Signing::Fixed(sig.clone()),
            (None, Some(cmd)) => Signing::Command(cmd.clone()),
            (None, None) => return Err(LiveError::NoSignature.into()),
        };
        let s = RoomSource {
            site: args.site_url.clone(),
            push_base: args.push_url.clone(),
            web_id,
            user_agent: args.user_agent.clone(),
            signing,
            timeout: Duration::from_secs(15),
            dump_page: args.dump_page.clone(),
        };
        let first = match s.resolve(&log) {
            Ok(r) => Some(r.endpoint),
            Err(LiveError::Page(e @ PageError::NotLive { .. })) if args.follow => {
                log.line(format!("{e}; --follow: waiting for it to go live"));
                None
            }
            Err(LiveError::Page(e @ PageError::NotLive { .. })) => {
                eprintln!(
                    "error: room {}: {e}; nothing was recorded (--follow waits for the next live)",
                    s.web_id
                );
                return Ok(Outcome::Exit(EXIT_NOT_LIVE));
            }
            Err(LiveError::Page(PageError::NotUnderstood)) => {
                let hint = match &args.dump_page {
                    Some(p) => format!("it was saved to {}", p.display()),
                    None => "run again with --dump-page page.html to save it for a look".into(),
                };
                bail!("room {}: {}; {hint}", s.web_id, PageError::NotUnderstood);
            }
            Err(e) => return Err(e).context(format!("joining room {} failed", s.web_id)),
        };
        source = Some(s);
        first
    };

    let recorder = Recorder::open(&args.out, args.rotate, log.clone())?;
    log.line(format!(
        "recording to {}{}",
        recorder.current_path().map_or_else(
            || args.out.display().to_string(),
            |p| p.display().to_string()
        ),
        args.rotate
            .map(|r| format!(", rotating {r}"))
            .unwrap_or_default()
    ));
    let fixed = first.clone();
    let mut next_live = || match &source {
        Some(s) => s.next_live(&log),
        // A fixed URL: just connect again.
        None => Ok(fixed.clone()),
    };
    let summary = session::run(first, &settings, recorder, &stop, &log, &mut next_live)?;

    log.line(format!(
        "capture ended: {} after {}: {}",
        summary.end.describe(),
        human_duration(summary.elapsed),
        summary.counters.line()
    ));
    let files: Vec<String> = summary
        .files
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    log.line(format!(
        "wrote {} records ({}) to {}",
        summary.records,
        human_bytes(summary.bytes_written),
        files.join(", ")
    ));
    let code = match summary.end {
        End::StreamEnded | End::Closed => 0,
        End::GaveUp { .. } => EXIT_GAVE_UP,
        End::Signal(sig) => (128 + sig).clamp(0, 255) as u8,
    };
    Ok(Outcome::Exit(code))
}

/// A URL that can never work fails now rather than after --max-reconnects attempts.
fn check_ws_url(url: &str) -> Result<(), LiveError> {
    let bad = |reason: &str| LiveError::BadUrl {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    let uri: tungstenite::http::Uri = url.parse().map_err(|e| bad(&format!("{e}")))?;
    match uri.scheme_str() {
        Some("ws" | "wss") if uri.host().is_some() => Ok(()),
        Some("ws" | "wss") => Err(bad("it has no host")),
        _ => Err(bad("it must start with ws:// or wss://")),
    }
}

/// SIGINT and SIGTERM set the returned flag to their number, so the session closes cleanly;
/// a second one exits at once, for a stop that hangs.
pub fn install_signal_handlers() -> Result<Arc<AtomicUsize>> {
    let stop = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(AtomicBool::new(false));
    for sig in [SIGINT, SIGTERM] {
        // Registered first, so it runs before the flag is set: the first signal only sets it.
        signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, seen.clone())
            .context("installing the signal handlers failed")?;
        signal_hook::flag::register(sig, seen.clone())
            .context("installing the signal handlers failed")?;
        signal_hook::flag::register_usize(sig, stop.clone(), sig as usize)
            .context("installing the signal handlers failed")?;
    }
    Ok(stop)
}

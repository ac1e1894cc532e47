//! `capture`: join live rooms and record every raw frame, unattended; the exit code says why
//! it stopped. One room into `--out FILE`, or several at once into `--out-dir DIR`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;
use signal_hook::consts::{SIGINT, SIGTERM};

use danmu_analyze::dataset::Dataset;
use danmu_analyze::live::cookies::Cookies;
use danmu_analyze::live::log::{now_ms, Log};
use danmu_analyze::live::proxy::{Proxies, ProxyEnv, ProxyUrl};
use danmu_analyze::live::recording::{self, check_ws_url, rooms_in, Join, Plan, RoomEnd, RoomPlan};
use danmu_analyze::live::rooms::{dedup, parse_rooms_file, Target};
use danmu_analyze::live::session::Settings;
use danmu_analyze::live::spec::{parse_duration, Rotate};
use danmu_analyze::live::url::{
    default_push_bases, DEFAULT_SDK_VERSION, DEFAULT_USER_AGENT, SITE_URL,
};
use danmu_analyze::timefmt::{Zone, DEFAULT_TZ};

use super::Outcome;

const EXIT_CODES: &str = "Exit codes:
  0    the live ended, or the server closed the stream
  1    error (the message says what failed)
  2    bad usage
  4    gave up: --max-reconnects failed connection attempts in a row
  5    the room is not live (without --follow); nothing recorded
  6    the room does not exist (removed, or a wrong id); nothing recorded
  130  stopped by SIGINT (Ctrl-C), 143 stopped by SIGTERM: the file was closed cleanly
With several rooms: a signal's code, else the most serious room's (1, 4, 6, 5), else 0.
A second Ctrl-C or SIGTERM exits at once.";

/// Join live rooms and record every raw frame to capture files, unattended.
///
/// Every WebSocket message is appended to the file (flushed per record) before it is decoded or
/// ACKed, so a crash loses at most the record being written. The session heartbeats, ACKs what
/// asks for it, reconnects when the connection drops or falls silent (resuming from the last
/// cursor), and ends when the live ends. Several rooms (`--out-dir`) each get their own
/// connection, heartbeat, backoff and --follow; one failing never stops the others.
#[derive(Args, Debug)]
#[command(after_help = format!("Examples:
  danmu-analyze capture https://live.douyin.com/80017709309 --out room.dmcap
  danmu-analyze capture 80017709309 --out rec/room.dmcap --rotate 1h --print --cookies cookies.txt
  danmu-analyze capture 80017709309 646454278948 --out-dir rec/ --follow
  danmu-analyze capture --rooms rooms.txt --out-dir rec/ --rotate 1h --follow
  danmu-analyze capture --ws-url ws://127.0.0.1:9000/ --out copy.dmcap --print

The push URL's signature is computed here from the X-MS-STUB (see `danmu-analyze sign`);
--signer runs a command of yours instead (the stub as its last argument and on stdin, the
signature its first line of output), for when Douyin changes the algorithm.

Since late 2025 gift messages reach only logged-in sessions: --cookies FILE (a cookies.txt
exported from a browser logged in to douyin.com, or one `Cookie:` line) sends your cookies.
Their values are never printed or saved; the log names them.

{EXIT_CODES}"))]
pub struct CaptureArgs {
    /// The live rooms: URL (https://live.douyin.com/80017709309) or web id (80017709309), or a
    /// push URL (ws://, wss://) to connect to as it is. Several need --out-dir.
    #[arg(value_name = "ROOM")]
    rooms: Vec<String>,
    /// A file of rooms, one a line (URL, web id or push URL); `#` starts a comment.
    #[arg(long = "rooms", value_name = "FILE")]
    rooms_file: Option<PathBuf>,
    /// Capture file to append to (created when missing), for one room. With --rotate: the stem
    /// of time-stamped files (room.dmcap → room-20260101T180000.dmcap, …).
    #[arg(long, value_name = "PATH", conflicts_with = "out_dir")]
    out: Option<PathBuf>,
    /// Directory to record each room into: DIR/<web id>.dmcap (with --rotate, time-stamped
    /// files of that stem). Created when missing.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Connect to this push URL as it is, skipping the room page and the signature (a replay
    /// server, a URL taken from the browser).
    #[arg(long, value_name = "URL", conflicts_with_all = ["signature", "dump_page"])]
    ws_url: Option<String>,
    /// Command that prints the push URL's signature for the X-MS-STUB it is given (as its last
    /// argument and on stdin), instead of the built-in signature.
    #[arg(long, value_name = "CMD", env = "DANMU_SIGNER")]
    signer: Option<String>,
    /// The push URL's signature, when it is known already (overrides --signer).
    #[arg(long, value_name = "SIG")]
    signature: Option<String>,
    /// The webcast_sdk_version the push URL says (it is signed); older clients send
    /// 1.0.14-beta.0.
    #[arg(long, value_name = "V", default_value = DEFAULT_SDK_VERSION)]
    sdk_version: String,
    /// Your Douyin cookies: a Netscape cookies.txt or a file holding one `Cookie:` line. Sent
    /// on the room page and the handshake; values are never shown. Gifts need a login.
    #[arg(long, value_name = "FILE", env = "DANMU_COOKIES")]
    cookies: Option<PathBuf>,
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
    /// Also append each capture file to this dataset as it is closed (at every rotation and at
    /// exit), decoded after the file before it, so the recording can be analysed as it goes
    /// (`report DIR`). Needs --rotate; with --out-dir every room goes into the one dataset.
    #[arg(long, value_name = "DIR", requires = "rotate")]
    dataset: Option<PathBuf>,
    /// Show chat, gifts (combo updates as they come) and joins on stderr as they arrive.
    #[arg(long)]
    print: bool,
    /// How often to log a status line (frames, messages by kind, reconnects, bytes).
    #[arg(long, value_name = "DURATION", default_value = "1m", value_parser = parse_duration)]
    status_every: Duration,
    /// Without a login cookie: chat for this long with no gift makes the status line say that
    /// gifts need a logged-in session.
    #[arg(long, hide = true, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    gift_hint_after: Duration,
    /// Time zone of log times and rotated file names: an IANA name or an offset like +08:00.
    #[arg(long, default_value = DEFAULT_TZ)]
    tz: Zone,
    /// The browser to claim: user agent of the room page, the room-info API, the push URL's
    /// browser_version and the WebSocket handshake alike.
    #[arg(long, value_name = "UA", default_value = DEFAULT_USER_AGENT)]
    user_agent: String,
    /// With --ws-url: the room id written into the records [default: the URL's room_id].
    #[arg(long, value_name = "ID")]
    room_id: Option<u64>,
    /// The site serving room pages (for tests and mirrors).
    #[arg(long, hide = true, default_value = SITE_URL)]
    site_url: String,
    /// The push server URL, without query, instead of the built-in ones (Douyin moves them now
    /// and then). Repeat it for several, tried in turn when one refuses the handshake
    /// [default: wss://webcast100-ws-web-{lf,hl,lq}.douyin.com/webcast/im/push/v2/].
    #[arg(long, value_name = "URL")]
    push_url: Vec<String>,
    /// Go out through this proxy (page, room-info API and WebSocket): http://, socks5:// or
    /// socks5h:// (the proxy resolves names), with user:password@ if it wants them. A room
    /// line of --rooms may name its own (`ROOM proxy=URL`). Without it, DANMU_PROXY, then
    /// HTTPS_PROXY / ALL_PROXY (not for loopback or NO_PROXY hosts) are used.
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
}

pub fn run(args: CaptureArgs) -> Result<Outcome> {
    let cookies = match &args.cookies {
        Some(path) => Some(Cookies::load(path, now_ms() / 1000)?),
        None => None,
    };
    // Parsed here rather than by clap, whose error would repeat the URL, password and all.
    let proxy = match args
        .proxy
        .as_deref()
        .map(str::parse::<ProxyUrl>)
        .transpose()
    {
        Ok(p) => p,
        Err(e) => return usage(&format!("--proxy: {e}")),
    };
    let env = match ProxyEnv::from_env() {
        Ok(env) => env,
        Err(e) => return usage(&e.to_string()),
    };
    let mut secrets = cookies.as_ref().map(Cookies::values).unwrap_or_default();
    secrets.extend(proxy.iter().flat_map(ProxyUrl::secrets));
    secrets.extend(env.secrets());
    let settings = Settings {
        heartbeat: args.heartbeat.unwrap_or(Duration::from_secs(10)),
        heartbeat_fixed: args.heartbeat.is_some(),
        max_reconnects: args.max_reconnects,
        follow: args.follow,
        poll: args.poll,
        status_every: args.status_every,
        print: args.print,
        logged_in: cookies.as_ref().is_some_and(Cookies::logged_in),
        gift_hint_after: args.gift_hint_after,
        ..Settings::default()
    };
    if settings.heartbeat < Duration::from_millis(20) {
        bail!("--heartbeat must be at least 20ms");
    }
    let mut targets = Vec::new();
    if let Some(url) = &args.ws_url {
        targets.push(Target::Push(url.clone()));
    }
    for room in &args.rooms {
        targets.push(Target::parse(room)?);
    }
    let mut room_proxies = HashMap::new();
    if let Some(path) = &args.rooms_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the rooms file {}", path.display()))?;
        let rooms = match parse_rooms_file(&text) {
            Ok(r) => r,
            Err((line, e)) => return usage(&format!("{}, line {line}: {e}", path.display())),
        };
        for r in rooms {
            if let Some(p) = r.proxy {
                secrets.extend(p.secrets());
                room_proxies.insert(r.target.clone(), p);
            }
            targets.push(r.target);
        }
    }
    let targets = match dedup(targets) {
        Ok(t) => t,
        Err(e) => return usage(&e),
    };
    if targets.is_empty() {
        return usage("give the room to record (its URL or web id), --ws-url URL, or --rooms FILE");
    }
    for url in targets.iter().filter_map(|t| match t {
        Target::Push(url) => Some(url),
        Target::Room(_) => None,
    }) {
        check_ws_url(url)?;
    }
    for url in &args.push_url {
        if let Err(e) = check_ws_url(url) {
            return usage(&format!("--push-url: {e}"));
        }
    }
    let mut rooms = match (&args.out, &args.out_dir) {
        (Some(out), None) if targets.len() == 1 => {
            vec![RoomPlan::new(targets[0].clone(), out.clone())]
        }
        (Some(_), None) => {
            return usage(
                "several rooms are recorded into a directory: give --out-dir DIR instead of --out",
            )
        }
        (None, Some(dir)) => {
            if args.signature.is_some() && targets.len() > 1 {
                return usage("--signature signs one room; with several rooms leave it out (the signature is computed per room) or use --signer");
            }
            if args.room_id.is_some() && targets.len() > 1 {
                return usage("--room-id names one push URL's room; with several, give each URL its own room_id parameter");
            }
            if args.dump_page.is_some() && targets.len() > 1 {
                return usage("--dump-page saves one room's page; give it with one room");
            }
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the directory {}", dir.display()))?;
            rooms_in(dir, targets)
        }
        _ => return usage("give --out FILE (one room) or --out-dir DIR"),
    };
    for r in &mut rooms {
        r.proxies = Proxies {
            explicit: room_proxies.get(&r.target).or(proxy.as_ref()).cloned(),
            env: env.clone(),
        };
    }
    // -v shows the network crates' log: the same values are scrubbed from it.
    super::verbosity::hide(&secrets);
    let log = Log::stderr(args.tz).hiding(secrets);
    let cookies = cookies.unwrap_or_default();
    if !cookies.is_empty() || !cookies.expired().is_empty() {
        log.line(cookies.describe(args.cookies.as_deref()));
    }
    // Opened once, before any room starts: a wrong directory or zone fails now, and rooms
    // recorded in parallel never race to create it.
    let dataset = match &args.dataset {
        Some(dir) => Some(
            Dataset::open(dir, &args.tz)
                .with_context(|| format!("opening the dataset {} failed", dir.display()))?,
        ),
        None => None,
    };
    let plan = Plan {
        join: Join {
            site: args.site_url.clone(),
            push_bases: if args.push_url.is_empty() {
                default_push_bases()
            } else {
                args.push_url.clone()
            },
            user_agent: args.user_agent.clone(),
            sdk_version: args.sdk_version.clone(),
            signature: args.signature.clone(),
            signer: args.signer.clone(),
            cookies,
            dump_page: args.dump_page.clone(),
            room_id: args.room_id,
            ..Join::default()
        },
        rooms,
        settings,
        rotate: args.rotate,
        dataset,
    };
    // Every output is checked before any room is contacted: a typo in a path fails now, not
    // after joining the room.
    recording::check(&plan)?;
    let several = plan.rooms.len() > 1;
    if several {
        log.line(format!(
            "recording {} room(s) into {}",
            plan.rooms.len(),
            args.out_dir.as_deref().unwrap_or(Path::new(".")).display()
        ));
    }
    let stop = install_signal_handlers()?;
    let outcome = recording::record(&plan, &stop, &log);
    if !several {
        // The one room's error is the process's own, printed by main (a stop, or a room that
        // is not live or gone, says why and exits with its code).
        let (_, end) = &outcome.rooms[0];
        match end {
            RoomEnd::Failed(msg) => bail!("{msg}"),
            RoomEnd::NotLive(msg) | RoomEnd::NoSuchRoom(msg) => eprintln!("error: {msg}"),
            RoomEnd::Session(_) => {}
        }
    }
    Ok(Outcome::Exit(outcome.exit_code()))
}

fn usage(msg: &str) -> Result<Outcome> {
    eprintln!("error: {msg}");
    Ok(Outcome::Exit(2))
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

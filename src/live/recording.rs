//! Recording live rooms, as a library call: one room or many, each on a thread of its own with
//! its own connection, heartbeat, back-off, `--follow` and proxy; the stop signal; rotation;
//! closed files appended to a dataset as they come; and how the rooms ended, with the process
//! exit code that follows from it as a value. `capture` only configures a [`Plan`].
//!
//! ```no_run
//! use std::sync::atomic::AtomicUsize;
//! use danmu_analyze::live::{log::Log, recording::{self, Plan, RoomPlan}, rooms::Target};
//! use danmu_analyze::timefmt::Zone;
//!
//! let target = Target::parse("ws://127.0.0.1:9000/?room_id=42").unwrap();
//! let plan = Plan::new(vec![RoomPlan::new(target, "room.dmcap".into())]);
//! let log = Log::stderr(Zone::default());
//! let outcome = recording::record(&plan, &AtomicUsize::new(0), &log);
//! std::process::exit(outcome.exit_code().into());
//! ```

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::browser::{handshake_headers, DEFAULT_USER_AGENT, SITE_URL};
use super::cookies::{scrub, Cookies};
use super::log::Log;
use super::proxy::Proxies;
use super::recorder::{prepare_output, Recorder};
use super::room::PageError;
use super::rooms::Target;
use super::session::{self, End, Endpoint, Settings};
use super::source::{RoomSource, Signing};
use super::spec::{human_bytes, human_duration, Rotate};
use super::url::{default_push_bases, host_name, query_param, DEFAULT_SDK_VERSION};
use super::LiveError;

/// Exit code: reconnecting failed `max_reconnects` times in a row.
pub const EXIT_GAVE_UP: u8 = 4;
/// Exit code: the room is not live (and `follow` was off); nothing was recorded.
pub const EXIT_NOT_LIVE: u8 = 5;
/// Exit code: the room does not exist (removed, or a wrong id); nothing was recorded.
pub const EXIT_NO_SUCH_ROOM: u8 = 6;

/// One room to record and where.
#[derive(Debug, Clone)]
pub struct RoomPlan {
    pub target: Target,
    /// The capture file, or with rotation the stem of its time-stamped files.
    pub out: PathBuf,
    /// Its proxies: its own (a `--rooms` line's `proxy=`), else `--proxy`, and the
    /// environment's.
    pub proxies: Proxies,
}

impl RoomPlan {
    pub fn new(target: Target, out: PathBuf) -> RoomPlan {
        RoomPlan {
            target,
            out,
            proxies: Proxies::default(),
        }
    }
}

/// How a room's page is turned into a push endpoint.
#[derive(Debug, Clone)]
pub struct Join {
    /// The site of the room pages: [`SITE_URL`] but for tests and mirrors.
    pub site: String,
    /// Push servers tried in turn (base URLs without query).
    pub push_bases: Vec<String>,
    pub user_agent: String,
    pub sdk_version: String,
    /// A signature to use as it is (one room), else a command that signs, else the built-in.
    pub signature: Option<String>,
    pub signer: Option<String>,
    pub cookies: Cookies,
    /// Save the room page here (one room).
    pub dump_page: Option<PathBuf>,
    /// For a push URL given as it is: the room id its records carry [default: its `room_id`].
    pub room_id: Option<u64>,
    pub timeout: Duration,
}

impl Default for Join {
    fn default() -> Join {
        Join {
            site: SITE_URL.to_string(),
            push_bases: default_push_bases(),
            user_agent: DEFAULT_USER_AGENT.to_string(),
            sdk_version: DEFAULT_SDK_VERSION.to_string(),
            signature: None,
            signer: None,
            cookies: Cookies::default(),
            dump_page: None,
            room_id: None,
            timeout: Duration::from_secs(15),
        }
    }
}

/// Everything a recording needs, checked by [`check`] before any room is contacted.
pub struct Plan {
    pub rooms: Vec<RoomPlan>,
    pub join: Join,
    pub settings: Settings,
    pub rotate: Option<Rotate>,
    /// Where every room's closed files are appended as they close.
    #[cfg(feature = "table")]
    pub dataset: Option<crate::dataset::Dataset>,
}

impl Plan {
    /// The rooms with every other setting at its default.
    pub fn new(rooms: Vec<RoomPlan>) -> Plan {
        Plan {
            rooms,
            join: Join::default(),
            settings: Settings::default(),
            rotate: None,
            #[cfg(feature = "table")]
            dataset: None,
        }
    }
}

/// How one room's recording ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomEnd {
    /// The session ended: the live ended, the server closed, a signal, or it gave up.
    Session(End),
    /// Not live (without `follow`): nothing recorded. The message says so.
    NotLive(String),
    /// No such room: nothing recorded.
    NoSuchRoom(String),
    /// Joining or writing failed.
    Failed(String),
}

impl RoomEnd {
    /// The exit code of a process that recorded only this room.
    pub fn exit_code(&self) -> u8 {
        match self {
            RoomEnd::Session(End::StreamEnded | End::Closed) => 0,
            RoomEnd::Session(End::GaveUp { .. }) => EXIT_GAVE_UP,
            RoomEnd::Session(End::Signal(sig)) => (128 + sig).clamp(0, 255) as u8,
            RoomEnd::NotLive(_) => EXIT_NOT_LIVE,
            RoomEnd::NoSuchRoom(_) => EXIT_NO_SUCH_ROOM,
            RoomEnd::Failed(_) => 1,
        }
    }

    /// What went wrong, for the rooms that did not record.
    pub fn error(&self) -> Option<&str> {
        match self {
            RoomEnd::NotLive(m) | RoomEnd::NoSuchRoom(m) | RoomEnd::Failed(m) => Some(m),
            RoomEnd::Session(_) => None,
        }
    }
}

/// How every room ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Each room's name and end, in the plan's order.
    pub rooms: Vec<(String, RoomEnd)>,
    /// The signal that stopped the recording, if one did.
    pub signal: Option<i32>,
}

impl Outcome {
    /// The process's exit code: a signal's, else the most serious room's (failed, gave up, no
    /// such room, not live), else 0.
    pub fn exit_code(&self) -> u8 {
        if let Some(sig) = self.signal {
            return (128 + sig).clamp(0, 255) as u8;
        }
        let codes: Vec<u8> = self.rooms.iter().map(|(_, e)| e.exit_code()).collect();
        [1, EXIT_GAVE_UP, EXIT_NO_SUCH_ROOM, EXIT_NOT_LIVE]
            .into_iter()
            .find(|c| codes.contains(c))
            .unwrap_or(0)
    }
}

/// Checks every output before any room is contacted: each room's capture file (folders made,
/// an existing file must be a capture file) and the page file.
pub fn check(plan: &Plan) -> Result<(), LiveError> {
    if let Some(page) = &plan.join.dump_page {
        prepare_output(page, "page file")?;
    }
    for r in &plan.rooms {
        Recorder::check(&r.out, plan.rotate)?;
    }
    Ok(())
}

/// Records every room of `plan` until each ends; `stop` holds a signal number once one came
/// (0 before). One room is recorded on this thread and logs to `log` as it is; several get a
/// thread each, log lines prefixed `[name] `, and a last line counting how they ended.
pub fn record(plan: &Plan, stop: &AtomicUsize, log: &Log) -> Outcome {
    let rooms = match plan.rooms.as_slice() {
        [one] => vec![(one.target.name(), record_room(plan, one, stop, log))],
        many => {
            let rooms = std::thread::scope(|scope| {
                let handles: Vec<_> = many
                    .iter()
                    .map(|r| {
                        let name = r.target.name();
                        let room_log = log.with_prefix(&format!("[{name}] "));
                        let handle = std::thread::Builder::new()
                            .name(format!("room-{name}"))
                            .spawn_scoped(scope, move || {
                                let end = record_room(plan, r, stop, &room_log);
                                if let Some(e) = end.error() {
                                    room_log.line(format!("error: {e}"));
                                }
                                end
                            });
                        (name, handle)
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|(name, h)| {
                        let end = match h {
                            Ok(h) => h.join().unwrap_or_else(|_| {
                                RoomEnd::Failed("its thread failed".to_string())
                            }),
                            Err(e) => {
                                let msg = format!("cannot start its thread: {e}");
                                log.line(format!("[{name}] error: {msg}"));
                                RoomEnd::Failed(msg)
                            }
                        };
                        (name, end)
                    })
                    .collect::<Vec<_>>()
            });
            let by = |c: u8| rooms.iter().filter(|(_, e)| e.exit_code() == c).count();
            log.line(format!(
                "all rooms done: {} ended, {} stopped by a signal, {} not live, {} not found, {} gave up, {} failed",
                by(0),
                by(130) + by(143),
                by(EXIT_NOT_LIVE),
                by(EXIT_NO_SUCH_ROOM),
                by(EXIT_GAVE_UP),
                by(1)
            ));
            rooms
        }
    };
    let signal = match stop.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s as i32),
    };
    Outcome { rooms, signal }
}

/// Records one room until it ends. Errors are scrubbed of every secret the log hides.
fn record_room(plan: &Plan, room: &RoomPlan, stop: &AtomicUsize, log: &Log) -> RoomEnd {
    match try_record_room(plan, room, stop, log) {
        Ok(end) => end,
        Err(e) => RoomEnd::Failed(scrub(&e, log.secrets())),
    }
}

fn try_record_room(
    plan: &Plan,
    room: &RoomPlan,
    stop: &AtomicUsize,
    log: &Log,
) -> Result<RoomEnd, String> {
    let join = &plan.join;
    let site_host = host_name(&join.site).to_string();
    if let Some(p) = room.proxies.for_host(&site_host) {
        let from = room
            .proxies
            .env
            .source_for(room.proxies.explicit.as_ref(), &site_host)
            .map(|v| format!(" (from {v})"))
            .unwrap_or_default();
        log.line(format!("going out through the proxy {p}{from}"));
    }
    let mut settings = plan.settings.clone();
    settings.proxies = room.proxies.clone();
    let source;
    let first = match &room.target {
        Target::Push(url) => {
            source = None;
            Some(push_endpoint(url, join))
        }
        Target::Room(web_id) => {
            let s = room_source(web_id, join, room.proxies.clone());
            let first = match s.resolve(log) {
                Ok(r) => Some(r.endpoint),
                Err(LiveError::Page(e @ PageError::NotLive { .. })) if settings.follow => {
                    log.line(format!("{e}; --follow: waiting for it to go live"));
                    None
                }
                Err(LiveError::Page(e @ PageError::NotLive { .. })) => {
                    return Ok(RoomEnd::NotLive(format!(
                        "room {web_id}: {e}; nothing was recorded (--follow waits for the next live)"
                    )));
                }
                Err(LiveError::Page(e @ PageError::NoSuchRoom { .. })) => {
                    return Ok(RoomEnd::NoSuchRoom(format!(
                        "room {web_id}: {e}; nothing was recorded"
                    )));
                }
                Err(LiveError::Page(PageError::NotUnderstood)) => {
                    let hint = match &join.dump_page {
                        Some(p) => format!("it was saved to {}", p.display()),
                        None => "run again with --dump-page page.html to save it for a look".into(),
                    };
                    return Err(format!(
                        "room {web_id}: {} (the room-info API did not say either); {hint}",
                        PageError::NotUnderstood
                    ));
                }
                Err(e) => return Err(format!("joining room {web_id} failed: {e}")),
            };
            source = Some(s);
            first
        }
    };

    // Listed before this run's first file exists.
    #[cfg(feature = "table")]
    let earlier = match &plan.dataset {
        Some(_) => super::recorder::earlier_files(&room.out),
        None => Vec::new(),
    };
    let mut recorder = Recorder::open(&room.out, plan.rotate, log.clone()).map_err(text)?;
    #[cfg(feature = "table")]
    let appender = match &plan.dataset {
        Some(ds) => {
            let dlog = log.clone();
            let a =
                super::appender::Appender::start(ds.clone(), earlier, move |line| dlog.line(line))
                    .map_err(text)?;
            recorder.on_close(a.sink());
            Some(a)
        }
        None => None,
    };
    log.line(format!(
        "recording to {}{}",
        recorder.current_path().map_or_else(
            || room.out.display().to_string(),
            |p| p.display().to_string()
        ),
        plan.rotate
            .map(|r| format!(", rotating {r}"))
            .unwrap_or_default()
    ));
    let fixed = first.clone();
    let mut next_live = || match &source {
        Some(s) => s.next_live(log),
        // A fixed URL: just connect again.
        None => Ok(fixed.clone()),
    };
    let summary = session::run(first, &settings, recorder, stop, log, &mut next_live);
    #[cfg(feature = "table")]
    if let Some(a) = appender {
        // The recorder is gone, so every file it closed is queued: wait for them to go in.
        a.finish().map_err(text)?;
    }
    let summary = summary.map_err(text)?;
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
    Ok(RoomEnd::Session(summary.end))
}

fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// A push URL connected to as it is, with the browser's headers.
fn push_endpoint(url: &str, join: &Join) -> Endpoint {
    let room_id = join.room_id.unwrap_or_else(|| {
        query_param(url, "room_id")
            .and_then(|r| r.parse().ok())
            .unwrap_or(0)
    });
    let cookie = if join.cookies.is_empty() {
        String::new()
    } else {
        join.cookies.header_with(&[])
    };
    Endpoint {
        url: url.to_string(),
        bases: Vec::new(),
        headers: handshake_headers(&join.user_agent, &join.site, &cookie),
        room_id,
    }
}

fn room_source(web_id: &str, join: &Join, proxies: Proxies) -> RoomSource {
    let signing = match (&join.signature, &join.signer) {
        (Some(sig), _) => Signing::Fixed(sig.clone()),
        (None, Some(cmd)) => Signing::Command(cmd.clone()),
        (None, None) => Signing::native(),
    };
    RoomSource {
        site: join.site.clone(),
        push_bases: join.push_bases.clone(),
        web_id: web_id.to_string(),
        user_agent: join.user_agent.clone(),
        sdk_version: join.sdk_version.clone(),
        signing,
        cookies: join.cookies.clone(),
        timeout: join.timeout,
        dump_page: join.dump_page.clone(),
        proxies,
    }
}

/// A URL that can never work fails now rather than after `max_reconnects` attempts.
pub fn check_ws_url(url: &str) -> Result<(), LiveError> {
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

/// `DIR/<name>.dmcap` for each target: several rooms recorded into one folder.
pub fn rooms_in(dir: &Path, targets: Vec<Target>) -> Vec<RoomPlan> {
    targets
        .into_iter()
        .map(|t| {
            let out = t.file_in(dir);
            RoomPlan::new(t, out)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ended(e: End) -> (String, RoomEnd) {
        ("r".into(), RoomEnd::Session(e))
    }

    #[test]
    fn the_exit_code_is_the_most_serious_rooms() {
        let gave_up = End::GaveUp {
            attempts: 3,
            last_error: "x".into(),
        };
        let o = |rooms, signal| Outcome { rooms, signal }.exit_code();
        assert_eq!(o(vec![ended(End::StreamEnded)], None), 0);
        assert_eq!(o(vec![ended(End::Closed), ended(gave_up.clone())], None), 4);
        assert_eq!(
            o(
                vec![
                    ("a".into(), RoomEnd::NotLive("n".into())),
                    ("b".into(), RoomEnd::NoSuchRoom("g".into()))
                ],
                None
            ),
            6
        );
        assert_eq!(
            o(
                vec![ended(gave_up), ("b".into(), RoomEnd::Failed("f".into()))],
                None
            ),
            1
        );
        assert_eq!(
            o(vec![("b".into(), RoomEnd::Failed("f".into()))], Some(15)),
            143
        );
        assert_eq!(RoomEnd::Session(End::Signal(2)).exit_code(), 130);
    }
}

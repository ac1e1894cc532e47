//! One live capture: connect, record every binary message before anything else, ACK what asks
//! for it, heartbeat, watch for silence, reconnect with backoff resuming from the last cursor,
//! and stop on a stream end, a `close` frame, a signal, or when reconnecting no longer helps.
//!
//! One thread, one loop: the socket's read timeout (a fraction of the heartbeat period) wakes the
//! loop for heartbeats, the watchdog, status lines and signals.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tungstenite::{Message, WebSocket};

use super::backoff::Backoff;
use super::conn::{connect, Stream};
use super::hosts::Hosts;
use super::log::{now_ms, Log};
use super::printer::{print_line, Counters, Seen};
use super::protocol::{ack_frame, heartbeat_frame};
use super::proxy::Proxies;
use super::recorder::Recorder;
use super::spec::human_duration;
use super::url::{host_of, named_push_base, set_query, short};
use super::LiveError;
use crate::decoder::{self, Depth, Received};
use crate::event::Kind;
use crate::frame::PayloadType;

/// Where to connect.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The push URL of a fresh connection; resuming replaces its `cursor` and `internal_ext`.
    pub url: String,
    /// Push servers (base URLs without query) to send `url`'s query to, in turn, when one
    /// refuses or blocks the handshake ([`Hosts`]); empty: `url` as it is.
    pub bases: Vec<String>,
    /// Handshake headers the browser sends (Cookie, User-Agent, Origin).
    pub headers: Vec<(String, String)>,
    /// Written into every record.
    pub room_id: u64,
}

/// How the session behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    pub heartbeat: Duration,
    /// `--heartbeat` was given: the server's `heartbeat_duration` does not override it.
    pub heartbeat_fixed: bool,
    /// Give up after this many failed reconnects in a row; 0 never gives up.
    pub max_reconnects: u32,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// After a stream end, wait for the next live instead of stopping.
    pub follow: bool,
    /// With `follow`: the first wait between looks for the next live (it grows tenfold).
    pub poll: Duration,
    pub status_every: Duration,
    /// Show chat, gifts and joins as they come.
    pub print: bool,
    pub connect_timeout: Duration,
    /// A login cookie was given (`--cookies`): gifts are expected to come.
    pub logged_in: bool,
    /// Without a login: chat for this long and no gift makes the status line say that gifts
    /// need a logged-in session.
    pub gift_hint_after: Duration,
    /// The proxies the WebSocket goes through (`--proxy`, a room's `proxy=`, the environment).
    pub proxies: Proxies,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            heartbeat: Duration::from_secs(10),
            heartbeat_fixed: false,
            max_reconnects: 20,
            backoff_min: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            follow: false,
            poll: Duration::from_secs(30),
            status_every: Duration::from_secs(60),
            print: false,
            connect_timeout: Duration::from_secs(10),
            logged_in: false,
            gift_hint_after: Duration::from_secs(300),
            proxies: Proxies::default(),
        }
    }
}

/// Why a session stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// A control message said the live ended (status 3).
    StreamEnded,
    /// The server sent a `close` frame.
    Closed,
    /// SIGINT, SIGTERM, …: the signal number.
    Signal(i32),
    /// This many connection attempts in a row failed.
    GaveUp { attempts: u32, last_error: String },
}

impl End {
    pub fn describe(&self) -> String {
        match self {
            End::StreamEnded => "the live ended".into(),
            End::Closed => "the server closed the stream".into(),
            End::Signal(2) => "stopped by SIGINT".into(),
            End::Signal(15) => "stopped by SIGTERM".into(),
            End::Signal(s) => format!("stopped by signal {s}"),
            End::GaveUp {
                attempts,
                last_error,
            } => format!(
                "gave up after {attempts} failed connection attempts in a row (last: {last_error})"
            ),
        }
    }
}

/// What a finished session did.
#[derive(Debug, Clone)]
pub struct Summary {
    pub end: End,
    pub counters: Counters,
    pub files: Vec<PathBuf>,
    pub records: u64,
    pub bytes_written: u64,
    pub elapsed: Duration,
}

/// Looks for the next live (`--follow`): `Ok(None)` while none is on.
pub type NextLive<'a> = dyn FnMut() -> Result<Option<Endpoint>, LiveError> + 'a;

/// How one connection ended.
enum ConnEnd {
    Ended(End),
    Signal(i32),
    Lost { reason: String, delivered: bool },
}

/// What to do after one received frame.
enum Step {
    Continue,
    End(End),
    Lost(String),
}

#[derive(Default, Clone)]
struct Resume {
    cursor: String,
    internal_ext: String,
}

struct Session<'a> {
    settings: &'a Settings,
    log: &'a Log,
    stop: &'a AtomicUsize,
    recorder: Recorder,
    endpoint: Endpoint,
    counters: Counters,
    seen: Seen,
    scratch: Vec<u8>,
    period: Duration,
    resume: Resume,
    hosts: Hosts,
    last_status: Instant,
    /// When the first chat message came, for the gifts-need-login hint.
    first_chat: Option<Instant>,
}

/// Runs a capture until it ends; `stop` holds a signal number once one arrived (0 before).
/// Without a first endpoint (`--follow` on a room not live yet) it starts by waiting for one.
/// Only failing to write the capture file is an error: connection trouble is retried.
pub fn run(
    first: Option<Endpoint>,
    settings: &Settings,
    recorder: Recorder,
    stop: &AtomicUsize,
    log: &Log,
    next_live: &mut NextLive,
) -> Result<Summary, LiveError> {
    let started = Instant::now();
    let waiting = first.is_none();
    let endpoint = first.unwrap_or(Endpoint {
        url: String::new(),
        bases: Vec::new(),
        headers: Vec::new(),
        room_id: 0,
    });
    let hosts = Hosts::new(endpoint.bases.clone());
    let mut s = Session {
        settings,
        log,
        stop,
        recorder,
        endpoint,
        counters: Counters::default(),
        seen: Seen::default(),
        scratch: Vec::new(),
        period: settings.heartbeat,
        resume: Resume::default(),
        hosts,
        last_status: Instant::now(),
        first_chat: None,
    };
    let end = match waiting.then(|| s.wait_next_live(next_live)).flatten() {
        Some(sig) => End::Signal(sig),
        None => s.run_loop(next_live)?,
    };
    let counters = s.counters.clone();
    let (records, bytes_written) = (s.recorder.records(), s.recorder.bytes());
    let files = s.recorder.finish()?;
    Ok(Summary {
        end,
        counters,
        files,
        records,
        bytes_written,
        elapsed: started.elapsed(),
    })
}

impl Session<'_> {
    fn signal(&self) -> Option<i32> {
        match self.stop.load(Ordering::SeqCst) {
            0 => None,
            s => Some(s as i32),
        }
    }

    fn url(&self) -> String {
        if self.resume.cursor.is_empty() && self.resume.internal_ext.is_empty() {
            return self.endpoint.url.clone();
        }
        set_query(
            &self.endpoint.url,
            &[
                ("cursor", &self.resume.cursor),
                ("internal_ext", &self.resume.internal_ext),
            ],
        )
    }

    fn run_loop(&mut self, next_live: &mut NextLive) -> Result<End, LiveError> {
        let mut backoff = Backoff::new(self.settings.backoff_min, self.settings.backoff_max);
        let mut failures = 0u32;
        loop {
            if let Some(sig) = self.signal() {
                return Ok(End::Signal(sig));
            }
            let (url, why) = self.hosts.pick(&self.url());
            let reason = match connect(
                &url,
                &self.endpoint.headers,
                self.settings.connect_timeout,
                &self.settings.proxies,
            ) {
                // A signal interrupts a connect in progress: that is a stop, not a failure.
                Err(_) if self.signal().is_some() => continue,
                Err(e) => {
                    let reason = format!("connecting to {} failed: {e}", short(&url));
                    if e.another_host_may_help() && self.next_host(&reason) {
                        continue;
                    }
                    failures += 1;
                    reason
                }
                Ok(ws) => {
                    self.counters.connections += 1;
                    let resumed = if self.resume.cursor.is_empty() {
                        String::new()
                    } else {
                        format!(", resuming from cursor {}", self.resume.cursor)
                    };
                    self.log.line(format!(
                        "connected to {} (room {}; {why}{resumed})",
                        short(&url),
                        self.endpoint.room_id
                    ));
                    match self.stream(ws)? {
                        ConnEnd::Signal(sig) => return Ok(End::Signal(sig)),
                        ConnEnd::Ended(end) if self.settings.follow => {
                            self.log.line(format!(
                                "{}; --follow: waiting for the next live",
                                end.describe()
                            ));
                            match self.wait_next_live(next_live) {
                                Some(sig) => return Ok(End::Signal(sig)),
                                None => {
                                    failures = 0;
                                    backoff.reset();
                                    continue;
                                }
                            }
                        }
                        ConnEnd::Ended(end) => return Ok(end),
                        // A read or write cut short by the signal is not a lost connection.
                        ConnEnd::Lost { .. } if self.signal().is_some() => continue,
                        ConnEnd::Lost {
                            reason,
                            delivered: true,
                        } => {
                            failures = 0;
                            backoff.reset();
                            self.hosts.delivered();
                            reason
                        }
                        ConnEnd::Lost {
                            reason,
                            delivered: false,
                        } => {
                            // Closed right after the upgrade: how a host that will not serve
                            // this client often says so.
                            let reason = format!("{reason} before sending anything");
                            if self.next_host(&reason) {
                                continue;
                            }
                            failures += 1;
                            reason
                        }
                    }
                }
            };
            let max = self.settings.max_reconnects;
            if max > 0 && failures > max {
                self.log.line(format!("{reason}; giving up"));
                return Ok(End::GaveUp {
                    attempts: failures,
                    last_error: reason,
                });
            }
            let delay = backoff.next_delay();
            let tally = match (failures, max) {
                (0, _) => String::new(),
                (n, 0) => format!(" ({n} failed in a row)"),
                (n, m) => format!(" ({n} failed in a row; giving up after {m})"),
            };
            self.log.line(format!(
                "{reason}; reconnecting in {}{tally}",
                human_duration(delay)
            ));
            if let Some(sig) = self.sleep(delay) {
                return Ok(End::Signal(sig));
            }
            // Counted once it happens: a stop during the wait is no reconnect.
            self.counters.reconnects += 1;
        }
    }

    /// After a failed connect: whether another push host is to be tried at once (logged with
    /// `reason`), or every host of this round has failed and the session backs off.
    fn next_host(&mut self, reason: &str) -> bool {
        match self.hosts.failed() {
            Some(host) => {
                self.log
                    .line(format!("{reason}; trying the next push host, {host}"));
                true
            }
            None => false,
        }
    }

    /// Sleeps, waking early for a signal.
    fn sleep(&mut self, d: Duration) -> Option<i32> {
        let until = Instant::now() + d;
        loop {
            if let Some(sig) = self.signal() {
                return Some(sig);
            }
            self.maybe_status();
            let now = Instant::now();
            if now >= until {
                return None;
            }
            std::thread::sleep((until - now).min(Duration::from_millis(50)));
        }
    }

    /// Polls for the next live with growing waits; `Some(signal)` when stopped meanwhile.
    fn wait_next_live(&mut self, next_live: &mut NextLive) -> Option<i32> {
        let poll = self.settings.poll;
        let mut backoff = Backoff::new(poll, poll * 10);
        loop {
            if let Some(sig) = self.sleep(backoff.next_delay()) {
                return Some(sig);
            }
            match next_live() {
                Ok(Some(endpoint)) => {
                    if endpoint.bases != self.hosts.bases() {
                        self.hosts = Hosts::new(endpoint.bases.clone());
                    }
                    self.endpoint = endpoint;
                    self.resume = Resume::default();
                    return None;
                }
                Ok(None) => {}
                Err(e) => self.log.line(format!("looking for the next live: {e}")),
            }
        }
    }

    fn maybe_status(&mut self) {
        if self.last_status.elapsed() < self.settings.status_every {
            return;
        }
        self.last_status = Instant::now();
        let file = self
            .recorder
            .current_path()
            .map(|p| format!(", writing {}", p.display()))
            .unwrap_or_default();
        self.log.line(format!(
            "status: {}{file}{}",
            self.counters.line(),
            self.gift_hint()
        ));
        // Flushed per record already; this puts the last minute on disk too.
        if let Err(e) = self.recorder.sync() {
            self.log.line(format!("warning: {e}"));
        }
    }

    /// Chat for a long while, no gift, no login cookie: since late 2025 Douyin sends gifts only
    /// to logged-in sessions, and a recording without them looks complete but is not.
    fn gift_hint(&self) -> String {
        let chatting = self
            .first_chat
            .is_some_and(|t| t.elapsed() >= self.settings.gift_hint_after);
        let gifts = self
            .counters
            .messages
            .get(&Kind::Gift)
            .copied()
            .unwrap_or(0);
        if self.settings.logged_in || !chatting || gifts > 0 {
            return String::new();
        }
        format!(
            "; no gift message in {} of chat: gifts need a logged-in session, give --cookies (a cookies.txt exported from a browser logged in to douyin.com)",
            human_duration(self.first_chat.map_or(Duration::ZERO, |t| t.elapsed()))
        )
    }

    fn tick(&self) -> Duration {
        (self.period / 4).clamp(Duration::from_millis(10), Duration::from_millis(250))
    }

    /// Reads one connection until it ends.
    fn stream(&mut self, mut ws: WebSocket<Stream>) -> Result<ConnEnd, LiveError> {
        let mut tick = self.tick();
        if let Err(e) = ws.get_ref().tcp().set_read_timeout(Some(tick)) {
            return Ok(ConnEnd::Lost {
                reason: format!("socket setup failed: {e}"),
                delivered: false,
            });
        }
        let mut delivered = false;
        let mut last_rx = Instant::now();
        let mut next_hb = Instant::now();
        let mut ending: Option<(End, Instant)> = None;
        let lost = |reason: String, delivered| ConnEnd::Lost { reason, delivered };
        loop {
            if let Some(sig) = self.signal() {
                self.close_politely(&mut ws)?;
                return Ok(ConnEnd::Signal(sig));
            }
            let now = Instant::now();
            if let Some((end, deadline)) = &ending {
                if now >= *deadline {
                    self.close_politely(&mut ws)?;
                    return Ok(ConnEnd::Ended(end.clone()));
                }
            }
            if now >= next_hb {
                if let Err(e) = send(&mut ws, heartbeat_frame()) {
                    return Ok(lost(format!("sending a heartbeat failed: {e}"), delivered));
                }
                self.counters.heartbeats_sent += 1;
                next_hb = now + self.period;
            }
            self.maybe_status();
            let msg = match ws.read() {
                Ok(m) => m,
                // EINTR: a signal arrived during the read; the loop's top looks at it.
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) =>
                {
                    if self.signal().is_some() {
                        continue;
                    }
                    // Judged only after a read found nothing: a process that was paused
                    // reads what waits in the socket before calling the connection dead.
                    let silence = last_rx.elapsed();
                    if silence >= self.period * 2 && ending.is_none() {
                        return Ok(lost(
                            format!(
                                "nothing received for {} (2 heartbeat periods)",
                                human_duration(silence)
                            ),
                            delivered,
                        ));
                    }
                    continue;
                }
                Err(e) => {
                    if let Some((end, _)) = ending {
                        return Ok(ConnEnd::Ended(end));
                    }
                    let reason = match e {
                        tungstenite::Error::ConnectionClosed
                        | tungstenite::Error::AlreadyClosed => "the connection was closed".into(),
                        e => format!("the connection broke: {e}"),
                    };
                    return Ok(lost(reason, delivered));
                }
            };
            last_rx = Instant::now();
            match msg {
                Message::Binary(bytes) => {
                    delivered = true;
                    let received_at_ms = now_ms();
                    // Recorded before anything else is done with it: decoding or ACKing can
                    // fail, the record must not.
                    self.recorder
                        .write(bytes.to_vec(), received_at_ms, self.endpoint.room_id)?;
                    match self.handle(&bytes, received_at_ms, &mut ws) {
                        Step::Continue => {}
                        Step::Lost(reason) => return Ok(lost(reason, delivered)),
                        Step::End(End::StreamEnded) if ending.is_none() => {
                            // Whatever follows (a `close` frame, last messages) is recorded
                            // too, for a moment.
                            let grace = self.period.min(Duration::from_secs(2));
                            ending = Some((End::StreamEnded, Instant::now() + grace));
                        }
                        Step::End(end) => {
                            let end = ending.take().map_or(end, |(e, _)| e);
                            self.close_politely(&mut ws)?;
                            return Ok(ConnEnd::Ended(end));
                        }
                    }
                    let t = self.tick();
                    if t != tick {
                        tick = t;
                        let _ = ws.get_ref().tcp().set_read_timeout(Some(tick));
                    }
                }
                Message::Text(t) => {
                    self.log.line(format!(
                        "warning: ignoring a text message from the server ({} bytes)",
                        t.len()
                    ));
                }
                Message::Close(frame) => {
                    let _ = ws.flush();
                    if let Some((end, _)) = ending {
                        return Ok(ConnEnd::Ended(end));
                    }
                    let why = frame
                        .map(|f| format!(" (code {}, `{}`)", u16::from(f.code), f.reason))
                        .unwrap_or_default();
                    return Ok(lost(
                        format!("the server closed the WebSocket{why}"),
                        delivered,
                    ));
                }
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            }
        }
    }

    /// Sends a Close frame and waits briefly for the server's answer. Frames still arriving
    /// meanwhile are recorded too (not ACKed: the session is over).
    fn close_politely(&mut self, ws: &mut WebSocket<Stream>) -> Result<(), LiveError> {
        if ws.close(None).is_err() {
            return Ok(());
        }
        let until = Instant::now() + Duration::from_millis(500);
        while Instant::now() < until {
            match ws.read() {
                Ok(Message::Binary(bytes)) => {
                    self.recorder
                        .write(bytes.to_vec(), now_ms(), self.endpoint.room_id)?;
                    self.counters.frames += 1;
                    self.counters.bytes += bytes.len() as u64;
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => break,
            }
        }
        Ok(())
    }

    /// Decodes a recorded frame: ACK, resume point, heartbeat period, counters, `--print`.
    fn handle(&mut self, bytes: &[u8], received_at_ms: u64, ws: &mut WebSocket<Stream>) -> Step {
        self.counters.frames += 1;
        self.counters.bytes += bytes.len() as u64;
        let at = Received {
            at_ms: received_at_ms,
            room_id: self.endpoint.room_id,
        };
        let frame = match decoder::decode(bytes, at, Depth::Events, &mut self.scratch) {
            Ok(f) => f,
            Err(e) => {
                if let Some(t) = e.payload_type {
                    *self.counters.frames_by_type.entry(t).or_default() += 1;
                }
                self.counters.undecodable += 1;
                self.log.line(format!(
                    "warning: frame {} ({}); recorded as received",
                    self.counters.frames, e.message
                ));
                return Step::Continue;
            }
        };
        *self
            .counters
            .frames_by_type
            .entry(frame.payload_type.clone())
            .or_default() += 1;
        match frame.kind {
            Some(PayloadType::Msg) => {}
            Some(PayloadType::Close) => return Step::End(End::Closed),
            _ => return Step::Continue,
        }
        let Some(response) = &frame.response else {
            return Step::Continue;
        };
        if response.need_ack {
            if let Err(e) = send(ws, ack_frame(frame.log_id, &response.internal_ext)) {
                return Step::Lost(format!("sending an ACK failed: {e}"));
            }
            self.counters.acks_sent += 1;
        }
        if !response.cursor.is_empty() {
            self.resume.cursor.clone_from(&response.cursor);
        }
        if !response.internal_ext.is_empty() {
            self.resume.internal_ext.clone_from(&response.internal_ext);
        }
        if !response.push_server.is_empty() {
            let current = self.hosts.pick(&self.endpoint.url).0;
            if let Some(base) = named_push_base(&response.push_server, &current) {
                if self.hosts.name(base.clone()) {
                    self.log.line(format!(
                        "the server names its push server {}: connecting there next time",
                        host_of(&base)
                    ));
                }
            }
        }
        if response.heartbeat_duration > 0 && !self.settings.heartbeat_fixed {
            let asked = Duration::from_secs(response.heartbeat_duration.clamp(1, 300));
            if asked != self.period {
                self.log.line(format!(
                    "the server asks for a heartbeat every {}",
                    human_duration(asked)
                ));
                self.period = asked;
            }
        }
        self.counters.undecodable += frame.failed.len() as u64;
        let mut step = Step::Continue;
        for ev in frame.events {
            if ev.kind == Kind::Control && ev.control_status == Some(3) {
                step = Step::End(End::StreamEnded);
            }
            if !self.seen.first_time(ev.room_id, ev.msg_id) {
                self.counters.redelivered += 1;
                continue;
            }
            *self.counters.messages.entry(ev.kind).or_default() += 1;
            if ev.kind == Kind::Chat && self.first_chat.is_none() {
                self.first_chat = Some(Instant::now());
            }
            if self.settings.print {
                if let Some(line) = print_line(&ev) {
                    self.log.line(line);
                }
            }
        }
        if matches!(step, Step::End(_)) {
            self.log.line("the server says the live has ended");
        }
        step
    }
}

/// Sends a binary message. A write that would block stays queued in the WebSocket and goes out
/// with the next read or write: not an error.
fn send(ws: &mut WebSocket<Stream>, bytes: Vec<u8>) -> Result<(), tungstenite::Error> {
    match ws.send(Message::binary(bytes)) {
        Err(tungstenite::Error::Io(e))
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            Ok(())
        }
        r => r,
    }
}

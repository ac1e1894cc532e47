//! A push server that serves a capture file: every client gets the recorded frames at their
//! recorded pace (scaled), and its ACKs and heartbeats are checked against what the protocol
//! asks for. A client that connects with a `cursor` the capture holds resumes after it.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tungstenite::{Message, WebSocket};

use super::conn::MAX_MESSAGE;
use super::log::Log;
use super::protocol::{classify_client_frame, ClientFrame, HEARTBEAT};
use super::spec::{human_bytes, human_duration};
use super::url::query_param;
use super::LiveError;
use crate::capture::{CaptureReader, RecordAt};
use crate::decoder::{self, Depth, Received};

#[derive(Debug, Clone)]
pub struct ReplaySettings {
    /// 1 is the recorded pace, 2 twice as fast; 0 as fast as possible.
    pub speed: f64,
    /// Serve one client, then stop.
    pub once: bool,
    /// How long a client may make no progress: after the last frame, silence this long while
    /// it reads the rest ends the wait for its close; a send that cannot go out for this long
    /// drops the client. Every ACK or heartbeat it sends counts as progress.
    pub linger: Duration,
}

impl Default for ReplaySettings {
    fn default() -> Self {
        ReplaySettings {
            speed: 1.0,
            once: false,
            linger: Duration::from_secs(30),
        }
    }
}

/// What one client got and sent back.
#[derive(Debug, Clone, Default)]
pub struct ClientReport {
    pub peer: String,
    pub frames_sent: u64,
    pub bytes_sent: u64,
    pub acks_ok: u64,
    /// ACKs with the wrong payload, for an unknown log_id, or sent twice.
    pub acks_wrong: u64,
    /// Frames that asked for an ACK and got none.
    pub acks_missing: u64,
    pub heartbeats_ok: u64,
    /// Of `heartbeats_ok`: sent as WebSocket pings carrying the heartbeat bytes, as some
    /// third-party clients do.
    pub heartbeats_as_ping: u64,
    pub heartbeats_malformed: u64,
    /// Anything else the client sent.
    pub other: u64,
    /// The client went away before the capture's end.
    pub left_early: bool,
    /// After the last frame, the client neither closed nor sent anything for --linger (or
    /// stopped reading while frames were being sent): the connection was closed on it.
    pub cut_off: bool,
    pub resumed_after: Option<String>,
    pub elapsed: Duration,
}

impl ClientReport {
    pub fn line(&self) -> String {
        format!(
            "client {}: sent {} frames ({}) in {}{}{}{}; ACKs: {} ok, {} wrong, {} missing; heartbeats: {} ok{}, {} malformed; {} other messages",
            self.peer,
            self.frames_sent,
            human_bytes(self.bytes_sent),
            human_duration(self.elapsed),
            self.resumed_after
                .as_deref()
                .map(|c| format!(", resumed after cursor {c}"))
                .unwrap_or_default(),
            if self.left_early { ", client left early" } else { "" },
            if self.cut_off {
                ", closed on a client that made no progress for --linger"
            } else {
                ""
            },
            self.acks_ok,
            self.acks_wrong,
            self.acks_missing,
            self.heartbeats_ok,
            if self.heartbeats_as_ping > 0 {
                format!(" ({} as WebSocket pings)", self.heartbeats_as_ping)
            } else {
                String::new()
            },
            self.heartbeats_malformed,
            self.other
        )
    }

    /// Whether the client did everything the protocol asks.
    pub fn clean(&self) -> bool {
        self.acks_wrong == 0
            && self.acks_missing == 0
            && self.heartbeats_malformed == 0
            && self.other == 0
    }
}

/// Every client's report, and the capture records that could not be read.
#[derive(Debug, Clone, Default)]
pub struct ReplaySummary {
    pub clients: Vec<ClientReport>,
    pub unreadable_records: u64,
}

/// Checks that `path` is a readable capture, so a typo fails before anything listens.
pub fn check_capture(path: &Path) -> Result<(), LiveError> {
    CaptureReader::open(path)
        .map(|_| ())
        .map_err(|source| LiveError::Open {
            path: path.to_path_buf(),
            source,
        })
}

/// Serves `path` to every client of `listener` until `stop` is set (a signal) or, with `once`,
/// the first client is done.
pub fn serve(
    listener: TcpListener,
    path: &Path,
    settings: &ReplaySettings,
    stop: Arc<AtomicUsize>,
    log: &Log,
) -> Result<ReplaySummary, LiveError> {
    check_capture(path)?;
    listener.set_nonblocking(true)?;
    let mut workers: Vec<std::thread::JoinHandle<(ClientReport, u64)>> = Vec::new();
    let mut summary = ReplaySummary::default();
    while stop.load(Ordering::SeqCst) == 0 {
        let (stream, peer) = match listener.accept() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            Err(e) => {
                log.line(format!("warning: accepting a client failed: {e}"));
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let client = Client {
            path: path.to_path_buf(),
            settings: settings.clone(),
            stop: stop.clone(),
            log: log.clone(),
        };
        if settings.once {
            let (report, unreadable) = client.serve(stream, peer);
            summary.clients.push(report);
            summary.unreadable_records += unreadable;
            break;
        }
        let worker = std::thread::Builder::new()
            .name(format!("replay-{peer}"))
            .spawn(move || client.serve(stream, peer))?;
        workers.push(worker);
    }
    for w in workers {
        if let Ok((report, unreadable)) = w.join() {
            summary.clients.push(report);
            summary.unreadable_records += unreadable;
        }
    }
    Ok(summary)
}

struct Client {
    path: PathBuf,
    settings: ReplaySettings,
    stop: Arc<AtomicUsize>,
    log: Log,
}

/// What a client's message meant for the replay.
enum Heard {
    Nothing,
    Something,
    Left,
}

/// The client's open ACKs: log_id → the internal_ext payloads owed, oldest first.
type Pending = HashMap<u64, VecDeque<Vec<u8>>>;

/// Mismatches logged per client; the rest are only counted.
const LOGGED_PROBLEMS: u64 = 10;

impl Client {
    fn serve(self, stream: TcpStream, peer: SocketAddr) -> (ClientReport, u64) {
        let started = Instant::now();
        let mut report = ClientReport {
            peer: peer.to_string(),
            ..ClientReport::default()
        };
        let mut unreadable = 0;
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_nodelay(true);
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        // A send that cannot go out for this long means a client that stopped reading.
        let _ =
            stream.set_write_timeout(Some(self.settings.linger.max(Duration::from_millis(100))));
        let mut uri = String::new();
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE))
            .max_frame_size(Some(MAX_MESSAGE));
        // The error type is tungstenite's Callback signature, not ours to shrink.
        #[allow(clippy::result_large_err)]
        let callback = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
            uri = req.uri().to_string();
            Ok(resp)
        };
        let mut ws = match tungstenite::accept_hdr_with_config(stream, callback, Some(config)) {
            Ok(ws) => ws,
            Err(e) => {
                self.log
                    .line(format!("client {peer}: WebSocket handshake failed: {e}"));
                report.left_early = true;
                return (report, 0);
            }
        };
        self.log.line(format!("client {peer} connected: {uri}"));
        let mut pending = Pending::new();
        let outcome = self.send_all(&mut ws, &uri, &mut report, &mut pending, &mut unreadable);
        match outcome {
            Ok(()) => self.drain(&mut ws, &mut report, &mut pending),
            Err(SendEnd::Stuck) => {
                report.cut_off = true;
                report.left_early = true;
            }
            Err(SendEnd::Gone) => report.left_early = true,
        }
        // No reset with data in flight: half-close, and read until the client closes too.
        hang_up_gently(ws.get_mut());
        report.acks_missing = pending.values().map(|q| q.len() as u64).sum();
        report.elapsed = started.elapsed();
        self.log.line(report.line());
        (report, unreadable)
    }

    /// After the last frame: the close frame goes out behind every frame, so the client's close
    /// answer means it has read them all. Until then its ACKs and heartbeats are heard; a client
    /// that says nothing for --linger, or a signal, ends the wait.
    fn drain(
        &self,
        ws: &mut WebSocket<TcpStream>,
        report: &mut ClientReport,
        pending: &mut Pending,
    ) {
        let close = ws.close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "end of the capture".into(),
        }));
        if let Err(tungstenite::Error::Io(e)) = &close {
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) {
                report.cut_off = true;
                return;
            }
        }
        let started = Instant::now();
        let mut last_heard = Instant::now();
        loop {
            if self.stop.load(Ordering::SeqCst) != 0 || started.elapsed() >= DRAIN_MAX {
                return;
            }
            if last_heard.elapsed() >= self.settings.linger {
                report.cut_off = true;
                return;
            }
            match self.hear(ws, report, pending, Duration::from_millis(50)) {
                Heard::Left => return,
                Heard::Something => last_heard = Instant::now(),
                Heard::Nothing => {}
            }
        }
    }

    /// Sends the capture's frames at their pace; `Err` when the client left, stopped reading,
    /// or a signal came.
    fn send_all(
        &self,
        ws: &mut WebSocket<TcpStream>,
        uri: &str,
        report: &mut ClientReport,
        pending: &mut Pending,
        unreadable: &mut u64,
    ) -> Result<(), SendEnd> {
        let cursor = query_param(uri, "cursor").filter(|c| !c.is_empty());
        let mut records = self.records(unreadable);
        if let Some(c) = &cursor {
            let is_it = |r: &RecordAt| frame_cursor(&r.record.frame).as_ref() == Some(c);
            let mut probe_unreadable = 0;
            if self.records(&mut probe_unreadable).any(|r| is_it(&r)) {
                let _ = records.by_ref().find(is_it);
                report.resumed_after = Some(c.clone());
            } else {
                self.log.line(format!(
                    "client {}: cursor {c} is not in the capture; sending it from the start",
                    report.peer
                ));
            }
        }
        let mut start: Option<(Instant, u64)> = None;
        for rec in records {
            let t = rec.record.received_at_ms;
            let (t0, first) = *start.get_or_insert((Instant::now(), t));
            if self.settings.speed > 0.0 {
                let offset = t.saturating_sub(first) as f64 / 1000.0 / self.settings.speed;
                let due = t0 + Duration::try_from_secs_f64(offset).unwrap_or(Duration::MAX / 4);
                loop {
                    if self.stop.load(Ordering::SeqCst) != 0 {
                        return Err(SendEnd::Gone);
                    }
                    let now = Instant::now();
                    if now >= due {
                        break;
                    }
                    let wait = (due - now).min(Duration::from_millis(50));
                    if let Heard::Left = self.hear(ws, report, pending, wait) {
                        return Err(SendEnd::Gone);
                    }
                }
            } else if self.stop.load(Ordering::SeqCst) != 0 {
                return Err(SendEnd::Gone);
            }
            let frame = rec.record.frame;
            if let Some((log_id, ext)) = ack_owed(&frame) {
                pending.entry(log_id).or_default().push_back(ext);
            }
            let len = frame.len() as u64;
            match ws.send(Message::binary(frame)) {
                Ok(()) => {}
                // Nothing went out for --linger (the write timeout).
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    self.log.line(format!(
                        "client {}: stopped reading (nothing could be sent for {}); dropping it",
                        report.peer,
                        human_duration(self.settings.linger)
                    ));
                    return Err(SendEnd::Stuck);
                }
                Err(_) => return Err(SendEnd::Gone),
            }
            report.frames_sent += 1;
            report.bytes_sent += len;
            // Whatever the client sent meanwhile, without waiting.
            loop {
                match self.hear(ws, report, pending, Duration::ZERO) {
                    Heard::Nothing => break,
                    Heard::Something => {}
                    Heard::Left => return Err(SendEnd::Gone),
                }
            }
        }
        let _ = ws.flush();
        Ok(())
    }

    /// The capture's records, skipping (and counting) unreadable ones.
    fn records<'a>(&'a self, unreadable: &'a mut u64) -> Box<dyn Iterator<Item = RecordAt> + 'a> {
        let reader = match CaptureReader::open(&self.path) {
            Ok(r) => r,
            Err(e) => {
                self.log
                    .line(format!("warning: {}: {e}", self.path.display()));
                *unreadable += 1;
                return Box::new(std::iter::empty());
            }
        };
        let log = self.log.clone();
        let path = self.path.display().to_string();
        Box::new(reader.filter_map(move |r| match r {
            Ok(r) => Some(r),
            Err(e) => {
                log.line(format!("warning: {path}: {e}"));
                *unreadable += 1;
                None
            }
        }))
    }

    /// Reads one message from the client, waiting up to `wait` (zero: only what is there).
    fn hear(
        &self,
        ws: &mut WebSocket<TcpStream>,
        report: &mut ClientReport,
        pending: &mut Pending,
        wait: Duration,
    ) -> Heard {
        let set = if wait.is_zero() {
            ws.get_ref().set_nonblocking(true)
        } else {
            ws.get_ref()
                .set_nonblocking(false)
                .and_then(|()| ws.get_ref().set_read_timeout(Some(wait)))
        };
        if set.is_err() {
            return Heard::Left;
        }
        let msg = ws.read();
        if wait.is_zero() {
            let _ = ws.get_ref().set_nonblocking(false);
        }
        let bytes = match msg {
            Ok(Message::Binary(b)) => b,
            Ok(Message::Close(_)) => {
                // Sends tungstenite's queued answer, so the client need not wait for it.
                let _ = ws.flush();
                return Heard::Left;
            }
            Ok(Message::Text(t)) => {
                self.problem(report, format!("sent a text message: {}", clip(&t, 80)));
                report.other += 1;
                return Heard::Something;
            }
            Ok(Message::Ping(p)) => {
                // Some clients send their heartbeat as a ping carrying the heartbeat bytes
                // (tungstenite answers the pong); any other ping is a plain keep-alive.
                if p.as_ref() == HEARTBEAT {
                    report.heartbeats_ok += 1;
                    report.heartbeats_as_ping += 1;
                }
                let _ = ws.flush();
                return Heard::Something;
            }
            Ok(_) => return Heard::Something,
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Heard::Nothing
            }
            Err(_) => return Heard::Left,
        };
        match classify_client_frame(&bytes) {
            ClientFrame::Heartbeat => report.heartbeats_ok += 1,
            ClientFrame::Ack { log_id, payload } => {
                let expected = pending.get_mut(&log_id).and_then(VecDeque::pop_front);
                if pending.get(&log_id).is_some_and(VecDeque::is_empty) {
                    pending.remove(&log_id);
                }
                match expected {
                    Some(e) if e == payload => report.acks_ok += 1,
                    Some(e) => {
                        report.acks_wrong += 1;
                        self.problem(
                            report,
                            format!(
                                "ACK for log_id {log_id} carries `{}`, expected `{}`",
                                clip(&String::from_utf8_lossy(&payload), 120),
                                clip(&String::from_utf8_lossy(&e), 120)
                            ),
                        );
                    }
                    None => {
                        report.acks_wrong += 1;
                        self.problem(
                            report,
                            format!("ACK for log_id {log_id}, which no frame asked for (or ACKed twice)"),
                        );
                    }
                }
            }
            ClientFrame::Other(what) if what.contains("heartbeat") => {
                report.heartbeats_malformed += 1;
                self.problem(report, what);
            }
            ClientFrame::Other(what) => {
                report.other += 1;
                self.problem(report, format!("sent a {what}"));
            }
        }
        Heard::Something
    }

    fn problem(&self, report: &ClientReport, what: String) {
        let n = report.acks_wrong + report.heartbeats_malformed + report.other;
        if n <= LOGGED_PROBLEMS {
            self.log.line(format!("client {}: {what}", report.peer));
            if n == LOGGED_PROBLEMS {
                self.log.line(format!(
                    "client {}: further problems are only counted",
                    report.peer
                ));
            }
        }
    }
}

/// Why sending stopped early.
enum SendEnd {
    /// The client left, or a signal came.
    Gone,
    /// Nothing could be sent for --linger.
    Stuck,
}

/// The longest wait for a client to read the rest, however steadily it heartbeats.
const DRAIN_MAX: Duration = Duration::from_secs(600);

/// Shuts down our side and reads until the client closes its side (or 2 s pass), so closing
/// the socket never resets a connection with the client's data unread.
fn hang_up_gently(tcp: &mut TcpStream) {
    let _ = tcp.set_nonblocking(false);
    let _ = tcp.shutdown(std::net::Shutdown::Write);
    let _ = tcp.set_read_timeout(Some(Duration::from_millis(100)));
    let until = Instant::now() + Duration::from_secs(2);
    let mut sink = [0u8; 16 * 1024];
    while Instant::now() < until {
        match io::Read::read(tcp, &mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => return,
        }
    }
}

/// `(log_id, internal_ext)` when the frame's Response asks for an ACK.
fn ack_owed(frame: &[u8]) -> Option<(u64, Vec<u8>)> {
    let f = decoder::decode(frame, Received::default(), Depth::Response, &mut Vec::new()).ok()?;
    let r = f.response?;
    r.need_ack.then(|| (f.log_id, r.internal_ext.into_bytes()))
}

/// The frame's cursor: its `im-cursor` header, else its Response's.
fn frame_cursor(frame: &[u8]) -> Option<String> {
    let f = decoder::decode(frame, Received::default(), Depth::Response, &mut Vec::new()).ok()?;
    f.cursor().map(str::to_string)
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    s.chars().take(max).chain(['…']).collect()
}

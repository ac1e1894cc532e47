//! `capture` and `replay` end to end: the real binary against push servers (and a room-page
//! HTTP server) on loopback that behave like Douyin's; and the room-page parser on saved pages.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Cursor, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use flate2::Compression;
use prost::Message as _;
use tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tungstenite::{Message, WebSocket};

use danmu_analyze::capture::{CaptureReader, CaptureRecord};
use danmu_analyze::frame::{decode_push_frame, decode_response, PayloadType};
use danmu_analyze::live::protocol::{classify_client_frame, ClientFrame};
use danmu_analyze::live::room::{parse_room_page, Layout, PageError, RoomInfo};
use danmu_analyze::live::url::{
    push_query, query_param, x_ms_stub, PushParams, DEFAULT_SDK_VERSION, DEFAULT_USER_AGENT,
};
use danmu_analyze::proto::webcast::{Common, ControlMessage, PushFrame, Response as PbResponse};
use danmu_analyze::simulate::{simulate, SimConfig};

use crate::common::{capture_of, decode_path, fixture, frame_bytes, REAL_FRAMES};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_danmu-analyze");
/// No test server or child waits longer than this for anything.
pub(crate) const LIMIT: Duration = Duration::from_secs(20);
pub(crate) const ROOM: u64 = 42;

// ---------------------------------------------------------------------------------------------
// Frames a push server sends.

/// A frame a test server sends, with what its ACK must carry.
#[derive(Clone, Debug)]
pub(crate) struct ScriptFrame {
    pub(crate) bytes: Vec<u8>,
    pub(crate) log_id: u64,
    pub(crate) cursor: String,
    pub(crate) internal_ext: String,
    pub(crate) need_ack: bool,
}

impl ScriptFrame {
    pub(crate) fn of(bytes: Vec<u8>) -> ScriptFrame {
        let f = decode_push_frame(&bytes).unwrap();
        let r = decode_response(&f, &mut Vec::new()).unwrap();
        ScriptFrame {
            log_id: f.log_id,
            cursor: r.cursor,
            internal_ext: r.internal_ext,
            need_ack: r.need_ack,
            bytes,
        }
    }
}

pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A real fixture frame with its Response given a cursor and internal_ext of its own, so every
/// frame's ACK and resume point differ.
pub(crate) fn rewrapped_fixture(i: usize, name: &str) -> ScriptFrame {
    let mut f = decode_push_frame(&frame_bytes(name)).unwrap();
    let mut r = decode_response(&f, &mut Vec::new()).unwrap();
    r.cursor = format!("t-17000000{i:05}_r-{i}_d-1_u-1");
    r.internal_ext = format!(
        "internal_src:dim|wss_push_room_id:{ROOM}|wss_push_did:7319483754668557238|seq:{i}|wrds_v:74{i:08}"
    );
    r.need_ack = true;
    f.log_id = 7_000_000_000_000_000_000 + i as u64;
    f.payload = gzip(&r.encode_to_vec());
    ScriptFrame::of(f.encode_to_vec())
}

/// The "msg" frames of a small simulated live (history, chat, gifts, joins, … and last the
/// stream-end control message), each with its own cursor and internal_ext.
pub(crate) fn simulated_frames(minutes: u32, viewers: u32) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    simulate(
        &SimConfig {
            minutes,
            viewers,
            seed: 11,
            ..SimConfig::default()
        },
        &mut out,
    )
    .unwrap();
    CaptureReader::new(Cursor::new(out))
        .unwrap()
        .map(|r| r.unwrap().record.frame)
        .collect()
}

/// Real fixture frames, then a simulated live, ending with the control message (status 3).
pub(crate) fn script() -> Vec<ScriptFrame> {
    let mut s: Vec<ScriptFrame> = REAL_FRAMES
        .iter()
        .enumerate()
        .map(|(i, n)| rewrapped_fixture(i, n))
        .collect();
    for bytes in simulated_frames(1, 30) {
        let f = decode_push_frame(&bytes).unwrap();
        if PayloadType::of(&f) == PayloadType::Msg {
            s.push(ScriptFrame::of(bytes));
        }
    }
    let last = s.last().unwrap();
    assert!(
        is_stream_end(&last.bytes),
        "the simulated live ends with status 3"
    );
    let mut cursors: Vec<_> = s.iter().map(|f| f.cursor.clone()).collect();
    cursors.sort();
    cursors.dedup();
    assert_eq!(
        cursors.len(),
        s.len(),
        "every frame has a cursor of its own"
    );
    s
}

pub(crate) fn is_stream_end(bytes: &[u8]) -> bool {
    let f = decode_push_frame(bytes).unwrap();
    let Ok(r) = decode_response(&f, &mut Vec::new()) else {
        return false;
    };
    r.messages.iter().any(|m| {
        m.method == "WebcastControlMessage"
            && ControlMessage::decode(m.payload.as_slice()).is_ok_and(|c| c.status == 3)
    })
}

pub(crate) fn bare_frame(payload_type: &str, seq_id: u64) -> Vec<u8> {
    PushFrame {
        seq_id,
        log_id: 0,
        service: 8888,
        method: 8,
        payload_encoding: "pb".into(),
        payload_type: payload_type.into(),
        ..PushFrame::default()
    }
    .encode_to_vec()
}

/// A stream-end frame (control status 3) for `room`.
pub(crate) fn stream_end_frame(room: u64, log_id: u64) -> ScriptFrame {
    let control = ControlMessage {
        common: Some(Common {
            method: "WebcastControlMessage".into(),
            msg_id: 7_500_000_000_000_000_000 + log_id,
            room_id: room,
            create_time: 1_767_261_700_000,
            ..Common::default()
        }),
        status: 3,
    };
    let r = PbResponse {
        messages: vec![danmu_analyze::proto::webcast::Message {
            method: "WebcastControlMessage".into(),
            payload: control.encode_to_vec(),
            msg_id: 7_500_000_000_000_000_000 + log_id,
        }],
        cursor: format!("end-{log_id}"),
        now: 1_767_261_700_100,
        internal_ext: format!("internal_src:pushserver|end:{log_id}"),
        heartbeat_duration: 10,
        need_ack: true,
        ..PbResponse::default()
    };
    let f = PushFrame {
        log_id,
        payload_encoding: "pb".into(),
        payload_type: "msg".into(),
        payload: gzip(&r.encode_to_vec()),
        ..PushFrame::default()
    };
    ScriptFrame::of(f.encode_to_vec())
}

/// A push server for one live of `room`: a chat, the stream end and `close`, the client's ACKs
/// awaited; `check` judges each handshake.
pub(crate) fn one_live_checked(check: Box<Check>, room: u64) -> PushServer {
    let chat = rewrapped_fixture(0, REAL_FRAMES[0]);
    let end = stream_end_frame(room, 99);
    PushServer::start_checked(check, move |c| {
        c.send(&chat);
        c.pump(Duration::from_millis(20));
        c.send(&end);
        c.send_raw(bare_frame("close", 1));
        c.wait_acks();
        c.wait_gone();
        false
    })
}

/// [`one_live_checked`] accepting every handshake.
pub(crate) fn one_live(room: u64) -> PushServer {
    one_live_checked(Box::new(|_, _| Ok(())), room)
}

// ---------------------------------------------------------------------------------------------
// A push server on loopback.

/// What a push server saw, over all its connections.
#[derive(Default, Debug)]
pub(crate) struct Seen {
    /// Every binary message sent, in order.
    pub(crate) sent: Vec<Vec<u8>>,
    /// Protocol violations by the client.
    pub(crate) errors: Vec<String>,
    pub(crate) acks: u64,
    pub(crate) heartbeats: u64,
    pub(crate) connections: u64,
    pub(crate) uris: Vec<String>,
    pub(crate) headers: Vec<HashMap<String, String>>,
    /// Handshakes the server's check refused, and why.
    pub(crate) refused: Vec<String>,
}

/// Judges a handshake (its URI and lower-cased headers): `Err((status, body))` refuses it.
pub(crate) type Check = dyn Fn(&str, &HashMap<String, String>) -> Result<(), (u16, String)> + Send;

pub(crate) type Shared = Arc<Mutex<Seen>>;

/// One client connection, with the checks every server does: each ACK must be byte-exact
/// (log_id, payload = internal_ext) for a frame that asked for one, each heartbeat exactly
/// `3A 02 68 62`, answered with a server heartbeat (as Douyin does) unless silenced.
pub(crate) struct Conn {
    pub(crate) ws: WebSocket<TcpStream>,
    pub(crate) seen: Shared,
    pub(crate) uri: String,
    pub(crate) pending: HashMap<u64, VecDeque<String>>,
    pub(crate) answer_heartbeats: bool,
    pub(crate) seq: u64,
}

impl Conn {
    pub(crate) fn param(&self, key: &str) -> String {
        query_param(&self.uri, key).unwrap_or_default()
    }

    pub(crate) fn error(&self, e: String) {
        self.seen.lock().unwrap().errors.push(e);
    }

    pub(crate) fn send_raw(&mut self, bytes: Vec<u8>) -> bool {
        self.seen.lock().unwrap().sent.push(bytes.clone());
        self.ws.send(Message::binary(bytes)).is_ok()
    }

    pub(crate) fn send(&mut self, f: &ScriptFrame) -> bool {
        if f.need_ack {
            self.pending
                .entry(f.log_id)
                .or_default()
                .push_back(f.internal_ext.clone());
        }
        self.send_raw(f.bytes.clone())
    }

    /// Handles what the client sends for `d` (zero: only what is already there); false once
    /// it is gone.
    pub(crate) fn pump(&mut self, d: Duration) -> bool {
        let until = Instant::now() + d;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            let tcp = self.ws.get_ref();
            let set = if left.is_zero() {
                tcp.set_nonblocking(true)
            } else {
                tcp.set_nonblocking(false)
                    .and_then(|()| tcp.set_read_timeout(Some(left)))
            };
            if set.is_err() {
                return false;
            }
            let msg = self.ws.read();
            let _ = self.ws.get_ref().set_nonblocking(false);
            match msg {
                Ok(Message::Binary(b)) => self.heard(&b),
                Ok(Message::Close(_)) => {
                    let _ = self.ws.flush();
                    return false;
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    if left.is_zero() || Instant::now() >= until {
                        return true;
                    }
                }
                Err(_) => return false,
            }
        }
    }

    pub(crate) fn heard(&mut self, b: &[u8]) {
        match classify_client_frame(b) {
            ClientFrame::Heartbeat => {
                self.seen.lock().unwrap().heartbeats += 1;
                if self.answer_heartbeats {
                    self.seq += 1;
                    let hb = bare_frame("hb", self.seq);
                    self.send_raw(hb);
                }
            }
            ClientFrame::Ack { log_id, payload } => {
                let expected = self.pending.get_mut(&log_id).and_then(VecDeque::pop_front);
                match expected {
                    Some(e) if e.as_bytes() == payload => self.seen.lock().unwrap().acks += 1,
                    Some(e) => self.error(format!(
                        "ACK for {log_id} carries {:?}, expected {e:?}",
                        String::from_utf8_lossy(&payload)
                    )),
                    None => self.error(format!("ACK for {log_id}, which no frame asked for")),
                }
            }
            ClientFrame::Other(what) => self.error(format!("client sent {what}")),
        }
    }

    /// Waits until every frame sent so far is ACKed.
    pub(crate) fn wait_acks(&mut self) -> bool {
        let until = Instant::now() + LIMIT;
        let owed = |c: &Conn| c.pending.values().any(|q| !q.is_empty());
        while owed(self) {
            // The client may send its last ACKs and its close together.
            if (Instant::now() > until || !self.pump(Duration::from_millis(20))) && owed(self) {
                self.error(format!("ACKs missing: {:?}", self.pending));
                return false;
            }
        }
        true
    }

    /// Waits for the client to close or go away.
    pub(crate) fn wait_gone(&mut self) {
        let until = Instant::now() + LIMIT;
        while Instant::now() < until && self.pump(Duration::from_millis(20)) {}
    }

    /// Drops the connection the hard way (FIN, no WebSocket close), as a failing network does.
    pub(crate) fn hang_up(&mut self) {
        let _ = self.ws.get_ref().shutdown(Shutdown::Write);
        let mut sink = [0u8; 4096];
        let tcp = self.ws.get_mut();
        let _ = tcp.set_read_timeout(Some(Duration::from_millis(50)));
        let until = Instant::now() + LIMIT;
        while Instant::now() < until {
            match tcp.read(&mut sink) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return,
            }
        }
    }

    /// Stops sending anything (heartbeat answers too) until the client gives up on us.
    pub(crate) fn go_silent(&mut self) {
        self.answer_heartbeats = false;
        self.wait_gone();
    }
}

pub(crate) struct PushServer {
    pub(crate) addr: SocketAddr,
    pub(crate) seen: Shared,
    pub(crate) thread: JoinHandle<()>,
}

impl PushServer {
    /// Serves connections one after another; `handler` returns false when the script is done.
    pub(crate) fn start(handler: impl FnMut(&mut Conn) -> bool + Send + 'static) -> PushServer {
        PushServer::start_checked(Box::new(|_, _| Ok(())), handler)
    }

    /// Like [`PushServer::start`], refusing the handshakes `check` refuses, as Douyin refuses
    /// a bad signature (HTTP 415).
    pub(crate) fn start_checked(
        check: Box<Check>,
        mut handler: impl FnMut(&mut Conn) -> bool + Send + 'static,
    ) -> PushServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let seen: Shared = Arc::default();
        let shared = seen.clone();
        let thread = thread::spawn(move || {
            let deadline = Instant::now() + LIMIT;
            while Instant::now() < deadline {
                let stream = match listener.accept() {
                    Ok((s, _)) => s,
                    Err(_) => {
                        thread::sleep(Duration::from_millis(5));
                        continue;
                    }
                };
                stream.set_nonblocking(false).unwrap();
                stream.set_nodelay(true).unwrap();
                let mut uri = String::new();
                let mut headers = HashMap::new();
                let mut refused = Vec::new();
                #[allow(clippy::result_large_err)] // tungstenite's Callback signature
                let cb = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
                    uri = req.uri().to_string();
                    for (k, v) in req.headers() {
                        headers.insert(
                            k.as_str().to_ascii_lowercase(),
                            v.to_str().unwrap_or("").to_string(),
                        );
                    }
                    match check(&uri, &headers) {
                        Ok(()) => Ok(resp),
                        Err((status, body)) => {
                            refused.push(body.clone());
                            Err(tungstenite::http::Response::builder()
                                .status(status)
                                .body(Some(body))
                                .unwrap())
                        }
                    }
                };
                let accepted = tungstenite::accept_hdr(stream, cb).ok();
                shared.lock().unwrap().refused.append(&mut refused);
                let Some(ws) = accepted else {
                    continue;
                };
                {
                    let mut s = shared.lock().unwrap();
                    s.connections += 1;
                    s.uris.push(uri.clone());
                    s.headers.push(headers);
                }
                let mut conn = Conn {
                    ws,
                    seen: shared.clone(),
                    uri,
                    pending: HashMap::new(),
                    answer_heartbeats: true,
                    seq: 0,
                };
                if !handler(&mut conn) {
                    return;
                }
            }
        });
        PushServer { addr, seen, thread }
    }

    pub(crate) fn url(&self) -> String {
        format!(
            "ws://{}/webcast/im/push/v2/?app_name=douyin_web&room_id={ROOM}&cursor=&internal_ext=",
            self.addr
        )
    }

    pub(crate) fn finish(self) -> Seen {
        self.thread.join().expect("push server thread");
        Arc::try_unwrap(self.seen).unwrap().into_inner().unwrap()
    }
}

// ---------------------------------------------------------------------------------------------
// The binary.

/// A running `danmu-analyze` whose stderr lines are collected.
pub(crate) struct Running {
    pub(crate) child: Child,
    pub(crate) lines: Receiver<String>,
    pub(crate) all: Arc<Mutex<Vec<String>>>,
}

impl Running {
    pub(crate) fn start(args: &[&str]) -> Running {
        let mut child = Command::new(BIN)
            .args(args)
            .env_remove("DANMU_SIGNER")
            .env_remove("DANMU_COOKIES")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let all = Arc::new(Mutex::new(Vec::new()));
        let keep = all.clone();
        let err = child.stderr.take().unwrap();
        thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                keep.lock().unwrap().push(line.clone());
                let _ = tx.send(line);
            }
        });
        Running { child, lines, all }
    }

    /// The first stderr line containing `pat`.
    pub(crate) fn wait_line(&self, pat: &str) -> String {
        let until = Instant::now() + LIMIT;
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(l) if l.contains(pat) => return l,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("no stderr line with `{pat}`:\n{}", self.stderr());
    }

    pub(crate) fn wait(&mut self) -> ExitStatus {
        let until = Instant::now() + LIMIT;
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                // Let the reader thread take the last lines.
                thread::sleep(Duration::from_millis(50));
                return s;
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                panic!("still running after {LIMIT:?}:\n{}", self.stderr());
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    pub(crate) fn stderr(&self) -> String {
        self.all.lock().unwrap().join("\n")
    }
}

pub(crate) fn capture_args<'a>(url: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "capture",
        "--ws-url",
        url,
        "--out",
        out,
        "--heartbeat",
        "200ms",
    ]
}

/// How many of `frames` ask for an ACK.
pub(crate) fn acks_owed(frames: &[Vec<u8>]) -> usize {
    frames
        .iter()
        .filter(|b| {
            let f = decode_push_frame(b).unwrap();
            PayloadType::of(&f) == PayloadType::Msg
                && decode_response(&f, &mut Vec::new()).unwrap().need_ack
        })
        .count()
}

/// `replay CAPTURE --listen 127.0.0.1:0 --speed 0 --once EXTRA…`, and the address it listens on.
pub(crate) fn start_replay(capture: &Path, extra: &[&str]) -> (Running, String) {
    let mut args = vec![
        "replay",
        capture.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--speed",
        "0",
        "--once",
    ];
    args.extend_from_slice(extra);
    let replay = Running::start(&args);
    let line = replay.wait_line("listening on ws://");
    let addr = line
        .split("ws://")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    (replay, addr)
}

pub(crate) fn frames_in(path: &Path) -> Vec<Vec<u8>> {
    records_in(path).into_iter().map(|r| r.frame).collect()
}

/// Every record of the file; fails on any unreadable one.
pub(crate) fn records_in(path: &Path) -> Vec<CaptureRecord> {
    CaptureReader::open(path)
        .unwrap()
        .map(|r| r.expect("every record reads back").record)
        .collect()
}

pub(crate) fn simulated_capture(dir: &Path) -> PathBuf {
    let path = dir.join("sim.dmcap");
    simulate(
        &SimConfig {
            minutes: 1,
            viewers: 25,
            seed: 3,
            ..SimConfig::default()
        },
        std::fs::File::create(&path).unwrap(),
    )
    .unwrap();
    path
}

// ---------------------------------------------------------------------------------------------
// Tests.

/// Drops mid-stream, goes silent, ends with a stream-end control message: the capture
/// reconnects (resuming from its cursor), ACKs and heartbeats right, exits 0, and its file holds
/// every frame sent, byte for byte, in order.
#[test]
fn capture_records_everything_through_drops_silence_and_stream_end() {
    let script = script();
    let n = script.len();
    let (drop_at, silent_at) = (n / 3, 2 * n / 3);
    let sc = script.clone();
    let (mut dropped, mut silenced) = (false, false);
    let server = PushServer::start(move |c| {
        let cursor = c.param("cursor");
        let start = if cursor.is_empty() {
            if dropped {
                c.error(format!("reconnected without a cursor: {}", c.uri));
            }
            0
        } else {
            match sc.iter().position(|f| f.cursor == cursor) {
                Some(i) => {
                    if c.param("internal_ext") != sc[i].internal_ext {
                        c.error(format!(
                            "resumed with internal_ext {:?}",
                            c.param("internal_ext")
                        ));
                    }
                    if c.param("room_id") != ROOM.to_string() {
                        c.error(format!("resumed without room_id: {}", c.uri));
                    }
                    // Like Douyin, the history just before the cursor comes again first.
                    c.send(&sc[i]);
                    i + 1
                }
                None => {
                    c.error(format!("unknown cursor {cursor}"));
                    0
                }
            }
        };
        for (i, f) in sc.iter().enumerate().skip(start) {
            if !c.send(f) || !c.pump(Duration::from_millis(2)) {
                return true;
            }
            if i == drop_at && !dropped {
                dropped = true;
                c.wait_acks();
                c.hang_up();
                return true;
            }
            if i == silent_at && !silenced {
                silenced = true;
                c.wait_acks();
                c.go_silent();
                return true;
            }
        }
        // Douyin follows the stream end with a close frame.
        c.send_raw(bare_frame("close", 0));
        c.wait_acks();
        c.wait_gone();
        false
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("live.dmcap");
    let url = server.url();
    let t = Instant::now();
    let mut args = capture_args(&url, out.to_str().unwrap());
    args.extend(["--print", "--status-every", "300ms"]);
    let mut cap = Running::start(&args);
    let status = cap.wait();
    let took = t.elapsed();
    let stderr = cap.stderr();
    let seen = server.finish();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(seen.errors.is_empty(), "{:#?}\n{stderr}", seen.errors);
    assert!(
        seen.connections >= 3,
        "{} connections\n{stderr}",
        seen.connections
    );
    assert!(
        stderr.contains("the connection broke") || stderr.contains("closed"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing received for"), "{stderr}");
    assert!(stderr.contains("capture ended: the live ended"), "{stderr}");
    assert!(stderr.contains("status: "), "{stderr}");
    assert!(
        stderr.contains("chat   渴死的鱼.: 百分之10可以直播半小时"),
        "{stderr}"
    );
    assert!(
        stderr.contains("gift   ") && stderr.contains("join   "),
        "{stderr}"
    );

    let records = records_in(&out);
    let frames: Vec<Vec<u8>> = records.iter().map(|r| r.frame.clone()).collect();
    assert_eq!(frames.len(), seen.sent.len());
    assert!(
        frames == seen.sent,
        "the file holds exactly the frames sent, in order"
    );
    assert!(records
        .iter()
        .all(|r| r.room_id == ROOM && r.source == "capture"));
    let need_ack = seen
        .sent
        .iter()
        .filter(|b| {
            let f = decode_push_frame(b).unwrap();
            PayloadType::of(&f) == PayloadType::Msg
                && decode_response(&f, &mut Vec::new()).unwrap().need_ack
        })
        .count() as u64;
    assert_eq!(seen.acks, need_ack, "one exact ACK per frame that asked");
    assert!(seen.heartbeats >= 3, "{} heartbeats", seen.heartbeats);
    assert!(seen
        .uris
        .iter()
        .skip(1)
        .all(|u| !query_param(u, "cursor").unwrap().is_empty()));

    // Decoding the file gives what decoding the frames themselves gives.
    let direct = dir.path().join("direct.dmcap");
    let unique: Vec<Vec<u8>> = script.iter().map(|f| f.bytes.clone()).collect();
    std::fs::write(&direct, capture_of(&unique)).unwrap();
    let (a, b) = (decode_path(&out), decode_path(&direct));
    assert!(!a.events.is_empty());
    assert_eq!(a.events, b.events);
    assert_eq!(a.stats.error_count, 0);
    eprintln!("capture through faults: {took:?}, {} frames", frames.len());
}

/// The room page is fetched (ttwid first) and read, the push URL signed by the signer and
/// joined with the browser's cookie and user agent.
#[test]
fn capture_joins_a_room_by_its_page_and_signer() {
    let page = std::fs::read_to_string(fixture("pages/live_chunks.html")).unwrap();
    let site = PageServer::start(page);
    let end = stream_end_frame(7_181_823_408_362_015_540, 99);
    let chat = rewrapped_fixture(0, REAL_FRAMES[0]);
    let server = PushServer::start(move |c| {
        c.send(&chat);
        c.pump(Duration::from_millis(20));
        c.send(&end);
        c.send_raw(bare_frame("close", 1));
        c.wait_acks();
        c.wait_gone();
        false
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("room.dmcap");
    let site_url = format!("http://{}", site.addr);
    let push_url = format!("ws://{}/webcast/im/push/v2/", server.addr);
    let mut cap = Running::start(&[
        "capture",
        "https://live.douyin.com/80017709309",
        "--out",
        out.to_str().unwrap(),
        "--signer",
        "printf sig-%s",
        "--heartbeat",
        "200ms",
        "--site-url",
        &site_url,
        "--push-url",
        &push_url,
    ]);
    let status = cap.wait();
    let stderr = cap.stderr();
    let seen = server.finish();
    let requests = site.finish();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(seen.errors.is_empty(), "{:?}", seen.errors);
    assert!(
        stderr.contains("room 80017709309 is live: room id 7181823408362015540"),
        "{stderr}"
    );

    // The page requests: the home page first (for ttwid), then the room with it.
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(requests[0].starts_with("GET / "), "{}", requests[0]);
    assert!(
        requests[1].starts_with("GET /80017709309 "),
        "{}",
        requests[1]
    );
    let lower = requests[1].to_ascii_lowercase();
    assert!(
        lower.contains("cookie: ttwid=1%7ctestttwid; mstoken="),
        "{}",
        requests[1]
    );
    assert!(lower.contains("__ac_nonce=0"));
    assert!(requests[1].contains(DEFAULT_USER_AGENT));

    // The push URL: the page's room and visitor ids, the signer's signature over the stub.
    let uri = &seen.uris[0];
    let params = PushParams {
        room_id: 7_181_823_408_362_015_540,
        user_unique_id: "7319483754668557238",
        user_agent: DEFAULT_USER_AGENT,
        sdk_version: DEFAULT_SDK_VERSION,
        cursor: "",
        internal_ext: "",
    };
    let stub = x_ms_stub(&push_query(&params));
    assert_eq!(
        query_param(uri, "signature").unwrap(),
        format!("sig-{stub}")
    );
    assert_eq!(query_param(uri, "room_id").unwrap(), "7181823408362015540");
    assert_eq!(
        query_param(uri, "user_unique_id").unwrap(),
        "7319483754668557238"
    );
    assert_eq!(query_param(uri, "aid").unwrap(), "6383");
    let headers = &seen.headers[0];
    assert_eq!(headers["cookie"], "ttwid=1%7Ctestttwid");
    assert_eq!(headers["user-agent"], DEFAULT_USER_AGENT);
    assert_eq!(headers["origin"], site_url);
    assert_eq!(frames_in(&out), seen.sent);
}

/// A room that is not live: said plainly, exit 5, nothing recorded, the page saved on request.
#[test]
fn capture_says_when_the_room_is_not_live_and_saves_the_page() {
    let page = std::fs::read_to_string(fixture("pages/ended_chunks.html")).unwrap();
    let site = PageServer::start(page.clone());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("room.dmcap");
    let dump = dir.path().join("page.html");
    let site_url = format!("http://{}", site.addr);
    let mut cap = Running::start(&[
        "capture",
        "80017709309",
        "--out",
        out.to_str().unwrap(),
        "--signature",
        "x",
        "--dump-page",
        dump.to_str().unwrap(),
        "--site-url",
        &site_url,
        "--push-url",
        "ws://127.0.0.1:9/never",
    ]);
    let status = cap.wait();
    let stderr = cap.stderr();
    site.finish();
    assert_eq!(status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains("room 80017709309: the room is not live (status 4: the live has ended"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing recorded");
    assert_eq!(std::fs::read_to_string(&dump).unwrap(), page);
}

/// SIGTERM mid-capture: a clean close, exit 143, and every record of the file reads back.
/// Before that, with --follow, a stream end is followed by waiting for the next live and a
/// fresh connection (no cursor).
#[test]
fn follow_waits_for_the_next_live_and_sigterm_closes_cleanly() {
    let frames: Vec<ScriptFrame> = REAL_FRAMES
        .iter()
        .enumerate()
        .map(|(i, n)| rewrapped_fixture(i, n))
        .collect();
    let end = stream_end_frame(ROOM, 77);
    let (tx, started) = mpsc::channel::<()>();
    let server = PushServer::start(move |c| {
        let conn = c.seen.lock().unwrap().connections;
        if conn == 1 {
            c.send(&frames[0]);
            c.send(&end);
            c.send_raw(bare_frame("close", 1));
            c.wait_acks();
            c.wait_gone();
            return true;
        }
        if !c.param("cursor").is_empty() {
            c.error(format!("the next live must start afresh: {}", c.uri));
        }
        // Streams until the client goes.
        let mut i = 0;
        loop {
            if !c.send(&frames[i % frames.len()]) || !c.pump(Duration::from_millis(10)) {
                return false;
            }
            i += 1;
            if i == 20 {
                let _ = tx.send(());
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("follow.dmcap");
    let url = server.url();
    let mut args = capture_args(&url, out.to_str().unwrap());
    args.extend(["--follow", "--poll", "100ms"]);
    let mut cap = Running::start(&args);
    started
        .recv_timeout(LIMIT)
        .expect("the second live streams");
    let t = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &cap.child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = cap.wait();
    let stop_took = t.elapsed();
    let stderr = cap.stderr();
    let seen = server.finish();
    assert_eq!(status.code(), Some(143), "{stderr}");
    assert!(
        stderr.contains("--follow: waiting for the next live"),
        "{stderr}"
    );
    assert!(
        stderr.contains("capture ended: stopped by SIGTERM"),
        "{stderr}"
    );
    assert!(seen.errors.is_empty(), "{:?}", seen.errors);
    let frames = frames_in(&out);
    assert!(frames.len() >= 23, "{} records", frames.len());
    assert_eq!(
        frames[..],
        seen.sent[..frames.len()],
        "a prefix of what was sent"
    );
    assert!(
        stop_took < Duration::from_secs(3),
        "stopping took {stop_took:?}"
    );
}

/// `replay` serves a capture; a capture of it is the same file frame for frame, and replay
/// counts the client's ACKs and heartbeats.
#[test]
fn replay_round_trip_is_byte_identical_and_checks_acks() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulated_capture(dir.path());
    let original = frames_in(&sim);
    let need_ack = acks_owed(&original);
    let (mut replay, addr) = start_replay(&sim, &[]);
    let out = dir.path().join("copy.dmcap");
    let url = format!("ws://{addr}/webcast/im/push/v2/?room_id=7300000000000000001");
    let t = Instant::now();
    let mut cap = Running::start(&capture_args(&url, out.to_str().unwrap()));
    let cap_status = cap.wait();
    let took = t.elapsed();
    let replay_status = replay.wait();
    let (cap_err, replay_err) = (cap.stderr(), replay.stderr());
    assert_eq!(cap_status.code(), Some(0), "{cap_err}");
    assert_eq!(replay_status.code(), Some(0), "{replay_err}");
    assert!(
        cap_err.contains("capture ended: the live ended"),
        "{cap_err}"
    );
    assert!(
        replay_err.contains(&format!(
            "ACKs: {need_ack} ok, 0 wrong, 0 missing; heartbeats: "
        )),
        "{need_ack} ACKs expected:\n{replay_err}"
    );
    assert!(!replay_err.contains("heartbeats: 0 ok"), "{replay_err}");
    assert!(
        replay_err.contains(", 0 malformed; 0 other messages"),
        "{replay_err}"
    );
    let copy = frames_in(&out);
    assert_eq!(copy.len(), original.len());
    assert!(copy == original, "byte-identical, in order");
    eprintln!("replay round trip of {} frames: {took:?}", copy.len());
}

/// `--rotate` by size: time-stamped files that, in name order, hold every frame once.
#[test]
fn rotation_splits_into_time_stamped_files_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulated_capture(dir.path());
    let original = frames_in(&sim);
    let (mut replay, addr) = start_replay(&sim, &[]);
    let out_dir = dir.path().join("rec");
    std::fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("room.dmcap");
    let url = format!("ws://{addr}/");
    // About five files' worth.
    let rotate = format!("{}B", std::fs::metadata(&sim).unwrap().len() / 5);
    let mut args = capture_args(&url, out.to_str().unwrap());
    args.extend(["--rotate", &rotate]);
    let mut cap = Running::start(&args);
    assert_eq!(cap.wait().code(), Some(0), "{}", cap.stderr());
    replay.wait();
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 3, "{names:?}");
    for n in &names {
        // room-20260101T180000.dmcap, or room-20260101T180000_001.dmcap within the same second
        let stamp = n
            .strip_prefix("room-")
            .unwrap()
            .strip_suffix(".dmcap")
            .unwrap();
        assert!(stamp.len() == 15 || stamp.len() == 19, "{n}");
        assert_eq!(&stamp[8..9], "T", "{n}");
    }
    let joined: Vec<Vec<u8>> = names
        .iter()
        .flat_map(|n| frames_in(&out_dir.join(n)))
        .collect();
    assert!(joined == original, "every frame once, in file-name order");
    assert!(cap.stderr().contains("rotated: closed"));
}

/// Nothing listening: bounded reconnects with backoff, then exit 4.
#[test]
fn capture_gives_up_after_max_reconnects() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("none.dmcap");
    let url = format!("ws://127.0.0.1:{port}/");
    let t = Instant::now();
    let mut args = capture_args(&url, out.to_str().unwrap());
    args.extend(["--max-reconnects", "2"]);
    let mut cap = Running::start(&args);
    let status = cap.wait();
    let stderr = cap.stderr();
    assert_eq!(status.code(), Some(4), "{stderr}");
    assert_eq!(stderr.matches("reconnecting in").count(), 2, "{stderr}");
    assert!(
        stderr.contains("gave up after 3 failed connection attempts"),
        "{stderr}"
    );
    // 0.25–0.5 s, then 0.5–1 s of backoff.
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(700) && took < Duration::from_secs(5),
        "{took:?}"
    );
    assert_eq!(records_in(&out).len(), 0);
}

#[test]
fn room_pages_of_both_layouts_are_read() {
    let title = "今晚 8 点 \"抽奖\" <福利> 🎁";
    for (file, layout) in [
        ("live_chunks.html", Layout::ScriptChunks),
        ("live_render_data.html", Layout::RenderData),
    ] {
        let html = std::fs::read_to_string(fixture(&format!("pages/{file}"))).unwrap();
        assert_eq!(
            parse_room_page(&html).unwrap(),
            RoomInfo {
                room_id: 7_181_823_408_362_015_540,
                title: Some(title.into()),
                status: Some(2),
                user_unique_id: Some("7319483754668557238".into()),
                layout,
            },
            "{file}"
        );
    }
    for file in ["ended_chunks.html", "ended_render_data.html"] {
        let html = std::fs::read_to_string(fixture(&format!("pages/{file}"))).unwrap();
        let err = parse_room_page(&html).unwrap_err();
        assert_eq!(
            err,
            PageError::NotLive {
                status: 4,
                title: Some(title.into()),
                room_id: Some(7_181_823_408_362_015_540)
            },
            "{file}"
        );
        assert!(err.to_string().contains("the live has ended"));
    }
    let html = std::fs::read_to_string(fixture("pages/verify.html")).unwrap();
    assert_eq!(parse_room_page(&html), Err(PageError::NotUnderstood));
}

// ---------------------------------------------------------------------------------------------
// A room-page site on loopback.

/// Answers `GET /` with a ttwid cookie and any other path with `page`; keeps each request head.
pub(crate) struct PageServer {
    pub(crate) addr: SocketAddr,
    pub(crate) thread: JoinHandle<Vec<String>>,
}

impl PageServer {
    pub(crate) fn start(page: String) -> PageServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let thread = thread::spawn(move || {
            let mut requests = Vec::new();
            let deadline = Instant::now() + Duration::from_secs(10);
            while requests.len() < 2 && Instant::now() < deadline {
                let Ok((mut s, _)) = listener.accept() else {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                };
                s.set_nonblocking(false).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).is_ok_and(|n| n == 1) {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let (cookie, body) = if head.starts_with("GET / ") {
                    ("Set-Cookie: ttwid=1%7Ctestttwid; Path=/; Domain=douyin.com; Max-Age=31536000; HttpOnly\r\n", String::new())
                } else {
                    ("", page.clone())
                };
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n{cookie}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(resp.as_bytes());
                requests.push(head);
            }
            requests
        });
        PageServer { addr, thread }
    }

    pub(crate) fn finish(self) -> Vec<String> {
        self.thread.join().unwrap()
    }
}

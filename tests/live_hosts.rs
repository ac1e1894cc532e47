//! `capture` meets Douyin's push hosts as they behave in 2026, through the binary on loopback: a
//! host that blocks the handshake (HTTP 200 with `handshake-msg: DEVICE_BLOCKED`) and one that
//! refuses it (HTTP 403) hand over to the next at once; a push server the service names in its
//! Response is where the next connection goes; the handshake carries the browser's `Origin` and
//! `Referer`; `--out` into folders that do not exist yet, and an unusable `--out` refused before
//! the room is contacted, in one line that says it once.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use prost::Message as _;

use danmu_analyze::live::url::{query_param, DEFAULT_USER_AGENT};
use danmu_analyze::proto::webcast::{PushFrame, Response as PbResponse};

use crate::common::{fixture, REAL_FRAMES};
use crate::live::{
    bare_frame, frames_in, gzip, one_live, stream_end_frame, PageServer, PushServer, Running,
    ScriptFrame, LIMIT,
};

const ROOM_ID: u64 = 7_181_823_408_362_015_540;

/// A push host that blocks every handshake as Douyin blocks a flagged client: HTTP 200 (not
/// 101) with `handshake-msg: DEVICE_BLOCKED` and `handshake-status: 415`. Counts the attempts.
struct BlockingHost {
    addr: SocketAddr,
    attempts: Arc<AtomicUsize>,
}

impl BlockingHost {
    fn start() -> BlockingHost {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let attempts = Arc::new(AtomicUsize::new(0));
        let count = attempts.clone();
        thread::spawn(move || {
            let deadline = Instant::now() + LIMIT;
            while Instant::now() < deadline {
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
                count.fetch_add(1, Ordering::SeqCst);
                let _ = s.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nhandshake-msg: DEVICE_BLOCKED\r\nhandshake-status: 415\r\nConnection: close\r\n\r\n",
                );
            }
        });
        BlockingHost { addr, attempts }
    }
}

/// A `msg` frame with no messages whose Response names `push_server`, as the service does.
fn naming_frame(push_server: &str) -> ScriptFrame {
    let r = PbResponse {
        cursor: "t-1767261600000_r-1_d-1_u-1".into(),
        now: 1_767_261_600_000,
        internal_ext: "internal_src:pushserver|named:1".into(),
        heartbeat_duration: 10,
        need_ack: true,
        push_server: push_server.into(),
        ..PbResponse::default()
    };
    let f = PushFrame {
        log_id: 7_100_000_000_000_000_001,
        payload_encoding: "pb".into(),
        payload_type: "msg".into(),
        payload: gzip(&r.encode_to_vec()),
        ..PushFrame::default()
    };
    ScriptFrame::of(f.encode_to_vec())
}

fn room_page_site() -> (PageServer, String) {
    let page = std::fs::read_to_string(fixture("pages/live_chunks.html")).unwrap();
    let site = PageServer::start(page);
    let url = format!("http://{}", site.addr);
    (site, url)
}

/// Blocked, then refused, then served: each host is tried at once, no back-off in between,
/// and the log says which host was used and why.
#[test]
fn a_blocked_host_and_a_refusing_host_hand_over_to_the_next() {
    let (site, site_url) = room_page_site();
    let blocked = BlockingHost::start();
    let refusing =
        PushServer::start_checked(Box::new(|_, _| Err((403, "forbidden".to_string()))), |_| {
            false
        });
    let serving = one_live(ROOM_ID);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("room.dmcap");
    let hosts = [
        format!("ws://{}/webcast/im/push/v2/", blocked.addr),
        format!("ws://{}/webcast/im/push/v2/", refusing.addr),
        format!("ws://{}/webcast/im/push/v2/", serving.addr),
    ];
    let serving_addr = serving.addr;
    let started = Instant::now();
    let mut cap = Running::start(&[
        "capture",
        "https://live.douyin.com/80017709309",
        "--out",
        out.to_str().unwrap(),
        "--signature",
        "sig",
        "--heartbeat",
        "200ms",
        "--site-url",
        &site_url,
        "--push-url",
        &hosts[0],
        "--push-url",
        &hosts[1],
        "--push-url",
        &hosts[2],
    ]);
    let status = cap.wait();
    let took = started.elapsed();
    let stderr = cap.stderr();
    let seen = serving.finish();
    site.finish();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(blocked.attempts.load(Ordering::SeqCst), 1, "{stderr}");
    assert_eq!(refusing.seen.lock().unwrap().refused, vec!["forbidden"]);
    assert_eq!(seen.connections, 1);
    assert!(
        stderr.contains("the push server blocked this client: handshake-msg `DEVICE_BLOCKED`, handshake-status 415"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("trying the next push host, {}", refusing.addr)),
        "{stderr}"
    );
    assert!(stderr.contains("HTTP 403"), "{stderr}");
    assert!(
        stderr.contains(&format!("trying the next push host, {serving_addr}")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "connected to {} (room {ROOM_ID}; push host 3 of 3)",
            hosts[2]
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("reconnecting in"), "no back-off: {stderr}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    // The browser's headers on the handshake that went through.
    let headers = &seen.headers[0];
    assert_eq!(headers["user-agent"], DEFAULT_USER_AGENT);
    assert_eq!(headers["origin"], site_url);
    assert_eq!(headers["referer"], format!("{site_url}/"));
    assert_eq!(frames_in(&out), seen.sent);
}

/// Every host refusing: one failed attempt per round, then the back-off.
#[test]
fn when_every_host_refuses_the_round_counts_once_then_backs_off() {
    let (site, site_url) = room_page_site();
    let a = BlockingHost::start();
    let b = BlockingHost::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("room.dmcap");
    let hosts = [
        format!("ws://{}/webcast/im/push/v2/", a.addr),
        format!("ws://{}/webcast/im/push/v2/", b.addr),
    ];
    let mut cap = Running::start(&[
        "capture",
        "80017709309",
        "--out",
        out.to_str().unwrap(),
        "--signature",
        "sig",
        "--max-reconnects",
        "1",
        "--site-url",
        &site_url,
        "--push-url",
        &hosts[0],
        "--push-url",
        &hosts[1],
    ]);
    let status = cap.wait();
    let stderr = cap.stderr();
    site.finish();
    assert_eq!(status.code(), Some(4), "{stderr}");
    // Two rounds of two hosts: give up after the second failed round.
    assert_eq!(a.attempts.load(Ordering::SeqCst), 2, "{stderr}");
    assert_eq!(b.attempts.load(Ordering::SeqCst), 2, "{stderr}");
    assert_eq!(stderr.matches("reconnecting in").count(), 1, "{stderr}");
    assert!(stderr.contains("gave up after 2 failed"), "{stderr}");
}

/// The service names another push server: the next connection goes there, resuming from the
/// cursor; the configured host is not asked again.
#[test]
fn the_push_server_the_service_names_is_used_on_the_next_connect() {
    let (site, site_url) = room_page_site();
    let end = stream_end_frame(ROOM_ID, 99);
    let named = PushServer::start(move |c| {
        c.send(&end);
        c.send_raw(bare_frame("close", 1));
        c.wait_acks();
        c.wait_gone();
        false
    });
    let named_addr = named.addr;
    let named_base = format!("ws://{named_addr}/webcast/im/push/v2/");
    let naming = naming_frame(&named_base);
    let first = PushServer::start(move |c| {
        c.send(&naming);
        c.wait_acks();
        c.hang_up();
        false
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("room.dmcap");
    let first_base = format!("ws://{}/webcast/im/push/v2/", first.addr);
    let mut cap = Running::start(&[
        "capture",
        "80017709309",
        "--out",
        out.to_str().unwrap(),
        "--signature",
        "sig",
        "--heartbeat",
        "200ms",
        "--site-url",
        &site_url,
        "--push-url",
        &first_base,
    ]);
    let status = cap.wait();
    let stderr = cap.stderr();
    let seen_first = first.finish();
    let seen_named = named.finish();
    site.finish();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(seen_first.connections, 1);
    assert_eq!(seen_named.connections, 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the server names its push server {named_addr}: connecting there next time"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("named by the server"), "{stderr}");
    let uri = &seen_named.uris[0];
    assert_eq!(
        query_param(uri, "cursor").unwrap(),
        "t-1767261600000_r-1_d-1_u-1"
    );
    assert_eq!(query_param(uri, "signature").unwrap(), "sig");
    let mut sent = seen_first.sent;
    sent.extend(seen_named.sent);
    assert_eq!(frames_in(&out), sent);
}

/// The shared real frames name no push server: a capture replayed from them never sends a
/// room's capture off to Douyin (and `--ws-url` follows no names anyway).
#[test]
fn real_frames_name_no_push_server() {
    for name in REAL_FRAMES {
        let f = danmu_analyze::frame::decode_push_frame(&crate::common::frame_bytes(name)).unwrap();
        let r = danmu_analyze::frame::decode_response(&f, &mut Vec::new()).unwrap();
        assert_eq!(r.push_server, "", "{name}");
    }
}

/// `--out` into folders that do not exist is made; an `--out` that cannot be written fails
/// before the room is contacted, in one line that says its cause once.
#[test]
fn out_into_missing_folders_is_made_and_a_bad_out_fails_before_connecting() {
    let end = stream_end_frame(42, 7);
    let server = PushServer::start(move |c| {
        c.send(&end);
        c.send_raw(bare_frame("close", 1));
        c.wait_acks();
        c.wait_gone();
        false
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rec").join("day1").join("room.dmcap");
    let url = server.url();
    let mut cap = Running::start(&crate::live::capture_args(&url, out.to_str().unwrap()));
    let status = cap.wait();
    let seen = server.finish();
    assert_eq!(status.code(), Some(0), "{}", cap.stderr());
    assert_eq!(frames_in(&out), seen.sent);

    // A file where a folder should be: refused before anything connects.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let bad = blocker.join("room.dmcap");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("ws://{}/push?room_id=42", listener.local_addr().unwrap());
    let mut cap = Running::start(&crate::live::capture_args(&url, bad.to_str().unwrap()));
    let status = cap.wait();
    let stderr = cap.stderr();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(listener.accept().is_err(), "nothing connected");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].starts_with("error: cannot write the capture file")
            && errors[0].contains("cannot create the folder"),
        "{stderr}"
    );
    // Its cause (the OS's words) once, not repeated by the error chain.
    let os = std::io::Error::from(std::io::ErrorKind::NotADirectory).to_string();
    let cause = errors[0].rsplit(": ").next().unwrap();
    assert_eq!(errors[0].matches(cause).count(), 1, "{stderr} ({os})");

    // Not a capture file: refused too, and left as it was.
    let text = dir.path().join("notes.dmcap");
    std::fs::write(&text, b"my notes").unwrap();
    let mut cap = Running::start(&crate::live::capture_args(&url, text.to_str().unwrap()));
    let status = cap.wait();
    let stderr = cap.stderr();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("it exists and is not a capture file"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&text).unwrap(), b"my notes");
    assert!(listener.accept().is_err(), "nothing connected");
}

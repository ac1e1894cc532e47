//! `capture` against a fake Douyin on loopback: the built-in signature (checked by a push server
//! that refuses what does not verify), the user's cookies (required by that server, never shown),
//! the room-info API when the page says nothing, several rooms in one process, signals; and
//! `sign`.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use danmu_analyze::live::signature::{self, open, verify, ALPHABET, SIGNATURE_LEN};
use danmu_analyze::live::url::{query_param, stub_of, x_ms_stub, SIGNED_KEYS};

use crate::common::{bin, fixture, REAL_FRAMES};
use crate::live::{
    bare_frame, frames_in, one_live_checked, records_in, rewrapped_fixture, stream_end_frame,
    Check, PushServer, Running, LIMIT,
};

const WEB_ID: &str = "80017709309";
const ROOM_ID: u64 = 7_181_823_408_362_015_540;
const SESSION: &str = "S3cretSessionValue0042";
const SID_TT: &str = "S3cretSidTtValue0077";

// ---------------------------------------------------------------------------------------------
// A fake site: home page (ttwid), room page, room-info API.

struct FakeSite {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeSite {
    /// Serves `page` for any room path, `api` (or 404) for the room-info API.
    fn start(page: String, api: Option<String>) -> FakeSite {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (reqs, halt) = (requests.clone(), stop.clone());
        let thread = thread::spawn(move || {
            let deadline = Instant::now() + LIMIT * 2;
            while !halt.load(Ordering::SeqCst) && Instant::now() < deadline {
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
                let (status, extra, body, kind) = if head.starts_with("GET / ") {
                    (
                        "200 OK",
                        "Set-Cookie: ttwid=1%7Ctestttwid; Path=/; HttpOnly\r\n",
                        String::new(),
                        "text/html",
                    )
                } else if head.starts_with("GET /webcast/room/web/enter/") {
                    match &api {
                        Some(a) => ("200 OK", "", a.clone(), "application/json"),
                        None => ("404 Not Found", "", String::new(), "text/plain"),
                    }
                } else {
                    ("200 OK", "", page.clone(), "text/html")
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {kind}; charset=utf-8\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(resp.as_bytes());
                reqs.lock().unwrap().push(head);
            }
        });
        FakeSite {
            addr,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for FakeSite {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What Douyin's push server checks: a signature that verifies over the X-MS-STUB of the URL's
/// own parameters, and a login cookie. A refusal echoes the Cookie header, as a careless server
/// might: the capture must still never show a value.
fn douyin_check(need_login: bool) -> Box<Check> {
    Box::new(move |uri: &str, headers: &HashMap<String, String>| {
        let query: Vec<(&str, String)> = SIGNED_KEYS
            .iter()
            .map(|k| (*k, query_param(uri, k).unwrap_or_default()))
            .collect();
        let stub = x_ms_stub(&query);
        let sig = query_param(uri, "signature").unwrap_or_default();
        let cookie = headers.get("cookie").cloned().unwrap_or_default();
        if !verify(&stub, &sig) {
            return Err((
                415,
                format!("DEVICE_BLOCKED bad signature; cookie was {cookie}"),
            ));
        }
        if !cookie.contains("ttwid=") {
            return Err((415, "no ttwid".into()));
        }
        if need_login && !cookie.contains(&format!("sessionid={SESSION}")) {
            return Err((415, format!("login required; cookie was {cookie}")));
        }
        Ok(())
    })
}

/// A push server sending one chat frame and the stream end, then a close frame.
fn cookies_txt(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("cookies.txt");
    std::fs::write(
        &path,
        format!(
            "# Netscape HTTP Cookie File\n\
             .douyin.com\tTRUE\t/\tTRUE\t4102444800\tsessionid\t{SESSION}\n\
             #HttpOnly_.douyin.com\tTRUE\t/\tTRUE\t0\tsid_tt\t{SID_TT}\n\
             .example.com\tTRUE\t/\tFALSE\t0\telsewhere\tnot-sent-anywhere\n"
        ),
    )
    .unwrap();
    path
}

fn no_secret_in(what: &str, text: &str) {
    for s in [SESSION, SID_TT] {
        assert!(!text.contains(s), "a cookie value shows in {what}:\n{text}");
    }
}

fn no_secret_in_files(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            no_secret_in_files(&p);
        } else if !p
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("cookie")
        {
            // (The cookie files given hold them, of course.)
            let bytes = std::fs::read(&p).unwrap();
            no_secret_in(&p.display().to_string(), &String::from_utf8_lossy(&bytes));
        }
    }
}

fn live_page_echoing_the_session() -> String {
    let page = std::fs::read_to_string(fixture("pages/live_chunks.html")).unwrap();
    // A logged-in page can carry the session back: --dump-page must not save it.
    format!("{page}<!-- {SESSION} -->")
}

// ---------------------------------------------------------------------------------------------
// Tests.

#[test]
fn sign_gives_the_published_vectors_and_random_signatures_verify() {
    let stub = "704f436b2558b0d7a1c7e758527dd8f1";
    for (args, want) in [
        (["1", "true", "63", "63"], "6pt0VC0aRZDP7n07"),
        (["0", "false", "0", "6"], "fD+evFuzasjOC8Uu"),
    ] {
        let out = bin()
            .args(["sign", stub, "--counter", args[0], "--flag", args[1]])
            .args(["--payload-byte", args[2], "--key", args[3]])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        assert_eq!(String::from_utf8(out).unwrap(), format!("{want}\n"));
    }
    let stub_md5 = md5_of_hex(stub);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..12 {
        let out = bin().args(["sign", stub]).assert().success();
        let sig = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        let sig = sig.trim_end();
        assert_signature_of(sig, &stub_md5);
        assert!(verify(stub, sig), "{sig}");
        seen.insert(sig.to_string());
    }
    assert!(seen.len() > 1, "random inputs: {seen:?}");

    // From a room's parameters: the stub, then its signature.
    let out = bin()
        .args(["sign", "--room-id", &ROOM_ID.to_string()])
        .args([
            "--user-unique-id",
            "7319483754668557238",
            "--sdk-version",
            "1.0.14-beta.0",
        ])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let (_, want_stub) = stub_of(ROOM_ID, "7319483754668557238", "1.0.14-beta.0");
    assert_eq!(lines[0], want_stub);
    assert_eq!(lines[0], "75b36c01a78d428b3b8ac8fbaafb5301");
    assert!(verify(lines[0], lines[1]));

    let bad = bin().args(["sign", "not-a-stub"]).assert().code(1);
    let err = String::from_utf8_lossy(&bad.get_output().stderr).into_owned();
    assert!(err.contains("32 hex digits"), "{err}");
    bin().args(["sign", stub, "--key", "255"]).assert().code(2);
}

fn md5_of_hex(stub: &str) -> [u8; 16] {
    md5::compute(signature::stub_bytes(stub).unwrap()).0
}

/// The property every signature has: 16 characters of the alphabet; decoded and decrypted with
/// its key, the block holds the stub's md5 bytes, the constants, and a correct XOR byte.
fn assert_signature_of(sig: &str, stub_md5: &[u8; 16]) {
    assert_eq!(sig.len(), SIGNATURE_LEN, "{sig}");
    assert!(sig.bytes().all(|c| ALPHABET.contains(&c)), "{sig}");
    let o = open(sig).unwrap();
    let b = o.block;
    assert!(b[0] <= 0x3f, "{sig}: counter {}", b[0]);
    assert_eq!(&b[1..4], &[0, 1, 14], "{sig}");
    let e = md5::compute(md5::compute(b"").0).0;
    assert_eq!(&b[4..6], &e[14..16], "{sig}");
    assert_eq!(&b[6..8], &stub_md5[14..16], "{sig}");
    assert!(b[8] < 255);
    assert_eq!(b[..9].iter().fold(0, |x, v| x ^ v), b[9], "{sig}: XOR byte");
}

#[test]
fn signatures_verify_for_every_counter_flag_and_a_spread_of_keys() {
    for stub in [
        "704f436b2558b0d7a1c7e758527dd8f1",
        "75b36c01a78d428b3b8ac8fbaafb5301",
        "00000000000000000000000000000000",
    ] {
        let stub_md5 = md5_of_hex(stub);
        for counter in 0..70u32 {
            for flag in [false, true] {
                for (key, payload_byte) in [(0u8, 254u8), (6, 0), (63, 63), (128, 7), (254, 200)] {
                    let inputs = signature::SignInputs {
                        counter,
                        flag,
                        payload_byte,
                        key,
                    };
                    let sig = signature::sign(stub, inputs).unwrap();
                    assert_signature_of(&sig, &stub_md5);
                    let o = open(&sig).unwrap();
                    assert_eq!(
                        (o.flag, o.key, o.block[0] as u32, o.block[8]),
                        (flag, key, counter & 0x3f, payload_byte)
                    );
                    assert!(verify(stub, &sig));
                }
            }
        }
    }
    // Another stub's signature does not verify.
    assert!(!verify(
        "75b36c01a78d428b3b8ac8fbaafb5301",
        "6pt0VC0aRZDP7n07"
    ));
}

/// No --signer: the push URL is signed natively, the user's cookies go on the page and the
/// handshake (which the server refuses without them), and no value shows anywhere.
#[test]
fn capture_signs_natively_and_sends_the_users_cookies_without_showing_them() {
    let site = FakeSite::start(live_page_echoing_the_session(), None);
    let server = one_live_checked(douyin_check(true), ROOM_ID);
    let dir = tempfile::tempdir().unwrap();
    let cookies = cookies_txt(dir.path());
    let out = dir.path().join("room.dmcap");
    let dump = dir.path().join("page.html");
    let push_url = format!("ws://{}/webcast/im/push/v2/", server.addr);
    let mut cap = Running::start(&[
        "capture",
        WEB_ID,
        "--out",
        out.to_str().unwrap(),
        "--cookies",
        cookies.to_str().unwrap(),
        "--dump-page",
        dump.to_str().unwrap(),
        "--heartbeat",
        "200ms",
        "--site-url",
        &site.url(),
        "--push-url",
        &push_url,
    ]);
    let status = cap.wait();
    let stderr = cap.stderr();
    let seen = server.finish();
    assert_eq!(status.code(), Some(0), "{stderr}\n{:?}", seen.refused);
    assert!(seen.refused.is_empty(), "{:?}", seen.refused);
    assert!(seen.errors.is_empty(), "{:?}", seen.errors);
    assert!(
        stderr.contains(&format!(
            "cookies from {}: sessionid, sid_tt (a logged-in session)",
            cookies.display()
        )),
        "{stderr}"
    );
    let uri = &seen.uris[0];
    assert_eq!(query_param(uri, "webcast_sdk_version").unwrap(), "1.0.15");
    assert_eq!(query_param(uri, "room_id").unwrap(), ROOM_ID.to_string());
    let cookie = &seen.headers[0]["cookie"];
    assert!(cookie.contains(&format!("sessionid={SESSION}")), "{cookie}");
    assert!(cookie.contains("ttwid=1%7Ctestttwid"), "{cookie}");
    assert!(
        !cookie.contains("elsewhere"),
        "only douyin.com cookies: {cookie}"
    );
    // The room page request carried them too.
    let page_req = site
        .requests()
        .into_iter()
        .find(|r| r.starts_with(&format!("GET /{WEB_ID} ")))
        .unwrap();
    assert!(
        page_req.contains(&format!("sessionid={SESSION}")),
        "{page_req}"
    );
    assert_eq!(frames_in(&out), seen.sent);
    let saved = std::fs::read_to_string(&dump).unwrap();
    assert!(
        saved.contains("<!-- *** -->"),
        "the echoed value is scrubbed"
    );
    no_secret_in("stderr", &stderr);
    no_secret_in_files(dir.path());

    // Without the cookies the server refuses the handshake (415): said, retried, given up.
    let server = one_live_checked(douyin_check(true), ROOM_ID);
    let push_url = format!("ws://{}/webcast/im/push/v2/", server.addr);
    let out2 = dir.path().join("nologin.dmcap");
    let mut cap = Running::start(&[
        "capture",
        WEB_ID,
        "--out",
        out2.to_str().unwrap(),
        "--max-reconnects",
        "1",
        "--site-url",
        &site.url(),
        "--push-url",
        &push_url,
    ]);
    let status = cap.wait();
    let stderr = cap.stderr();
    assert_eq!(status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("refused the WebSocket with HTTP 415"),
        "{stderr}"
    );
    assert!(server
        .seen
        .lock()
        .unwrap()
        .refused
        .iter()
        .all(|r| r.starts_with("login required")));

    // A wrong signature, cookies from DANMU_COOKIES: refused, and the server's answer echoing
    // the Cookie header is scrubbed from the log.
    let server = one_live_checked(douyin_check(true), ROOM_ID);
    let push_url = format!("ws://{}/webcast/im/push/v2/", server.addr);
    let out3 = dir.path().join("badsig.dmcap");
    let child = Command::new(crate::live::BIN)
        .args([
            "capture",
            WEB_ID,
            "--out",
            out3.to_str().unwrap(),
            "--max-reconnects",
            "0",
        ])
        .args([
            "--signature",
            "AAAAAAAAAAAAAAAA",
            "--site-url",
            &site.url(),
            "--push-url",
            &push_url,
        ])
        .args(["--heartbeat", "200ms"])
        .env("DANMU_COOKIES", &cookies)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let until = Instant::now() + LIMIT;
    while server.seen.lock().unwrap().refused.is_empty() && Instant::now() < until {
        thread::sleep(Duration::from_millis(20));
    }
    thread::sleep(Duration::from_millis(300));
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    let refused = server.seen.lock().unwrap().refused.clone();
    assert!(
        refused[0].starts_with("DEVICE_BLOCKED bad signature"),
        "{refused:?}"
    );
    assert!(refused[0].contains(SESSION), "the server did echo it");
    assert!(
        stderr.contains("HTTP 415: DEVICE_BLOCKED bad signature; cookie was sessionid=***"),
        "{stderr}"
    );
    no_secret_in("stderr", &stderr);
    no_secret_in_files(dir.path());
}

/// A page with no room data: the room-info API says which room, and whether it is live.
#[test]
fn the_room_info_api_answers_when_the_page_does_not() {
    let blank = "<html><head><title>抖音直播</title></head><body></body></html>".to_string();
    let live = format!(
        r#"{{"data":{{"data":[{{"id_str":"{ROOM_ID}","status":2,"title":"接口里的标题"}}],"enter_room_id":"{ROOM_ID}"}},"status_code":0}}"#
    );
    let site = FakeSite::start(blank.clone(), Some(live));
    let server = one_live_checked(douyin_check(false), ROOM_ID);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("api.dmcap");
    let push_url = format!("ws://{}/webcast/im/push/v2/", server.addr);
    let mut cap = Running::start(&[
        "capture",
        WEB_ID,
        "--out",
        out.to_str().unwrap(),
        "--heartbeat",
        "200ms",
        "--site-url",
        &site.url(),
        "--push-url",
        &push_url,
    ]);
    let status = cap.wait();
    let stderr = cap.stderr();
    let seen = server.finish();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("asking the room-info API"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "room {WEB_ID} is live: room id {ROOM_ID}, `接口里的标题`"
        )),
        "{stderr}"
    );
    assert_eq!(
        query_param(&seen.uris[0], "room_id").unwrap(),
        ROOM_ID.to_string()
    );
    let api = site
        .requests()
        .into_iter()
        .find(|r| r.starts_with("GET /webcast/room/web/enter/"))
        .expect("the API was asked");
    let line = api.lines().next().unwrap();
    for p in [
        "aid=6383",
        "device_platform=web",
        &format!("web_rid={WEB_ID}"),
    ] {
        assert!(line.contains(p), "{line}");
    }
    assert!(
        api.contains("ttwid=1%7Ctestttwid"),
        "with the site's cookie: {api}"
    );
    assert_eq!(frames_in(&out), seen.sent);
    drop(site);

    // The API says ended: exit 5; says no such room: exit 6; nothing recorded either way.
    for (api, code, says) in [
        (
            format!(
                r#"{{"data":{{"data":[{{"id_str":"{ROOM_ID}","status":4,"title":"t"}}]}},"status_code":0}}"#
            ),
            5,
            "the live has ended",
        ),
        (
            r#"{"data":{"data":[],"prompts":"直播间不存在"},"status_code":0}"#.to_string(),
            6,
            "the room does not exist (removed, or a wrong id): Douyin says `直播间不存在`",
        ),
    ] {
        let site = FakeSite::start(blank.clone(), Some(api));
        let out = dir.path().join(format!("exit{code}.dmcap"));
        let assert = bin()
            .args(["capture", WEB_ID, "--out", out.to_str().unwrap()])
            .args([
                "--site-url",
                &site.url(),
                "--push-url",
                "ws://127.0.0.1:9/never",
            ])
            .env_remove("DANMU_SIGNER")
            .env_remove("DANMU_COOKIES")
            .assert()
            .code(code);
        let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(err.contains(says), "{err}");
        assert!(!out.exists());
    }

    // Neither page nor API says: not understood, exit 1.
    let site = FakeSite::start(blank, Some("<html>验证码</html>".into()));
    let assert = bin()
        .args([
            "capture",
            WEB_ID,
            "--out",
            dir.path().join("x.dmcap").to_str().unwrap(),
        ])
        .args([
            "--site-url",
            &site.url(),
            "--push-url",
            "ws://127.0.0.1:9/never",
        ])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        err.contains("not understood") && err.contains("--dump-page"),
        "{err}"
    );
}

/// Four rooms at once: two push URLs that stream a live, one whose server is gone (gives up),
/// one by web id that is not live. The good ones record everything; the exit code is the worst.
#[test]
fn several_rooms_at_once_one_failing_never_stops_the_others() {
    let script: Vec<_> = REAL_FRAMES
        .iter()
        .enumerate()
        .map(|(i, n)| rewrapped_fixture(i, n))
        .collect();
    let servers: Vec<PushServer> = [101u64, 102]
        .into_iter()
        .map(|room| {
            let frames = script.clone();
            let end = stream_end_frame(room, 500 + room);
            PushServer::start(move |c| {
                for f in &frames {
                    c.send(f);
                    c.pump(Duration::from_millis(30));
                }
                c.send(&end);
                c.send_raw(bare_frame("close", 1));
                c.wait_acks();
                c.wait_gone();
                false
            })
        })
        .collect();
    let ended = std::fs::read_to_string(fixture("pages/ended_chunks.html")).unwrap();
    let site = FakeSite::start(ended, None);
    let gone = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let rooms = dir.path().join("rooms.txt");
    std::fs::write(
        &rooms,
        format!("# the evening's rooms\nws://127.0.0.1:{gone}/push?room_id=3   # its server is gone\n\n{WEB_ID}\n"),
    )
    .unwrap();
    let out_dir = dir.path().join("rec");
    let urls: Vec<String> = servers
        .iter()
        .zip([101, 102])
        .map(|(s, room)| format!("ws://{}/webcast/im/push/v2/?room_id={room}", s.addr))
        .collect();
    let mut cap = Running::start(&[
        "capture",
        &urls[0],
        &urls[1],
        "--rooms",
        rooms.to_str().unwrap(),
        "--out-dir",
        out_dir.to_str().unwrap(),
        "--heartbeat",
        "200ms",
        "--max-reconnects",
        "2",
        "--site-url",
        &site.url(),
    ]);
    let status = cap.wait();
    let stderr = cap.stderr();
    assert_eq!(
        status.code(),
        Some(4),
        "gave up is the worst here:\n{stderr}"
    );
    for (server, room) in servers.into_iter().zip([101, 102]) {
        let seen = server.finish();
        assert!(seen.errors.is_empty(), "{:?}", seen.errors);
        let file = out_dir.join(format!("{room}.dmcap"));
        assert_eq!(
            frames_in(&file),
            seen.sent,
            "room {room}: every frame, in order"
        );
        assert!(records_in(&file).iter().all(|r| r.room_id == room));
        assert!(
            stderr.contains(&format!("[{room}] capture ended: the live ended")),
            "{stderr}"
        );
    }
    assert!(
        stderr.contains("[3] ") && stderr.contains("giving up"),
        "{stderr}"
    );
    assert_eq!(records_in(&out_dir.join("3.dmcap")).len(), 0);
    assert!(
        stderr.contains(&format!(
            "[{WEB_ID}] error: room {WEB_ID}: the room is not live"
        )),
        "{stderr}"
    );
    assert!(!out_dir.join(format!("{WEB_ID}.dmcap")).exists());
    assert!(
        stderr.contains("all rooms done: 2 ended, 0 stopped by a signal, 1 not live, 0 not found, 1 gave up, 0 failed"),
        "{stderr}"
    );

    // Several rooms need a directory; the same file twice is refused.
    let a = bin()
        .args(["capture", "1", "2", "--out", "x.dmcap"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("--out-dir"));
    let a = bin()
        .args([
            "capture",
            "123",
            "ws://127.0.0.1:1/?room_id=123",
            "--out-dir",
        ])
        .arg(dir.path())
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("123.dmcap"));
}

/// A server that streams fixture frames until the client goes; `tx` hears after 20 frames.
fn endless(tx: mpsc::Sender<()>) -> PushServer {
    let frames: Vec<_> = REAL_FRAMES
        .iter()
        .enumerate()
        .map(|(i, n)| rewrapped_fixture(i, n))
        .collect();
    PushServer::start(move |c| {
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
    })
}

/// SIGTERM, one room or three: every room ends "stopped by SIGTERM", with no "reconnecting"
/// and no reconnect counted, exit 143, every file readable and a prefix of what was sent.
#[test]
fn a_signal_is_a_stop_not_a_drop() {
    for rooms in [1usize, 3] {
        let (tx, rx) = mpsc::channel();
        let servers: Vec<PushServer> = (0..rooms).map(|_| endless(tx.clone())).collect();
        let dir = tempfile::tempdir().unwrap();
        let urls: Vec<String> = servers
            .iter()
            .enumerate()
            .map(|(i, s)| format!("ws://{}/?room_id={}", s.addr, 900 + i))
            .collect();
        let single = dir.path().join("one.dmcap");
        let mut args: Vec<&str> = vec!["capture", "--heartbeat", "200ms"];
        if rooms == 1 {
            args.extend(["--ws-url", &urls[0], "--out", single.to_str().unwrap()]);
        } else {
            args.extend(urls.iter().map(String::as_str));
            args.extend(["--out-dir", dir.path().to_str().unwrap()]);
        }
        let mut cap = Running::start(&args);
        for _ in 0..rooms {
            rx.recv_timeout(LIMIT).expect("every room streams");
        }
        let t = Instant::now();
        Command::new("kill")
            .args(["-TERM", &cap.child.id().to_string()])
            .status()
            .unwrap();
        let status = cap.wait();
        let took = t.elapsed();
        let stderr = cap.stderr();
        assert_eq!(status.code(), Some(143), "{stderr}");
        assert!(!stderr.contains("reconnecting"), "{stderr}");
        assert!(!stderr.contains("Interrupted"), "{stderr}");
        assert!(!stderr.contains("broke"), "{stderr}");
        assert_eq!(
            stderr.matches("capture ended: stopped by SIGTERM").count(),
            rooms,
            "{stderr}"
        );
        assert_eq!(stderr.matches(", 0 reconnects").count(), rooms, "{stderr}");
        assert!(took < Duration::from_secs(3), "stopping took {took:?}");
        for (i, server) in servers.into_iter().enumerate() {
            let seen = server.finish();
            let file = if rooms == 1 {
                single.clone()
            } else {
                dir.path().join(format!("{}.dmcap", 900 + i))
            };
            let frames = frames_in(&file);
            assert!(frames.len() >= 20, "{} records", frames.len());
            assert_eq!(frames[..], seen.sent[..frames.len()]);
        }
    }
}

/// Chat for a while, no gift, no login: the status line says gifts need a logged-in session.
/// With a login cookie (here a `Cookie:` header line file) it does not.
#[test]
fn no_gifts_without_login_is_pointed_out() {
    for login in [false, true] {
        let chat = rewrapped_fixture(0, REAL_FRAMES[0]);
        let (tx, rx) = mpsc::channel::<()>();
        let server = PushServer::start(move |c| {
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(15) {
                if !c.send(&chat) || !c.pump(Duration::from_millis(50)) {
                    return false;
                }
                if start.elapsed() > Duration::from_millis(900) {
                    let _ = tx.send(());
                }
            }
            false
        });
        let dir = tempfile::tempdir().unwrap();
        let cookies = dir.path().join("cookie-line.txt");
        std::fs::write(
            &cookies,
            format!("Cookie: sessionid={SESSION}; uid_tt=abc\n"),
        )
        .unwrap();
        let out = dir.path().join("chat.dmcap");
        let url = format!("ws://{}/?room_id=42", server.addr);
        let mut args = vec![
            "capture",
            "--ws-url",
            &url,
            "--out",
            out.to_str().unwrap(),
            "--heartbeat",
            "200ms",
            "--status-every",
            "150ms",
            "--gift-hint-after",
            "300ms",
        ];
        if login {
            args.extend(["--cookies", cookies.to_str().unwrap()]);
        }
        let mut cap = Running::start(&args);
        rx.recv_timeout(LIMIT).unwrap();
        Command::new("kill")
            .args(["-TERM", &cap.child.id().to_string()])
            .status()
            .unwrap();
        cap.wait();
        let stderr = cap.stderr();
        let hinted = stderr.contains("gifts need a logged-in session, give --cookies");
        assert_eq!(hinted, !login, "{stderr}");
        if login {
            assert!(
                stderr.contains("sessionid, uid_tt (a logged-in session)"),
                "{stderr}"
            );
            let headers = &server.seen.lock().unwrap().headers;
            assert!(
                headers[0]["cookie"].contains("sessionid="),
                "the handshake carries them"
            );
        }
        no_secret_in("stderr", &stderr);
        no_secret_in_files(dir.path());
        assert!(!records_in(&out).is_empty());
        // Not joined: the server streams on until its time is up.
        drop(server);
    }
}

/// The room-info API as public clients of 2026 ask it: no `enter_from`, the user's `msToken`
/// in the query, and an `a_bogus` of that query last; an empty answer is an error of its own
/// that says what to try.
#[test]
fn the_room_info_api_is_signed_with_a_bogus_and_an_empty_answer_says_what_to_try() {
    let blank = "<html><head><title>抖音直播</title></head><body></body></html>".to_string();
    let live = format!(
        r#"{{"data":{{"data":[{{"id_str":"{ROOM_ID}","status":2,"title":"t"}}],"enter_room_id":"{ROOM_ID}"}},"status_code":0}}"#
    );
    let site = FakeSite::start(blank.clone(), Some(live));
    let server = one_live_checked(douyin_check(false), ROOM_ID);
    let dir = tempfile::tempdir().unwrap();
    let token = "UserMsToken-0123456789_abcdefghijklmnopqrstuvwxyz";
    let cookies = dir.path().join("cookies.txt");
    std::fs::write(
        &cookies,
        format!("Cookie: msToken={token}; sessionid={SESSION}\n"),
    )
    .unwrap();
    let out = dir.path().join("api.dmcap");
    let push_url = format!("ws://{}/webcast/im/push/v2/", server.addr);
    let mut cap = Running::start(&[
        "capture",
        WEB_ID,
        "--out",
        out.to_str().unwrap(),
        "--cookies",
        cookies.to_str().unwrap(),
        "--heartbeat",
        "200ms",
        "--site-url",
        &site.url(),
        "--push-url",
        &push_url,
    ]);
    let status = cap.wait();
    let stderr = cap.stderr();
    server.finish();
    assert_eq!(status.code(), Some(0), "{stderr}");
    let api = site
        .requests()
        .into_iter()
        .find(|r| r.starts_with("GET /webcast/room/web/enter/"))
        .expect("the API was asked");
    let target = api
        .lines()
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .to_string();
    assert!(!target.contains("enter_from"), "{target}");
    let url = format!("http://h{target}");
    assert_eq!(query_param(&url, "msToken").unwrap(), token);
    let (unsigned, _) = target.rsplit_once("&a_bogus=").expect("a_bogus comes last");
    assert!(unsigned.ends_with(&format!("msToken={token}")), "{target}");
    let sig = query_param(&url, "a_bogus").unwrap();
    // 57 bytes and one per character of the browser fingerprint (whose window sizes vary),
    // in padded base64.
    assert!(
        sig.len() % 4 == 0 && (150..=190).contains(&sig.len()),
        "{sig}"
    );
    assert!(sig
        .bytes()
        .all(|b| danmu_analyze::live::abogus::ALPHABET.contains(&b) || b == b'='));
    drop(site);

    // An empty answer: its own error, naming what to try; nothing recorded.
    let site = FakeSite::start(blank, Some(String::new()));
    let out = dir.path().join("empty.dmcap");
    let assert = bin()
        .args(["capture", WEB_ID, "--out", out.to_str().unwrap()])
        .args([
            "--site-url",
            &site.url(),
            "--push-url",
            "ws://127.0.0.1:9/never",
        ])
        .env_remove("DANMU_SIGNER")
        .env_remove("DANMU_COOKIES")
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        err.contains("the room-info API answered with nothing")
            && err.contains("--cookies")
            && err.contains("--proxy")
            && err.contains("--dump-page"),
        "{err}"
    );
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert_eq!(
        errors[0].matches("answered with nothing").count(),
        1,
        "{err}"
    );
    assert!(!out.exists());
}

/// `sign --a-bogus` with the inputs fixed gives what the public implementation gave for them
/// (tests/fixtures/abogus/vectors.json, made by make_vectors.py beside it).
#[test]
fn sign_gives_the_a_bogus_of_the_public_implementations_vectors() {
    let text = std::fs::read_to_string(fixture("abogus/vectors.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let vectors = v["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 6);
    for t in vectors {
        let r = t["random"].as_array().unwrap();
        let fixed = format!(
            "{},{},{},{},{}",
            t["start_ms"], t["end_ms"], r[0], r[1], r[2]
        );
        let assert = bin()
            .args(["sign", "--a-bogus", t["query"].as_str().unwrap()])
            .args(["--user-agent", t["user_agent"].as_str().unwrap()])
            .args(["--body", t["body"].as_str().unwrap()])
            .args(["--fixed", &fixed])
            .args(["--fingerprint", t["fingerprint"].as_str().unwrap()])
            .assert()
            .success();
        let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
        assert_eq!(out.trim(), t["a_bogus"].as_str().unwrap(), "{}", t["name"]);
    }
}

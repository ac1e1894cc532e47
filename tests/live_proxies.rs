//! `capture` through proxies, the binary against test proxies on loopback that count what they
//! relay: `--proxy` and a room's own `proxy=` in `--rooms` (HTTP CONNECT and SOCKS5 with
//! credentials), the room page and the WebSocket both through one, a proxy that is down, and
//! malformed proxy URLs refused before anything connects; no credential in any output.

use crate::common::fixture;
use crate::common::proxy::{dead_port, TestProxy};
use crate::live::{frames_in, one_live, PageServer, Running};

const USER: &str = "proxy-user";
const PASS: &str = "pr0xy-Secret";

fn no_credentials_in(text: &str) {
    assert!(!text.contains(PASS), "the proxy password shows:\n{text}");
    assert!(!text.contains(USER), "the proxy user shows:\n{text}");
}

/// Two rooms from a rooms file: one names its SOCKS5 proxy, the other goes through `--proxy`
/// (HTTP CONNECT). Each proxy relays exactly its room's connection.
#[test]
fn each_room_goes_out_through_its_own_proxy() {
    let socks = TestProxy::socks5(Some((USER, PASS)));
    let http = TestProxy::http(Some((USER, PASS)));
    let a = one_live(11);
    let b = one_live(22);
    let dir = tempfile::tempdir().unwrap();
    let rooms = dir.path().join("rooms.txt");
    std::fs::write(
        &rooms,
        format!(
            "# two rooms, two ways out\nws://{}/push?room_id=11 proxy={}\nws://{}/push?room_id=22\n",
            a.addr,
            socks.url(Some("socks5h"), Some((USER, PASS))),
            b.addr
        ),
    )
    .unwrap();
    let rec = dir.path().join("rec");
    let http_url = http.url(None, Some((USER, PASS)));
    let mut cap = Running::start(&[
        "capture",
        "--rooms",
        rooms.to_str().unwrap(),
        "--out-dir",
        rec.to_str().unwrap(),
        "--heartbeat",
        "200ms",
        "--proxy",
        &http_url,
    ]);
    let status = cap.wait();
    let stderr = cap.stderr();
    let (port_a, port_b) = (a.addr.port(), b.addr.port());
    let (seen_a, seen_b) = (a.finish(), b.finish());
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(socks.tunnels(), 1, "{stderr}");
    assert_eq!(http.tunnels(), 1, "{stderr}");
    assert!(socks.targets()[0].ends_with(&format!(":{port_a}")));
    assert!(http.targets()[0].ends_with(&format!(":{port_b}")));
    assert!(socks.bytes_down() > 0 && socks.bytes_up() > 0);
    assert!(http.bytes_down() > 0 && http.bytes_up() > 0);
    assert_eq!(frames_in(&rec.join("11.dmcap")), seen_a.sent);
    assert_eq!(frames_in(&rec.join("22.dmcap")), seen_b.sent);
    assert!(
        stderr.contains(&format!(
            "[11] going out through the proxy socks5h://***@{}",
            socks.addr()
        )),
        "{stderr}"
    );
    no_credentials_in(&stderr);
}

/// A room joined by its page: the page requests and the WebSocket all go through the proxy.
#[test]
fn the_room_page_and_the_websocket_both_go_through_the_proxy() {
    let page = std::fs::read_to_string(fixture("pages/live_chunks.html")).unwrap();
    let site = PageServer::start(page);
    let server = one_live(7_181_823_408_362_015_540);
    let socks = TestProxy::socks5(Some((USER, PASS)));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("room.dmcap");
    let site_url = format!("http://{}", site.addr);
    let push_url = format!("ws://{}/webcast/im/push/v2/", server.addr);
    let proxy = socks.url(Some("socks5"), Some((USER, PASS)));
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
        &push_url,
        "--proxy",
        &proxy,
    ]);
    let status = cap.wait();
    let stderr = cap.stderr();
    let (site_port, push_port) = (site.addr.port(), server.addr.port());
    let seen = server.finish();
    let requests = site.finish();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(requests.len(), 2);
    let targets = socks.targets();
    let to_site = targets
        .iter()
        .filter(|t| t.ends_with(&format!(":{site_port}")))
        .count();
    let to_push = targets
        .iter()
        .filter(|t| t.ends_with(&format!(":{push_port}")))
        .count();
    assert!(to_site >= 1, "{targets:?}");
    assert_eq!(to_push, 1, "{targets:?}");
    assert_eq!(frames_in(&out), seen.sent);
    no_credentials_in(&stderr);
}

/// A proxy that is down: each attempt names it (without credentials) and counts as a failed
/// connect, so the back-off and --max-reconnects apply.
#[test]
fn a_dead_proxy_is_named_and_counts_as_a_failed_connect() {
    let port = dead_port();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("room.dmcap");
    let proxy = format!("http://{USER}:{PASS}@127.0.0.1:{port}");
    let mut cap = Running::start(&[
        "capture",
        "--ws-url",
        "ws://127.0.0.1:9/push?room_id=5",
        "--out",
        out.to_str().unwrap(),
        "--max-reconnects",
        "1",
        "--proxy",
        &proxy,
    ]);
    let status = cap.wait();
    let stderr = cap.stderr();
    assert_eq!(status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "cannot connect to proxy http://***@127.0.0.1:{port}"
        )),
        "{stderr}"
    );
    assert_eq!(stderr.matches("reconnecting in").count(), 1, "{stderr}");
    no_credentials_in(&stderr);
}

/// Malformed proxy URLs are usage errors (exit 2) that never echo a password, before
/// anything connects: `--proxy`, a room's `proxy=`, and `DANMU_PROXY`.
#[test]
fn malformed_proxy_urls_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.dmcap");
    let rooms = dir.path().join("rooms.txt");
    std::fs::write(&rooms, format!("123 proxy=ftp://{USER}:{PASS}@h:1\n")).unwrap();
    let cases: [(&[&str], Option<&str>, &str); 3] = [
        (
            &["--proxy", "socks4://proxy-user:pr0xy-Secret@h:1"],
            None,
            "--proxy",
        ),
        (&["--rooms", rooms.to_str().unwrap()], None, "line 1"),
        (
            &[],
            Some("http://proxy-user:pr0xy-Secret@h:port"),
            "DANMU_PROXY",
        ),
    ];
    for (extra, env, says) in cases {
        let mut args = vec!["capture", "--out-dir", dir.path().to_str().unwrap()];
        if !extra.contains(&"--rooms") {
            args = vec!["capture", "--ws-url", "ws://127.0.0.1:9/p", "--out"];
            args.push(out.to_str().unwrap());
        }
        args.extend_from_slice(extra);
        let mut cmd = crate::common::bin();
        cmd.args(&args).env_remove("DANMU_PROXY");
        if let Some(v) = env {
            cmd.env("DANMU_PROXY", v);
        }
        let assert = cmd.assert().code(2);
        let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(err.contains(says), "{args:?}: {err}");
        no_credentials_in(&err);
        assert!(!out.exists());
    }
}

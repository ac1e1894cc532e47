//! Tunnels and ureq requests through the test proxies: each kind, with and without
//! credentials, refused, down and silent; and no text ever carries the password.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::common::proxy::{dead_port, silent, Kind, Target, TestProxy};
use danmu_analyze::live::proxy::{ProxyError, ProxyUrl};

const USER: &str = "viewer";
const PASS: &str = "s3cret-Pw";
const T: Duration = Duration::from_secs(5);

fn url(s: &str) -> ProxyUrl {
    s.parse().unwrap()
}

/// What every error must satisfy: names the proxy, never its credentials.
fn check_text(text: &str, proxy: &TestProxy) {
    assert!(!text.contains(PASS), "password in `{text}`");
    assert!(!text.contains(USER), "user name in `{text}`");
    assert!(
        text.contains(&proxy.addr().to_string()),
        "proxy not named in `{text}`"
    );
}

fn ping(mut s: TcpStream) {
    s.write_all(b"ping").unwrap();
    let mut back = [0u8; 4];
    s.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"ping");
}

/// (proxy kind, scheme, the target host to ask for, what the proxy must be asked for)
const CASES: [(Kind, &str, &str, &str); 4] = [
    (Kind::Http, "http", "localhost", "name:localhost"),
    (Kind::Socks5, "socks5", "127.0.0.1", "ip:127.0.0.1"),
    (Kind::Socks5, "socks5h", "localhost", "name:localhost"),
    (Kind::Socks5, "socks5h", "127.0.0.1", "ip:127.0.0.1"),
];

#[test]
fn tunnels_through_each_kind_with_and_without_credentials() {
    let echo = Target::echo();
    for (kind, scheme, host, asked) in CASES {
        for creds in [None, Some((USER, PASS))] {
            let proxy = TestProxy::start(kind, creds);
            let u = url(&proxy.url(Some(scheme), creds));
            ping(u.connect(host, echo.port(), T).unwrap());
            let what = format!("{scheme} {host} {creds:?}");
            assert_eq!(proxy.accepted(), 1, "{what}");
            assert_eq!(proxy.tunnels(), 1, "{what}");
            assert_eq!((proxy.bytes_up(), proxy.bytes_down()), (4, 4), "{what}");
            assert_eq!(
                proxy.targets(),
                [format!("{asked}:{}", echo.port())],
                "{what}"
            );
        }
    }
}

#[test]
fn socks5_resolves_the_name_here() {
    let echo = Target::echo();
    let proxy = TestProxy::socks5(None);
    // localhost may resolve to ::1 first, where the echo server is not: the connection
    // itself may fail, but the proxy must be asked for an address, never the name.
    let _ = url(&proxy.url(None, None)).connect("localhost", echo.port(), T);
    let targets = proxy.targets();
    assert_eq!(targets.len(), 1);
    assert!(targets[0].starts_with("ip:"), "{targets:?}");
}

#[test]
fn wrong_or_missing_credentials_are_rejected() {
    let echo = Target::echo();
    for kind in [Kind::Http, Kind::Socks5] {
        let proxy = TestProxy::start(kind, Some((USER, PASS)));
        let wrong = url(&proxy.url(None, Some((USER, "not-the-Pw"))));
        let e = wrong.connect("127.0.0.1", echo.port(), T).unwrap_err();
        assert!(matches!(e, ProxyError::AuthRejected { .. }), "{e:?}");
        check_text(&e.to_string(), &proxy);
        assert!(!e.to_string().contains("not-the-Pw"));
        assert!(!format!("{e:?}").contains("not-the-Pw"));

        let none = url(&proxy.url(None, None));
        let e = none.connect("127.0.0.1", echo.port(), T).unwrap_err();
        assert!(matches!(e, ProxyError::AuthRequired { .. }), "{e:?}");
        check_text(&e.to_string(), &proxy);

        assert_eq!(proxy.auth_failures(), 2);
        assert_eq!(proxy.tunnels(), 0);
        assert_eq!(echo.connections(), 0);
    }
}

#[test]
fn refused_targets_say_how() {
    let closed = dead_port();
    let proxy = TestProxy::http(Some((USER, PASS)));
    let e = url(&proxy.url(None, Some((USER, PASS))))
        .connect("127.0.0.1", closed, T)
        .unwrap_err();
    assert!(
        matches!(e, ProxyError::ConnectStatus { status: 502, .. }),
        "{e:?}"
    );
    check_text(&e.to_string(), &proxy);

    let proxy = TestProxy::socks5(Some((USER, PASS)));
    let e = url(&proxy.url(Some("socks5h"), Some((USER, PASS))))
        .connect("127.0.0.1", closed, T)
        .unwrap_err();
    assert!(matches!(e, ProxyError::SocksReply { code: 5, .. }), "{e:?}");
    let text = e.to_string();
    check_text(&text, &proxy);
    assert!(text.contains("connection refused"), "{text}");
}

#[test]
fn a_dead_or_silent_proxy_is_an_error_naming_it() {
    let port = dead_port();
    for scheme in ["http", "socks5", "socks5h"] {
        let u = url(&format!("{scheme}://{USER}:{PASS}@127.0.0.1:{port}"));
        let e = u.connect("127.0.0.1", 80, T).unwrap_err();
        assert!(matches!(e, ProxyError::Connect { .. }), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains(&format!("{scheme}://***@127.0.0.1:{port}")),
            "{text}"
        );
        assert!(!text.contains(PASS) && !format!("{e:?}").contains(PASS));
    }
    let quiet = silent();
    let addr = quiet.local_addr().unwrap();
    let u = url(&format!("socks5h://{USER}:{PASS}@{addr}"));
    let e = u
        .connect("127.0.0.1", 80, Duration::from_millis(300))
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("no answer within 300ms"), "{text}");
    assert!(text.contains(&addr.to_string()) && !text.contains(PASS));
}

fn agent(proxy: &ProxyUrl) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(T))
        .http_status_as_error(false)
        .proxy(Some(proxy.to_ureq().unwrap()))
        .build()
        .into()
}

#[test]
fn ureq_goes_through_each_kind() {
    let site = Target::http();
    for (kind, scheme, host, asked) in CASES {
        for creds in [None, Some((USER, PASS))] {
            let proxy = TestProxy::start(kind, creds);
            let u = url(&proxy.url(Some(scheme), creds));
            let before = site.connections();
            let body = agent(&u)
                .get(format!("http://{host}:{}/room", site.port()))
                .call()
                .unwrap()
                .body_mut()
                .read_to_string()
                .unwrap();
            let what = format!("{scheme} {host} {creds:?}");
            assert_eq!(body, "hello /room", "{what}");
            assert_eq!(proxy.tunnels(), 1, "{what}");
            assert_eq!(site.connections(), before + 1, "{what}");
            assert!(proxy.bytes_up() > 0 && proxy.bytes_down() > 0, "{what}");
            assert_eq!(
                proxy.targets(),
                [format!("{asked}:{}", site.port())],
                "{what}"
            );
        }
    }
}

#[test]
fn ureq_errors_name_the_proxy_and_hide_the_password() {
    let site = Target::http();
    let target = format!("http://127.0.0.1:{}/", site.port());
    for kind in [Kind::Http, Kind::Socks5] {
        let proxy = TestProxy::start(kind, Some((USER, PASS)));
        let wrong = url(&proxy.url(None, Some((USER, "not-the-Pw"))));
        let e = agent(&wrong).get(&target).call().unwrap_err();
        let ours = wrong.ureq_error(&e);
        for text in [e.to_string(), format!("{e:?}"), ours.to_string()] {
            assert!(!text.contains("not-the-Pw"), "{text}");
        }
        check_text(&ours.to_string(), &proxy);
        assert_eq!(proxy.tunnels(), 0);
    }
    let port = dead_port();
    for scheme in ["http", "socks5", "socks5h"] {
        let u = url(&format!("{scheme}://{USER}:{PASS}@127.0.0.1:{port}"));
        let e = agent(&u).get(&target).call().unwrap_err();
        let ours = u.ureq_error(&e).to_string();
        assert!(ours.contains(&format!("127.0.0.1:{port}")), "{ours}");
        assert!(
            !ours.contains(PASS) && !format!("{e:?}").contains(PASS),
            "{ours}"
        );
    }
    assert_eq!(site.connections(), 0);
}

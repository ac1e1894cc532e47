//! Proxies for tests, on loopback: an HTTP CONNECT proxy and a SOCKS5 server (RFC 1928, with
//! RFC 1929 user/password when asked to require it), each counting what it did; a target
//! server (echo or a one-line HTTP answer); a port with nothing listening; a listener that
//! never answers. Every server stops when dropped. Proxies only connect to loopback targets.

#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use base64::prelude::{Engine, BASE64_STANDARD};

/// How long a handshake may stall before the server gives up on the client.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Http,
    Socks5,
}

/// What a proxy did; read with `Ordering::SeqCst` through the accessors.
#[derive(Default)]
pub struct Counters {
    accepted: AtomicUsize,
    tunnels: AtomicUsize,
    auth_failures: AtomicUsize,
    /// Client to target, counted as read (before the write), so a reply seen by the client
    /// means its request is already counted.
    up: AtomicU64,
    down: AtomicU64,
    /// Each CONNECT's target as asked: `name:HOST:PORT` or `ip:ADDR:PORT`.
    targets: Mutex<Vec<String>>,
}

/// Keeps a socket clone of every connection so dropping the server ends them all.
type Conns = Arc<Mutex<Vec<TcpStream>>>;

/// A listening server thread that stops when dropped.
struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    conns: Conns,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    fn start(handle: impl Fn(TcpStream) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let conns: Conns = Arc::default();
        let handle = Arc::new(handle);
        let accept = {
            let (stop, conns) = (stop.clone(), conns.clone());
            thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    if let Ok(c) = conn.try_clone() {
                        conns.lock().unwrap().push(c);
                    }
                    let handle = handle.clone();
                    thread::spawn(move || (*handle)(conn));
                }
            })
        };
        Server {
            addr,
            stop,
            conns,
            accept: Some(accept),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        for c in self.conns.lock().unwrap().drain(..) {
            let _ = c.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// A test proxy: `TestProxy::http(None)`, `TestProxy::socks5(Some(("user", "pass")))`.
pub struct TestProxy {
    kind: Kind,
    counters: Arc<Counters>,
    server: Server,
}

impl TestProxy {
    pub fn http(auth: Option<(&str, &str)>) -> TestProxy {
        Self::start(Kind::Http, auth)
    }

    pub fn socks5(auth: Option<(&str, &str)>) -> TestProxy {
        Self::start(Kind::Socks5, auth)
    }

    pub fn start(kind: Kind, auth: Option<(&str, &str)>) -> TestProxy {
        let counters = Arc::new(Counters::default());
        let auth = auth.map(|(u, p)| (u.to_string(), p.to_string()));
        let server = {
            let counters = counters.clone();
            Server::start(move |conn| {
                counters.accepted.fetch_add(1, Ordering::SeqCst);
                let _ = conn.set_read_timeout(Some(HANDSHAKE_TIMEOUT));
                let _ = match kind {
                    Kind::Http => serve_http(conn, auth.as_ref(), &counters),
                    Kind::Socks5 => serve_socks5(conn, auth.as_ref(), &counters),
                };
            })
        };
        TestProxy {
            kind,
            counters,
            server,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    /// `http://127.0.0.1:PORT` or `socks5://…`; `scheme` overrides (`socks5h`).
    pub fn url(&self, scheme: Option<&str>, creds: Option<(&str, &str)>) -> String {
        let scheme = scheme.unwrap_or(match self.kind {
            Kind::Http => "http",
            Kind::Socks5 => "socks5",
        });
        let creds = creds.map_or(String::new(), |(u, p)| format!("{u}:{p}@"));
        format!("{scheme}://{creds}{}", self.addr())
    }

    pub fn accepted(&self) -> usize {
        self.counters.accepted.load(Ordering::SeqCst)
    }

    pub fn tunnels(&self) -> usize {
        self.counters.tunnels.load(Ordering::SeqCst)
    }

    pub fn auth_failures(&self) -> usize {
        self.counters.auth_failures.load(Ordering::SeqCst)
    }

    /// Bytes relayed from the client to the target.
    pub fn bytes_up(&self) -> u64 {
        self.counters.up.load(Ordering::SeqCst)
    }

    /// Bytes relayed from the target to the client.
    pub fn bytes_down(&self) -> u64 {
        self.counters.down.load(Ordering::SeqCst)
    }

    pub fn targets(&self) -> Vec<String> {
        self.counters.targets.lock().unwrap().clone()
    }
}

/// Connects to a loopback target only: tests must never reach out.
fn connect_loopback(addrs: impl ToSocketAddrs) -> Result<TcpStream, bool> {
    let addrs: Vec<SocketAddr> = addrs.to_socket_addrs().map_err(|_| false)?.collect();
    if addrs.is_empty() || addrs.iter().any(|a| !a.ip().is_loopback()) {
        return Err(false);
    }
    addrs
        .iter()
        .find_map(|a| TcpStream::connect_timeout(a, HANDSHAKE_TIMEOUT).ok())
        .ok_or(true)
}

/// Relays both ways until each side has closed, counting bytes.
fn relay(client: TcpStream, target: TcpStream, counters: &Arc<Counters>) -> io::Result<()> {
    counters.tunnels.fetch_add(1, Ordering::SeqCst);
    client.set_read_timeout(None)?;
    let (c2, t2) = (client.try_clone()?, target.try_clone()?);
    let up = {
        let counters = counters.clone();
        thread::spawn(move || pump(c2, t2, &counters.up))
    };
    pump(target, client, &counters.down);
    let _ = up.join();
    Ok(())
}

fn pump(mut from: TcpStream, mut to: TcpStream, count: &AtomicU64) {
    let mut buf = [0u8; 16 << 10];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                count.fetch_add(n as u64, Ordering::SeqCst);
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Write);
}

/// The request or response head, read a byte at a time so the tunnel's bytes stay unread.
fn read_head(conn: &mut TcpStream) -> io::Result<String> {
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if conn.read(&mut b)? == 0 || head.len() > 16 << 10 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.push(b[0]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

fn serve_http(
    mut conn: TcpStream,
    auth: Option<&(String, String)>,
    counters: &Arc<Counters>,
) -> io::Result<()> {
    let head = read_head(&mut conn)?;
    let mut words = head.split_whitespace();
    let (Some("CONNECT"), Some(target)) = (words.next(), words.next()) else {
        return answer(&mut conn, "405 Method Not Allowed");
    };
    if let Some((user, pass)) = auth {
        let want = format!("basic {}", BASE64_STANDARD.encode(format!("{user}:{pass}")));
        let given = head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("proxy-authorization")
                .then(|| v.trim().to_string())
        });
        // The scheme name is case-insensitive, the token is not.
        let ok = given.is_some_and(|g| {
            g.len() == want.len() && g[..6].eq_ignore_ascii_case("basic ") && g[6..] == want[6..]
        });
        if !ok {
            counters.auth_failures.fetch_add(1, Ordering::SeqCst);
            return answer(&mut conn, "407 Proxy Authentication Required");
        }
    }
    counters
        .targets
        .lock()
        .unwrap()
        .push(format!("name:{target}"));
    match connect_loopback(target) {
        Ok(t) => {
            conn.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
            relay(conn, t, counters)
        }
        Err(false) => answer(&mut conn, "403 Forbidden"),
        Err(true) => answer(&mut conn, "502 Bad Gateway"),
    }
}

/// A refusal: the status line and an empty body (`Proxy-Authenticate` as a 407 needs).
fn answer(conn: &mut TcpStream, status: &str) -> io::Result<()> {
    write!(
        conn,
        "HTTP/1.1 {status}\r\nProxy-Authenticate: Basic realm=\"test\"\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
}

fn serve_socks5(
    mut conn: TcpStream,
    auth: Option<&(String, String)>,
    counters: &Arc<Counters>,
) -> io::Result<()> {
    let mut two = [0u8; 2];
    conn.read_exact(&mut two)?;
    let mut methods = vec![0u8; two[1] as usize];
    conn.read_exact(&mut methods)?;
    let want = if auth.is_some() { 2 } else { 0 };
    if two[0] != 5 || !methods.contains(&want) {
        if auth.is_some() {
            counters.auth_failures.fetch_add(1, Ordering::SeqCst);
        }
        return conn.write_all(&[5, 0xff]);
    }
    conn.write_all(&[5, want])?;
    if let Some((user, pass)) = auth {
        let field = |conn: &mut TcpStream| -> io::Result<Vec<u8>> {
            let mut len = [0u8; 1];
            conn.read_exact(&mut len)?;
            let mut v = vec![0u8; len[0] as usize];
            conn.read_exact(&mut v)?;
            Ok(v)
        };
        let mut ver = [0u8; 1];
        conn.read_exact(&mut ver)?;
        let (u, p) = (field(&mut conn)?, field(&mut conn)?);
        if ver[0] != 1 || u != user.as_bytes() || p != pass.as_bytes() {
            counters.auth_failures.fetch_add(1, Ordering::SeqCst);
            return conn.write_all(&[1, 1]);
        }
        conn.write_all(&[1, 0])?;
    }
    let mut head = [0u8; 4];
    conn.read_exact(&mut head)?;
    let host = match head[3] {
        1 => {
            let mut a = [0u8; 4];
            conn.read_exact(&mut a)?;
            format!("ip:{}", IpAddr::from(a))
        }
        4 => {
            let mut a = [0u8; 16];
            conn.read_exact(&mut a)?;
            format!("ip:[{}]", IpAddr::from(a))
        }
        3 => {
            let mut len = [0u8; 1];
            conn.read_exact(&mut len)?;
            let mut name = vec![0u8; len[0] as usize];
            conn.read_exact(&mut name)?;
            format!("name:{}", String::from_utf8_lossy(&name))
        }
        _ => return reply(&mut conn, 8),
    };
    let mut port = [0u8; 2];
    conn.read_exact(&mut port)?;
    let target = format!("{host}:{}", u16::from_be_bytes(port));
    counters.targets.lock().unwrap().push(target.clone());
    if head[1] != 1 {
        return reply(&mut conn, 7);
    }
    let addr = target.split_once(':').map_or("", |(_, a)| a);
    let addr = addr.replace(['[', ']'], "");
    let (h, p) = addr.rsplit_once(':').unwrap_or((&addr, "0"));
    match connect_loopback((h, p.parse::<u16>().unwrap_or(0))) {
        Ok(t) => {
            reply(&mut conn, 0)?;
            relay(conn, t, counters)
        }
        Err(false) => reply(&mut conn, 2),
        Err(true) => reply(&mut conn, 5),
    }
}

fn reply(conn: &mut TcpStream, code: u8) -> io::Result<()> {
    conn.write_all(&[5, code, 0, 1, 127, 0, 0, 1, 0, 0])
}

/// A loopback target: an echo server, or an HTTP server answering each request with
/// `200` and `hello PATH`, counting connections.
pub struct Target {
    connections: Arc<AtomicUsize>,
    server: Server,
}

impl Target {
    pub fn echo() -> Target {
        Self::start(|conn| {
            if let Ok(c) = conn.try_clone() {
                pump(c, conn, &AtomicU64::new(0));
            }
        })
    }

    pub fn http() -> Target {
        Self::start(|mut conn| {
            let _ = conn.set_read_timeout(Some(HANDSHAKE_TIMEOUT));
            // A client that sends no request head gets no answer.
            if let Ok(head) = read_head(&mut conn) {
                let path = head.split_whitespace().nth(1).unwrap_or("?").to_string();
                let body = format!("hello {path}");
                let _ = write!(
                    conn,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        })
    }

    fn start(handle: impl Fn(TcpStream) + Send + Sync + 'static) -> Target {
        let connections = Arc::new(AtomicUsize::new(0));
        let server = {
            let connections = connections.clone();
            Server::start(move |conn| {
                connections.fetch_add(1, Ordering::SeqCst);
                handle(conn)
            })
        };
        Target {
            connections,
            server,
        }
    }

    pub fn port(&self) -> u16 {
        self.server.addr.port()
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// A loopback port with nothing listening: a proxy that is down.
pub fn dead_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind loopback");
    l.local_addr().unwrap().port()
}

/// A listener that never accepts: the kernel completes the TCP handshake, then nothing is
/// ever said. Keep it alive for the test's length.
pub fn silent() -> TcpListener {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind loopback")
}

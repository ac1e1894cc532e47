//! Proxies for the room page, the room-info API and the WebSocket: parsing `--proxy URL`
//! (`http://`, `socks5://`, `socks5h://`, optional `user:password@`), choosing one from the
//! environment, opening a tunnel through it (HTTP CONNECT or SOCKS5) for the WebSocket, and
//! the matching `ureq::Proxy` for the HTTP requests.
//!
//! Credentials never leave this module in text: `Display`, `Debug`, `redacted()` and every
//! error show `***` in their place, and `secrets()` lists them for the log scrubber.
//!
//! Default ports, when the URL names none: 1080 for SOCKS5 (its registered port) and 80 for
//! `http://` (what the URL itself means, and what ureq assumes too).

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::str::FromStr;
use std::time::Duration;

use base64::prelude::{Engine, BASE64_STANDARD};

/// The proxy protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// HTTP CONNECT; the proxy resolves the target's name.
    Http,
    /// SOCKS5 with the target resolved here and sent as an IP address.
    Socks5,
    /// SOCKS5 with the target's name sent to the proxy, which resolves it.
    Socks5h,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Socks5 => "socks5",
            Scheme::Socks5h => "socks5h",
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Socks5 | Scheme::Socks5h => 1080,
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Credentials {
    user: String,
    /// Empty when the URL had `user@` only (HTTP only: SOCKS5 needs one).
    password: String,
}

/// A parsed proxy URL. `Display` and `Debug` hide the credentials.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ProxyUrl {
    scheme: Scheme,
    /// Without brackets for IPv6.
    host: String,
    port: u16,
    credentials: Option<Credentials>,
}

/// Why a proxy URL did not parse. No variant carries the credentials or text that could hold
/// them (a port that is not a number may be a password: `http://user:secret`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyUrlError {
    #[error("the proxy URL is empty")]
    Empty,
    #[error("the proxy URL needs a scheme: http://, socks5:// or socks5h://")]
    NoScheme,
    #[error("unsupported proxy scheme `{0}`: use http://, socks5:// or socks5h://")]
    UnknownScheme(String),
    #[error("the proxy URL has no host")]
    NoHost,
    #[error("the proxy host `{0}` is not a host name or IP address (IPv6 goes in brackets)")]
    BadHost(String),
    #[error("the proxy port must be a number from 1 to 65535")]
    BadPort,
    #[error(
        "a proxy URL is scheme://[user:password@]host[:port], with no path, query or fragment"
    )]
    Path,
    #[error("the proxy user name is empty")]
    EmptyUser,
    #[error("the proxy user name or password has a bad %-escape or is not UTF-8")]
    BadEscape,
    #[error("a SOCKS5 user name and password must each be 1 to 255 bytes")]
    SocksCredentials,
}

impl FromStr for ProxyUrl {
    type Err = ProxyUrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ProxyUrlError::Empty);
        }
        let (scheme, rest) = s.split_once("://").ok_or(ProxyUrlError::NoScheme)?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => Scheme::Http,
            "socks5" => Scheme::Socks5,
            "socks5h" => Scheme::Socks5h,
            other => {
                // Echo only what looks like a scheme: text before `://` might be anything.
                let shown = if !other.is_empty()
                    && other.len() <= 16
                    && other
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
                {
                    other.to_string()
                } else {
                    "?".to_string()
                };
                return Err(ProxyUrlError::UnknownScheme(shown));
            }
        };
        // The last `@` ends the user info, so a password with an unescaped `@`, `/` or `:`
        // still parses.
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let hostport = hostport.strip_suffix('/').unwrap_or(hostport);
        if hostport.contains(['/', '?', '#']) {
            return Err(ProxyUrlError::Path);
        }
        let (host, port) = split_host_port(hostport)?;
        let port = match port {
            None => scheme.default_port(),
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => return Err(ProxyUrlError::BadPort),
            },
        };
        let credentials = match userinfo {
            None => None,
            Some(u) => {
                let (user, password) = u.split_once(':').unwrap_or((u, ""));
                let user = percent_decode(user)?;
                let password = percent_decode(password)?;
                if user.is_empty() {
                    return Err(ProxyUrlError::EmptyUser);
                }
                // RFC 1929: ULEN and PLEN are 1 to 255.
                let socks_ok = |s: &str| (1..=255).contains(&s.len());
                if scheme != Scheme::Http && !(socks_ok(&user) && socks_ok(&password)) {
                    return Err(ProxyUrlError::SocksCredentials);
                }
                Some(Credentials { user, password })
            }
        };
        Ok(ProxyUrl {
            scheme,
            host,
            port,
            credentials,
        })
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`: the host (without brackets) and the port text.
fn split_host_port(s: &str) -> Result<(String, Option<&str>), ProxyUrlError> {
    let (host, port) = if let Some(inner) = s.strip_prefix('[') {
        let (v6, after) = inner
            .split_once(']')
            .ok_or_else(|| ProxyUrlError::BadHost(s.to_string()))?;
        if v6.parse::<Ipv6Addr>().is_err() {
            return Err(ProxyUrlError::BadHost(v6.to_string()));
        }
        let port = match after {
            "" => None,
            a => Some(a.strip_prefix(':').ok_or(ProxyUrlError::BadPort)?),
        };
        (v6.to_string(), port)
    } else {
        let (host, port) = match s.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        };
        if port.is_some_and(|p| p.contains(':')) {
            return Err(ProxyUrlError::BadHost(s.to_string()));
        }
        if !host.is_empty()
            && !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
        {
            return Err(ProxyUrlError::BadHost(host.to_string()));
        }
        (host.to_ascii_lowercase(), port)
    };
    if host.is_empty() {
        return Err(ProxyUrlError::NoHost);
    }
    Ok((host, port))
}

fn percent_decode(s: &str) -> Result<String, ProxyUrlError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3).ok_or(ProxyUrlError::BadEscape)?;
            let hex = std::str::from_utf8(hex).map_err(|_| ProxyUrlError::BadEscape)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| ProxyUrlError::BadEscape)?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ProxyUrlError::BadEscape)
}

impl fmt::Display for ProxyUrl {
    /// `socks5://***@host:1080`: the user name is a credential too, so neither is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = if self.credentials.is_some() {
            "***@"
        } else {
            ""
        };
        write!(
            f,
            "{}://{auth}{}:{}",
            self.scheme.as_str(),
            self.host_for_url(),
            self.port
        )
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProxyUrl({self})")
    }
}

impl ProxyUrl {
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host, IPv6 without brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn has_credentials(&self) -> bool {
        self.credentials.is_some()
    }

    /// The URL with `***` for the credentials, for logs and errors (the same as `Display`).
    pub fn redacted(&self) -> String {
        self.to_string()
    }

    /// The user name and password (decoded), for the log scrubber.
    pub fn secrets(&self) -> Vec<String> {
        match &self.credentials {
            Some(c) => [&c.user, &c.password]
                .into_iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect(),
            None => Vec::new(),
        }
    }

    fn host_for_url(&self) -> String {
        bracket(&self.host)
    }

    /// A TCP stream to `target_host:target_port` through the proxy, ready for TLS or plain
    /// bytes. `timeout` bounds the connect to the proxy and each read or write of the
    /// handshake, and stays set as the stream's read and write timeout.
    pub fn connect(
        &self,
        target_host: &str,
        target_port: u16,
        timeout: Duration,
    ) -> Result<TcpStream, ProxyError> {
        let target_host = target_host.trim_start_matches('[').trim_end_matches(']');
        let mut tcp = self.open(timeout)?;
        let io = |e| self.io_error(e, timeout);
        tcp.set_nodelay(true).map_err(io)?;
        tcp.set_read_timeout(Some(timeout)).map_err(io)?;
        tcp.set_write_timeout(Some(timeout)).map_err(io)?;
        match self.scheme {
            Scheme::Http => self.http_connect(&mut tcp, target_host, target_port, timeout)?,
            Scheme::Socks5 | Scheme::Socks5h => {
                self.socks5(&mut tcp, target_host, target_port, timeout)?
            }
        }
        Ok(tcp)
    }

    /// TCP to the proxy: each of its addresses in turn.
    fn open(&self, timeout: Duration) -> Result<TcpStream, ProxyError> {
        let addrs: Vec<SocketAddr> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|source| ProxyError::Resolve {
                proxy: self.redacted(),
                source,
            })?
            .collect();
        let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
        for addr in &addrs {
            match TcpStream::connect_timeout(addr, timeout) {
                Ok(s) => return Ok(s),
                Err(e) => last = e,
            }
        }
        if last.kind() == io::ErrorKind::TimedOut || last.kind() == io::ErrorKind::WouldBlock {
            last = io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no answer within {timeout:?}"),
            );
        }
        Err(ProxyError::Connect {
            proxy: self.redacted(),
            source: last,
        })
    }

    fn io_error(&self, e: io::Error, timeout: Duration) -> ProxyError {
        let source = match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no answer within {timeout:?}"),
            ),
            io::ErrorKind::UnexpectedEof => io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the proxy closed the connection",
            ),
            _ => e,
        };
        ProxyError::Io {
            proxy: self.redacted(),
            source,
        }
    }

    fn protocol(&self, detail: impl Into<String>) -> ProxyError {
        ProxyError::Protocol {
            proxy: self.redacted(),
            detail: detail.into(),
        }
    }

    fn http_connect(
        &self,
        tcp: &mut TcpStream,
        host: &str,
        port: u16,
        timeout: Duration,
    ) -> Result<(), ProxyError> {
        let target = format!("{}:{port}", bracket(host));
        let mut req = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some(c) = &self.credentials {
            let token = BASE64_STANDARD.encode(format!("{}:{}", c.user, c.password));
            req.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
        }
        req.push_str("\r\n");
        tcp.write_all(req.as_bytes())
            .and_then(|()| tcp.flush())
            .map_err(|e| self.io_error(e, timeout))?;

        // One byte at a time up to the blank line: a larger read could swallow the first
        // bytes of the tunnel, which belong to the caller.
        let mut head = Vec::with_capacity(256);
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && !head.ends_with(b"\n\n") {
            if head.len() >= 16 << 10 {
                return Err(self.protocol("the CONNECT answer's header is over 16 KiB"));
            }
            match tcp.read(&mut byte) {
                Ok(0) => {
                    return Err(self.io_error(io::ErrorKind::UnexpectedEof.into(), timeout));
                }
                Ok(_) => head.push(byte[0]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(e, timeout)),
            }
        }
        let head = String::from_utf8_lossy(&head);
        let status_line = head.lines().next().unwrap_or("");
        let mut parts = status_line.splitn(3, ' ');
        let (version, code, reason) = (parts.next(), parts.next(), parts.next());
        let status = match (version, code.and_then(|c| c.parse::<u16>().ok())) {
            (Some(v), Some(s)) if v.starts_with("HTTP/") && (100..1000).contains(&s) => s,
            _ => {
                return Err(self.protocol(format!(
                    "not an HTTP answer to CONNECT: `{}`",
                    printable(status_line, 80)
                )))
            }
        };
        if (200..300).contains(&status) {
            return Ok(());
        }
        if status == 407 {
            return Err(self.auth_error());
        }
        Err(ProxyError::ConnectStatus {
            proxy: self.redacted(),
            target,
            status,
            reason: printable(reason.unwrap_or("").trim(), 80),
        })
    }

    fn auth_error(&self) -> ProxyError {
        if self.credentials.is_some() {
            ProxyError::AuthRejected {
                proxy: self.redacted(),
            }
        } else {
            ProxyError::AuthRequired {
                proxy: self.redacted(),
            }
        }
    }

    fn socks5(
        &self,
        tcp: &mut TcpStream,
        host: &str,
        port: u16,
        timeout: Duration,
    ) -> Result<(), ProxyError> {
        let io = |e| self.io_error(e, timeout);
        // The address first: a name that does not resolve here (socks5) fails before any
        // byte goes to the proxy.
        let mut addr = Vec::with_capacity(host.len() + 4);
        match (host.parse::<IpAddr>(), self.scheme) {
            (Ok(ip), _) => push_ip(&mut addr, ip),
            (Err(_), Scheme::Socks5h) => {
                let len = u8::try_from(host.len())
                    .map_err(|_| self.protocol("the target host name is over 255 bytes"))?;
                addr.extend([3, len]);
                addr.extend_from_slice(host.as_bytes());
            }
            (Err(_), _) => {
                let ip = (host, port)
                    .to_socket_addrs()
                    .and_then(|mut a| {
                        a.next()
                            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address"))
                    })
                    .map_err(|source| ProxyError::ResolveTarget {
                        proxy: self.redacted(),
                        target: host.to_string(),
                        source,
                    })?
                    .ip();
                push_ip(&mut addr, ip);
            }
        }
        addr.extend(port.to_be_bytes());

        // Greeting: no authentication, plus user/password when we have them.
        let greeting: &[u8] = if self.credentials.is_some() {
            &[5, 2, 0, 2]
        } else {
            &[5, 1, 0]
        };
        tcp.write_all(greeting).map_err(io)?;
        let mut reply = [0u8; 2];
        tcp.read_exact(&mut reply).map_err(io)?;
        if reply[0] != 5 {
            return Err(self.protocol(format!("not a SOCKS5 answer (version {})", reply[0])));
        }
        match (reply[1], &self.credentials) {
            (0, _) => {}
            (2, Some(c)) => {
                // RFC 1929; lengths were checked when parsing.
                let mut m = vec![1, c.user.len() as u8];
                m.extend_from_slice(c.user.as_bytes());
                m.push(c.password.len() as u8);
                m.extend_from_slice(c.password.as_bytes());
                tcp.write_all(&m).map_err(io)?;
                tcp.read_exact(&mut reply).map_err(io)?;
                if reply[1] != 0 {
                    return Err(self.auth_error());
                }
            }
            (0xff, _) | (2, None) => return Err(self.auth_error()),
            (m, _) => return Err(self.protocol(format!("chose an unknown method {m}"))),
        }

        let mut req = vec![5, 1, 0];
        req.extend_from_slice(&addr);
        tcp.write_all(&req).map_err(io)?;
        let mut head = [0u8; 4];
        tcp.read_exact(&mut head).map_err(io)?;
        if head[0] != 5 {
            return Err(self.protocol(format!("not a SOCKS5 answer (version {})", head[0])));
        }
        if head[1] != 0 {
            return Err(ProxyError::SocksReply {
                proxy: self.redacted(),
                target: format!("{}:{port}", bracket(host)),
                code: head[1],
                meaning: socks_reply_meaning(head[1]),
            });
        }
        // The bound address, unused but on the wire before the tunnel's bytes.
        let rest = match head[3] {
            1 => 4 + 2,
            4 => 16 + 2,
            3 => {
                let mut len = [0u8; 1];
                tcp.read_exact(&mut len).map_err(io)?;
                len[0] as usize + 2
            }
            t => return Err(self.protocol(format!("unknown address type {t} in the reply"))),
        };
        let mut skip = [0u8; 257];
        tcp.read_exact(&mut skip[..rest]).map_err(io)?;
        Ok(())
    }

    /// The same proxy for ureq's requests (the room page and the API). ureq 3 needs its
    /// `socks-proxy` feature for SOCKS (without it a configured SOCKS proxy panics).
    ///
    /// Always pass the result, or `None`, to `Agent::config_builder().proxy(..)`: ureq's
    /// default configuration reads `ALL_PROXY`/`HTTPS_PROXY`/`HTTP_PROXY` by itself, with
    /// another order and no loopback exemption.
    pub fn to_ureq(&self) -> Result<ureq::Proxy, ProxyError> {
        let protocol = match self.scheme {
            Scheme::Http => ureq::ProxyProtocol::Http,
            Scheme::Socks5 => ureq::ProxyProtocol::Socks5,
            Scheme::Socks5h => ureq::ProxyProtocol::Socks5h,
        };
        let mut b = ureq::Proxy::builder(protocol)
            .host(&self.host_for_url())
            .port(self.port)
            .resolve_target(self.scheme == Scheme::Socks5);
        if let Some(c) = &self.credentials {
            b = b.username(&c.user);
            if !c.password.is_empty() {
                b = b.password(&c.password);
            }
        }
        b.build()
            .map_err(|e| self.protocol(format!("ureq rejects it: {e}")))
    }

    /// A ureq error from a request through this proxy, naming the proxy: ureq's own errors
    /// do not say a proxy was involved (`Connection refused` alone).
    pub fn ureq_error(&self, e: &ureq::Error) -> ProxyError {
        ProxyError::Request {
            proxy: self.redacted(),
            detail: e.to_string(),
        }
    }
}

fn bracket(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

fn push_ip(out: &mut Vec<u8>, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => {
            out.push(1);
            out.extend(v4.octets());
        }
        IpAddr::V6(v6) => {
            out.push(4);
            out.extend(v6.octets());
        }
    }
}

/// At most `max` characters of proxy-supplied text, control characters dropped.
fn printable(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// RFC 1928 section 6.
fn socks_reply_meaning(code: u8) -> &'static str {
    match code {
        1 => "general SOCKS server failure",
        2 => "connection not allowed by ruleset",
        3 => "network unreachable",
        4 => "host unreachable",
        5 => "connection refused",
        6 => "TTL expired",
        7 => "command not supported",
        8 => "address type not supported",
        _ => "unknown reply code",
    }
}

/// Why a connection through a proxy failed. `proxy` is always the redacted URL.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("{var}: {source}")]
    Env {
        var: &'static str,
        source: ProxyUrlError,
    },
    #[error("cannot resolve proxy {proxy}: {source}")]
    Resolve { proxy: String, source: io::Error },
    #[error("cannot connect to proxy {proxy}: {source}")]
    Connect { proxy: String, source: io::Error },
    #[error("proxy {proxy}: {source}")]
    Io { proxy: String, source: io::Error },
    #[error(
        "proxy {proxy} asks for a user name and password (give them as user:password@ in the URL)"
    )]
    AuthRequired { proxy: String },
    #[error("proxy {proxy} rejected the user name or password")]
    AuthRejected { proxy: String },
    #[error("proxy {proxy} answered CONNECT {target} with HTTP {status} {reason}")]
    ConnectStatus {
        proxy: String,
        target: String,
        status: u16,
        reason: String,
    },
    #[error("SOCKS5 proxy {proxy} did not connect to {target}: {meaning} (reply {code})")]
    SocksReply {
        proxy: String,
        target: String,
        code: u8,
        meaning: &'static str,
    },
    #[error("cannot resolve {target} for SOCKS5 proxy {proxy} (socks5h:// lets the proxy resolve it): {source}")]
    ResolveTarget {
        proxy: String,
        target: String,
        source: io::Error,
    },
    #[error("proxy {proxy}: {detail}")]
    Protocol { proxy: String, detail: String },
    #[error("request through proxy {proxy} failed: {detail}")]
    Request { proxy: String, detail: String },
}

/// The environment's proxy settings, read once: `DANMU_PROXY` (ours, applied like
/// `--proxy`), else `HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`, `all_proxy` (shared with other
/// programs, so not applied to loopback hosts nor to hosts `NO_PROXY`/`no_proxy` lists).
/// `HTTP_PROXY` is not read: every request here is HTTPS or WSS in production.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    danmu: Option<ProxyUrl>,
    general: Option<(&'static str, ProxyUrl)>,
    no_proxy: Vec<String>,
}

/// What picks the proxy of each connection one room makes: its explicit proxy (the room's
/// `proxy=` in `--rooms`, else `--proxy`) and the environment's.
#[derive(Debug, Clone, Default)]
pub struct Proxies {
    pub explicit: Option<ProxyUrl>,
    pub env: ProxyEnv,
}

impl Proxies {
    /// The proxy to reach `host` through, if any ([`ProxyEnv::for_host`]).
    pub fn for_host(&self, host: &str) -> Option<&ProxyUrl> {
        self.env.for_host(self.explicit.as_ref(), host)
    }

    /// Every credential a proxy of these carries, for the log's scrubber.
    pub fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = self.explicit.iter().flat_map(ProxyUrl::secrets).collect();
        out.extend(self.env.secrets());
        out
    }
}

/// In order of precedence, after `DANMU_PROXY`.
const GENERAL_VARS: [&str; 4] = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];

impl ProxyEnv {
    /// From the process environment. A malformed value is an error naming the variable.
    pub fn from_env() -> Result<ProxyEnv, ProxyError> {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    /// From `get` (the environment in tests). Empty values count as unset.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<ProxyEnv, ProxyError> {
        let var = |k| get(k).filter(|v| !v.trim().is_empty());
        let parse = |var: &'static str, v: String| {
            v.parse::<ProxyUrl>()
                .map_err(|source| ProxyError::Env { var, source })
        };
        let danmu = var("DANMU_PROXY")
            .map(|v| parse("DANMU_PROXY", v))
            .transpose()?;
        let mut general = None;
        for k in GENERAL_VARS {
            if let Some(v) = var(k) {
                general = Some((k, parse(k, v)?));
                break;
            }
        }
        let no_proxy = var("NO_PROXY")
            .or_else(|| var("no_proxy"))
            .map(|v| {
                v.split([',', ' '])
                    .map(|e| e.trim().to_ascii_lowercase())
                    .filter(|e| !e.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Ok(ProxyEnv {
            danmu,
            general,
            no_proxy,
        })
    }

    /// The credentials of the proxies the environment names.
    pub fn secrets(&self) -> Vec<String> {
        self.danmu
            .iter()
            .chain(self.general.iter().map(|(_, p)| p))
            .flat_map(ProxyUrl::secrets)
            .collect()
    }

    /// The variable the proxy for `host` comes from, for a log line.
    pub fn source_for(&self, explicit: Option<&ProxyUrl>, host: &str) -> Option<&'static str> {
        if explicit.is_some() {
            None
        } else if self.danmu.is_some() {
            Some("DANMU_PROXY")
        } else {
            self.general
                .as_ref()
                .filter(|_| self.applies(host))
                .map(|(k, _)| *k)
        }
    }

    /// The proxy to reach `host` through: `explicit` (a room's `proxy=`, else `--proxy`) for
    /// every host, else `DANMU_PROXY`, else the general variables unless `host` is loopback
    /// or listed in `NO_PROXY`.
    pub fn for_host<'a>(
        &'a self,
        explicit: Option<&'a ProxyUrl>,
        host: &str,
    ) -> Option<&'a ProxyUrl> {
        explicit.or(self.danmu.as_ref()).or_else(|| {
            self.general
                .as_ref()
                .filter(|_| self.applies(host))
                .map(|(_, p)| p)
        })
    }

    fn applies(&self, host: &str) -> bool {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        !is_loopback(&host) && !self.no_proxy.iter().any(|e| no_proxy_matches(e, &host))
    }
}

fn is_loopback(host: &str) -> bool {
    match host.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host == "localhost" || host.ends_with(".localhost"),
    }
}

/// curl's rules: `*` is every host; `example.com`, `.example.com` and `*.example.com` match
/// the domain and its subdomains; an IP address matches itself, `10.0.0.0/8` a block. A
/// `:port` on an entry is ignored (the host decides).
fn no_proxy_matches(entry: &str, host: &str) -> bool {
    if entry == "*" {
        return true;
    }
    if let Some((net, bits)) = entry.split_once('/') {
        return match (net.parse::<IpAddr>(), bits.parse::<u32>(), host.parse()) {
            (Ok(net), Ok(bits), Ok(ip)) => in_block(ip, net, bits),
            _ => false,
        };
    }
    let entry = entry.trim_start_matches('[');
    let entry = match entry.split_once(']') {
        Some((v6, _)) => v6,
        // One colon: name:port; more: a bare IPv6 address.
        None if entry.matches(':').count() == 1 => entry.split(':').next().unwrap_or(entry),
        None => entry,
    };
    let domain = entry.trim_start_matches('*').trim_start_matches('.');
    !domain.is_empty()
        && (host == domain
            || host
                .strip_suffix(domain)
                .is_some_and(|rest| rest.ends_with('.')))
}

fn in_block(ip: IpAddr, net: IpAddr, bits: u32) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ProxyUrl {
        s.parse().unwrap()
    }

    #[test]
    fn parses_each_scheme_with_defaults() {
        let u = p("socks5://127.0.0.1");
        assert_eq!(
            (u.scheme(), u.host(), u.port()),
            (Scheme::Socks5, "127.0.0.1", 1080)
        );
        assert!(!u.has_credentials());
        let u = p("SOCKS5H://Proxy.Example:9050/");
        assert_eq!(
            (u.scheme(), u.host(), u.port()),
            (Scheme::Socks5h, "proxy.example", 9050)
        );
        let u = p("http://[::1]:3128");
        assert_eq!(
            (u.scheme(), u.host(), u.port()),
            (Scheme::Http, "::1", 3128)
        );
        assert_eq!(u.to_string(), "http://[::1]:3128");
        assert_eq!(p("http://h").port(), 80);
    }

    #[test]
    fn decodes_credentials_and_keeps_them_out_of_text() {
        let u = p("http://al%40ice:p%3As@s:w/rd@proxy.example:8080");
        assert_eq!(u.secrets(), ["al@ice", "p:s@s:w/rd"]);
        assert_eq!(u.to_string(), "http://***@proxy.example:8080");
        assert_eq!(u.redacted(), u.to_string());
        assert_eq!(format!("{u:?}"), "ProxyUrl(http://***@proxy.example:8080)");
        let u = p("http://bob@h:1");
        assert_eq!(u.secrets(), ["bob"]);
        assert!(u.has_credentials());
    }

    #[test]
    fn malformed_urls_are_clear_errors() {
        use ProxyUrlError::*;
        for (s, e) in [
            ("", Empty),
            ("  ", Empty),
            ("127.0.0.1:1080", NoScheme),
            ("user:hunter22@h:1", NoScheme),
            ("ftp://h:1", UnknownScheme("ftp".into())),
            ("https://h:1", UnknownScheme("https".into())),
            ("user:hunter22@h://x", UnknownScheme("?".into())),
            ("socks5://", NoHost),
            ("socks5://:1080", NoHost),
            ("http://u:hunter22@", NoHost),
            ("http://h:", BadPort),
            ("http://h:0", BadPort),
            ("http://h:65536", BadPort),
            ("http://h:+80", BadPort),
            ("http://user:hunter22", BadPort),
            ("http://h:1/path", Path),
            ("http://h:1?q", Path),
            ("http://ho st:1", BadHost("ho st".into())),
            ("http://::1:80", BadHost("::1:80".into())),
            ("http://[::g]:80", BadHost("::g".into())),
            ("http://[::1]80", BadPort),
            ("http://:pw@h:1", EmptyUser),
            ("http://u:%zz@h:1", BadEscape),
            ("http://u:%ff@h:1", BadEscape),
            ("socks5://user@h:1", SocksCredentials),
        ] {
            assert_eq!(s.parse::<ProxyUrl>(), Err(e), "{s}");
        }
        let long = format!("socks5h://u:{}@h", "x".repeat(256));
        assert_eq!(long.parse::<ProxyUrl>(), Err(SocksCredentials));
        // No error message repeats what could be a password.
        let e = "http://user:hunter22".parse::<ProxyUrl>().unwrap_err();
        assert!(!e.to_string().contains("hunter22"));
    }

    fn env(pairs: &[(&str, &str)]) -> ProxyEnv {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxyEnv::from_vars(|k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())).unwrap()
    }

    #[test]
    fn environment_order() {
        let all = [
            ("DANMU_PROXY", "socks5h://d:1"),
            ("HTTPS_PROXY", "http://hu:1"),
            ("https_proxy", "http://hl:1"),
            ("ALL_PROXY", "socks5://au:1"),
            ("all_proxy", "socks5://al:1"),
        ];
        for skip in 0..all.len() {
            let e = env(&all[skip..]);
            let got = e.for_host(None, "live.douyin.com").unwrap();
            assert_eq!(got, &p(all[skip].1));
            assert_eq!(e.source_for(None, "live.douyin.com"), Some(all[skip].0));
        }
        // Empty counts as unset; no variable, no proxy.
        let e = env(&[("DANMU_PROXY", ""), ("ALL_PROXY", "http://a:1")]);
        assert_eq!(e.for_host(None, "x.example"), Some(&p("http://a:1")));
        assert_eq!(env(&[]).for_host(None, "x.example"), None);
        // HTTP_PROXY is not ours to use: every production request is HTTPS.
        assert_eq!(
            env(&[("HTTP_PROXY", "http://a:1")]).for_host(None, "x"),
            None
        );
        let bad = ProxyEnv::from_vars(|k| (k == "ALL_PROXY").then(|| "ftp://u:pw@x".into()));
        let msg = bad.unwrap_err().to_string();
        assert!(
            msg.starts_with("ALL_PROXY: unsupported proxy scheme `ftp`"),
            "{msg}"
        );
    }

    #[test]
    fn loopback_and_no_proxy_exempt_environment_proxies_only() {
        let e = env(&[
            ("ALL_PROXY", "socks5h://a:1"),
            (
                "NO_PROXY",
                "internal.example, .corp.example,*.lan, 10.0.0.0/8,192.168.1.7,[fd00::1],svc:8443",
            ),
        ]);
        for host in [
            "127.0.0.1",
            "127.8.0.1",
            "::1",
            "[::1]",
            "localhost",
            "LOCALHOST.",
            "a.localhost",
            "internal.example",
            "x.internal.example",
            "corp.example",
            "a.b.corp.example",
            "nas.lan",
            "10.1.2.3",
            "192.168.1.7",
            "fd00::1",
            "svc",
        ] {
            assert_eq!(e.for_host(None, host), None, "{host}");
        }
        for host in [
            "live.douyin.com",
            "notinternal.example",
            "notlan",
            "11.0.0.1",
            "192.168.1.8",
            "localhost.evil",
        ] {
            assert!(e.for_host(None, host).is_some(), "{host}");
        }
        // An explicit proxy and DANMU_PROXY apply to every host.
        let x = p("http://x:1");
        assert_eq!(e.for_host(Some(&x), "127.0.0.1"), Some(&x));
        assert_eq!(e.source_for(Some(&x), "127.0.0.1"), None);
        let d = env(&[("DANMU_PROXY", "http://d:1"), ("NO_PROXY", "*")]);
        assert_eq!(d.for_host(None, "localhost"), Some(&p("http://d:1")));
        assert_eq!(
            env(&[("https_proxy", "http://a:1"), ("no_proxy", "*")]).for_host(None, "x"),
            None
        );
    }

    #[test]
    fn ureq_proxy_matches() {
        let u = p("socks5://us%3Aer:pa%40ss@127.0.0.1:1081")
            .to_ureq()
            .unwrap();
        assert_eq!(u.protocol(), ureq::ProxyProtocol::Socks5);
        assert_eq!((u.host(), u.port()), ("127.0.0.1", 1081));
        assert_eq!((u.username(), u.password()), (Some("us:er"), Some("pa@ss")));
        assert!(u.resolve_target());
        let u = p("socks5h://[::1]:9").to_ureq().unwrap();
        assert_eq!(u.protocol(), ureq::ProxyProtocol::Socks5h);
        assert!(!u.resolve_target());
        let u = p("http://bob@h").to_ureq().unwrap();
        assert_eq!(
            (u.port(), u.username(), u.password()),
            (80, Some("bob"), None)
        );
    }
}

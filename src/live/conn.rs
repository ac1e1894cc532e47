//! Opening the WebSocket: TCP with timeouts, TLS by rustls with the bundled webpki roots
//! (certificates verified), then the handshake with the browser's headers.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use tungstenite::client::IntoClientRequest;
use tungstenite::handshake::HandshakeError;
use tungstenite::http::{HeaderName, HeaderValue};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::WebSocket;

use super::proxy::{Proxies, ProxyError};

/// The socket under the WebSocket: plain for `ws://`, TLS for `wss://`.
pub enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    /// The TCP socket, to set timeouts on.
    pub fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => s.get_ref(),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// Why a connection attempt failed; the session logs it and tries again later.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("bad URL: {0}")]
    BadUrl(String),
    #[error("cannot resolve {host}: {source}")]
    Resolve { host: String, source: io::Error },
    #[error("cannot connect to {addr}: {source}")]
    Tcp { addr: String, source: io::Error },
    #[error("TLS setup failed: {0}")]
    Tls(String),
    #[error("the server refused the WebSocket with HTTP {status}{body} (for Douyin: the signature or the cookies were not accepted, or the room is not live)")]
    Refused { status: u16, body: String },
    /// Douyin's refusal of a client it has flagged: HTTP 200 instead of 101, with
    /// `handshake-msg: DEVICE_BLOCKED` and `handshake-status: 415` (saermart/DouyinLiveWebFetcher
    /// issues #41, #55, #119; 2024–2025).
    #[error("the push server blocked this client: handshake-msg `{msg}`{} (another push host, a proxy with another address (--proxy), or fresh cookies may help)", status.as_deref().map(|s| format!(", handshake-status {s}")).unwrap_or_default())]
    Blocked { msg: String, status: Option<String> },
    #[error("WebSocket handshake failed: {0}")]
    Handshake(String),
    #[error(transparent)]
    Proxy(#[from] ProxyError),
}

impl ConnectError {
    /// Whether another push host may do better: not when the URL itself is wrong.
    pub fn another_host_may_help(&self) -> bool {
        // A proxy that is down fails every host alike: that is the back-off's business.
        !matches!(self, ConnectError::BadUrl(_) | ConnectError::Proxy(_))
    }
}

/// Every WebSocket message may be this large (Douyin's are far smaller).
pub const MAX_MESSAGE: usize = 64 << 20;

fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE))
}

/// The rustls client configuration: ring, TLS 1.2/1.3, Mozilla's roots as webpki-roots ships
/// them. Built once.
pub fn tls_config() -> Result<Arc<ClientConfig>, ConnectError> {
    static CONFIG: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    if let Some(c) = CONFIG.get() {
        return Ok(c.clone());
    }
    let roots = RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| ConnectError::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(CONFIG.get_or_init(|| Arc::new(config)).clone())
}

/// Connects, through the proxy `proxies` pick for the host if any, and completes the
/// WebSocket handshake, sending `headers` (cookie, user agent, origin) as the browser does.
/// `timeout` bounds the TCP connect and each read or write of the handshake.
pub fn connect(
    url: &str,
    headers: &[(String, String)],
    timeout: Duration,
    proxies: &Proxies,
) -> Result<WebSocket<Stream>, ConnectError> {
    let mut request = url
        .into_client_request()
        .map_err(|e| ConnectError::BadUrl(e.to_string()))?;
    for (k, v) in headers {
        let name = HeaderName::from_bytes(k.as_bytes())
            .map_err(|e| ConnectError::BadUrl(format!("header `{k}`: {e}")))?;
        let value = HeaderValue::from_str(v)
            .map_err(|e| ConnectError::BadUrl(format!("header `{k}`: {e}")))?;
        request.headers_mut().insert(name, value);
    }
    let uri = request.uri().clone();
    let tls = match uri.scheme_str() {
        Some("wss") => true,
        Some("ws") => false,
        _ => return Err(ConnectError::BadUrl("the scheme must be ws or wss".into())),
    };
    let host = uri
        .host()
        .ok_or_else(|| ConnectError::BadUrl("no host".into()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let tcp = match proxies.for_host(&host) {
        Some(proxy) => proxy.connect(&host, port, timeout)?,
        None => direct(&host, port, timeout)?,
    };
    let stream = if tls {
        let name = ServerName::try_from(host.clone())
            .map_err(|e| ConnectError::Tls(format!("`{host}`: {e}")))?;
        let conn = ClientConnection::new(tls_config()?, name)
            .map_err(|e| ConnectError::Tls(e.to_string()))?;
        Stream::Tls(Box::new(StreamOwned::new(conn, tcp)))
    } else {
        Stream::Plain(tcp)
    };
    handshake(request, stream, timeout)
}

/// A TCP connection to `host:port` with the handshake's timeouts set, trying each address.
fn direct(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, ConnectError> {
    let host = host.to_string();
    let addrs: Vec<_> = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|source| ConnectError::Resolve {
            host: host.clone(),
            source,
        })?
        .collect();
    let mut last = None;
    let mut tcp = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(s) => {
                tcp = Some(s);
                break;
            }
            Err(e) => last = Some((addr.to_string(), e)),
        }
    }
    let tcp = match (tcp, last) {
        (Some(t), _) => t,
        (None, Some((addr, source))) => return Err(ConnectError::Tcp { addr, source }),
        (None, None) => {
            return Err(ConnectError::Resolve {
                host,
                source: io::Error::new(io::ErrorKind::NotFound, "no address"),
            })
        }
    };
    let io_err = |source| ConnectError::Tcp {
        addr: format!("{host}:{port}"),
        source,
    };
    tcp.set_nodelay(true).map_err(io_err)?;
    tcp.set_read_timeout(Some(timeout)).map_err(io_err)?;
    tcp.set_write_timeout(Some(timeout)).map_err(io_err)?;
    Ok(tcp)
}

fn handshake(
    request: tungstenite::handshake::client::Request,
    stream: Stream,
    timeout: Duration,
) -> Result<WebSocket<Stream>, ConnectError> {
    match tungstenite::client::client_with_config(request, stream, Some(ws_config())) {
        Ok((ws, _)) => Ok(ws),
        Err(HandshakeError::Interrupted(_)) => Err(ConnectError::Handshake(format!(
            "no answer within {timeout:?}"
        ))),
        Err(HandshakeError::Failure(tungstenite::Error::Http(resp))) => {
            let header = |k: &str| {
                resp.headers()
                    .get(k)
                    .and_then(|v| v.to_str().ok())
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
            };
            if let Some(msg) = header("handshake-msg") {
                return Err(ConnectError::Blocked {
                    msg,
                    status: header("handshake-status"),
                });
            }
            let body = resp
                .body()
                .as_deref()
                .map(|b| String::from_utf8_lossy(&b[..b.len().min(200)]).into_owned())
                .filter(|b| !b.trim().is_empty())
                .map_or(String::new(), |b| format!(": {}", b.trim()));
            Err(ConnectError::Refused {
                status: resp.status().as_u16(),
                body,
            })
        }
        Err(HandshakeError::Failure(e)) => Err(ConnectError::Handshake(e.to_string())),
    }
}

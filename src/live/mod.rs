//! Live capture: join a Douyin live room over WebSocket and record every raw frame
//! ([`session`]), and serve a capture file back as a push server ([`replay`]).

pub mod abogus;
#[cfg(feature = "table")]
pub mod appender;
pub mod backoff;
pub mod browser;
pub mod conn;
pub mod cookies;
pub mod hosts;
pub mod log;
pub mod printer;
pub mod protocol;
pub mod proxy;
pub mod recorder;
pub mod recording;
pub mod replay;
pub mod room;
pub mod rooms;
pub mod session;
pub mod signature;
pub mod signer;
pub mod source;
pub mod spec;
pub mod url;

use std::path::PathBuf;

use crate::capture::CaptureError;

/// What can stop a capture or replay for good. Connection trouble is not here: the session
/// reconnects on its own and only reports [`session::End::GaveUp`] when that no longer helps.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("`{0}` is not a live room: give a live URL such as https://live.douyin.com/80017709309 or its number")]
    BadRoom(String),
    #[error("{0}")]
    BadRoomOption(String),
    #[error("fetching {url} failed: {detail} (check the network; Douyin may also be refusing this address for a while: try again later)")]
    Http { url: String, detail: String },
    #[error("{url} answered HTTP {status} (Douyin may be refusing this address for a while: try again later, or save the page with --dump-page to look at it)")]
    HttpStatus { url: String, status: u16 },
    #[error("{url} set no ttwid cookie, which the push server requires (the site changed or refused this client: try again later)")]
    NoTtwid { url: String },
    #[error(transparent)]
    Page(#[from] room::PageError),
    #[error("the signer `{cmd}` failed: {detail}")]
    Signer { cmd: String, detail: String },
    #[error("`{url}` is not a usable WebSocket URL: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("cannot write the capture file {}: {source} (check the disk space and permissions; every record before this one is on disk)", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the capture file {}: {source}", path.display())]
    Open { path: PathBuf, source: CaptureError },
    #[error("cannot write the {what} {}: {detail}", path.display())]
    Output {
        path: PathBuf,
        what: &'static str,
        detail: String,
    },
    #[error("cannot listen on {addr}: {source} (is another program using the port?)")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Cookies(#[from] cookies::CookieError),
    #[error(transparent)]
    Proxy(#[from] proxy::ProxyError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

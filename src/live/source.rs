//! From a room's web id to a push endpoint: fetch and read the room page (asking the room-info
//! API when the page does not say), sign the push URL, and send the page's cookies on the
//! handshake as the browser does.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use super::browser::handshake_headers;
use super::cookies::{scrub, Cookies};
use super::log::Log;
use super::proxy::{Proxies, ProxyUrl};
use super::room::{
    fetch_room_api, fetch_room_page, parse_room_api, parse_room_page, random_user_unique_id,
    Fetched, PageError, RoomInfo,
};
use super::session::Endpoint;
use super::signature::Signer;
use super::signer::run_signer;
use super::url::{host_name, push_query, push_url, x_ms_stub, PushParams, PUSH_URL};
use super::LiveError;

/// Where the push URL's signature comes from.
#[derive(Debug)]
pub enum Signing {
    /// Computed here ([`super::signature`]): the default.
    Native(Mutex<Signer>),
    /// `--signer CMD`: run for every new room id.
    Command(String),
    /// `--signature SIG`: used as given.
    Fixed(String),
}

impl Signing {
    pub fn native() -> Signing {
        Signing::Native(Mutex::new(Signer::new()))
    }

    fn sign(&self, stub: &str, timeout: Duration) -> Result<String, LiveError> {
        match self {
            Signing::Native(s) => s
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .sign(stub)
                .map_err(|e| LiveError::Signer {
                    cmd: "built-in".into(),
                    detail: e.to_string(),
                }),
            Signing::Command(cmd) => run_signer(cmd, stub, timeout),
            Signing::Fixed(s) => Ok(s.clone()),
        }
    }
}

/// A room given by its web id.
#[derive(Debug)]
pub struct RoomSource {
    /// `https://live.douyin.com` but for tests.
    pub site: String,
    /// The push servers, base URLs without query, tried in turn:
    /// [`super::url::default_push_bases`] unless `--push-url` says otherwise.
    pub push_bases: Vec<String>,
    pub web_id: String,
    pub user_agent: String,
    pub sdk_version: String,
    pub signing: Signing,
    /// The user's own cookies (`--cookies`), sent with the site's ttwid.
    pub cookies: Cookies,
    pub timeout: Duration,
    /// Where to save the fetched page (`--dump-page`), for a look when it is not understood.
    pub dump_page: Option<PathBuf>,
    /// The proxies the page and the API go through (the WebSocket's are the session's).
    pub proxies: Proxies,
}

/// A room that is live, and how to connect to it.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub info: RoomInfo,
    pub endpoint: Endpoint,
    /// The X-MS-STUB that was signed.
    pub stub: String,
}

impl RoomSource {
    /// Fetches the page, and the room-info API when the page gives no room id or no status;
    /// a room that is not live is [`PageError::NotLive`].
    pub fn resolve(&self, log: &Log) -> Result<Resolved, LiveError> {
        let fetched = fetch_room_page(
            &self.site,
            &self.web_id,
            &self.user_agent,
            &self.cookies,
            self.timeout,
            self.proxy(),
        )?;
        if let Some(path) = &self.dump_page {
            // A page may echo a cookie back (a logged-in user's data): never saved.
            let html = scrub(&fetched.html, &self.cookies.values());
            match std::fs::write(path, &html) {
                Ok(()) => log.line(format!(
                    "saved the room page ({} bytes) to {}",
                    html.len(),
                    path.display()
                )),
                Err(e) => log.line(format!(
                    "warning: cannot save the room page to {}: {e}",
                    path.display()
                )),
            }
        }
        let info = match parse_room_page(&fetched.html) {
            Ok(i) if i.status.is_some() => i,
            Ok(page) => self.ask_api(&fetched, log).unwrap_or(page),
            Err(PageError::NotUnderstood) => match self.ask_api(&fetched, log) {
                Ok(i) => i,
                Err(LiveError::Page(
                    e @ (PageError::NotLive { .. }
                    | PageError::NoSuchRoom { .. }
                    | PageError::ApiEmpty),
                )) => return Err(e.into()),
                Err(_) => return Err(PageError::NotUnderstood.into()),
            },
            Err(e) => return Err(e.into()),
        };
        let uid = info
            .user_unique_id
            .clone()
            .unwrap_or_else(random_user_unique_id);
        let params = PushParams {
            room_id: info.room_id,
            user_unique_id: &uid,
            user_agent: &self.user_agent,
            sdk_version: &self.sdk_version,
            cursor: "",
            internal_ext: "",
        };
        let stub = x_ms_stub(&push_query(&params));
        let signature = self.signing.sign(&stub, self.timeout)?;
        log.line(format!(
            "room {} is live: room id {}{}",
            self.web_id,
            info.room_id,
            info.title
                .as_deref()
                .map(|t| format!(", `{t}`"))
                .unwrap_or_default()
        ));
        let first_base = self.push_bases.first().map_or(PUSH_URL, String::as_str);
        let endpoint = Endpoint {
            url: push_url(first_base, &params, &signature),
            bases: self.push_bases.clone(),
            headers: handshake_headers(
                &self.user_agent,
                &self.site,
                &self.cookies.header_with(&[("ttwid", &fetched.ttwid)]),
            ),
            room_id: info.room_id,
        };
        Ok(Resolved {
            info,
            endpoint,
            stub,
        })
    }

    /// The room-info API's view of the room; what went wrong is logged, as the page may still
    /// be enough.
    fn ask_api(&self, fetched: &Fetched, log: &Log) -> Result<RoomInfo, LiveError> {
        log.line(format!(
            "the room page of {} does not say enough; asking the room-info API",
            self.web_id
        ));
        let r = fetch_room_api(
            &self.site,
            &self.web_id,
            &self.user_agent,
            &fetched.cookie_header,
            &fetched.ms_token,
            self.timeout,
            self.proxy(),
        )
        .and_then(|json| parse_room_api(&json).map_err(LiveError::from));
        if let Err(e) = &r {
            log.line(format!("the room-info API: {e}"));
        }
        r
    }

    /// The proxy of the site's host, if any.
    fn proxy(&self) -> Option<&ProxyUrl> {
        self.proxies.for_host(host_name(&self.site))
    }

    /// For `--follow`: the endpoint when the room is live again, `None` while it is not.
    pub fn next_live(&self, log: &Log) -> Result<Option<Endpoint>, LiveError> {
        match self.resolve(log) {
            Ok(r) => Ok(Some(r.endpoint)),
            Err(LiveError::Page(PageError::NotLive { .. })) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

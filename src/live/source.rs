//! From a room's web id to a push endpoint: fetch and read the room page, sign the push URL,
//! and send the page's cookie on the handshake as the browser does.

use std::path::PathBuf;
use std::time::Duration;

use super::log::Log;
use super::room::{fetch_room_page, parse_room_page, random_user_unique_id, PageError, RoomInfo};
use super::session::Endpoint;
use super::sign::run_signer;
use super::url::{push_query, push_url, x_ms_stub, PushParams};
use super::LiveError;

/// Where the push URL's signature comes from.
#[derive(Debug, Clone)]
pub enum Signing {
    /// `--signer CMD`: run for every new room id.
    Command(String),
    /// `--signature SIG`: used as given.
    Fixed(String),
}

/// A room given by its web id.
#[derive(Debug, Clone)]
pub struct RoomSource {
    /// `https://live.douyin.com` but for tests.
    pub site: String,
    /// The push server URL without query, [`super::url::PUSH_URL`] but for tests.
    pub push_base: String,
    pub web_id: String,
    pub user_agent: String,
    pub signing: Signing,
    pub timeout: Duration,
    /// Where to save the fetched page (`--dump-page`), for a look when it is not understood.
    pub dump_page: Option<PathBuf>,
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
    /// Fetches the page; a room that is not live is [`PageError::NotLive`].
    pub fn resolve(&self, log: &Log) -> Result<Resolved, LiveError> {
        let fetched = fetch_room_page(&self.site, &self.web_id, &self.user_agent, self.timeout)?;
        if let Some(path) = &self.dump_page {
            match std::fs::write(path, &fetched.html) {
                Ok(()) => log.line(format!(
                    "saved the room page ({} bytes) to {}",
                    fetched.html.len(),
                    path.display()
                )),
                Err(e) => log.line(format!(
                    "warning: cannot save the room page to {}: {e}",
                    path.display()
                )),
            }
        }
        let info = parse_room_page(&fetched.html)?;
        let uid = info
            .user_unique_id
            .clone()
            .unwrap_or_else(random_user_unique_id);
        let params = PushParams {
            room_id: info.room_id,
            user_unique_id: &uid,
            user_agent: &self.user_agent,
            cursor: "",
            internal_ext: "",
        };
        let stub = x_ms_stub(&push_query(&params));
        let signature = match &self.signing {
            Signing::Command(cmd) => run_signer(cmd, &stub, self.timeout)?,
            Signing::Fixed(s) => s.clone(),
        };
        log.line(format!(
            "room {} is live: room id {}{}",
            self.web_id,
            info.room_id,
            info.title
                .as_deref()
                .map(|t| format!(", `{t}`"))
                .unwrap_or_default()
        ));
        let endpoint = Endpoint {
            url: push_url(&self.push_base, &params, &signature),
            headers: vec![
                ("Cookie".into(), format!("ttwid={}", fetched.ttwid)),
                ("User-Agent".into(), self.user_agent.clone()),
                ("Origin".into(), self.site.trim_end_matches('/').to_string()),
            ],
            room_id: info.room_id,
        };
        Ok(Resolved {
            info,
            endpoint,
            stub,
        })
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

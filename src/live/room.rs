//! The live room page: which room a URL or web id names, fetching its page as a browser does
//! (ttwid cookie first), and reading the numeric room id, title and live status out of it.

use std::time::Duration;

use serde::Deserialize as _;
use serde_json::Value;

use super::abogus;
use super::backoff::random_u64;
use super::cookies::Cookies;
use super::proxy::ProxyUrl;
use super::url::decode;
use super::LiveError;

/// What the page says about the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomInfo {
    /// The numeric room id the push server wants (not the web id in the URL).
    pub room_id: u64,
    pub title: Option<String>,
    /// 2 live, 4 ended; `None` when the page does not say.
    pub status: Option<u64>,
    /// The visitor id the page assigned, when it shows one.
    pub user_unique_id: Option<String>,
    pub layout: Layout,
}

/// How the page embeds its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Current pages: JSON escaped inside `self.__pace_f.push([1,"…"])` script chunks.
    ScriptChunks,
    /// Older pages: URL-encoded JSON in `<script id="RENDER_DATA" type="application/json">`.
    RenderData,
    /// Not the page: the room-info API (`/webcast/room/web/enter/`), asked when the page did
    /// not say.
    Api,
}

/// Live status 2: on air.
pub const STATUS_LIVE: u64 = 2;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("the room page was not understood: it holds no room id (a verification or error page, or the site changed)")]
    NotUnderstood,
    #[error("the room is not live (status {status}{}{})", if *status == 4 { ": the live has ended" } else { "" }, title.as_deref().map(|t| format!(", title `{t}`")).unwrap_or_default())]
    NotLive {
        status: u64,
        title: Option<String>,
        room_id: Option<u64>,
    },
    #[error("the room does not exist (removed, or a wrong id){}", prompt.as_deref().map(|p| format!(": Douyin says `{p}`")).unwrap_or_default())]
    NoSuchRoom { prompt: Option<String> },
    #[error("the room-info API refused the request with status code {code}{} (a verification, or this address is refused for a while: try again later, or give --cookies from a logged-in browser)", prompt.as_deref().map(|p| format!(", `{p}`")).unwrap_or_default())]
    ApiRefused { code: i64, prompt: Option<String> },
    #[error(
        "the room-info API's answer was not understood (a verification answer, or the API changed)"
    )]
    ApiNotUnderstood,
    #[error("the room-info API answered with nothing, as it does to a request it does not trust (an a_bogus signature it rejects, or an address it refuses for a while): give --cookies from a logged-in browser, try another address with --proxy, or save the room page with --dump-page to look at it")]
    ApiEmpty,
}

/// The web id of a room from a live URL (`https://live.douyin.com/80017709309?…`) or the id.
pub fn web_id_of(room: &str) -> Result<String, LiveError> {
    let bad = || LiveError::BadRoom(room.to_string());
    let t = room.trim();
    let rest = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .unwrap_or(t);
    let id = match rest.split_once('/') {
        Some((host, path)) => {
            if host != "live.douyin.com" {
                return Err(bad());
            }
            path.split(['?', '#', '/']).next().unwrap_or("")
        }
        None if rest == t => rest,
        None => return Err(bad()),
    };
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(bad());
    }
    Ok(id.to_string())
}

/// Reads a room page of either layout.
pub fn parse_room_page(html: &str) -> Result<RoomInfo, PageError> {
    let info = if let Some(json) = render_data(html) {
        from_render_data(&json)
    } else {
        from_script_chunks(html)
    };
    match info {
        Some(i) if i.status.is_some_and(|s| s != STATUS_LIVE) => Err(PageError::NotLive {
            status: i.status.unwrap_or(0),
            title: i.title,
            room_id: (i.room_id != 0).then_some(i.room_id),
        }),
        Some(i) if i.room_id != 0 => Ok(i),
        _ => Err(PageError::NotUnderstood),
    }
}

/// The decoded JSON of a `RENDER_DATA` script tag.
fn render_data(html: &str) -> Option<Value> {
    let tag = html.find("id=\"RENDER_DATA\"")?;
    let start = tag + html[tag..].find('>')? + 1;
    let end = start + html[start..].find("</script>")?;
    // encodeURIComponent'd; a `+` would be a space in form encoding.
    let text = decode(&html[start..end].trim().replace('+', "%20"));
    serde_json::from_str(&text).ok()
}

fn from_render_data(v: &Value) -> Option<RoomInfo> {
    let info = v
        .pointer("/app/initialState/roomStore/roomInfo")
        .or_else(|| find_key(v, "roomInfo"))?;
    let room = info.get("room");
    let room_id = info
        .get("roomId")
        .or_else(|| room.and_then(|r| r.get("id_str")))
        .and_then(as_u64)
        .unwrap_or(0);
    Some(RoomInfo {
        room_id,
        title: room
            .and_then(|r| r.get("title"))
            .and_then(Value::as_str)
            .map(str::to_string),
        status: room.and_then(|r| r.get("status")).and_then(as_u64),
        user_unique_id: find_key(v, "user_unique_id")
            .and_then(as_u64)
            .map(|u| u.to_string()),
        layout: Layout::RenderData,
    })
}

fn as_u64(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// The first value under `key`, depth first.
fn find_key<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Object(m) => m
            .get(key)
            .or_else(|| m.values().find_map(|c| find_key(c, key))),
        Value::Array(a) => a.iter().find_map(|c| find_key(c, key)),
        _ => None,
    }
}

/// Joins the JSON-string payloads of the page's `self.__pace_f.push([1,"…"])` chunks: what the
/// browser's script sees. A page without such chunks is searched as it is.
fn unescaped_chunks(html: &str) -> Option<String> {
    let mut out = String::new();
    let mut found = false;
    // Douyin's name for the chunk queue, and Next.js's own.
    for open in ["self.__pace_f.push([1,", "self.__next_f.push([1,"] {
        let mut rest = html;
        while let Some(at) = rest.find(open) {
            rest = &rest[at + open.len()..];
            let mut it = serde_json::Deserializer::from_str(rest).into_iter::<String>();
            if let Some(Ok(s)) = it.next() {
                out.push_str(&s);
                found = true;
                rest = &rest[it.byte_offset()..];
            }
        }
    }
    found.then_some(out)
}

fn from_script_chunks(html: &str) -> Option<RoomInfo> {
    // Searching the joined chunks reads escaped quotes and \u escapes right; a page whose JSON
    // sits in the HTML as it is, or escaped in scripts of another shape, is searched as it is
    // and then with its quotes unescaped.
    let joined = unescaped_chunks(html);
    scan(joined.as_deref().unwrap_or(html)).or_else(|| scan(&html.replace("\\\"", "\"")))
}

fn scan(text: &str) -> Option<RoomInfo> {
    let room_id = digits_after(text, "\"roomId\":\"").and_then(|d| d.parse().ok());
    let user_unique_id = digits_after(text, "\"user_unique_id\":\"").map(str::to_string);
    // The room object: `"id_str":"<room id>","status":2,"status_str":"2","title":"…"`.
    let room_at = room_id.and_then(|id: u64| text.find(&format!("\"id_str\":\"{id}\"")));
    let (status, title) = match room_at {
        Some(at) => {
            let window = &text[at..text.len().min(at + 2000)];
            let status = digits_after(window, "\"status\":").and_then(|d| d.parse().ok());
            (status, string_after(window, "\"title\":"))
        }
        None => (
            digits_after(text, "\"status_str\":\"").and_then(|d| d.parse().ok()),
            None,
        ),
    };
    if room_id.is_none() && status.is_none() {
        return None;
    }
    Some(RoomInfo {
        room_id: room_id.unwrap_or(0),
        title,
        status,
        user_unique_id,
        layout: Layout::ScriptChunks,
    })
}

/// The run of digits right after the first `pat` that has any.
fn digits_after<'a>(text: &'a str, pat: &str) -> Option<&'a str> {
    text.match_indices(pat).find_map(|(at, _)| {
        let rest = &text[at + pat.len()..];
        let n = rest.bytes().take_while(u8::is_ascii_digit).count();
        (n > 0).then(|| &rest[..n])
    })
}

/// The JSON string right after the first `pat`.
fn string_after(text: &str, pat: &str) -> Option<String> {
    let at = text.find(pat)? + pat.len();
    let mut de = serde_json::Deserializer::from_str(text[at..].trim_start());
    String::deserialize(&mut de).ok()
}

/// A room page as fetched.
pub struct Fetched {
    pub url: String,
    pub html: String,
    /// The `ttwid` cookie the site set (or the user's own); the push server wants it on the
    /// handshake.
    pub ttwid: String,
    /// The `Cookie` header the room page was fetched with: the user's cookies, ttwid, tokens.
    pub cookie_header: String,
    /// The `msToken` among those cookies: the user's own, else one made for this visit. The
    /// room-info API wants it in its query too.
    pub ms_token: String,
}

/// The HTTP client of the page and the API. The proxy is always set, `None` included: ureq
/// would otherwise read the proxy variables itself, by other rules than [`super::proxy`]'s.
fn agent(
    user_agent: &str,
    timeout: Duration,
    proxy: Option<&ProxyUrl>,
) -> Result<ureq::Agent, LiveError> {
    let proxy = proxy.map(ProxyUrl::to_ureq).transpose()?;
    Ok(ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .user_agent(user_agent)
        .proxy(proxy)
        .build()
        .into())
}

/// GET `url` with a browser's headers; the body (up to 32 MiB) unless the status is not 200.
fn get(
    agent: &ureq::Agent,
    site: &str,
    url: &str,
    accept: &str,
    cookie: Option<&str>,
    proxy: Option<&ProxyUrl>,
) -> Result<(ureq::http::Response<ureq::Body>, u16), LiveError> {
    let mut req = agent
        .get(url)
        .header("Accept", accept)
        .header("Accept-Language", "zh-CN,zh;q=0.9")
        .header("Referer", format!("{site}/"));
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    let resp = req.call().map_err(|e| match proxy {
        Some(p) => LiveError::Proxy(p.ureq_error(&e)),
        None => LiveError::Http {
            url: super::url::short(url).to_string(),
            detail: e.to_string(),
        },
    })?;
    let status = resp.status().as_u16();
    Ok((resp, status))
}

fn body(url: &str, resp: &mut ureq::http::Response<ureq::Body>) -> Result<String, LiveError> {
    resp.body_mut()
        .with_config()
        .limit(32 << 20)
        .read_to_string()
        .map_err(|e| LiveError::Http {
            url: url.to_string(),
            detail: e.to_string(),
        })
}

const ACCEPT_HTML: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// Fetches `site/` for the ttwid cookie, then `site/<web id>` with browser-like headers and the
/// user's `cookies`. `site` is [`super::url::SITE_URL`] but for tests.
pub fn fetch_room_page(
    site: &str,
    web_id: &str,
    user_agent: &str,
    cookies: &Cookies,
    timeout: Duration,
    proxy: Option<&ProxyUrl>,
) -> Result<Fetched, LiveError> {
    let site = site.trim_end_matches('/');
    let agent = agent(user_agent, timeout, proxy)?;
    let home = format!("{site}/");
    let user_cookies = (!cookies.is_empty()).then(|| cookies.header_with(&[]));
    let (resp, _) = get(
        &agent,
        site,
        &home,
        ACCEPT_HTML,
        user_cookies.as_deref(),
        proxy,
    )?;
    let set_by_site = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            let first = c.split(';').next()?.trim();
            first
                .strip_prefix("ttwid=")
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        });
    // A logged-in user's own ttwid belongs to their session: it wins over a fresh one.
    let ttwid = cookies
        .get("ttwid")
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .or(set_by_site)
        .ok_or(LiveError::NoTtwid { url: home.clone() })?;
    let url = format!("{site}/{web_id}");
    let token = cookies
        .get("msToken")
        .filter(|t| !t.is_empty())
        .map_or_else(ms_token, str::to_string);
    let nonce = ac_nonce();
    let cookie = cookies.header_with(&[
        ("ttwid", &ttwid),
        ("msToken", &token),
        ("__ac_nonce", &nonce),
    ]);
    let (mut resp, status) = get(&agent, site, &url, ACCEPT_HTML, Some(&cookie), proxy)?;
    let html = body(&url, &mut resp)?;
    if status != 200 {
        return Err(LiveError::HttpStatus { url, status });
    }
    Ok(Fetched {
        url,
        html,
        ttwid,
        cookie_header: cookie,
        ms_token: token,
    })
}

/// The web room-info API's URL for a room (what the web client asks when it enters a room),
/// unsigned. No `enter_from`: issue threads of 2025–2026 report that parameter is what makes
/// the endpoint demand `a_bogus`, answering empty without it.
pub fn room_api_url(site: &str, web_id: &str, user_agent: &str, ms_token: &str) -> String {
    let browser_version = super::browser::chrome_version(user_agent);
    let query = [
        ("aid", "6383"),
        ("app_name", "douyin_web"),
        ("live_id", "1"),
        ("device_platform", "web"),
        ("language", "zh-CN"),
        ("cookie_enabled", "true"),
        ("screen_width", "1920"),
        ("screen_height", "1080"),
        ("browser_language", "zh-CN"),
        ("browser_platform", "Win32"),
        ("browser_name", "Chrome"),
        ("browser_version", browser_version),
        ("web_rid", web_id),
        ("msToken", ms_token),
    ];
    let q: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{k}={}", super::url::encode(v)))
        .collect();
    format!(
        "{}/webcast/room/web/enter/?{}",
        site.trim_end_matches('/'),
        q.join("&")
    )
}

/// Asks the room-info API about `web_id`, with the cookies the page was fetched with.
pub fn fetch_room_api(
    site: &str,
    web_id: &str,
    user_agent: &str,
    cookie_header: &str,
    ms_token: &str,
    timeout: Duration,
    proxy: Option<&ProxyUrl>,
) -> Result<String, LiveError> {
    let site = site.trim_end_matches('/');
    let url = signed(
        &room_api_url(site, web_id, user_agent, ms_token),
        user_agent,
    );
    let agent = agent(user_agent, timeout, proxy)?;
    let (mut resp, status) = get(
        &agent,
        site,
        &url,
        "application/json, text/plain, */*",
        Some(cookie_header),
        proxy,
    )?;
    let text = body(&url, &mut resp)?;
    if status != 200 {
        return Err(LiveError::HttpStatus {
            url: super::url::short(&url).to_string(),
            status,
        });
    }
    Ok(text)
}

/// `url` with `&a_bogus=…` appended: the signature of its query for this user agent and an
/// empty body ([`super::abogus`]), percent-encoded whole (it holds `/` and `=`).
pub fn signed(url: &str, user_agent: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let sig = abogus::sign_now(query, b"", user_agent, random_u64);
    let mut out = String::with_capacity(url.len() + 12 + sig.len() * 3);
    out.push_str(url);
    out.push_str("&a_bogus=");
    for b in sig.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reads the room-info API's answer: `data.data[0]` holds `id_str`, `status` (2 live, 4 ended)
/// and `title`; an answer without a room means the room does not exist (removed, or a wrong id).
pub fn parse_room_api(json: &str) -> Result<RoomInfo, PageError> {
    if json.trim().is_empty() {
        return Err(PageError::ApiEmpty);
    }
    let v: Value = serde_json::from_str(json).map_err(|_| PageError::ApiNotUnderstood)?;
    let code = v.get("status_code").and_then(Value::as_i64).unwrap_or(0);
    let data = v.get("data");
    let room = data
        .and_then(|d| d.get("data"))
        .and_then(Value::as_array)
        .and_then(|a| a.first());
    let Some(room) = room else {
        let prompt = data
            .and_then(|d| d.get("prompts"))
            .or_else(|| v.get("status_msg"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        return Err(match (code, data.is_some_and(Value::is_object)) {
            (0, true) => PageError::NoSuchRoom { prompt },
            (0, false) => PageError::ApiNotUnderstood,
            (code, _) => PageError::ApiRefused { code, prompt },
        });
    };
    let room_id = room
        .get("id_str")
        .or_else(|| data.and_then(|d| d.get("enter_room_id")))
        .and_then(as_u64)
        .unwrap_or(0);
    let title = room
        .get("title")
        .and_then(Value::as_str)
        .map(str::to_string);
    let status = room.get("status").and_then(as_u64);
    match status {
        Some(s) if s != STATUS_LIVE => Err(PageError::NotLive {
            status: s,
            title,
            room_id: (room_id != 0).then_some(room_id),
        }),
        _ if room_id == 0 => Err(PageError::ApiNotUnderstood),
        _ => Ok(RoomInfo {
            room_id,
            title,
            status,
            user_unique_id: None,
            layout: Layout::Api,
        }),
    }
}

/// A random token shaped like the web client's `msToken` (107 characters).
fn ms_token() -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    (0..107)
        .map(|_| CHARS[(random_u64() % CHARS.len() as u64) as usize] as char)
        .collect()
}

/// A random `__ac_nonce`: 21 hex digits starting with 0, as the site sets it.
fn ac_nonce() -> String {
    format!("0{:016x}{:04x}", random_u64(), random_u64() & 0xffff)
}

/// A visitor id for pages that show none: 19 digits starting with 7, like the web client's.
pub fn random_user_unique_id() -> String {
    (7_000_000_000_000_000_000 + random_u64() % 1_000_000_000_000_000_000).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_ids_from_urls_and_numbers() {
        for (input, id) in [
            ("https://live.douyin.com/80017709309", "80017709309"),
            (
                "http://live.douyin.com/80017709309?enter_from=x",
                "80017709309",
            ),
            ("live.douyin.com/80017709309/", "80017709309"),
            (" 80017709309 ", "80017709309"),
        ] {
            assert_eq!(web_id_of(input).unwrap(), id, "{input}");
        }
        for bad in [
            "",
            "https://www.example.com/80017709309",
            "https://live.douyin.com/",
            "https://v.douyin.com/abc",
            "80017709309;rm",
        ] {
            assert!(web_id_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tokens_have_the_web_client_shapes() {
        assert_eq!(ms_token().len(), 107);
        let n = ac_nonce();
        assert_eq!(n.len(), 21);
        assert!(n.starts_with('0') && n.chars().all(|c| c.is_ascii_hexdigit()));
        let u = random_user_unique_id();
        assert_eq!(u.len(), 19);
        assert!(u.starts_with('7'));
    }

    #[test]
    fn escaped_json_outside_the_known_chunks_is_found() {
        let page = r#"<script>window.__data="{\"roomId\":\"7181\",\"room\":{\"id_str\":\"7181\",\"status\":2,\"title\":\"hi\"}}"</script>"#;
        let info = parse_room_page(page).unwrap();
        assert_eq!((info.room_id, info.status), (7181, Some(2)));
        assert_eq!(info.title.as_deref(), Some("hi"));
        let plain = r#"{"roomId":"7181","room":{"id_str":"7181","status":4,"title":"t"}}"#;
        assert!(matches!(
            parse_room_page(plain),
            Err(PageError::NotLive { status: 4, .. })
        ));
    }

    #[test]
    fn room_api_answers() {
        let live = r#"{"data":{"data":[{"id_str":"7181823408362015540","status":2,"title":"hi"}],"enter_room_id":"7181823408362015540"},"status_code":0}"#;
        let info = parse_room_api(live).unwrap();
        assert_eq!(info.room_id, 7_181_823_408_362_015_540);
        assert_eq!(
            (info.status, info.title.as_deref(), info.layout),
            (Some(2), Some("hi"), Layout::Api)
        );
        let ended =
            r#"{"data":{"data":[{"id_str":"7181","status":4,"title":"t"}]},"status_code":0}"#;
        assert!(matches!(
            parse_room_api(ended),
            Err(PageError::NotLive {
                status: 4,
                room_id: Some(7181),
                ..
            })
        ));
        let gone = r#"{"data":{"data":[],"prompts":"直播间不存在"},"status_code":0}"#;
        let e = parse_room_api(gone).unwrap_err();
        assert!(matches!(e, PageError::NoSuchRoom { .. }));
        assert!(e.to_string().contains("直播间不存在"), "{e}");
        let refused = r#"{"status_code":10011,"data":null}"#;
        assert!(matches!(
            parse_room_api(refused),
            Err(PageError::ApiRefused { code: 10011, .. })
        ));
        assert_eq!(parse_room_api(" \n"), Err(PageError::ApiEmpty));
        for junk in [
            "<html>验证</html>",
            "{}",
            r#"{"data":{"data":[{"title":"x"}]}}"#,
        ] {
            assert_eq!(
                parse_room_api(junk),
                Err(PageError::ApiNotUnderstood),
                "{junk}"
            );
        }
        let url = room_api_url(
            "http://127.0.0.1:1/",
            "80017709309",
            super::super::url::DEFAULT_USER_AGENT,
            "tok",
        );
        assert!(
            url.starts_with("http://127.0.0.1:1/webcast/room/web/enter/?aid=6383&"),
            "{url}"
        );
        assert!(
            url.contains("&device_platform=web&")
                && url.ends_with("&web_rid=80017709309&msToken=tok"),
            "{url}"
        );
        assert!(!url.contains("enter_from"), "{url}");
        assert!(url.contains("browser_version=143.0.0.0"), "{url}");
    }

    #[test]
    fn garbage_is_not_understood() {
        for page in [
            "",
            "<html>验证码</html>",
            "self.__pace_f.push([1,\"unterminated",
        ] {
            assert_eq!(parse_room_page(page), Err(PageError::NotUnderstood));
        }
    }
}

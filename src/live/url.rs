//! The push server URL: the parameters the web client sends, query editing for resuming, and
//! the X-MS-STUB that Douyin's signature is computed over.

/// The push servers, tried in this order. Public clients moved off `webcast5-ws-web-hl` (the
/// default until 2025) after DEVICE_BLOCKED reports in mid-2025 (saermart/DouyinLiveWebFetcher
/// issue #119: "wss换了下"), to `webcast100-ws-web-{lf,hl,lq}`: three clients list exactly these
/// three, and the newest Go and TypeScript clients fall back to `-lf`, which comes first here.
/// A host that refuses or blocks the handshake makes the session try the next one before it
/// backs off; a push server the service names in its Response is tried first on the next
/// connect. `--push-url` replaces the list.
pub const PUSH_HOSTS: [&str; 3] = [
    "webcast100-ws-web-lf.douyin.com",
    "webcast100-ws-web-hl.douyin.com",
    "webcast100-ws-web-lq.douyin.com",
];
/// The push server's path on every host.
pub const PUSH_PATH: &str = "/webcast/im/push/v2/";
/// The first default push server, without query.
pub const PUSH_URL: &str = "wss://webcast100-ws-web-lf.douyin.com/webcast/im/push/v2/";
/// What current web clients send as `webcast_sdk_version` (older ones: `1.0.14-beta.0`). It is
/// part of what is signed, so `--sdk-version` changes it when Douyin moves on.
pub const DEFAULT_SDK_VERSION: &str = "1.0.15";
pub use super::browser::{DEFAULT_USER_AGENT, SITE_URL};

/// Every default push server as a base URL without query, in the order they are tried.
pub fn default_push_bases() -> Vec<String> {
    PUSH_HOSTS
        .iter()
        .map(|h| format!("wss://{h}{PUSH_PATH}"))
        .collect()
}

/// `url`'s query on another push server: `base`'s scheme, host and path.
pub fn rebase(url: &str, base: &str) -> String {
    let base = short(base).trim_end_matches('?');
    match url.split_once('?') {
        Some((_, query)) => format!("{base}?{query}"),
        None => base.to_string(),
    }
}

/// The push server a Response names (`push_server`, field 10 of douyin.proto's Response and of
/// TikTok's WebcastResponse, whose Go client connects to it next), as a base URL: a full
/// `ws(s)://` URL is taken without its query, a bare host gets `current`'s scheme and path.
/// `None` for anything that is not a usable host.
pub fn named_push_base(named: &str, current: &str) -> Option<String> {
    let named = named.trim();
    if named.is_empty() {
        return None;
    }
    let base = if named.starts_with("ws://") || named.starts_with("wss://") {
        short(named).to_string()
    } else {
        let scheme = if current.starts_with("ws://") {
            "ws"
        } else {
            "wss"
        };
        let rest = short(current).split("://").nth(1).unwrap_or("");
        let path = rest.find('/').map_or(PUSH_PATH, |at| &rest[at..]);
        format!("{scheme}://{}{path}", named.trim_end_matches('/'))
    };
    let host_ok = base
        .split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .is_some_and(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-.:[]_".contains(c))
        });
    host_ok.then_some(base)
}

/// The host of a URL without its port (IPv6 without brackets): what proxy rules look at.
pub fn host_name(url: &str) -> &str {
    let h = host_of(url);
    let h = h.rsplit_once('@').map_or(h, |(_, h)| h);
    if let Some(rest) = h.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    h.split(':').next().unwrap_or(h)
}

/// The host (and port) of a URL, for log lines.
pub fn host_of(url: &str) -> &str {
    let rest = url.split("://").nth(1).unwrap_or(url);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

/// The parameters, in order, whose `key=value` pairs joined by commas make the X-MS-STUB.
pub const SIGNED_KEYS: [&str; 13] = [
    "live_id",
    "aid",
    "version_code",
    "webcast_sdk_version",
    "room_id",
    "sub_room_id",
    "sub_channel_id",
    "did_rule",
    "user_unique_id",
    "device_platform",
    "device_type",
    "ac",
    "identity",
];

/// What varies in the push URL of a room.
#[derive(Debug, Clone)]
pub struct PushParams<'a> {
    pub room_id: u64,
    pub user_unique_id: &'a str,
    pub user_agent: &'a str,
    /// `webcast_sdk_version` (and `update_version_code`), e.g. [`DEFAULT_SDK_VERSION`].
    pub sdk_version: &'a str,
    /// Empty on the first connection; the last `Response.cursor` when resuming.
    pub cursor: &'a str,
    /// Empty on the first connection; the last `Response.internal_ext` when resuming.
    pub internal_ext: &'a str,
}

/// The query parameters the web client sends, in its order, without `signature`.
pub fn push_query(p: &PushParams) -> Vec<(&'static str, String)> {
    let browser_version = super::browser::app_version(p.user_agent);
    let s = |v: &str| v.to_string();
    vec![
        ("app_name", s("douyin_web")),
        ("version_code", s("180800")),
        ("webcast_sdk_version", s(p.sdk_version)),
        ("update_version_code", s(p.sdk_version)),
        ("compress", s("gzip")),
        ("device_platform", s("web")),
        ("cookie_enabled", s("true")),
        ("screen_width", s("1920")),
        ("screen_height", s("1080")),
        ("browser_language", s("zh-CN")),
        ("browser_platform", s("Win32")),
        ("browser_name", s("Mozilla")),
        ("browser_version", s(browser_version)),
        ("browser_online", s("true")),
        ("tz_name", s("Asia/Shanghai")),
        ("cursor", s(p.cursor)),
        ("internal_ext", s(p.internal_ext)),
        ("host", s(SITE_URL)),
        ("aid", s("6383")),
        ("live_id", s("1")),
        ("did_rule", s("3")),
        ("endpoint", s("live_pc")),
        ("support_wrds", s("1")),
        ("user_unique_id", s(p.user_unique_id)),
        ("im_path", s("/webcast/im/fetch/")),
        ("identity", s("audience")),
        ("need_persist_msg_count", s("15")),
        ("insert_task_id", s("")),
        ("live_reason", s("")),
        ("room_id", p.room_id.to_string()),
        ("heartbeatDuration", s("0")),
    ]
}

/// The full push URL: `base` (e.g. [`PUSH_URL`]) with the query and the signature last.
pub fn push_url(base: &str, p: &PushParams, signature: &str) -> String {
    let mut query = push_query(p);
    query.push(("signature", signature.to_string()));
    let mut url = base.trim_end_matches('?').to_string();
    url.push(if url.contains('?') { '&' } else { '?' });
    url.push_str(&encode_query(&query));
    url
}

/// `live_id=1,aid=6383,…,identity=audience`: the signed keys with their values (empty when
/// absent), as the web client hashes them.
pub fn stub_input(query: &[(&str, String)]) -> String {
    SIGNED_KEYS
        .iter()
        .map(|k| {
            let v = query
                .iter()
                .find(|(q, _)| q == k)
                .map_or("", |(_, v)| v.as_str());
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The X-MS-STUB: the md5 hex of [`stub_input`]. Douyin's script signs this.
pub fn x_ms_stub(query: &[(&str, String)]) -> String {
    format!("{:x}", md5::compute(stub_input(query)))
}

/// The stub input and X-MS-STUB of a room's push URL (`sign --room-id`): only the signed keys
/// matter, so the user agent and the resume point play no part.
pub fn stub_of(room_id: u64, user_unique_id: &str, sdk_version: &str) -> (String, String) {
    let query = push_query(&PushParams {
        room_id,
        user_unique_id,
        user_agent: DEFAULT_USER_AGENT,
        sdk_version,
        cursor: "",
        internal_ext: "",
    });
    (stub_input(&query), x_ms_stub(&query))
}

fn encode_query(query: &[(&str, String)]) -> String {
    query
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but unreserved characters and `:` `/` (which the web client
/// leaves as they are, e.g. in `host=https://live.douyin.com`).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes; malformed escapes stay as they are. `+` stays `+`.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded value of the first `key` parameter of `url`'s query.
pub fn query_param(url: &str, key: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or("");
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k) == key).then(|| decode(v))
    })
}

/// `url` with each `(key, value)` set: replaced where the key is present, appended where not.
pub fn set_query(url: &str, params: &[(&str, &str)]) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    for (key, value) in params {
        let pair = format!("{}={}", encode(key), encode(value));
        match pairs
            .iter_mut()
            .find(|p| decode(p.split('=').next().unwrap_or("")) == *key)
        {
            Some(p) => *p = pair,
            None => pairs.push(pair),
        }
    }
    format!("{base}?{}", pairs.join("&"))
}

/// `scheme://host/path` of a URL, for log lines (the query is long and holds the signature).
pub fn short(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The 2024 defaults, so the expected URL below stays what it was checked against.
    const UA_126: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
    const PUSH_2024: &str = "wss://webcast5-ws-web-hl.douyin.com/webcast/im/push/v2/";

    fn params<'a>() -> PushParams<'a> {
        PushParams {
            room_id: 7_181_823_408_362_015_540,
            user_unique_id: "7319483754668557238",
            user_agent: UA_126,
            sdk_version: "1.0.14-beta.0",
            cursor: "",
            internal_ext: "",
        }
    }

    #[test]
    fn stub_is_md5_of_the_signed_parameter_list() {
        let q = push_query(&params());
        let input = stub_input(&q);
        assert_eq!(
            input,
            "live_id=1,aid=6383,version_code=180800,webcast_sdk_version=1.0.14-beta.0,\
             room_id=7181823408362015540,sub_room_id=,sub_channel_id=,did_rule=3,\
             user_unique_id=7319483754668557238,device_platform=web,device_type=,ac=,\
             identity=audience"
        );
        // md5 of the string above, computed independently (`printf %s … | md5sum`).
        assert_eq!(x_ms_stub(&q), STUB_MD5);
    }

    const STUB_MD5: &str = "75b36c01a78d428b3b8ac8fbaafb5301";

    #[test]
    fn push_url_has_every_parameter_in_order_and_the_signature_last() {
        let url = push_url(PUSH_2024, &params(), "sig/+=");
        assert!(url.starts_with(
            "wss://webcast5-ws-web-hl.douyin.com/webcast/im/push/v2/?app_name=douyin_web&version_code=180800&webcast_sdk_version=1.0.14-beta.0&update_version_code=1.0.14-beta.0&compress=gzip&device_platform=web&cookie_enabled=true&screen_width=1920&screen_height=1080&browser_language=zh-CN&browser_platform=Win32&browser_name=Mozilla&browser_version=5.0%20%28Windows%20NT%2010.0%3B%20Win64%3B%20x64%29%20AppleWebKit/537.36%20%28KHTML%2C%20like%20Gecko%29%20Chrome/126.0.0.0%20Safari/537.36&browser_online=true&tz_name=Asia/Shanghai&cursor=&internal_ext=&host=https://live.douyin.com&aid=6383&live_id=1&did_rule=3&endpoint=live_pc&support_wrds=1&user_unique_id=7319483754668557238&im_path=/webcast/im/fetch/&identity=audience&need_persist_msg_count=15&insert_task_id=&live_reason=&room_id=7181823408362015540&heartbeatDuration=0&signature=sig/%2B%3D"
        ), "{url}");
        assert!(url.ends_with("&signature=sig/%2B%3D"));
        assert_eq!(query_param(&url, "signature").unwrap(), "sig/+=");
        assert_eq!(
            query_param(&url, "browser_version").unwrap(),
            UA_126.strip_prefix("Mozilla/").unwrap()
        );
        // http::Uri (what the WebSocket handshake parses) accepts it.
        assert!(url.parse::<tungstenite::http::Uri>().is_ok());
    }

    #[test]
    fn resuming_replaces_cursor_and_internal_ext_in_place() {
        let url = push_url(PUSH_2024, &params(), "s");
        let ext = "internal_src:pushserver|first_req_ms:1|wrds_v:7 a&b=c";
        let resumed = set_query(
            &url,
            &[("cursor", "t-1_r-2_d-1_u-1"), ("internal_ext", ext)],
        );
        assert_eq!(query_param(&resumed, "cursor").unwrap(), "t-1_r-2_d-1_u-1");
        assert_eq!(query_param(&resumed, "internal_ext").unwrap(), ext);
        assert!(resumed.ends_with("&signature=s"));
        assert_eq!(resumed.matches("cursor=").count(), 1);
        assert!(resumed.parse::<tungstenite::http::Uri>().is_ok());
        let appended = set_query("ws://127.0.0.1:1/push", &[("cursor", "c")]);
        assert_eq!(appended, "ws://127.0.0.1:1/push?cursor=c");
    }

    #[test]
    fn decoding_survives_malformed_escapes() {
        assert_eq!(decode("a%2"), "a%2");
        assert_eq!(decode("%zz%41"), "%zzA");
        assert_eq!(decode("%E4%BD%A0"), "你");
        assert_eq!(query_param("ws://h/p", "a"), None);
        assert_eq!(query_param("ws://h/p?a", "a").unwrap(), "");
    }

    #[test]
    fn push_servers_swap_under_the_same_query() {
        let bases = default_push_bases();
        assert_eq!(bases.len(), 3);
        assert_eq!(bases[0], PUSH_URL);
        assert!(bases.iter().all(|b| b.contains("webcast100-ws-web-")));
        let url = push_url(PUSH_URL, &params(), "s");
        let moved = rebase(&url, &bases[2]);
        assert!(moved
            .starts_with("wss://webcast100-ws-web-lq.douyin.com/webcast/im/push/v2/?app_name="));
        assert_eq!(
            moved.split_once('?').unwrap().1,
            url.split_once('?').unwrap().1
        );
        assert_eq!(host_of(&moved), "webcast100-ws-web-lq.douyin.com");
        assert_eq!(host_name("http://127.0.0.1:8080/x"), "127.0.0.1");
        assert_eq!(host_name("ws://[::1]:9/x"), "::1");
        assert_eq!(host_name("https://live.douyin.com"), "live.douyin.com");
        assert_eq!(rebase("ws://a:1/p", "ws://b:2/q?x=1"), "ws://b:2/q");
    }

    #[test]
    fn a_named_push_server_becomes_a_base() {
        let cur = "wss://webcast100-ws-web-lf.douyin.com/webcast/im/push/v2/";
        assert_eq!(
            named_push_base(
                "wss://webcast100-ws-web-hl.douyin.com/webcast/im/push/v2/?a=b",
                cur
            )
            .unwrap(),
            "wss://webcast100-ws-web-hl.douyin.com/webcast/im/push/v2/"
        );
        assert_eq!(
            named_push_base("webcast100-ws-web-lq.douyin.com", cur).unwrap(),
            "wss://webcast100-ws-web-lq.douyin.com/webcast/im/push/v2/"
        );
        assert_eq!(
            named_push_base("127.0.0.1:9000", "ws://127.0.0.1:1/push").unwrap(),
            "ws://127.0.0.1:9000/push"
        );
        for bad in ["", "  ", "wss:///x", "host with space", "evil\r\nHeader: x"] {
            assert_eq!(named_push_base(bad, cur), None, "{bad}");
        }
    }
}

//! The browser capture claims to be, in one place: the user agent, and what follows from it
//! (the push URL's `browser_version`, the room-info API's Chrome version, the handshake's
//! headers). `--user-agent` replaces the user agent and so all of these at once.

/// A current desktop Chrome on Windows. Public clients of 2025–2026 send Chrome 134 to 150
/// (e.g. `Chrome/150.0.0.0` in a 2026 TypeScript client, `134.0.0.0` in a Dart one); an old
/// version is one more thing that sets a scraper apart from the site's own visitors.
pub const DEFAULT_USER_AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36";

/// The page every request claims to come from; the web client's WebSocket and API requests
/// carry it as `Origin` and `Referer`.
pub const SITE_URL: &str = "https://live.douyin.com";

/// `5.0 (Windows NT 10.0; …) … Safari/537.36`: the user agent without `Mozilla/`, which is
/// what the web client puts in the push URL's `browser_version` (`navigator.appVersion`).
pub fn app_version(user_agent: &str) -> &str {
    user_agent.strip_prefix("Mozilla/").unwrap_or(user_agent)
}

/// `143.0.0.0`: the Chrome version the room-info API's `browser_version` names; the default
/// agent's when `user_agent` is not a Chrome.
pub fn chrome_version(user_agent: &str) -> &str {
    fn of(ua: &str) -> Option<&str> {
        let v = ua.split("Chrome/").nth(1)?.split(' ').next()?;
        (!v.is_empty()).then_some(v)
    }
    of(user_agent)
        .or_else(|| of(DEFAULT_USER_AGENT))
        .unwrap_or("143.0.0.0")
}

/// The headers the browser sends on the push server's WebSocket handshake: its cookie, user
/// agent, and the page as `Origin` and `Referer` (two public clients send both; a handshake
/// without them is one a browser never makes).
pub fn handshake_headers(user_agent: &str, site: &str, cookie: &str) -> Vec<(String, String)> {
    let site = site.trim_end_matches('/');
    let mut headers = Vec::with_capacity(4);
    if !cookie.is_empty() {
        headers.push(("Cookie".to_string(), cookie.to_string()));
    }
    headers.push(("User-Agent".to_string(), user_agent.to_string()));
    headers.push(("Origin".to_string(), site.to_string()));
    headers.push(("Referer".to_string(), format!("{site}/")));
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_come_from_the_one_user_agent() {
        assert!(app_version(DEFAULT_USER_AGENT).starts_with("5.0 (Windows NT 10.0"));
        let major: u32 = chrome_version(DEFAULT_USER_AGENT)
            .split('.')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(major >= 140, "{major}");
        assert_eq!(
            chrome_version("Mozilla/5.0 (X11) Chrome/150.0.7000.1 Safari/537.36"),
            "150.0.7000.1"
        );
        // Not a Chrome: the API still gets a plausible version.
        assert_eq!(
            chrome_version("curl/8.0"),
            chrome_version(DEFAULT_USER_AGENT)
        );
        let h = handshake_headers("UA", "https://live.douyin.com/", "");
        assert_eq!(
            h,
            vec![
                ("User-Agent".to_string(), "UA".to_string()),
                ("Origin".to_string(), "https://live.douyin.com".to_string()),
                (
                    "Referer".to_string(),
                    "https://live.douyin.com/".to_string()
                ),
            ]
        );
    }
}

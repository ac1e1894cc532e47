//! The user's own Douyin cookies (`--cookies FILE`): a Netscape `cookies.txt` as browser
//! extensions export it, or one `Cookie:` header line. Since late 2025 gift messages reach only
//! logged-in sessions, so these go on the room-page requests and the WebSocket handshake.
//!
//! Values are secrets (a session cookie is a login): nothing here ever formats one into a
//! message — errors name lines and cookies, [`Cookies`]' `Debug` shows names only.

use std::fmt;
use std::path::{Path, PathBuf};

/// Cookies that mean a logged-in session (any one of them).
const LOGIN_COOKIES: [&str; 5] = ["sessionid", "sessionid_ss", "sid_tt", "sid_guard", "uid_tt"];

#[derive(Debug, thiserror::Error)]
pub enum CookieError {
    #[error("cannot read the cookies file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the cookies file {} holds no cookies (give a Netscape cookies.txt or one `Cookie: name=value; …` line)", path.display())]
    Empty { path: PathBuf },
    #[error("the cookies file {} holds cookies, but none for douyin.com (export them while on live.douyin.com)", path.display())]
    NoDouyin { path: PathBuf },
    #[error("line {line} of the cookies file {} is neither a cookies.txt line (7 tab-separated fields) nor `name=value; …` (its content is not shown: it may hold a login)", path.display())]
    BadLine { path: PathBuf, line: usize },
}

/// Cookies to send, in file order.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Cookies {
    pairs: Vec<(String, String)>,
    /// Names of cookies skipped because they had expired.
    expired: Vec<String>,
}

impl fmt::Debug for Cookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cookies({})", self.names().join(", "))
    }
}

impl Cookies {
    /// Reads `path`; `now_s` (Unix seconds) decides which cookies.txt entries have expired.
    pub fn load(path: &Path, now_s: u64) -> Result<Cookies, CookieError> {
        let text = std::fs::read_to_string(path).map_err(|source| CookieError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Cookies::parse(&text, now_s).map_err(|e| match e {
            ParseError::Empty => CookieError::Empty {
                path: path.to_path_buf(),
            },
            ParseError::NoDouyin => CookieError::NoDouyin {
                path: path.to_path_buf(),
            },
            ParseError::BadLine(line) => CookieError::BadLine {
                path: path.to_path_buf(),
                line,
            },
        })
    }

    /// Parses either format: a file whose lines have tab-separated fields is a cookies.txt.
    pub fn parse(text: &str, now_s: u64) -> Result<Cookies, ParseError> {
        let text = text.trim_start_matches('\u{feff}');
        let netscape = text.lines().any(|l| l.split('\t').count() >= 7)
            || text.starts_with("# Netscape HTTP Cookie File");
        let c = if netscape {
            parse_netscape(text, now_s)?
        } else {
            parse_header(text)?
        };
        if c.pairs.is_empty() && c.expired.is_empty() {
            return Err(ParseError::Empty);
        }
        Ok(c)
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn names(&self) -> Vec<&str> {
        self.pairs.iter().map(|(n, _)| n.as_str()).collect()
    }

    pub fn expired(&self) -> &[String] {
        &self.expired
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether a login cookie (`sessionid`, `sid_tt`, …) is among them.
    pub fn logged_in(&self) -> bool {
        self.pairs
            .iter()
            .any(|(n, v)| !v.is_empty() && LOGIN_COOKIES.contains(&n.as_str()))
    }

    /// The values, for scrubbing them out of anything shown or saved.
    pub fn values(&self) -> Vec<String> {
        self.pairs.iter().map(|(_, v)| v.clone()).collect()
    }

    /// `cookies from FILE: sessionid, sid_tt, ttwid (a logged-in session)`: names, never values.
    pub fn describe(&self, path: Option<&std::path::Path>) -> String {
        let c = self;
        let from = path
            .map(|p| format!(" from {}", p.display()))
            .unwrap_or_default();
        let mut line = format!(
            "cookies{from}: {} ({})",
            if c.is_empty() {
                "none usable".to_string()
            } else {
                c.names().join(", ")
            },
            if c.logged_in() {
                "a logged-in session"
            } else {
                "no login cookie among them (sessionid, sid_tt …): gifts may not come"
            }
        );
        if !c.expired().is_empty() {
            line.push_str(&format!(
                "; left out as expired: {} (export them again from a logged-in browser)",
                c.expired().join(", ")
            ));
        }
        line
    }

    /// `name=value; …` with `extra` (the site's own `ttwid`, tokens) added where the user's
    /// cookies do not have that name already: the user's own login session wins.
    pub fn header_with(&self, extra: &[(&str, &str)]) -> String {
        let mut parts: Vec<String> = self.pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
        for (n, v) in extra {
            if self.get(n).is_none() {
                parts.push(format!("{n}={v}"));
            }
        }
        parts.join("; ")
    }
}

/// [`Cookies::parse`]'s errors, before a path is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    Empty,
    NoDouyin,
    BadLine(usize),
}

fn parse_netscape(text: &str, now_s: u64) -> Result<Cookies, ParseError> {
    let mut c = Cookies::default();
    let mut others = 0;
    for (i, line) in text.lines().enumerate() {
        // `#HttpOnly_` marks an HttpOnly cookie, not a comment.
        let line = line.strip_prefix("#HttpOnly_").unwrap_or(line);
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 7 {
            return Err(ParseError::BadLine(i + 1));
        }
        let (domain, expires, name, value) = (f[0], f[4], f[5], f[6]);
        let host = domain.trim_start_matches('.').to_ascii_lowercase();
        if host != "douyin.com" && !host.ends_with(".douyin.com") {
            others += 1;
            continue;
        }
        if !valid_name(name) {
            return Err(ParseError::BadLine(i + 1));
        }
        let expires: u64 = expires.trim().parse().unwrap_or(0);
        if expires != 0 && expires < now_s {
            c.expired.push(name.to_string());
            continue;
        }
        set(&mut c.pairs, name, value.trim());
    }
    if c.pairs.is_empty() && c.expired.is_empty() && others > 0 {
        return Err(ParseError::NoDouyin);
    }
    Ok(c)
}

fn parse_header(text: &str) -> Result<Cookies, ParseError> {
    let mut c = Cookies::default();
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let Some((i, line)) = lines.next() else {
        return Err(ParseError::Empty);
    };
    if let Some((j, _)) = lines.next() {
        return Err(ParseError::BadLine(j + 1));
    }
    let line = line.trim();
    let line = match line.split_once(':') {
        Some((h, rest)) if h.trim().eq_ignore_ascii_case("cookie") => rest,
        _ => line,
    };
    for part in line.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((name, value)) = part.split_once('=') else {
            return Err(ParseError::BadLine(i + 1));
        };
        let name = name.trim();
        if !valid_name(name) {
            return Err(ParseError::BadLine(i + 1));
        }
        set(&mut c.pairs, name, value.trim());
    }
    Ok(c)
}

/// A later cookie of the same name replaces the earlier one (as a browser's jar does).
fn set(pairs: &mut Vec<(String, String)>, name: &str, value: &str) {
    match pairs.iter_mut().find(|(n, _)| n == name) {
        Some(p) => p.1 = value.to_string(),
        None => pairs.push((name.to_string(), value.to_string())),
    }
}

/// An HTTP token: what a header can carry as a cookie name.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// `text` with every value of `secrets` (six characters or longer: shorter ones are not
/// secrets worth mangling text for) replaced by `***`.
pub fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 6) {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_767_261_600;

    #[test]
    fn netscape_files_keep_douyin_cookies_only() {
        let text = "# Netscape HTTP Cookie File\n\
            .douyin.com\tTRUE\t/\tTRUE\t1800000000\tsessionid\tabcdef123456\n\
            #HttpOnly_.douyin.com\tTRUE\t/\tTRUE\t0\tttwid\t1%7Cxyz\n\
            live.douyin.com\tFALSE\t/\tFALSE\t1000\told\tgone\n\
            .example.com\tTRUE\t/\tFALSE\t0\tother\tnope\n";
        let c = Cookies::parse(text, NOW).unwrap();
        assert_eq!(c.names(), ["sessionid", "ttwid"]);
        assert_eq!(c.expired(), ["old"]);
        assert!(c.logged_in());
        assert_eq!(
            c.header_with(&[("ttwid", "site"), ("msToken", "m")]),
            "sessionid=abcdef123456; ttwid=1%7Cxyz; msToken=m"
        );
        assert_eq!(format!("{c:?}"), "Cookies(sessionid, ttwid)");
        assert_eq!(
            Cookies::parse(".example.com\tTRUE\t/\tFALSE\t0\ta\tb\n", NOW),
            Err(ParseError::NoDouyin)
        );
    }

    #[test]
    fn header_lines_with_or_without_the_name() {
        for text in [
            "Cookie: a=1; sid_tt=zz9; b=x=y\n",
            "a=1; sid_tt=zz9; b=x=y",
            "\u{feff}cookie:a=1;sid_tt=zz9;b=x=y;",
        ] {
            let c = Cookies::parse(text, NOW).unwrap();
            assert_eq!(c.names(), ["a", "sid_tt", "b"], "{text}");
            assert_eq!(c.get("b"), Some("x=y"));
            assert!(c.logged_in());
        }
        assert!(!Cookies::parse("a=1", NOW).unwrap().logged_in());
    }

    #[test]
    fn bad_files_name_the_line_not_its_content() {
        assert_eq!(Cookies::parse("", NOW), Err(ParseError::Empty));
        assert_eq!(Cookies::parse("# only\n\n", NOW), Err(ParseError::Empty));
        assert_eq!(
            Cookies::parse("a=1\nb=2\n", NOW),
            Err(ParseError::BadLine(2))
        );
        assert_eq!(
            Cookies::parse("secretvalue", NOW),
            Err(ParseError::BadLine(1))
        );
        let e = CookieError::BadLine {
            path: "c.txt".into(),
            line: 1,
        };
        assert!(!e.to_string().contains("secretvalue"));
    }

    #[test]
    fn scrubbing_hides_long_values() {
        let s = scrub(
            "sent abcdef123456 and 1",
            &["abcdef123456".into(), "1".into()],
        );
        assert_eq!(s, "sent *** and 1");
    }
}

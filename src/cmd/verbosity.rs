//! `-q/--quiet` and `-v/--verbose`, global flags. Quiet: stderr keeps only warnings and errors
//! (no read summaries, "wrote …" lines or progress). Verbose: the `log` records of the crates
//! underneath (ureq, rustls, tungstenite, …) on stderr too — `-v` their info and above, `-vv`
//! debug, `-vvv` trace — with cookie values, proxy credentials and URL passwords scrubbed,
//! since those crates log headers and URLs as they are.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use danmu_analyze::live::cookies::scrub;
use log::{LevelFilter, Log, Metadata, Record};

static QUIET: AtomicBool = AtomicBool::new(false);
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Sets both from the flags (`verbose` is how many `-v`).
pub fn init(quiet: bool, verbose: u8) {
    QUIET.store(quiet, Ordering::Relaxed);
    let level = match verbose {
        0 => return,
        1 => LevelFilter::Info,
        2 => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    };
    if log::set_logger(&STDERR).is_ok() {
        log::set_max_level(level);
    }
}

pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Values no log line may show (cookie values, proxy user names and passwords).
pub fn hide(secrets: &[String]) {
    if let Ok(mut s) = SECRETS.lock() {
        s.extend(secrets.iter().cloned());
    }
}

/// `eprintln!` for what a person may want to see but a script does not: silent under `-q`.
macro_rules! note {
    ($($arg:tt)*) => {{
        if !$crate::cmd::verbosity::quiet() {
            eprintln!($($arg)*);
        }
    }};
}
pub(crate) use note;

struct Stderr;

// A static logger: log's boxed one needs its `alloc` feature, which would rebuild every crate
// that logs.
static STDERR: Stderr = Stderr;

impl Log for Stderr {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = format!("[{} {}] {}", record.level(), record.target(), record.args());
        let _ = writeln!(std::io::stderr(), "{}", clean(&line));
    }

    fn flush(&self) {}
}

/// `line` with the registered secrets, any URL's `user:password@` and the values of cookie and
/// authorization headers (a proxy's `Basic` credentials are base64, no registered value)
/// replaced by `***`.
fn clean(line: &str) -> String {
    let secrets = SECRETS.lock().map(|s| s.clone()).unwrap_or_default();
    let mut line = hide_url_userinfo(&scrub(line, &secrets));
    for name in ["authorization", "cookie"] {
        line = hide_header(&line, name);
    }
    line
}

/// The value after each `name:` / `"name": ` (any case; `set-cookie` and
/// `proxy-authorization` too): to the closing quote if quoted, else to the end of the line.
fn hide_header(text: &str, name: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    while let Some(found) = lower[pos..].find(name) {
        let after = pos + found + name.len();
        let rest = &text[after..];
        // `name"` (quoted key) or `name`, then `:`.
        let colon = rest.strip_prefix('"').unwrap_or(rest).trim_start();
        let Some(value) = colon.strip_prefix(':') else {
            out.push_str(&text[pos..after]);
            pos = after;
            continue;
        };
        let value_start = text.len() - value.trim_start().len();
        let quoted = text[value_start..].starts_with('"');
        let body = value_start + usize::from(quoted);
        let end = if quoted {
            text[body..].find('"').map_or(text.len(), |i| body + i)
        } else {
            text[body..]
                .find(['\n', '\r'])
                .map_or(text.len(), |i| body + i)
        };
        out.push_str(&text[pos..body]);
        out.push_str("***");
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}

/// `scheme://user:pass@host` → `scheme://***@host`, wherever it appears.
fn hide_url_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || "/?#\"'>".contains(c))
            .unwrap_or(tail.len());
        match tail[..end].rfind('@') {
            Some(at) => {
                out.push_str("***");
                rest = &tail[at..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_are_hidden() {
        assert_eq!(
            hide_header(
                r#"{"cookie": "ttwid=1%7C; sessionid=abc", "user-agent": "x"}"#,
                "cookie"
            ),
            r#"{"cookie": "***", "user-agent": "x"}"#
        );
        assert_eq!(
            clean("Proxy-Authorization: Basic YWxpY2U6c2VjcmV0"),
            "Proxy-Authorization: ***"
        );
        assert_eq!(clean("no cookies here"), "no cookies here");
    }

    #[test]
    fn log_lines_lose_cookies_and_credentials() {
        hide(&["sessionid-value-123".to_string()]);
        let line = "GET https://live.douyin.com/1?s=sessionid-value-123 via \
                    socks5h://alice:s3cret@127.0.0.1:1080/ and http://h/x";
        assert_eq!(
            clean(line),
            "GET https://live.douyin.com/1?s=*** via socks5h://***@127.0.0.1:1080/ and http://h/x"
        );
    }
}

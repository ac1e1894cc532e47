//! The rooms one `capture` records: from the command line and `--rooms FILE`, each with the
//! file it is recorded into, so two rooms never share a file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::proxy::ProxyUrl;
use super::room::web_id_of;
use super::url::query_param;
use super::LiveError;

/// One room to record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A room page: its web id.
    Room(String),
    /// A push URL to connect to as it is (a `replay` server, a URL from DevTools).
    Push(String),
}

impl Target {
    /// A live URL, a web id, or a `ws://` / `wss://` push URL.
    pub fn parse(s: &str) -> Result<Target, LiveError> {
        let t = s.trim();
        if t.starts_with("ws://") || t.starts_with("wss://") {
            return Ok(Target::Push(t.to_string()));
        }
        web_id_of(t).map(Target::Room)
    }

    /// What names it in log lines and files: the web id; for a push URL its `room_id`, else its
    /// host and port.
    pub fn name(&self) -> String {
        match self {
            Target::Room(id) => id.clone(),
            Target::Push(url) => query_param(url, "room_id")
                .filter(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric()))
                .unwrap_or_else(|| {
                    let rest = url.split("://").nth(1).unwrap_or(url);
                    let host = rest.split(['/', '?']).next().unwrap_or(rest);
                    host.chars()
                        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                        .collect()
                }),
        }
    }

    /// `DIR/<name>.dmcap`.
    pub fn file_in(&self, dir: &Path) -> PathBuf {
        dir.join(format!("{}.dmcap", self.name()))
    }
}

/// One line of a `--rooms` file: the room, and the proxy it goes out through if it names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomLine {
    pub target: Target,
    pub proxy: Option<ProxyUrl>,
}

/// Rooms from a `--rooms` file: one a line, `ROOM` or `ROOM proxy=URL` (so 50 rooms can go out
/// through several addresses); blank lines and `#` comments (whole-line or after the room) are
/// skipped. A `#` or a space in a proxy password is written `%23`, `%20`.
pub fn parse_rooms_file(text: &str) -> Result<Vec<RoomLine>, (usize, LiveError)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let room = words.next().unwrap_or("");
        let target = Target::parse(room).map_err(|e| (i + 1, e))?;
        let mut proxy = None;
        for w in words {
            let bad = |why: String| (i + 1, LiveError::BadRoomOption(why));
            match w.split_once('=') {
                Some(("proxy", url)) => {
                    proxy = Some(
                        url.parse::<ProxyUrl>()
                            .map_err(|e| bad(format!("proxy=: {e}")))?,
                    )
                }
                // The word may hold a password: only its key is repeated.
                Some((key, _)) => {
                    return Err(bad(format!(
                        "unknown option `{key}=` (a room line is `ROOM` or `ROOM proxy=URL`)"
                    )))
                }
                None => {
                    return Err(bad(
                        "a room line is `ROOM` or `ROOM proxy=URL`: one room a line".into(),
                    ))
                }
            }
        }
        out.push(RoomLine { target, proxy });
    }
    Ok(out)
}

/// Drops repeats of the same room (given twice is recorded once); two different rooms that
/// would write the same file are an error.
pub fn dedup(targets: Vec<Target>) -> Result<Vec<Target>, String> {
    let mut seen = HashSet::new();
    let mut names = HashSet::new();
    let mut out = Vec::new();
    for t in targets {
        if !seen.insert(t.clone()) {
            continue;
        }
        if !names.insert(t.name()) {
            return Err(format!(
                "two rooms would both be recorded as {}.dmcap; give push URLs distinct room_id parameters",
                t.name()
            ));
        }
        out.push(t);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_files_and_names() {
        let text = "# my rooms\n80017709309\nhttps://live.douyin.com/123456 # evening\n\n  ws://127.0.0.1:9000/push?room_id=77  \nws://127.0.0.1:9001/\n";
        let rooms: Vec<Target> = parse_rooms_file(text)
            .unwrap()
            .into_iter()
            .map(|r| r.target)
            .collect();
        let names: Vec<String> = rooms.iter().map(Target::name).collect();
        assert_eq!(names, ["80017709309", "123456", "77", "127_0_0_1_9001"]);
        assert_eq!(
            rooms[0].file_in(Path::new("rec")),
            Path::new("rec/80017709309.dmcap")
        );
        let (line, _) = parse_rooms_file("123\nnot a room!\n").unwrap_err();
        assert_eq!(line, 2);
    }

    #[test]
    fn a_room_line_may_name_its_proxy() {
        let text = "123 proxy=socks5h://u:pw%23x@127.0.0.1:1080 # via A\n456\n";
        let rooms = parse_rooms_file(text).unwrap();
        let p = rooms[0].proxy.as_ref().unwrap();
        assert_eq!((p.host(), p.port()), ("127.0.0.1", 1080));
        assert_eq!(p.secrets(), ["u", "pw#x"]);
        assert_eq!(rooms[1].proxy, None);
        for (bad, says) in [
            ("123 proxy=ftp://h:1", "proxy="),
            ("123 proxie=http://u:secret@h:1", "unknown option `proxie=`"),
            ("123 456", "one room a line"),
        ] {
            let (line, e) = parse_rooms_file(bad).unwrap_err();
            assert_eq!(line, 1);
            let text = e.to_string();
            assert!(text.contains(says), "{text}");
            assert!(!text.contains("secret"), "{text}");
        }
    }

    #[test]
    fn repeats_are_dropped_and_clashes_refused() {
        let a = Target::parse("123").unwrap();
        let b = Target::parse("https://live.douyin.com/123").unwrap();
        assert_eq!(dedup(vec![a.clone(), b]).unwrap(), vec![a]);
        let c = Target::parse("ws://h:1/?room_id=123").unwrap();
        let d = Target::parse("123").unwrap();
        assert!(dedup(vec![c, d]).is_err());
    }
}

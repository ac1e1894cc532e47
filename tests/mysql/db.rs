//! MySQL through the real binary against a real MariaDB / MySQL server: `db init`, `load`,
//! reading back with `--mysql` / `--mysql-query`, and the errors people meet.
//!
//! The server: $DANMU_TEST_MYSQL_URL, else root without a password on 127.0.0.1:3306, else the
//! `danmu` user `.ci/mariadb` creates. Each test works in its own database (dropped at the end),
//! so they run in parallel. No server: the runner (`main.rs`) reports these tests as ignored, or,
//! when $CI is set, runs them and they fail saying why.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ::mysql::prelude::Queryable;
use ::mysql::{Conn, Opts, OptsBuilder};
use assert_cmd::Command;
use prost::Message as _;

use danmu_analyze::proto::webcast::{ChatMessage, Common, Message, PushFrame, Response, User};

use crate::common::{bin, capture_of, real_capture};

const CANDIDATES: [&str; 2] = [
    "mysql://root@127.0.0.1:3306/",
    "mysql://danmu:danmu@127.0.0.1:3306/",
];

/// The server URL (no database) that answered, or why none did.
pub fn server() -> &'static Result<String, String> {
    static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
    SERVER.get_or_init(|| {
        let candidates: Vec<String> = match std::env::var("DANMU_TEST_MYSQL_URL") {
            Ok(url) if !url.is_empty() => vec![url],
            _ => CANDIDATES.iter().map(|s| s.to_string()).collect(),
        };
        let mut errors = Vec::new();
        for url in &candidates {
            let opts = OptsBuilder::from_opts(Opts::from_url(url).expect("a mysql:// URL"))
                .db_name(None::<String>)
                .tcp_connect_timeout(Some(Duration::from_secs(5)));
            match Conn::new(opts) {
                Ok(_) => return Ok(url.trim_end_matches('/').to_string()),
                Err(e) => errors.push(format!("{url}: {e}")),
            }
        }
        Err(errors.join("; "))
    })
}

/// One test's own database, dropped when it goes out of scope.
pub struct TestDb {
    server: String,
    pub name: String,
}

impl TestDb {
    /// A fresh empty database for `test`. Without a server it panics saying what to do: the
    /// runner only runs it then under CI (or when asked with --include-ignored).
    pub fn new(test: &str) -> TestDb {
        let server = match server() {
            Ok(s) => s.clone(),
            Err(why) => panic!(
                "MySQL tests need a server: {why}. Start one with `sudo bash .ci/mariadb` \
                 (.ci/run does), or set DANMU_TEST_MYSQL_URL=mysql://USER:PASSWORD@HOST:PORT/"
            ),
        };
        let db = TestDb {
            server,
            name: format!("danmu_test_{test}_{}", std::process::id()),
        };
        let mut c = db.server_conn();
        c.query_drop(format!("DROP DATABASE IF EXISTS `{}`", db.name))
            .unwrap();
        c.query_drop(format!(
            "CREATE DATABASE `{}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
            db.name
        ))
        .unwrap();
        db
    }

    /// The URL of this database, for `--mysql`.
    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }

    fn server_conn(&self) -> Conn {
        Conn::new(Opts::from_url(&format!("{}/", self.server)).unwrap()).unwrap()
    }

    pub fn conn(&self) -> Conn {
        Conn::new(Opts::from_url(&self.url()).unwrap()).unwrap()
    }

    pub fn count(&self) -> u64 {
        self.conn()
            .query_first("SELECT COUNT(*) FROM t_danmu")
            .unwrap()
            .unwrap()
    }

    /// `danmu-analyze load FILE --mysql URL` (plus `extra`); its stderr.
    pub fn load(&self, file: &Path, extra: &[&str]) -> String {
        let out = bin()
            .arg("load")
            .arg(file)
            .args(["--mysql", &self.url()])
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "load failed: {stderr}");
        stderr
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut c) = Conn::new(Opts::from_url(&format!("{}/", self.server)).unwrap()) {
            let _ = c.query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.name));
        }
    }
}

/// A simulated session (`simulate --minutes --viewers`) in a temporary directory.
pub fn simulated(minutes: u32, viewers: u32) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let cap = dir.path().join("session.dmcap");
    bin()
        .arg("simulate")
        .arg("--out")
        .arg(&cap)
        .args(["--minutes", &minutes.to_string()])
        .args(["--viewers", &viewers.to_string()])
        .assert()
        .success();
    (dir, cap)
}

/// A capture of a few real frames.
fn small_capture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let cap = dir.path().join("real.dmcap");
    std::fs::write(&cap, real_capture()).unwrap();
    (dir, cap)
}

/// A 5-minute simulated session loaded into a fresh database: the base of the comparisons
/// between reading a capture and reading MySQL (`same_output` does the comparing).
pub fn loaded_session(test: &str) -> (TestDb, tempfile::TempDir, PathBuf) {
    let db = TestDb::new(test);
    let (dir, cap) = simulated(5, 200);
    db.load(&cap, &[]);
    (db, dir, cap)
}

/// stdout of the binary with `args`, which must succeed.
pub fn stdout_of(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// stderr of the binary with `args`, which must fail.
fn failure_of(mut cmd: Command) -> String {
    let out = cmd.output().unwrap();
    assert!(!out.status.success(), "expected a failure");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `export … --format ndjson --wide` of `source` args (a file, or --mysql URL) plus `filters`.
fn export_ndjson(source: &[&str], filters: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut args = vec!["export"];
    args.extend_from_slice(source);
    args.extend_from_slice(&["--format", "ndjson", "--wide", "--out"]);
    let out_s = out.to_str().unwrap().to_string();
    args.push(&out_s);
    args.extend_from_slice(filters);
    stdout_of(&args);
    std::fs::read_to_string(out.join("events.ndjson"))
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

/// The same events whether read from the capture or from MySQL: same lines, same order.
fn same_output(cap: &Path, db: &TestDb, filters: &[&str]) -> usize {
    let from_file = export_ndjson(&[cap.to_str().unwrap()], filters);
    let from_db = export_ndjson(&["--mysql", &db.url()], filters);
    let a: BTreeSet<&String> = from_file.iter().collect();
    let b: BTreeSet<&String> = from_db.iter().collect();
    let only_file: Vec<_> = a.difference(&b).take(3).collect();
    let only_db: Vec<_> = b.difference(&a).take(3).collect();
    assert!(
        only_file.is_empty() && only_db.is_empty(),
        "filters {filters:?}: only in the capture's export: {only_file:?}\nonly in MySQL's: {only_db:?}"
    );
    assert_eq!(from_file, from_db, "same rows, different order");
    from_file.len()
}

pub fn export_from_mysql_equals_export_from_the_capture() {
    let (db, _dir, cap) = loaded_session("export");
    let rows = same_output(&cap, &db, &[]);
    assert!(rows > 1000, "{rows} events");
    assert_eq!(db.count(), rows as u64);
    // Every kind a session has, ids past 2^53 and times to the millisecond, as text.
    let lines = export_ndjson(&["--mysql", &db.url()], &[]);
    let kinds: BTreeSet<String> = lines
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["kind"].to_string())
        .collect();
    assert!(kinds.len() >= 5, "{kinds:?}");
}

pub fn filters_run_on_the_server_and_match_file_filters() {
    let (db, _dir, cap) = loaded_session("filters");
    let room = "7300000000000000001";
    // 2026-01-01 18:01 to 18:03 +08:00, the simulated session's second and third minute.
    let window = ["--since", "2026-01-01 18:01:00", "--until", "1767261780000"];
    let mut args: Vec<&str> = vec!["--room", room];
    args.extend_from_slice(&window);
    let n = same_output(&cap, &db, &args);
    assert!(n > 100, "{n} events in the window");
    args.extend_from_slice(&["--kind", "gift", "--kind", "chat"]);
    let n = same_output(&cap, &db, &args);
    assert!(n > 10, "{n} chats and gifts in the window");
    assert_eq!(same_output(&cap, &db, &["--room", "1"]), 0);
}

pub fn reloading_adds_nothing() {
    let (db, _dir, cap) = loaded_session("reload");
    let before = db.count();
    let stderr = db.load(&cap, &[]);
    assert_eq!(db.count(), before);
    assert!(
        stderr.contains(&format!(
            "{before} rows sent, 0 inserted, {before} already present"
        )),
        "{stderr}"
    );
}

pub fn a_killed_load_rerun_has_every_event_once() {
    let db = TestDb::new("killed");
    let (_dir, cap) = simulated(20, 2000);
    let inspect = stdout_of(&["inspect", cap.to_str().unwrap(), "--json"]);
    let events = serde_json::from_str::<serde_json::Value>(&inspect).unwrap()["stats"]["events"]
        .as_u64()
        .unwrap();
    // Small batches: many commits, so the kill lands between two of them.
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("danmu-analyze"))
        .arg("load")
        .arg(&cap)
        .args(["--mysql", &db.url(), "--batch-rows", "200"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut conn = None;
    let at_kill = loop {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "no rows arrived"
        );
        if child.try_wait().unwrap().is_some() {
            panic!("the load finished before it could be killed: make the capture larger");
        }
        // The table exists once load has connected.
        let c = conn.get_or_insert_with(|| db.conn());
        let n: Option<u64> = c
            .query_first("SELECT COUNT(*) FROM t_danmu")
            .unwrap_or(None);
        if n.is_some_and(|n| n >= 1000) {
            child.kill().unwrap();
            child.wait().unwrap();
            break db.count();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(at_kill > 0 && at_kill < events, "{at_kill} of {events}");
    let stderr = db.load(&cap, &[]);
    assert!(
        stderr.contains(&format!(
            "{} inserted, {at_kill} already present",
            events - at_kill
        )),
        "{stderr}"
    );
    let mut c = db.conn();
    let (rows, distinct): (u64, u64) = c
        .query_first("SELECT COUNT(*), COUNT(DISTINCT room_id, msg_id) FROM t_danmu")
        .unwrap()
        .unwrap();
    assert_eq!((rows, distinct), (events, events));
}

/// Text that breaks naive SQL and naive charsets.
const NASTY: [&str; 8] = [
    "😀🎉 emoji",
    "𠀀𪚥 beyond the BMP",
    "🇯🇵🇨🇳 flags, 👨‍👩‍👧 a family",
    "it's \"quoted\" `back`",
    r"back\slash \\ \n \0 \x00 \%",
    "'; DROP TABLE t_danmu; --",
    "Robert'); DELETE FROM t_danmu WHERE ('1'='1",
    "tab\tnew\nline\r\nend \u{0}nul \u{7f}",
];

fn chat_frame(i: u64, nickname: &str, content: &str) -> Vec<u8> {
    let chat = ChatMessage {
        common: Some(Common {
            method: "WebcastChatMessage".into(),
            msg_id: 9_000_000_000_000_000_000 + i,
            room_id: 7_000_000_000_000_000_001,
            create_time: 1_767_261_600_000 + i * 1001,
            ..Default::default()
        }),
        user: Some(User {
            id: 18_000_000_000_000_000_000 + i,
            nickname: nickname.into(),
            ..Default::default()
        }),
        content: content.into(),
        ..Default::default()
    };
    let response = Response {
        messages: vec![Message {
            method: "WebcastChatMessage".into(),
            payload: chat.encode_to_vec(),
            msg_id: 9_000_000_000_000_000_000 + i,
        }],
        now: 1_767_261_600_000 + i * 1001,
        ..Default::default()
    };
    PushFrame {
        payload_type: "msg".into(),
        payload: response.encode_to_vec(),
        ..Default::default()
    }
    .encode_to_vec()
}

pub fn text_round_trips_byte_exact() {
    let db = TestDb::new("text");
    let dir = tempfile::tempdir().unwrap();
    let cap = dir.path().join("nasty.dmcap");
    let frames: Vec<Vec<u8>> = NASTY
        .iter()
        .enumerate()
        .map(|(i, s)| chat_frame(i as u64, &format!("名字{s}"), s))
        .collect();
    std::fs::write(&cap, capture_of(&frames)).unwrap();
    db.load(&cap, &[]);

    // Stored as the very bytes, not merely read back the same.
    let mut c = db.conn();
    let stored: Vec<(u64, Vec<u8>, Vec<u8>)> = c
        .query("SELECT msg_id, content, user_name FROM t_danmu ORDER BY msg_id")
        .unwrap();
    assert_eq!(stored.len(), NASTY.len());
    for (i, (msg_id, content, name)) in stored.iter().enumerate() {
        assert_eq!(*msg_id, 9_000_000_000_000_000_000 + i as u64);
        assert_eq!(content.as_slice(), NASTY[i].as_bytes());
        assert_eq!(name.as_slice(), format!("名字{}", NASTY[i]).as_bytes());
    }
    let from_file = stdout_of(&["decode", cap.to_str().unwrap(), "--format", "ndjson"]);
    let from_db = stdout_of(&["decode", "--mysql", &db.url(), "--format", "ndjson"]);
    assert_eq!(from_file, from_db);
    assert!(
        from_db.contains("18000000000000000000"),
        "u64 user ids intact"
    );
}

/// The tutorial spider's table: `id, room_id, user_name, content, create_time` (local time).
fn spider_table(db: &TestDb) {
    let mut c = db.conn();
    c.query_drop(
        "CREATE TABLE t_danmu (id INT AUTO_INCREMENT PRIMARY KEY, room_id BIGINT, \
         user_name VARCHAR(255), content TEXT, create_time DATETIME) CHARSET utf8mb4",
    )
    .unwrap();
    c.exec_batch(
        "INSERT INTO t_danmu (room_id, user_name, content, create_time) VALUES (?, ?, ?, ?)",
        [
            (
                7_300_000_000_000_000_001u64,
                "小明",
                "主播好😀",
                "2026-01-01 18:00:00",
            ),
            (
                7_300_000_000_000_000_001,
                "丽***",
                "'; DROP TABLE t_danmu; --",
                "2026-01-01 18:00:01",
            ),
            (
                7_300_000_000_000_000_001,
                "小明",
                "再来一个",
                "2026-01-01 18:05:00",
            ),
        ],
    )
    .unwrap();
}

/// The library's `load` on MySQL, without the binary: another tool's rows through a query (with
/// `--map`'s renames), then the filter applied on the server to t_danmu the tool wrote.
pub fn library_load_reads_mysql() {
    use danmu_analyze::load::{load, Engine, LoadOptions, Source};
    let db = TestDb::new("lib_load");
    spider_table(&db);
    let url = db.url();
    let opts = LoadOptions {
        zone: "+08:00".parse().unwrap(),
        ..LoadOptions::default()
    };
    let t = load(
        &Source::MySql {
            url: Some(url.clone()),
            query: Some("SELECT * FROM t_danmu".into()),
        },
        &opts,
    )
    .unwrap();
    assert_eq!(t.engine, Engine::InMemory);
    assert_eq!(t.stats.events, 3);
    assert!(t.source.as_deref().is_some_and(|s| !s.contains("PASSWORD")));
    let df = t.frame().unwrap();
    let names = df.column("user_name").unwrap().str().unwrap();
    assert_eq!(names.get(0), Some("小明"));
    let mut renamed = opts.clone();
    renamed.map = vec!["content=文字".parse().unwrap()];
    let t = load(
        &Source::MySql {
            url: Some(url),
            query: Some("SELECT create_time, content AS 文字 FROM t_danmu".into()),
        },
        &renamed,
    )
    .unwrap();
    let df = t.frame().unwrap();
    assert_eq!(
        df.column("content").unwrap().str().unwrap().get(2),
        Some("再来一个")
    );
}

pub fn mysql_query_reads_a_spider_table() {
    let db = TestDb::new("spider");
    spider_table(&db);
    let url = db.url();
    let query = "SELECT * FROM t_danmu";
    let out = stdout_of(&[
        "decode",
        "--mysql",
        &url,
        "--mysql-query",
        query,
        "--format",
        "ndjson",
    ]);
    let rows = crate::common::ndjson(out.as_bytes());
    assert_eq!(rows.len(), 3, "{out}");
    assert_eq!(rows[0]["kind"], "chat");
    assert_eq!(rows[0]["method"], "WebcastChatMessage");
    assert_eq!(rows[0]["user_name"], "小明");
    assert_eq!(rows[0]["content"], "主播好😀");
    assert_eq!(rows[0]["msg_id"], 1);
    assert_eq!(rows[0]["room_id"], 7_300_000_000_000_000_001u64);
    // DATETIME is local time in --tz (Asia/Shanghai by default): 18:00 +08:00.
    assert_eq!(rows[0]["ts_ms"], 1_767_261_600_000i64);
    assert_eq!(rows[1]["content"], "'; DROP TABLE t_danmu; --");

    // Filters apply to the query's rows; the URL may come from the environment.
    let out = bin()
        .env("DANMU_MYSQL_URL", &url)
        .args(["decode", "--mysql-query", query, "--format", "ndjson"])
        .args(["--since", "2026-01-01 18:01", "--tz", "+08:00"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows = crate::common::ndjson(&out.stdout);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["content"], "再来一个");

    // Epoch seconds in an aliased column work as well as DATETIME.
    let out = stdout_of(&[
        "decode",
        "--mysql",
        &url,
        "--mysql-query",
        "SELECT id, user_name AS nickname, content AS text, UNIX_TIMESTAMP(create_time) AS time FROM t_danmu",
        "--format",
        "ndjson",
        "--tz",
        "UTC",
    ]);
    let rows = crate::common::ndjson(out.as_bytes());
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2]["user_name"], "小明");
    assert_eq!(rows[2]["content"], "再来一个");
}

/// `--map` reads a query's columns the aliases do not know, as it does for CSV and Parquet: one
/// rule for every other tool's table.
pub fn mysql_query_takes_map() {
    let db = TestDb::new("spider_map");
    spider_table(&db);
    let url = db.url();
    let query =
        "SELECT create_time AS 发送时间, user_name AS 用户昵称, content AS 弹幕内容 FROM t_danmu";
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "decode",
            "--mysql",
            &url,
            "--mysql-query",
            query,
            "--format",
            "ndjson",
        ];
        a.extend_from_slice(extra);
        a.into_iter().map(String::from).collect::<Vec<String>>()
    };
    let mapped = args(&[
        "--map",
        "ts=发送时间",
        "--map",
        "user_name=用户昵称",
        "--map",
        "content=弹幕内容",
    ]);
    let refs: Vec<&str> = mapped.iter().map(String::as_str).collect();
    let rows = crate::common::ndjson(stdout_of(&refs).as_bytes());
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["user_name"], "小明");
    assert_eq!(rows[0]["content"], "主播好😀");
    assert_eq!(rows[0]["ts_ms"], 1_767_261_600_000i64);
    // Without --map there is no time column: said, with what the result has.
    let plain = args(&[]);
    let out = bin().args(&plain).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("发送时间"), "{err}");
    // A --map naming no column of the result says so.
    let bad = args(&["--map", "content=弹幕"]);
    let out = bin().args(&bad).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("there is no column `弹幕`"), "{err}");
}

pub fn missing_columns_are_named() {
    let db = TestDb::new("missing");
    spider_table(&db);
    // Our commands on the spider's t_danmu: name what it lacks and point at --mysql-query.
    let err = failure_of({
        let mut c = bin();
        c.args(["decode", "--mysql", &db.url()]);
        c
    });
    assert!(
        err.contains("lacks column(s) ts_ms, ts, ts_source, msg_id, kind, method"),
        "{err}"
    );
    assert!(err.contains("--mysql-query"), "{err}");
    let (_dir, cap) = small_capture();
    let err = failure_of({
        let mut c = bin();
        c.arg("load").arg(&cap).args(["--mysql", &db.url()]);
        c
    });
    assert!(err.contains("lacks column(s) ts_ms"), "{err}");
    // A query without any time column.
    let err = failure_of({
        let mut c = bin();
        c.args(["decode", "--mysql", &db.url()]);
        c.args(["--mysql-query", "SELECT user_name, content FROM t_danmu"]);
        c
    });
    assert!(
        err.contains("no time (ts_ms, ts, timestamp, create_time"),
        "{err}"
    );
    assert!(err.contains("it has: user_name, content"), "{err}");
}

pub fn db_init_creates_the_database_and_can_rerun() {
    let db = TestDb::new("init");
    db.server_conn()
        .query_drop(format!("DROP DATABASE `{}`", db.name))
        .unwrap();
    let init = || {
        let out = bin()
            .args(["db", "init", "--mysql", &db.url()])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(
        init().contains("database created, table t_danmu created"),
        "first run"
    );
    assert!(
        init().contains("database already there, table t_danmu already there"),
        "second run"
    );
    let mut c = db.conn();
    let (charset, collation): (String, String) = c
        .query_first(
            "SELECT CCSA.CHARACTER_SET_NAME, T.TABLE_COLLATION FROM information_schema.TABLES T \
             JOIN information_schema.COLLATION_CHARACTER_SET_APPLICABILITY CCSA \
             ON CCSA.COLLATION_NAME = T.TABLE_COLLATION \
             WHERE T.TABLE_SCHEMA = DATABASE() AND T.TABLE_NAME = 't_danmu'",
        )
        .unwrap()
        .unwrap();
    assert_eq!(
        (charset.as_str(), collation.as_str()),
        ("utf8mb4", "utf8mb4_bin")
    );
}

pub fn connection_errors_say_what_to_do_and_hide_the_password() {
    const SECRET: &str = "S3cr3t-pa55";
    // A port nothing listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let closed = format!("mysql://root:{SECRET}@127.0.0.1:{port}/danmu");
    let (_dir, cap) = small_capture();
    for args in [
        vec!["decode", "--mysql", &closed],
        vec!["load", cap.to_str().unwrap(), "--mysql", &closed],
        vec!["db", "init", "--mysql", &closed],
    ] {
        let err = failure_of({
            let mut c = bin();
            c.args(&args);
            c
        });
        assert!(
            err.contains("cannot reach the MySQL server at 127.0.0.1:"),
            "{args:?}: {err}"
        );
        assert!(!err.contains(SECRET), "{args:?}: {err}");
    }
    // The password from the environment is hidden too.
    let err = failure_of({
        let mut c = bin();
        c.env("DANMU_MYSQL_URL", &closed)
            .args(["decode", "--mysql"]);
        c
    });
    assert!(
        err.contains("cannot reach") && !err.contains(SECRET),
        "{err}"
    );
}

pub fn server_errors_say_what_to_do_and_hide_the_password() {
    const SECRET: &str = "S3cr3t-pa55";
    let db = TestDb::new("errors");
    // Unknown database: say how to create it.
    let unknown = format!("{}_nope", db.url());
    let err = failure_of({
        let mut c = bin();
        c.args(["decode", "--mysql", &unknown]);
        c
    });
    assert!(err.contains("does not exist"), "{err}");
    assert!(err.contains("danmu-analyze db init"), "{err}");
    // A wrong password: access denied, password not shown.
    let server = server().as_ref().unwrap();
    let user = server
        .trim_start_matches("mysql://")
        .split(['@', ':'])
        .next()
        .unwrap();
    let host = server.rsplit('@').next().unwrap();
    let wrong = format!("mysql://{user}:{SECRET}@{host}/{}", db.name);
    let err = failure_of({
        let mut c = bin();
        c.args(["decode", "--mysql", &wrong]);
        c
    });
    assert!(err.contains("denied access"), "{err}");
    assert!(!err.contains(SECRET), "{err}");
}

/// A `t_danmu` made before the battle and lucky-bag columns: `load` says to run `db init`,
/// which adds them where a fresh table has them and keeps every row; then `load` works.
pub fn db_init_upgrades_an_older_table() {
    use danmu_analyze::db::schema::{ADDED_LATER, SCHEMA_SQL};
    let db = TestDb::new("upgrade");
    let old: String = SCHEMA_SQL
        .lines()
        .filter(|l| {
            !ADDED_LATER
                .iter()
                .any(|c| l.trim_start().starts_with(&format!("`{}`", c.name())))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut c = db.conn();
    c.query_drop(old).unwrap();
    c.query_drop(
        "INSERT INTO t_danmu (ts_ms, room_id, msg_id, kind, method, content) \
         VALUES (1700000000000, 1, 1, 'chat', 'WebcastChatMessage', '老的一行')",
    )
    .unwrap();
    let (_dir, cap) = small_capture();
    let err = failure_of({
        let mut c = bin();
        c.arg("load").arg(&cap).args(["--mysql", &db.url()]);
        c
    });
    assert!(
        err.contains("predates column(s) chat_by, battle_id"),
        "{err}"
    );
    assert!(err.contains("danmu-analyze db init"), "{err}");
    assert_eq!(db.count(), 1, "a refused load writes nothing");

    let init = bin()
        .args(["db", "init", "--mysql", &db.url()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&init.stderr);
    assert!(init.status.success(), "{said}");
    assert!(said.contains("8 new column(s) added"), "{said}");
    let again = bin()
        .args(["db", "init", "--mysql", &db.url()])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&again.stderr).contains("added"));

    let columns = |c: &mut Conn| -> Vec<String> {
        c.query(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
             AND TABLE_NAME = 't_danmu' ORDER BY ORDINAL_POSITION",
        )
        .unwrap()
    };
    let fresh = TestDb::new("upgrade_fresh");
    let out = bin()
        .args(["db", "init", "--mysql", &fresh.url()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(columns(&mut db.conn()), columns(&mut fresh.conn()));

    let content: Option<String> = db
        .conn()
        .query_first("SELECT content FROM t_danmu WHERE room_id = 1 AND msg_id = 1")
        .unwrap();
    assert_eq!(content.as_deref(), Some("老的一行"), "the old row is kept");
    db.load(&cap, &[]);
    assert!(db.count() > 1);
}

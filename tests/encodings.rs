//! CSV files as Chinese users have them, read through the binary: GBK, Excel's UTF-16 "Unicode
//! text" (tab separated) and UTF-8 with one damaged row give exactly the rows Python's csv
//! module reads (tests/fixtures/encodings/make.py made the files and expected.json).

use serde_json::Value;

use crate::common::{bin, fixture, ndjson};

/// `export --wide --format ndjson` of one fixture: exit code, stderr, events.
fn export(name: &str, extra: &[&str]) -> (i32, String, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .arg("export")
        .arg(fixture(&format!("encodings/{name}")))
        .args(["--wide", "--format", "ndjson", "--out"])
        .arg(dir.path())
        .args(extra)
        .output()
        .unwrap();
    let events = match std::fs::read(dir.path().join("events.ndjson")) {
        Ok(b) => ndjson(&b),
        Err(_) => Vec::new(),
    };
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), stderr, events)
}

/// Python's rows of `name`, as (time, nickname, content) under the file's own header names.
fn python_rows(name: &str, names: [&str; 3]) -> (Vec<[String; 3]>, Vec<u64>) {
    let path = fixture("encodings/expected.json");
    let all: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let file = &all[name];
    let rows = file["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| names.map(|n| r[n].as_str().unwrap().to_string()))
        .collect();
    let bad = file["bad_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    (rows, bad)
}

/// Our events as (local time to the second, user_name, content).
fn our_rows(events: &[Value]) -> Vec<[String; 3]> {
    events
        .iter()
        .map(|e| {
            // ISO in the default zone: 2026-01-01T18:00:00.000+08:00 → 2026-01-01 18:00:00.
            let ts = e["ts"].as_str().unwrap()[..19].replace('T', " ");
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            [ts, s("user_name"), s("content")]
        })
        .collect()
}

#[test]
fn a_gbk_csv_with_chinese_headers_reads_as_python_reads_it() {
    let (code, stderr, events) = export(
        "gbk.csv",
        &[
            "--map",
            "ts=时间",
            "--map",
            "user_name=昵称",
            "--map",
            "content=弹幕内容",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let (want, bad) = python_rows("gbk.csv", ["时间", "昵称", "弹幕内容"]);
    assert!(bad.is_empty());
    assert_eq!(our_rows(&events), want);
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn excels_unicode_text_reads_as_python_reads_it() {
    let (code, stderr, events) = export("excel_unicode.txt", &[]);
    assert_eq!(code, 0, "{stderr}");
    let (want, _) = python_rows("excel_unicode.txt", ["create_time", "nickname", "content"]);
    assert_eq!(want.len(), 6);
    assert_eq!(our_rows(&events), want);
}

#[test]
fn a_utf8_file_with_one_bad_row_reads_the_rest_and_names_the_row() {
    let (code, stderr, events) = export("utf8_bad_row.csv", &[]);
    assert_eq!(code, 3, "exit 3: finished, input skipped; {stderr}");
    let (want, bad) = python_rows("utf8_bad_row.csv", ["create_time", "nickname", "content"]);
    assert_eq!(want.len(), 5);
    assert_eq!(our_rows(&events), want);
    assert_eq!(bad, [8]);
    let file = fixture("encodings/utf8_bad_row.csv");
    let line = format!(
        "{}: line 8, column 2 (nickname): bytes that are not valid UTF-8; the row was skipped",
        file.display()
    );
    assert!(stderr.contains(&line), "{stderr}");
    assert!(stderr.contains("skipped 1 unreadable row(s)"), "{stderr}");
    // --strict stops there.
    let strict = export("utf8_bad_row.csv", &["--strict"]);
    assert_eq!(strict.0, 1);
    assert!(strict.1.contains("line 8, column 2"), "{}", strict.1);
}

#[test]
fn a_forced_encoding_is_used() {
    // GBK read as UTF-8: every Chinese row is bad.
    let (code, stderr, events) = export(
        "gbk.csv",
        &[
            "--encoding",
            "utf-8",
            "--map",
            "ts=时间",
            "--map",
            "user_name=昵称",
        ],
    );
    assert_ne!(code, 0, "{stderr}");
    assert!(events.len() < 6, "{stderr}");
    let (code, stderr, _) = export("gbk.csv", &["--encoding", "klingon"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown encoding `klingon`"), "{stderr}");
}

#[test]
fn a_malformed_csv_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.csv");
    std::fs::write(
        &path,
        "create_time,content\n2026-01-01 18:00:00,ok\n\"unterminated,3\n2026-01-01 18:00:02,x\n",
    )
    .unwrap();
    let out = bin()
        .arg("words")
        .arg(&path)
        .args(["--input-format", "csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let want = format!(
        "{}: line 3: a quoted field (column 1) opens here",
        path.display()
    );
    assert!(stderr.contains(&want), "{stderr}");
}

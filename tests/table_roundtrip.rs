//! Every export format is a source again: `export` then `report` on the export gives the same
//! summary.json as `report` on the capture (frame-level counters aside); a tutorial spider's
//! CSV gives a words/timeline/users report; a file that is no input says why and writes nothing.

use std::path::Path;

use serde_json::Value;

use crate::common::bin;

const SESSION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/session.dmcap");

/// summary.json of `report INPUT`, without what only decoding frames can know.
fn summary_of(input: &Path) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    bin()
        .arg("report")
        .arg(input)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let mut v: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    // Re-deliveries dropped and combo updates merged happened when the capture was decoded;
    // an export carries the result, not the frames.
    for key in ["duplicates_dropped", "gift_updates"] {
        v.as_object_mut().unwrap().remove(key);
    }
    v
}

fn export(dir: &Path, args: &[&str]) -> std::path::PathBuf {
    let out = dir.join(args.join("_").replace("--", ""));
    bin()
        .arg("export")
        .arg(SESSION)
        .arg("--out")
        .arg(&out)
        .args(args)
        .assert()
        .success();
    out
}

#[test]
fn report_on_every_export_equals_report_on_the_capture() {
    let want = summary_of(Path::new(SESSION));
    assert!(want["counts"]["chat"].as_u64().unwrap() > 1000);
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            export(dir.path(), &["--format", "csv"]),
            "csv, one file per kind",
        ),
        (
            export(dir.path(), &["--format", "csv", "--wide"]).join("events.csv"),
            "csv --wide",
        ),
        (
            export(dir.path(), &["--format", "parquet", "--wide"]).join("events.parquet"),
            "parquet --wide",
        ),
        (
            export(dir.path(), &["--format", "parquet"]),
            "parquet, one file per kind",
        ),
        (
            export(dir.path(), &["--format", "ndjson", "--wide"]).join("events.ndjson"),
            "ndjson --wide",
        ),
    ];
    for (input, what) in cases {
        assert_eq!(summary_of(&input), want, "{what}");
    }
}

#[test]
fn a_spider_csv_gives_words_timeline_and_users() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t_danmu.csv");
    std::fs::write(
        &csv,
        "id,room_id,user_name,content,create_time\n\
         1,7300000000000000001,小明,主播好漂亮,2026-01-01 18:00:01\n\
         2,7300000000000000001,小红,主播唱歌好听,2026-01-01 18:00:31\n\
         3,7300000000000000001,小明,哈哈哈哈,2026-01-01 18:01:05\n",
    )
    .unwrap();
    let run = |cmd: &str| {
        let out = bin().arg(cmd).arg(&csv).assert().success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    let words = run("words");
    let first = words.lines().nth(1).unwrap();
    // 主播 in two messages from two people (no ids: told apart by nickname).
    assert_eq!(
        first.split_whitespace().collect::<Vec<_>>(),
        ["1", "主播", "2", "2"]
    );
    let timeline = run("timeline");
    let rows: Vec<Vec<&str>> = timeline
        .lines()
        .skip(1)
        .take(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0][..4], ["2026-01-01", "18:00:00", "2", "2"]);
    assert_eq!(rows[1][..4], ["2026-01-01", "18:01:00", "1", "1"]);
    let users = run("users");
    let top: Vec<&str> = users.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(top[..3], ["1", "小明", "2"]);

    let out = dir.path().join("r");
    bin()
        .arg("report")
        .arg(&csv)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let s: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["counts"]["chat"], 3);
    assert_eq!(s["distinct_chatters"], 2);
    assert_eq!(s["top_chatters"][0]["user_name"], "小明");
}

/// Every CSV table of `report INPUT`, by file name.
fn report_tables(input: &Path, out: &Path) -> Vec<(String, Vec<u8>)> {
    bin()
        .arg("report")
        .arg(input)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// A spider's table without user ids, exported to Parquet, is scanned on the streaming engine,
/// where users are keyed by nickname through other queries than in memory: the same tables.
#[test]
fn a_spider_csv_reports_the_same_from_its_parquet_export() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t_danmu.csv");
    let mut rows = String::from("id,room_id,user_name,content,create_time\n");
    let names = ["小明", "小红", "阿强", "小明", "路人甲"];
    let lines = [
        "主播好漂亮",
        "主播唱歌好听[比心]",
        "哈哈哈哈",
        "再来一首",
        "主播晚上好",
    ];
    for i in 0..60 {
        rows.push_str(&format!(
            "{},7300000000000000001,{},{},2026-01-01 18:{:02}:{:02}\n",
            i + 1,
            names[i % names.len()],
            lines[(i * 7) % lines.len()],
            i / 4,
            (i * 13) % 60
        ));
    }
    std::fs::write(&csv, rows).unwrap();
    let parquet = dir.path().join("p");
    bin()
        .arg("export")
        .arg(&csv)
        .args(["--format", "parquet", "--wide", "--out"])
        .arg(&parquet)
        .assert()
        .success();
    let from_csv = report_tables(&csv, &dir.path().join("r1"));
    let from_parquet = report_tables(&parquet.join("events.parquet"), &dir.path().join("r2"));
    assert!(from_csv.len() >= 8, "{} tables", from_csv.len());
    assert_eq!(from_csv.len(), from_parquet.len());
    for ((name, a), (_, b)) in from_csv.iter().zip(&from_parquet) {
        assert!(a == b, "{name} differs");
    }
    let users = &from_csv
        .iter()
        .find(|f| f.0 == "top_chatters.csv")
        .unwrap()
        .1;
    // 小明 said 24 of the 60 lines, as the one nickname.
    assert!(
        String::from_utf8_lossy(users).contains("小明,24"),
        "{}",
        String::from_utf8_lossy(users)
    );
}

#[test]
fn an_unreadable_file_says_what_was_expected_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("notes.txt");
    std::fs::write(&bad, "these are my notes, not danmaku\n").unwrap();
    let out = dir.path().join("r");
    let assert = bin()
        .arg("report")
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(err.contains("notes.txt"), "{err}");
    assert!(err.contains("Parquet") && err.contains("CSV"), "{err}");
    assert!(!out.exists(), "no report folder for unreadable input");
}

/// The analyses decode a capture into only the columns they read
/// (`analysis::COLUMNS_READ`, the rest left null); from a Parquet export every column is
/// there. Every table the report writes is the same both ways: a processor that starts reading
/// another column, without it being added to that list, fails here.
#[test]
fn report_tables_from_the_capture_equal_those_from_a_full_export() {
    let dir = tempfile::tempdir().unwrap();
    let parquet = export(dir.path(), &["--format", "parquet", "--wide"]).join("events.parquet");
    let report = |input: &Path, name: &str| report_tables(input, &dir.path().join(name));
    let from_capture = report(Path::new(SESSION), "capture");
    let from_export = report(&parquet, "export");
    assert!(from_capture.len() >= 8, "{} tables", from_capture.len());
    assert_eq!(
        from_capture.iter().map(|f| &f.0).collect::<Vec<_>>(),
        from_export.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, a), (_, b)) in from_capture.iter().zip(&from_export) {
        assert!(a == b, "{name} differs");
    }
    assert_eq!(summary_of(Path::new(SESSION)), summary_of(&parquet));
}

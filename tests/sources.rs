//! Table sources (src/source): every file `export` writes of sample-data/session.dmcap reads back
//! to exactly the table built from the capture; a tutorial spider's CSV reads through the alias
//! table; a file that is no table is one clear error.

use std::path::{Path, PathBuf};

use danmu_analyze::source::conform::{conform, ConformOptions};
use danmu_analyze::source::{self, ColumnMap, SourceError, SourceOptions, TableFormat};
use danmu_analyze::table::schema::schema;
use danmu_analyze::timefmt::Zone;
use polars::prelude::{DataFrame, SortMultipleOptions};

use crate::common::{bin, decode_path};

const SESSION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/session.dmcap");

/// The capture's events as the canonical table.
fn capture_table() -> DataFrame {
    let d = decode_path(Path::new(SESSION));
    let df = danmu_analyze::table::from_events(&d.events).unwrap();
    conform(df, &ConformOptions::default()).unwrap().df
}

fn export(format: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    bin()
        .arg("export")
        .arg(SESSION)
        .arg("--out")
        .arg(&out)
        .args(["--format", format])
        .args(extra)
        .assert()
        .success();
    (dir, out)
}

/// (room_id, msg_id) is unique: sorted by time and it, two tables are comparable row by row.
fn by_time(df: &DataFrame) -> DataFrame {
    df.sort(["ts", "room_id", "msg_id"], SortMultipleOptions::default())
        .unwrap()
}

fn assert_same_rows(got: &DataFrame, want: &DataFrame) {
    assert_eq!(**got.schema(), schema(), "the canonical schema exactly");
    assert_eq!(got.height(), want.height());
    let (got, want) = (by_time(got), by_time(want));
    for (g, w) in got.columns().iter().zip(want.columns()) {
        assert!(g.equals_missing(w), "column {} differs", g.name());
    }
}

fn read(paths: &[PathBuf]) -> source::Read {
    let r = source::read(paths, None, &SourceOptions::default()).unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    r
}

#[test]
fn csv_per_kind_folder_is_the_capture_table() {
    let (_dir, out) = export("csv", &[]);
    let r = read(&[out]);
    assert!(r.unused_columns.is_empty(), "{:?}", r.unused_columns);
    assert_eq!(r.df.height(), 3203);
    assert_same_rows(&r.df, &capture_table());
}

#[test]
fn csv_wide_is_the_capture_table_in_time_order() {
    let (_dir, out) = export("csv", &["--wide"]);
    let r = read(&[out.join("events.csv")]);
    let ts =
        r.df.column("ts")
            .unwrap()
            .datetime()
            .unwrap()
            .physical()
            .clone();
    assert!(ts.iter().is_sorted(), "one file keeps its order");
    assert_same_rows(&r.df, &capture_table());
}

#[test]
fn csv_without_ts_ms_reads_local_times_in_the_zone() {
    let (_dir, out) = export(
        "csv",
        &["--wide", "--tz", "+05:00", "--plain-ids", "--no-bom"],
    );
    // Drop ts_ms (the second column): ts is local time at +05:00, to the millisecond.
    let text = std::fs::read_to_string(out.join("events.csv")).unwrap();
    let stripped: String = text
        .lines()
        .map(|l| {
            let mut f = csv_fields(l);
            f.remove(1);
            f.join(",") + "\n"
        })
        .collect();
    let path = out.join("no_ms.csv");
    std::fs::write(&path, stripped).unwrap();
    let opts = SourceOptions {
        zone: "+05:00".parse().unwrap(),
        map: Vec::new(),
        encoding: None,
    };
    let r = source::read(&[path], Some(TableFormat::Csv), &opts).unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_same_rows(&r.df, &capture_table());
}

/// One CSV line's fields, quotes kept (enough for re-joining with commas).
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for ch in line.chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                out.last_mut().unwrap().push(ch);
            }
            ',' if !quoted => out.push(String::new()),
            _ => out.last_mut().unwrap().push(ch),
        }
    }
    out
}

#[test]
fn parquet_wide_and_per_kind_glob_are_the_capture_table() {
    let want = capture_table();
    let (_dir, out) = export("parquet", &["--wide"]);
    assert_same_rows(&read(&[out.join("events.parquet")]).df, &want);
    let (_dir, out) = export("parquet", &[]);
    let r = read(&[out.join("*.parquet")]);
    assert_same_rows(&r.df, &want);
}

#[test]
fn scan_is_lazy_on_our_parquet_and_gives_the_same_table() {
    let want = capture_table();
    let (_dir, out) = export("parquet", &[]);
    let lf = source::scan(std::slice::from_ref(&out), None, &SourceOptions::default()).unwrap();
    let plan = lf.describe_plan().unwrap().to_lowercase();
    assert!(
        plan.contains("parquet"),
        "a scan, not a table in memory: {plan}"
    );
    assert_same_rows(&lf.collect().unwrap(), &want);
    // CSV cannot be scanned this way: read, then handed over lazily.
    let (_dir, out) = export("csv", &["--wide"]);
    let lf = source::scan(&[out], None, &SourceOptions::default()).unwrap();
    assert_same_rows(&lf.collect().unwrap(), &want);
}

#[test]
fn ndjson_per_kind_files_and_wide_are_the_capture_table() {
    let want = capture_table();
    let (_dir, out) = export("ndjson", &[]);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() > 3);
    assert_same_rows(&read(&files).df, &want);
    let (_dir, out) = export("ndjson", &["--wide"]);
    assert_same_rows(&read(&[out.join("events.ndjson")]).df, &want);
}

#[test]
fn a_tutorial_spiders_csv_is_chat_with_local_or_epoch_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t_danmu.csv");
    std::fs::write(
        &path,
        "id,room_id,user_name,content,create_time\n\
         1,7181823408362015540,渴死的鱼.,主播好,2026-01-01 18:00:00\n\
         2,7181823408362015540,\"a, b\",666,1767261660\n\
         3,7181823408362015540,丽***,[比心],1767261720000\n",
    )
    .unwrap();
    let r = read(&[path]);
    let df = &r.df;
    assert_eq!(**df.schema(), schema());
    let ts: Vec<Option<i64>> = df
        .column("ts")
        .unwrap()
        .datetime()
        .unwrap()
        .physical()
        .iter()
        .collect();
    // 2026-01-01 18:00 in Asia/Shanghai (the default --tz), then a minute later as epoch s, ms.
    assert_eq!(
        ts,
        [
            Some(1_767_261_600_000),
            Some(1_767_261_660_000),
            Some(1_767_261_720_000)
        ]
    );
    let text = |c: &str| -> Vec<Option<String>> {
        let s = df.column(c).unwrap().str().unwrap().clone();
        s.iter().map(|v| v.map(String::from)).collect()
    };
    assert_eq!(text("kind"), vec![Some("chat".to_string()); 3]);
    assert_eq!(
        text("method"),
        vec![Some("WebcastChatMessage".to_string()); 3]
    );
    assert_eq!(text("user_name")[1].as_deref(), Some("a, b"));
    assert_eq!(text("content")[2].as_deref(), Some("[比心]"));
    let msg: Vec<Option<u64>> = df.column("msg_id").unwrap().u64().unwrap().iter().collect();
    assert_eq!(msg, [Some(1), Some(2), Some(3)]);
    let room = df.column("room_id").unwrap().u64().unwrap().get(0);
    assert_eq!(room, Some(7181823408362015540));
    assert_eq!(df.column("gift_id").unwrap().null_count(), 3);
}

#[test]
fn another_tools_parquet_reads_through_the_aliases() {
    use polars::prelude::{
        Column as PlColumn, DataType, NamedFrom, ParquetWriter, Series, TimeUnit,
    };
    // A DATETIME without a zone (local time, as spiders store it), signed ids, nicknames.
    let local_ms = [1_767_290_400_000i64, 1_767_290_401_500]; // 2026-01-01 18:00:00(.0, 01.5)
    let time = Series::new("create_time".into(), local_ms)
        .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
        .unwrap();
    let mut df = DataFrame::new(
        2,
        vec![
            PlColumn::from(time),
            PlColumn::new("uid".into(), [7i64, -1]),
            PlColumn::new("nickname".into(), ["甲", "乙"]),
            PlColumn::new("text".into(), ["你好", "666"]),
            PlColumn::new("type".into(), ["WebcastChatMessage", "gift"]),
        ],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("theirs.parquet");
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut df)
        .unwrap();
    let r = source::read(&[path], None, &SourceOptions::default()).unwrap();
    let df = &r.df;
    assert_eq!(**df.schema(), schema());
    let ts: Vec<Option<i64>> = df
        .column("ts")
        .unwrap()
        .datetime()
        .unwrap()
        .physical()
        .iter()
        .collect();
    assert_eq!(
        ts,
        [Some(1_767_261_600_000), Some(1_767_261_601_500)],
        "read in --tz"
    );
    let kinds: Vec<_> = df.column("kind").unwrap().str().unwrap().iter().collect();
    assert_eq!(kinds, [Some("chat"), Some("gift")]);
    let methods: Vec<_> = df.column("method").unwrap().str().unwrap().iter().collect();
    assert_eq!(
        methods,
        [Some("WebcastChatMessage"), Some("WebcastGiftMessage")]
    );
    let users: Vec<_> = df
        .column("user_id")
        .unwrap()
        .u64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(users, [Some(7), None], "a negative id is not an id");
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert!(
        r.problems[0].contains("`uid`: 1 value(s)"),
        "{}",
        r.problems[0]
    );
    assert_eq!(
        df.column("user_name").unwrap().str().unwrap().get(1),
        Some("乙")
    );
    assert_eq!(
        df.column("content").unwrap().str().unwrap().get(0),
        Some("你好")
    );
}

#[test]
fn map_names_columns_the_aliases_miss_and_bad_values_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.csv");
    std::fs::write(
        &path,
        "时间,弹幕,房间,extra\n2026-01-01 18:00:00,你好,12,x\n2026-01-01 18:00:01,再见,abc,y\n",
    )
    .unwrap();
    let opts = SourceOptions {
        zone: Zone::default(),
        map: ["ts=时间", "content=弹幕", "room_id=房间"]
            .iter()
            .map(|m| m.parse::<ColumnMap>().unwrap())
            .collect(),
        encoding: None,
    };
    let r = source::read(std::slice::from_ref(&path), None, &opts).unwrap();
    let room: Vec<Option<u64>> =
        r.df.column("room_id")
            .unwrap()
            .u64()
            .unwrap()
            .iter()
            .collect();
    assert_eq!(room, [Some(12), None]);
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert!(
        r.problems[0].contains("`房间`: 1 value(s)"),
        "{}",
        r.problems[0]
    );
    assert_eq!(r.unused_columns, [format!("{}: extra", path.display())]);
    // Without the map there is no time column: an error naming what was looked for.
    let err = source::read(&[path], None, &SourceOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("no time column") && msg.contains("create_time"),
        "{msg}"
    );
}

#[test]
fn a_file_that_is_no_table_says_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "just some words\n").unwrap();
    let err = source::read(&[text], None, &SourceOptions::default()).unwrap_err();
    assert!(matches!(err, SourceError::NotTable { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("notes.txt") && msg.contains("expected Parquet"),
        "{msg}"
    );
    assert_eq!(msg.lines().count(), 1);
    // A capture file is not a table either (src/input.rs reads those).
    let err = source::read(&[PathBuf::from(SESSION)], None, &SourceOptions::default());
    assert!(matches!(err, Err(SourceError::NotTable { .. })));
    // A broken NDJSON line is named.
    let bad = dir.path().join("bad.ndjson");
    std::fs::write(&bad, "{\"ts_ms\": 1}\n{not json\n").unwrap();
    let msg = source::read(&[bad], None, &SourceOptions::default())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("line 2: not a JSON object"), "{msg}");
    // A pattern matching nothing.
    let none = dir.path().join("*.parquet");
    let err = source::read(&[none], None, &SourceOptions::default()).unwrap_err();
    assert!(matches!(err, SourceError::NoMatch { .. }), "{err:?}");
}

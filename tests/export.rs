//! `export` through the binary: Excel-friendly CSV, Parquet and NDJSON that read back to the
//! same values.

use std::fs::File;

use danmu_analyze::output::csv::{parse_id, BOM};
use polars::prelude::{ParquetReader, SerReader};

use crate::common::{bin, real_capture};

const SESSION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/session.dmcap");

fn exported(format: &str, extra: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let cap = dir.path().join("real.dmcap");
    std::fs::write(&cap, real_capture()).unwrap();
    let out = dir.path().join("out");
    bin()
        .arg("export")
        .arg(&cap)
        .arg("--out")
        .arg(&out)
        .args(["--format", format])
        .args(extra)
        .assert()
        .success();
    (dir, out)
}

#[test]
fn csv_per_kind_opens_in_excel_with_chinese_and_full_ids() {
    let (_dir, out) = exported("csv", &[]);
    let names = crate::common::file_names(&out);
    assert_eq!(
        names,
        [
            "chat.csv",
            "gift.csv",
            "like.csv",
            "member.csv",
            "other.csv"
        ]
    );
    let bytes = std::fs::read(out.join("chat.csv")).unwrap();
    assert!(bytes.starts_with(BOM), "UTF-8 BOM first");
    let mut rdr = csv::Reader::from_reader(&bytes[BOM.len()..]);
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(&headers[0], "ts");
    assert_eq!(&headers[1], "ts_ms");
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3);
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let seed = rows
        .iter()
        .find(|r| &r[col("content")] == "百分之10可以直播半小时")
        .unwrap();
    assert_eq!(&seed[col("user_name")], "渴死的鱼.");
    assert_eq!(
        &seed[col("msg_id")],
        "=\"7181859941539730490\"",
        "ids are text cells for Excel"
    );
    assert_eq!(parse_id(&seed[col("room_id")]), Some(7181823408362015540));
    assert_eq!(&seed[col("ts")], "2022-12-28 00:04:41.000");
    assert_eq!(&seed[col("ts_ms")], "1672157081000");
}

#[test]
fn csv_for_programs_without_bom_and_with_bare_ids() {
    let (_dir, out) = exported("csv", &["--wide", "--no-bom", "--plain-ids", "--tz", "UTC"]);
    let bytes = std::fs::read(out.join("events.csv")).unwrap();
    assert!(!bytes.starts_with(BOM));
    let mut rdr = csv::Reader::from_reader(bytes.as_slice());
    assert_eq!(
        rdr.headers().unwrap().len(),
        danmu_analyze::columns::Column::ALL.len() + 1,
        "every column, and ts_ms"
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 19);
    assert!(rows
        .iter()
        .any(|r| &r[3] == "7181859941539730490" && &r[0] == "2022-12-27 16:04:41.000"));
}

#[test]
fn parquet_reads_back_typed() {
    let (_dir, out) = exported("parquet", &["--wide"]);
    let df = ParquetReader::new(File::open(out.join("events.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!(df.height(), 19);
    let ts = df.column("ts").unwrap();
    assert!(
        ts.dtype()
            .to_string()
            .contains("datetime[ms, Asia/Shanghai]"),
        "{}",
        ts.dtype()
    );
    let msg = df.column("msg_id").unwrap().u64().unwrap();
    assert!(msg.iter().any(|v| v == Some(7181859941539730490)));
    let kinds = df.column("kind").unwrap().str().unwrap();
    assert_eq!(kinds.iter().filter(|k| *k == Some("member")).count(), 10);
}

#[test]
fn ndjson_per_kind() {
    let (_dir, out) = exported("ndjson", &[]);
    let text = std::fs::read_to_string(out.join("gift.ndjson")).unwrap();
    let rows = crate::common::ndjson(text.as_bytes());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["gift_name"], "小心心");
    assert_eq!(rows[0]["diamond_count"], 1);
}

/// A small tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "cannot mount a tmpfs (this test needs root; CI runs it with --ignored as root)"
        );
        Tmpfs(dir)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.0.path())
            .status();
    }
}

/// Ignored in a plain `cargo test` (it mounts a filesystem, which needs root); `.ci/run` runs it
/// with `-- --ignored`, where failing to mount fails the test rather than passing it silently.
#[test]
#[ignore = "mounts a tmpfs: needs root; .ci/run runs it"]
fn export_onto_a_full_disk_leaves_whole_files_or_none() {
    let reference = tempfile::tempdir().unwrap();
    bin()
        .arg("export")
        .arg(SESSION)
        .arg("--out")
        .arg(reference.path())
        .assert()
        .success();
    // 300 kB: chat.csv (265 kB) fits, the disk fills a few files later.
    let fs = Tmpfs::mount("300k");
    let out = fs.0.path();
    std::fs::write(out.join("like.csv"), "an older export\n").unwrap();
    let run = bin()
        .arg("export")
        .arg(SESSION)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("No space left on device") && stderr.contains("nothing partial was left"),
        "{stderr}"
    );
    let names = crate::common::file_names(out);
    assert!(names.contains(&"chat.csv".to_string()), "{names:?}");
    for name in &names {
        let got = std::fs::read(out.join(name)).unwrap();
        let whole = std::fs::read(reference.path().join(name)).unwrap_or_default();
        assert!(
            got == whole || (name == "like.csv" && got == b"an older export\n"),
            "{name} is neither complete nor the old file ({} bytes)",
            got.len()
        );
    }
    assert!(
        names.len() < crate::common::file_names(reference.path()).len(),
        "the disk filled: {names:?}"
    );
}

/// `export --out - --wide` puts the one table on stdout, byte for byte the file `export` writes,
/// in each format; and the stdout Parquet reads back with polars, as a Python pipe would.
#[test]
fn export_to_stdout_equals_the_file() {
    for format in ["parquet", "ndjson", "csv"] {
        let (dir, out) = exported(format, &["--wide"]);
        let file = std::fs::read(out.join(format!("events.{format}"))).unwrap();
        let piped = bin()
            .arg("export")
            .arg(dir.path().join("real.dmcap"))
            .args(["--out", "-", "--wide", "--format", format])
            .output()
            .unwrap();
        assert!(piped.status.success(), "{format}");
        assert_eq!(piped.stdout, file, "{format}");
        if format == "parquet" {
            let df = ParquetReader::new(std::io::Cursor::new(piped.stdout))
                .finish()
                .unwrap();
            assert!(df.height() > 0);
        }
    }
    // Per-kind files need a folder.
    let out = bin()
        .args(["export", SESSION, "--out", "-"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("add --wide"));
}

/// On a terminal, reading shows a bar of the bytes read (on stderr), erased before anything is
/// written; stdout stays clean. `script` (bsdutils, essential on Debian) gives the terminal.
#[test]
fn a_terminal_sees_a_progress_bar_of_bytes_read_and_stdout_stays_clean() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("events.ndjson");
    let cmd = format!(
        "{} decode {SESSION} --format ndjson > {}",
        env!("CARGO_BIN_EXE_danmu-analyze"),
        out.display()
    );
    let tty = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("script (bsdutils) runs the command on a terminal");
    assert!(tty.status.success(), "{tty:?}");
    let screen = String::from_utf8_lossy(&tty.stdout);
    assert!(
        screen.contains("MB of 1.9 MB  reading the inputs"),
        "{screen}"
    );
    assert!(screen.contains("\r\x1b[2K"), "the bar is erased: {screen}");
    let rows = crate::common::ndjson(&std::fs::read(&out).unwrap());
    assert!(rows.len() > 3000, "stdout holds the events alone");
}

//! Truncated, corrupt and garbage input through the binary: each problem is reported with its
//! file and position, counted and skipped; the rest decodes; exit code 3 says something was skipped.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::{bin, capture_of, fixture, frame_bytes, ndjson, real_capture};

const SKIPPED: i32 = 3;

#[test]
fn truncated_capture_yields_every_complete_record() {
    let dir = tempfile::tempdir().unwrap();
    let full = real_capture();
    let path = dir.path().join("cut.dmcap");
    // Cut 100 bytes into the last record (member_chat_2023a, the largest).
    let last_len = frame_bytes("member_chat_2023a.hex").len();
    let cut = full.len() - last_len + 100;
    std::fs::write(&path, &full[..cut]).unwrap();
    let out = bin()
        .args(["decode", "--format", "ndjson"])
        .arg(&path)
        .assert()
        .code(SKIPPED);
    let rows = ndjson(&out.get_output().stdout);
    assert_eq!(
        rows.len(),
        1 + 3 + 4 + 1,
        "all events of the 4 complete records"
    );
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("cut.dmcap"), "{err}");
    assert!(err.contains("truncated record at byte"), "{err}");
}

#[test]
fn corrupt_frames_are_reported_with_their_record_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let good = frame_bytes("chat_2022_seed.bin");
    // A PushFrame whose gzip payload is damaged: same frame, bytes flipped after the gzip header.
    let mut bad_gzip = good.clone();
    let gz = bad_gzip.windows(2).position(|w| w == [0x1f, 0x8b]).unwrap();
    for b in &mut bad_gzip[gz + 20..gz + 60] {
        *b ^= 0x5a;
    }
    let not_protobuf = vec![0xff; 40];
    let path = dir.path().join("mixed.dmcap");
    std::fs::write(
        &path,
        capture_of(&[
            good.clone(),
            not_protobuf,
            bad_gzip,
            frame_bytes("member_2026.b64"),
        ]),
    )
    .unwrap();
    let out = bin()
        .args(["decode", "--format", "ndjson"])
        .arg(&path)
        .assert()
        .code(SKIPPED);
    let rows = ndjson(&out.get_output().stdout);
    let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["chat", "member"]);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("skipped 2"), "{err}");
    assert!(
        err.contains("record 1") && err.contains("not a PushFrame"),
        "{err}"
    );
    assert!(err.contains("record 2"), "{err}");

    let out = bin()
        .args(["inspect", "--json"])
        .arg(&path)
        .assert()
        .code(SKIPPED);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["stats"]["error_count"], 2);
    assert_eq!(v["stats"]["records"], 4);
    assert_eq!(v["stats"]["errors"][1]["position"]["record"], 2);

    bin()
        .args(["decode", "--strict"])
        .arg(&path)
        .assert()
        .code(1);
}

#[test]
fn garbage_and_empty_files_get_clear_messages() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.bin");
    std::fs::write(
        &garbage,
        (0..=255u8)
            .cycle()
            .take(5000)
            .map(|b| b.wrapping_mul(37))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let empty = dir.path().join("empty.dmcap");
    std::fs::write(&empty, b"").unwrap();
    let out = bin()
        .arg("decode")
        .arg(&garbage)
        .arg(&empty)
        .arg(fixture("frames/member_2026.b64"))
        .assert()
        .code(SKIPPED);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        stdout.contains("joined (online 48)"),
        "the good input still decodes: {stdout}"
    );
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("garbage.bin") && err.contains("not a PushFrame"),
        "{err}"
    );
    assert!(
        err.contains("empty.dmcap") && err.contains("empty input"),
        "{err}"
    );
}

#[test]
fn bad_line_in_a_dump_is_named_by_line_number() {
    let dir = tempfile::tempdir().unwrap();
    let hex = std::fs::read_to_string(fixture("frames/chat_like_member_2023b.hex")).unwrap();
    let b64 = std::fs::read_to_string(fixture("frames/member_2026.b64")).unwrap();
    let dump = dir.path().join("dump.txt");
    std::fs::write(
        &dump,
        format!(
            "# copied from DevTools\n{}\nthis is not a frame!\n\"{}\",\n",
            hex.trim(),
            b64.trim()
        ),
    )
    .unwrap();
    let out = bin()
        .args(["decode", "--format", "ndjson"])
        .arg(&dump)
        .assert()
        .code(SKIPPED);
    assert_eq!(ndjson(&out.get_output().stdout).len(), 3 + 1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("dump.txt: line 3"), "{err}");
}

#[test]
fn stdin_is_an_input() {
    let hex = std::fs::read(fixture("frames/chat_like_member_2023b.hex")).unwrap();
    let out = bin()
        .args(["decode", "--format", "ndjson", "-"])
        .write_stdin(hex)
        .assert()
        .success();
    assert_eq!(ndjson(&out.get_output().stdout).len(), 3);
}

#[test]
fn missing_file_fails_with_its_name() {
    let out = bin()
        .args(["decode", "/nonexistent/x.dmcap"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("/nonexistent/x.dmcap"), "{err}");
}

#[test]
fn closed_pipe_is_success() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.dmcap");
    let frames: Vec<Vec<u8>> = (0..400)
        .map(|_| frame_bytes("member_chat_2023a.hex"))
        .collect();
    std::fs::write(&path, capture_of(&frames)).unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("danmu-analyze"))
        .args(["decode", "--keep-duplicates"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here, closing the pipe like `| head -1`.
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with("TIME"), "{first}");
    assert!(
        out.status.success(),
        "{:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

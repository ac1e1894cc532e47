//! Helpers shared by the test modules: fixtures, the binary, small captures built from real frames.

#![allow(dead_code)]

#[cfg(feature = "live")]
pub mod proxy;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use danmu_analyze::capture::{CaptureRecord, CaptureWriter};
use danmu_analyze::input::{self, InputFormat, InputSpec};
use danmu_analyze::pipeline::{self, Decoded, Options};

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// The real `danmu-analyze` binary.
pub fn bin() -> Command {
    Command::cargo_bin("danmu-analyze").expect("binary built by cargo test")
}

pub fn decode_path(path: &Path) -> Decoded {
    let frames = input::open(&InputSpec::new(path, InputFormat::Auto)).expect("input opens");
    pipeline::decode_all(frames, Options::default())
}

/// The raw bytes of a fixture frame, whatever its text encoding.
pub fn frame_bytes(name: &str) -> Vec<u8> {
    let path = fixture(&format!("frames/{name}"));
    let data = std::fs::read(&path).unwrap();
    if name.ends_with(".bin") {
        return data;
    }
    let text = String::from_utf8(data).unwrap();
    input::decode_text_frame(text.trim(), None).unwrap()
}

pub const REAL_FRAMES: [&str; 5] = [
    "chat_2022_seed.bin",
    "chat_like_member_2023b.hex",
    "gift_2026.b64",
    "member_2026.b64",
    "member_chat_2023a.hex",
];

/// A capture file holding `frames` as records 0.., received one second apart.
pub fn capture_of(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut w = CaptureWriter::new(Vec::new()).unwrap();
    for (i, f) in frames.iter().enumerate() {
        w.write(&CaptureRecord {
            received_at_ms: 1_700_000_000_000 + i as u64 * 1000,
            frame: f.clone(),
            room_id: 42,
            source: "test".into(),
        })
        .unwrap();
    }
    w.into_inner()
}

pub fn real_capture() -> Vec<u8> {
    let frames: Vec<Vec<u8>> = REAL_FRAMES.iter().map(|n| frame_bytes(n)).collect();
    capture_of(&frames)
}

/// NDJSON lines of stdout as JSON values.
pub fn ndjson(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

/// The rows of an Excel CSV (BOM first) as header → cell maps.
pub fn csv_rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes
        .strip_prefix(danmu_analyze::output::csv::BOM)
        .expect("Excel CSV starts with a BOM");
    let mut rdr = csv::Reader::from_reader(body);
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            headers
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The names of the files in `dir`, sorted.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

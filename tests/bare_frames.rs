//! Other tools log a bare `Response` (gzip'd or inflated) or a single `Message` instead of the
//! `PushFrame`: tests/fixtures/bare/ holds those parts of the real 2026 frames, and each decodes
//! to the events of the frame it came from.

use danmu_analyze::event::{Event, Kind};

use crate::common::{bin, decode_path, fixture, ndjson};

fn events(rel: &str) -> Vec<Event> {
    let d = decode_path(&fixture(rel));
    assert_eq!(d.stats.error_count, 0, "{rel}: {:?}", d.stats.errors);
    d.events
}

#[test]
fn gzipped_response_line_is_the_gift_frame() {
    let want = events("frames/gift_2026.b64");
    assert_eq!(want.len(), 4);
    assert_eq!(events("bare/response_gift_2026.gz.b64"), want);
}

#[test]
fn inflated_response_as_a_raw_file_or_a_hex_line() {
    assert_eq!(
        events("bare/response_gift_2026.bin"),
        events("frames/gift_2026.b64")
    );
    let member = events("bare/response_member_2026.hex");
    assert_eq!(member, events("frames/member_2026.b64"));
    assert_eq!(member[0].kind, Kind::Member);
    assert_eq!(member[0].member_count, Some(48));
}

#[test]
fn a_single_message_line_is_its_event() {
    let got = events("bare/message_gift_2026.b64");
    let frame = events("frames/gift_2026.b64");
    let gift: Vec<&Event> = frame.iter().filter(|e| e.kind == Kind::Gift).collect();
    assert_eq!(got.iter().collect::<Vec<_>>(), gift);
    assert_eq!(
        got[0].ts, 1776121373297,
        "Common.createTime, no frame needed"
    );
}

#[test]
fn decode_prints_a_bare_responses_events() {
    let out = bin()
        .args(["decode", "--format", "ndjson", "--kind", "gift"])
        .arg(fixture("bare/response_gift_2026.gz.b64"))
        .assert()
        .success();
    let rows = ndjson(&out.get_output().stdout);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["gift_name"], "小心心");
    assert_eq!(rows[0]["gift_id"], 463);
}

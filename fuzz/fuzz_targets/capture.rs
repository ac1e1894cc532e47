//! Capture files → `CaptureReader` → frames → `decode_all`.
//!
//! Byte 0 chooses the mode (bits 0-1) and the pipeline options (bit 2: no dedup, bit 3: no combo
//! resolution):
//!   mode 0: the rest follows the DMCAP magic (the fuzzer works on the records);
//!   mode 1: the rest is the whole file, magic included (bad magic, other versions);
//!   mode 2: the rest is split at 0xA5 bytes into frames, written with `CaptureWriter` and read
//!           back: the records must round-trip exactly.
//! Every mode then checks `decode_all` (batched, on the thread pool) against a plain sequential
//! decode of the same frames with one `Pipeline`: same events in the same order, same stats.
#![no_main]

use std::io::Cursor;
use std::sync::Arc;

use danmu_analyze::capture::{CaptureReader, CaptureRecord, CaptureWriter, MAGIC};
use danmu_analyze::pipeline::{
    decode_all, decode_frame, Decoded, Issue, Options, Pipeline, Position, RawFrame, Stats,
};
use libfuzzer_sys::fuzz_target;

fn read_all(file: &[u8]) -> Vec<Result<RawFrame, Issue>> {
    let name: Arc<str> = Arc::from("fuzz");
    let reader = match CaptureReader::new(Cursor::new(file)) {
        Ok(r) => r,
        Err(e) => {
            return vec![Err(Issue { position: Position::file(name), message: e.to_string() })];
        }
    };
    let mut out = Vec::new();
    let mut last_offset = None;
    let mut next_index = 0;
    let mut ended = false;
    for item in reader {
        assert!(!ended, "the reader yielded an item after an unrecoverable error");
        match item {
            Ok(r) => {
                assert_eq!(r.index, next_index);
                assert!(last_offset.is_none_or(|o| r.offset > o), "offsets must increase");
                assert!(r.offset >= 8 && r.offset < file.len() as u64);
                next_index += 1;
                last_offset = Some(r.offset);
                out.push(Ok(RawFrame {
                    bytes: r.record.frame,
                    received_at_ms: r.record.received_at_ms,
                    room_id: r.record.room_id,
                    position: Position {
                        source: name.clone(),
                        record: Some(r.index),
                        offset: Some(r.offset),
                        line: None,
                    },
                }));
            }
            Err(e) => {
                if e.is_recoverable() {
                    next_index += 1;
                } else {
                    ended = true;
                }
                out.push(Err(Issue { position: Position::file(name.clone()), message: e.to_string() }));
            }
        }
    }
    out
}

/// The reference for `decode_all`: every frame decoded in order on this thread, one `Pipeline`.
fn decode_sequentially(frames: &[Result<RawFrame, Issue>], opts: Options) -> Decoded {
    let mut pipe = Pipeline::new(opts);
    let mut scratch = Vec::new();
    for f in frames {
        match f {
            Ok(raw) => pipe.absorb(decode_frame(raw, &mut scratch)),
            Err(issue) => pipe.add_issue(issue.clone()),
        }
    }
    pipe.finish()
}

/// The stats as text, with the text of gzip errors cut to their prefix: zlib-rs words the same
/// corrupt stream differently depending on the output room it is given, and that room depends on
/// the capacity a reused scratch buffer kept from earlier frames (reported, not a decode bug).
fn normalized(stats: &Stats) -> String {
    let mut stats = stats.clone();
    for issue in &mut stats.errors {
        if issue.message.starts_with("payload is not valid gzip") {
            issue.message = "payload is not valid gzip".into();
        }
    }
    format!("{stats:?}")
}

fn check(frames: Vec<Result<RawFrame, Issue>>, opts: Options) {
    let n_ok = frames.iter().filter(|f| f.is_ok()).count() as u64;
    let n_err = frames.len() as u64 - n_ok;
    let expected = decode_sequentially(&frames, opts);
    let decoded = decode_all(frames, opts);
    // The batched, parallel, overlapped decode must give exactly what the plain loop gives.
    assert!(decoded.events == expected.events, "decode_all's events differ from a sequential decode");
    assert_eq!(normalized(&decoded.stats), normalized(&expected.stats));
    let s = &decoded.stats;
    assert_eq!(s.records, n_ok);
    assert!(s.error_count >= n_err);
    assert_eq!(s.events, decoded.events.len() as u64);
    assert!(s.messages >= s.events);
    assert!(decoded.events.windows(2).all(|w| w[0].ts <= w[1].ts));
    assert!(s.first_ts.is_none() || s.first_ts <= s.last_ts);
}

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, rest)) = data.split_first() else { return };
    let opts = Options { dedup: ctl & 4 == 0, resolve_combos: ctl & 8 == 0 };
    match ctl & 3 {
        0 => {
            let mut file = Vec::with_capacity(8 + rest.len());
            file.extend_from_slice(&MAGIC);
            file.extend_from_slice(rest);
            check(read_all(&file), opts);
        }
        1 => check(read_all(rest), opts),
        _ => {
            let records: Vec<CaptureRecord> = rest
                .split(|b| *b == 0xA5)
                .enumerate()
                .map(|(i, chunk)| CaptureRecord {
                    received_at_ms: 1_700_000_000_000 + i as u64,
                    frame: chunk.to_vec(),
                    room_id: i as u64 % 3,
                    source: "fuzz".into(),
                })
                .collect();
            let mut w = CaptureWriter::new(Vec::new()).expect("writing to a Vec");
            for r in &records {
                w.write_unflushed(r).expect("writing to a Vec");
            }
            assert_eq!(w.records_written(), records.len() as u64);
            let file = w.into_inner();
            let back: Vec<CaptureRecord> = CaptureReader::new(Cursor::new(&file))
                .expect("the writer's magic")
                .map(|r| r.expect("a record the writer wrote").record)
                .collect();
            assert_eq!(back, records);
            check(read_all(&file), opts);
        }
    }
});

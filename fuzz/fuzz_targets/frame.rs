//! One WebSocket message → `decode_frame`.
//!
//! The first byte chooses how the rest is used, so the fuzzer reaches the inner decoders without
//! having to discover a valid PushFrame + gzip stream by itself:
//!   mode 0: the rest is the raw frame (PushFrame bytes);
//!   mode 1: the rest is `Response` bytes, gzip'd into a valid `msg` PushFrame;
//!   mode 2: the rest is `Response` bytes, put uncompressed into a valid `msg` PushFrame;
//!   mode 3: byte 1 picks a method from `METHODS`, the rest is that `Message`'s payload, wrapped
//!           into a valid Response (gzip'd or not: bit 2 of byte 0) and PushFrame.
//! The upper bits of byte 0 give the wrapper's msg_id. Every outcome is also run through the
//! ordered pass (`Pipeline`) twice, so dedup and combo resolution see it too. In mode 3 the
//! in-place decoder (`decode::decode_message`) is checked against the prost reference
//! (`decode::reference`): wherever prost reads the message, the same event.
#![no_main]

use std::io::Write;
use std::sync::Arc;

use danmu_analyze::decode::{decode_message, reference, FrameContext};
use danmu_analyze::pipeline::{decode_frame, Options, Pipeline, Position, RawFrame};
use danmu_analyze::proto::webcast::{HeaderEntry, Message, PushFrame, Response};
use flate2::{write::GzEncoder, Compression};
use libfuzzer_sys::fuzz_target;
use prost::Message as _;

const METHODS: [&str; 12] = [
    "WebcastChatMessage",
    "WebcastEmojiChatMessage",
    "WebcastGiftMessage",
    "WebcastLikeMessage",
    "WebcastMemberMessage",
    "WebcastSocialMessage",
    "WebcastFansclubMessage",
    "WebcastRoomUserSeqMessage",
    "WebcastRoomStatsMessage",
    "WebcastRoomRankMessage",
    "WebcastControlMessage",
    // Any method the decoder does not know.
    "WebcastRanklistHourEntranceMessage",
];

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::with_capacity(data.len() / 2 + 32), Compression::fast());
    enc.write_all(data).expect("writing to a Vec");
    enc.finish().expect("writing to a Vec")
}

/// A valid `msg` PushFrame around `response` (Response bytes).
fn push_frame(response: &[u8], gzipped: bool) -> Vec<u8> {
    let (payload, headers) = if gzipped {
        let h = vec![HeaderEntry { key: "compress_type".into(), value: "gzip".into() }];
        (gzip(response), h)
    } else {
        (response.to_vec(), Vec::new())
    };
    PushFrame {
        seq_id: 1,
        log_id: 2,
        headers,
        payload_encoding: "pb".into(),
        payload_type: "msg".into(),
        payload,
        ..Default::default()
    }
    .encode_to_vec()
}

fn raw(bytes: Vec<u8>) -> RawFrame {
    RawFrame {
        bytes,
        received_at_ms: 1_700_000_000_000,
        room_id: 7,
        position: Position::file(Arc::<str>::from("fuzz")),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, rest)) = data.split_first() else { return };
    let mode = ctl & 3;
    let msg_id = u64::from(ctl >> 3);
    let mut single_method = None;
    let bytes = match mode {
        0 => rest.to_vec(),
        1 => push_frame(rest, true),
        2 => push_frame(rest, false),
        _ => {
            let Some((&m, payload)) = rest.split_first() else { return };
            let method = METHODS[usize::from(m) % METHODS.len()];
            single_method = Some(method);
            let msg = Message { method: method.into(), payload: payload.to_vec(), msg_id };
            let ctx = FrameContext { now_ms: 1_700_000_000_123, received_at_ms: 0, room_id: 7 };
            if let Ok(want) = reference::decode_message(&msg, &ctx) {
                let got = decode_message(&msg, &ctx);
                assert!(got.as_ref().is_ok_and(|g| *g == want), "in place {got:?}, prost {want:?}");
            }
            let response = Response {
                messages: vec![Message { method: method.into(), payload: payload.to_vec(), msg_id }],
                now: 1_700_000_000_123,
                need_ack: true,
                ..Default::default()
            };
            push_frame(&response.encode_to_vec(), ctl & 4 != 0)
        }
    };
    let frame = raw(bytes);
    let mut scratch = Vec::new();
    let outcome = decode_frame(&frame, &mut scratch);

    assert_eq!(outcome.bytes, frame.bytes.len() as u64);
    if mode != 0 {
        // The wrapper is a valid msg PushFrame: whatever fails, it is not the frame itself.
        assert_eq!(outcome.payload_type.as_deref(), Some("msg"));
    }
    if let Some(method) = single_method {
        // One message in a valid Response: one event, or one failed method, never both.
        assert_eq!(outcome.events.len() + outcome.failed_methods.len(), 1, "{outcome:?}");
        assert_eq!(outcome.issues.len(), outcome.failed_methods.len());
        if method == METHODS[METHODS.len() - 1] {
            // Unknown methods never fail: they become `Other` events.
            assert_eq!(outcome.events.len(), 1, "{outcome:?}");
        }
    }
    for ev in &outcome.events {
        assert!(ev.ts >= 0, "negative ts: {ev:?}");
    }

    // The ordered pass over the frame delivered twice: dedup and combos.
    let n_events = outcome.events.len();
    let mut pipe = Pipeline::new(Options::default());
    pipe.absorb(outcome);
    pipe.absorb(decode_frame(&frame, &mut scratch));
    let decoded = pipe.finish();
    assert_eq!(decoded.stats.records, 2);
    assert_eq!(decoded.stats.events, decoded.events.len() as u64);
    assert!(decoded.events.len() <= 2 * n_events);
    assert!(decoded.events.windows(2).all(|w| w[0].ts <= w[1].ts));
});

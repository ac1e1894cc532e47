//! The in-place decoder (`decode::decode_message`, fields read as views of the payload) against
//! the reference decoder through prost's owned structs (`decode::reference`): the same event for
//! every real message, every simulated one, and every cut-short payload.

use danmu_analyze::capture::CaptureReader;
use danmu_analyze::decode::{decode_message, reference, FrameContext};
use danmu_analyze::frame::{decode_push_frame, decode_response, PayloadType};
use danmu_analyze::proto::webcast::Message;

use crate::common::{fixture, frame_bytes, REAL_FRAMES};

const CTX: FrameContext = FrameContext {
    now_ms: 1_700_000_000_000,
    received_at_ms: 1_700_000_000_500,
    room_id: 9,
};

/// The messages of a frame, with the context the pipeline would give them.
fn messages_of(frame: &[u8]) -> Vec<(Message, FrameContext)> {
    let f = decode_push_frame(frame).expect("a PushFrame");
    if PayloadType::of(&f) != PayloadType::Msg {
        return Vec::new();
    }
    let r = decode_response(&f, &mut Vec::new()).expect("a Response");
    let ctx = FrameContext {
        now_ms: r.now,
        ..CTX
    };
    r.messages.into_iter().map(|m| (m, ctx)).collect()
}

/// Both decoders agree on `msg`: the same event, or both refuse it.
fn agree(msg: &Message, ctx: &FrameContext) -> bool {
    match (
        reference::decode_message(msg, ctx),
        decode_message(msg, ctx),
    ) {
        (Ok(want), Ok(got)) => {
            assert_eq!(got, want, "{} (msgId {})", msg.method, msg.msg_id);
            true
        }
        (Err(_), Err(_)) => false,
        (want, got) => panic!(
            "{} (msgId {}): reference {:?}, in place {:?}",
            msg.method,
            msg.msg_id,
            want.map(|_| "ok"),
            got.map(|_| "ok")
        ),
    }
}

fn payload_messages() -> Vec<Message> {
    let dir = fixture("payloads");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let ty = path.file_stem().unwrap().to_string_lossy().to_string();
        out.push(Message {
            method: format!("Webcast{ty}"),
            payload: std::fs::read(&path).unwrap(),
            msg_id: 0,
        });
    }
    assert_eq!(out.len(), 14, "one payload per type");
    out
}

#[test]
fn real_messages_decode_alike() {
    let mut n = 0;
    for name in REAL_FRAMES {
        for (msg, ctx) in messages_of(&frame_bytes(name)) {
            assert!(agree(&msg, &ctx), "{name}: {} refused", msg.method);
            n += 1;
        }
    }
    for msg in payload_messages() {
        assert!(agree(&msg, &CTX), "{} refused", msg.method);
        n += 1;
    }
    assert_eq!(n, 33, "every real message was compared");
}

#[test]
fn simulated_messages_decode_alike() {
    let data = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/session.dmcap"),
    )
    .unwrap();
    let mut n = 0;
    for rec in CaptureReader::new(data.as_slice()).unwrap() {
        for (msg, ctx) in messages_of(&rec.unwrap().record.frame) {
            assert!(agree(&msg, &ctx), "{} refused", msg.method);
            n += 1;
        }
    }
    assert_eq!(n, 3824, "every simulated message was compared");
}

/// A payload cut at every length: each cut either decodes to the reference's event or is
/// refused by both (a cut can fall between fields, where both read what came before).
/// A simulated session with a battle and a lottery: every battle message and passphrase chat
/// decodes alike on both paths.
#[test]
fn simulated_battles_and_passphrases_decode_alike() {
    use danmu_analyze::event::Kind;
    use danmu_analyze::simulate::{simulate, SimConfig};
    let mut data = Vec::new();
    let truth = simulate(
        &SimConfig {
            minutes: 12,
            viewers: 80,
            seed: 5,
            ..SimConfig::default()
        },
        &mut data,
    )
    .unwrap();
    let (mut battles, mut passphrases) = (0, 0);
    for rec in CaptureReader::new(data.as_slice()).unwrap() {
        for (msg, ctx) in messages_of(&rec.unwrap().record.frame) {
            assert!(agree(&msg, &ctx), "{} refused", msg.method);
            let ev = decode_message(&msg, &ctx).unwrap();
            battles += u64::from(ev.kind == Kind::Battle);
            passphrases += u64::from(ev.chat_by == Some(9));
        }
    }
    assert!(battles >= truth.counts["battle"] && battles > 10);
    assert!(passphrases >= truth.passphrases && passphrases > 0);
}

#[test]
fn cut_short_payloads_decode_or_fail_alike() {
    let mut refused = 0;
    for msg in payload_messages() {
        for len in 0..msg.payload.len() {
            let cut = Message {
                payload: msg.payload[..len].to_vec(),
                ..msg.clone()
            };
            refused += usize::from(!agree(&cut, &CTX));
        }
    }
    assert!(
        refused > 100,
        "cuts inside fields must be refused ({refused})"
    );
}

/// Bytes flipped: where prost reads a message, the in-place decoder reads the same event. (It
/// may read more: a field it does not use is not checked, where prost refuses the message.)
#[test]
fn corrupted_payloads_never_decode_differently() {
    for msg in payload_messages() {
        for i in 0..msg.payload.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = msg.clone();
                bad.payload[i] ^= flip;
                if let Ok(want) = reference::decode_message(&bad, &CTX) {
                    let got = decode_message(&bad, &CTX)
                        .unwrap_or_else(|e| panic!("{}: byte {i} ^ {flip:#x}: {e}", msg.method));
                    assert_eq!(got, want, "{}: byte {i} ^ {flip:#x}", msg.method);
                }
            }
        }
    }
}

/// An unknown method whose `Common` has a field prost would refuse (here a `method` that is not
/// UTF-8): both decoders still read its room and time, since neither uses that field. Found by
/// the `frame` fuzz target (the reference used to drop the whole `Common`).
#[test]
fn unknown_method_keeps_room_and_time_past_a_bad_unused_field() {
    use prost::Message as _;
    let common = danmu_analyze::proto::webcast::Common {
        msg_id: 11,
        room_id: 7_628_304_147_959_352_090,
        create_time: 1_776_121_373_491,
        ..Default::default()
    };
    let mut head = vec![0x0a, 0x02, 0xff, 0xfe]; // field 1 (`method`): two bytes, not UTF-8
    head.extend(common.encode_to_vec());
    let mut payload = vec![0x0a, head.len() as u8];
    payload.extend(head);
    payload.extend([0x10, 0x05]); // a top-level field 2 the decoder does not know
    let msg = Message {
        method: "WebcastRanklistHourEntranceMessage".into(),
        payload,
        msg_id: 0,
    };
    assert!(agree(&msg, &CTX));
    let ev = decode_message(&msg, &CTX).unwrap();
    assert_eq!(ev.room_id, 7_628_304_147_959_352_090);
    assert_eq!(ev.ts, 1_776_121_373_491);
    assert_eq!(ev.msg_id, 11);
}

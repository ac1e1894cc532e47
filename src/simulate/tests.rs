//! Checks the simulator against an independent decode of its own output.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;

use flate2::read::GzDecoder;
use prost::Message as _;

use super::{simulate, SimConfig, Truth};
use crate::capture::CaptureReader;
use crate::proto::webcast::{
    ChatMessage, GiftMessage, LikeMessage, PushFrame, Response, RoomStatsMessage,
    RoomUserSeqMessage,
};

fn small() -> SimConfig {
    SimConfig {
        minutes: 2,
        viewers: 50,
        ..SimConfig::default()
    }
}

fn run(cfg: &SimConfig) -> (Vec<u8>, Truth) {
    let mut out = Vec::new();
    let truth = simulate(cfg, &mut out).expect("writing to a Vec cannot fail");
    (out, truth)
}

/// What a straightforward decoder sees in a capture.
#[derive(Default)]
struct Decoded {
    records: u64,
    frames: BTreeMap<String, u64>,
    messages: u64,
    duplicates: u64,
    chats: u64,
    likes_total: u64,
    /// group id → (max repeat, saw repeat_end, distinct updates)
    combos: BTreeMap<u64, (u64, bool, u64)>,
    received: Vec<u64>,
    /// RoomUserSeqMessage create times.
    user_seq: Vec<u64>,
    /// RoomStatsMessage (create time, display_long, display_value).
    stats: Vec<(u64, String, u64)>,
}

fn decode(bytes: &[u8]) -> Decoded {
    let mut d = Decoded::default();
    let mut seen = HashSet::new();
    for rec in CaptureReader::new(bytes).expect("magic") {
        let rec = rec.expect("record").record;
        assert_eq!(rec.source, "simulate");
        d.records += 1;
        d.received.push(rec.received_at_ms);
        let frame = PushFrame::decode(rec.frame.as_slice()).expect("PushFrame");
        *d.frames.entry(frame.payload_type.clone()).or_default() += 1;
        if frame.payload_type != "msg" {
            assert!(frame.payload.is_empty());
            continue;
        }
        assert!(frame
            .headers
            .iter()
            .any(|h| h.key == "compress_type" && h.value == "gzip"));
        let mut raw = Vec::new();
        GzDecoder::new(frame.payload.as_slice())
            .read_to_end(&mut raw)
            .expect("gzip");
        let resp = Response::decode(raw.as_slice()).expect("Response");
        assert!(resp.need_ack && resp.heartbeat_duration == 15);
        assert!(rec.received_at_ms >= resp.now + 5 && rec.received_at_ms <= resp.now + 80);
        for m in resp.messages {
            d.messages += 1;
            if !seen.insert((rec.room_id, m.msg_id)) {
                d.duplicates += 1;
                continue;
            }
            match m.method.as_str() {
                "WebcastChatMessage" => {
                    let c = ChatMessage::decode(m.payload.as_slice()).expect("chat");
                    let common = c.common.expect("common");
                    assert_eq!((common.msg_id, common.create_time), (m.msg_id, 0));
                    assert!(c.event_time > 0 && !c.content.is_empty());
                    d.chats += 1;
                }
                "WebcastLikeMessage" => {
                    d.likes_total += LikeMessage::decode(m.payload.as_slice())
                        .expect("like")
                        .count;
                }
                "WebcastGiftMessage" => {
                    let g = GiftMessage::decode(m.payload.as_slice()).expect("gift");
                    assert!(g.common.expect("common").create_time > 0);
                    let e = d.combos.entry(g.group_id).or_default();
                    e.0 = e.0.max(g.repeat_count);
                    e.1 |= g.repeat_end == 1;
                    e.2 += 1;
                }
                "WebcastRoomUserSeqMessage" => {
                    let u = RoomUserSeqMessage::decode(m.payload.as_slice()).expect("user seq");
                    d.user_seq.push(u.common.expect("common").create_time);
                }
                "WebcastRoomStatsMessage" => {
                    let s = RoomStatsMessage::decode(m.payload.as_slice()).expect("stats");
                    let at = s.common.expect("common").create_time;
                    d.stats.push((at, s.display_long, s.display_value));
                }
                _ => {}
            }
        }
    }
    d
}

#[test]
fn same_config_same_bytes_and_truth() {
    let (a, ta) = run(&small());
    let (b, tb) = run(&small());
    assert!(a == b, "output differs between runs");
    assert_eq!(ta, tb);
    let (c, _) = run(&SimConfig { seed: 2, ..small() });
    assert!(a != c, "a different seed must change the output");
}

#[test]
fn small_session_has_every_kind() {
    let (bytes, truth) = run(&small());
    for kind in [
        "chat",
        "like",
        "member",
        "gift",
        "social",
        "fansclub",
        "room_user_seq",
        "room_stats",
        "room_rank",
        "emoji_chat",
        "control",
    ] {
        assert!(
            truth.counts.get(kind).copied().unwrap_or(0) > 0,
            "no {kind}: {:?}",
            truth.counts
        );
    }
    assert!(truth.duplicates > 0);
    assert!(truth.follows > 0 && truth.shares > 0);
    assert_eq!(truth.combos, truth.counts["gift"]);

    let d = decode(&bytes);
    assert!(
        d.combos.values().any(|c| c.2 > 1),
        "no combo with several updates"
    );
    assert!(
        d.combos.values().any(|c| !c.1),
        "every combo has repeat_end"
    );
    assert!(d.combos.values().any(|c| c.1), "no combo has repeat_end");
}

#[test]
fn independent_decode_matches_truth() {
    let (bytes, truth) = run(&SimConfig {
        minutes: 3,
        viewers: 80,
        seed: 9,
        ..SimConfig::default()
    });
    let d = decode(&bytes);
    assert_eq!(d.records, truth.records);
    assert_eq!(d.frames, truth.frames);
    assert_eq!(d.messages, truth.messages_sent);
    assert_eq!(d.duplicates, truth.duplicates);
    assert_eq!(d.chats, truth.counts["chat"]);
    assert_eq!(d.likes_total, truth.likes_total);
    assert_eq!(d.combos.len() as u64, truth.combos);
    assert_eq!(
        d.combos.values().map(|c| c.2).sum::<u64>(),
        truth.gift_updates
    );
    assert_eq!(truth.frames.get("close"), Some(&1));
    assert!(truth.frames.get("hb").copied().unwrap_or(0) >= 10);
    assert!(
        d.received.windows(2).all(|w| w[0] < w[1]),
        "receive times must increase"
    );
    let json = serde_json::to_string(&truth).expect("serialize");
    assert_eq!(
        serde_json::from_str::<Truth>(&json).expect("deserialize"),
        truth
    );
}

#[test]
fn zero_minutes_is_history_control_and_close() {
    let (bytes, truth) = run(&SimConfig {
        minutes: 0,
        viewers: 1,
        ..SimConfig::default()
    });
    let d = decode(&bytes);
    assert_eq!(d.frames, truth.frames);
    assert_eq!(truth.counts.get("control"), Some(&1));
    assert_eq!(truth.duplicates, 0);
}

/// Every capture of a small series, by file name, and its truth.
fn run_series(cfg: &super::SeriesConfig) -> (BTreeMap<String, Vec<u8>>, super::SeriesTruth) {
    let files = std::cell::RefCell::new(BTreeMap::new());
    struct Into<'a>(&'a std::cell::RefCell<BTreeMap<String, Vec<u8>>>, String);
    impl std::io::Write for Into<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .borrow_mut()
                .entry(self.1.clone())
                .or_default()
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let truth = super::series(cfg, |name| Ok(Into(&files, name.to_string())))
        .expect("writing to memory cannot fail");
    (files.into_inner(), truth)
}

#[test]
fn a_series_is_deterministic_and_each_capture_holds_its_session() {
    let cfg = super::SeriesConfig {
        rooms: 2,
        days: 3,
        minutes: 2,
        viewers: 40,
        ..super::SeriesConfig::default()
    };
    let (files, truth) = run_series(&cfg);
    assert_eq!(run_series(&cfg), (files.clone(), truth.clone()));
    // Two rooms × three days, plus the restarts the fixed pattern makes (room 1 on day 1, room 2 on day 3).
    assert_eq!(truth.sessions.len(), 8);
    assert_eq!(files.len(), truth.sessions.len());
    for s in &truth.sessions {
        let d = decode(&files[&s.file]);
        assert_eq!(d.chats, s.chat, "{}", s.file);
        assert_eq!(d.combos.len() as u64, s.gifts, "{}", s.file);
        // A session that just stops sends no close.
        assert_eq!(d.frames.contains_key("close"), s.stream_end, "{}", s.file);
    }
    let first = &truth.sessions[0];
    assert_eq!((first.returning_chatters, first.returning_gifters), (0, 0));
    assert!(truth.sessions.iter().any(|s| s.returning_chatters > 0));
}

#[test]
fn stats_only_stretches_send_room_stats_and_no_room_user_seq() {
    let cfg = SimConfig {
        minutes: 12,
        viewers: 60,
        stats_only: true,
        ..SimConfig::default()
    };
    let (bytes, truth) = run(&cfg);
    let d = decode(&bytes);
    assert_eq!(truth.stats_only.len(), 1);
    for s in &truth.stats_only {
        let within = |t: &u64| (s.start_ms..s.end_ms).contains(t);
        assert!((3 * 60_000..=6 * 60_000).contains(&(s.end_ms - s.start_ms)));
        assert!(
            !d.user_seq.iter().any(within),
            "no room_user_seq in a stretch"
        );
        let mut shown: Vec<&(u64, String, u64)> = d.stats.iter().filter(|x| within(&x.0)).collect();
        shown.sort_by_key(|x| x.0);
        let online: Vec<(u64, u64)> = shown
            .iter()
            .filter(|x| x.1.ends_with("在线观众"))
            .map(|x| (x.0, x.2))
            .collect();
        assert_eq!(online, s.online);
        let cumulative = shown.iter().filter(|x| x.1.ends_with("人看过")).count();
        assert_eq!(cumulative as u64, s.cumulative);
        assert_eq!(online.len() + cumulative, shown.len());
        // Often enough that every minute of it has one.
        assert!(shown.windows(2).all(|w| w[1].0 - w[0].0 <= 15_000));
    }
    // Off, no stretch: a room_user_seq message at least every 20 s.
    let (plain, t) = run(&SimConfig {
        stats_only: false,
        ..cfg
    });
    assert!(t.stats_only.is_empty());
    let mut seq = decode(&plain).user_seq;
    seq.sort_unstable();
    assert!(seq.windows(2).all(|w| w[1] - w[0] <= 20_000));
}

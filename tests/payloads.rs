//! Every real `Message.payload` in tests/fixtures/payloads decodes as its type, to the values
//! the reference decoder reads from it.

use danmu_analyze::decode::{decode_message, reference, FrameContext};
use danmu_analyze::event::{Event, Kind};
use danmu_analyze::proto::webcast::Message;

use crate::common::{bin, fixture, ndjson};

fn decode(ty: &str) -> Event {
    let payload = std::fs::read(fixture(&format!("payloads/{ty}.bin"))).unwrap();
    let msg = Message {
        method: format!("Webcast{ty}"),
        payload,
        msg_id: 1,
    };
    let ctx = FrameContext {
        now_ms: 1_700_000_000_000,
        received_at_ms: 0,
        room_id: 9,
    };
    let ev = decode_message(&msg, &ctx).unwrap_or_else(|e| panic!("{ty}: {e}"));
    assert_ne!(ev.kind, Kind::Other, "{ty} decoded as other");
    assert!(ev.kind.methods().contains(&msg.method.as_str()));
    ev
}

#[test]
fn chat() {
    assert_eq!(
        decode("ChatMessage").content.as_deref(),
        Some("最后应该给他冻住")
    );
}

#[test]
fn emoji_chat() {
    assert_eq!(
        decode("EmojiChatMessage").content.as_deref(),
        Some("[表情]")
    );
}

#[test]
fn fansclub() {
    let e = decode("FansclubMessage");
    assert_eq!(e.action, Some(6));
    assert_eq!(e.user_name.as_deref(), Some("<REDACTED>"));
}

#[test]
fn gift() {
    let e = decode("GiftMessage");
    assert_eq!(e.gift_id, Some(685));
    assert_eq!(e.gift_name.as_deref(), Some("粉丝团灯牌"));
    assert_eq!(e.gift_count, Some(1));
}

#[test]
fn like() {
    let e = decode("LikeMessage");
    assert_eq!((e.like_count, e.like_total), (Some(11), Some(30735)));
}

#[test]
fn member() {
    let e = decode("MemberMessage");
    assert_eq!((e.member_count, e.action), (Some(7576), Some(1)));
}

#[test]
fn room_rank() {
    let e = decode("RoomRankMessage");
    let board = e.content.unwrap();
    assert!(board.starts_with("1.句号。¹⁴⁹ 2.萌小诺¹⁴⁹"), "{board}");
    assert_eq!(e.user_name.as_deref(), Some("句号。¹⁴⁹"));
}

#[test]
fn room_stats() {
    let e = decode("RoomStatsMessage");
    assert_eq!(e.online, Some(160));
    assert_eq!(e.content.as_deref(), Some("160在线观众"));
    // It shows viewers online, so it says nothing of viewers since the start.
    assert_eq!(e.total_viewers, None);
}

#[test]
fn room_user_seq() {
    let e = decode("RoomUserSeqMessage");
    assert_eq!((e.online, e.total_viewers), (Some(216), Some(8341)));
    assert_eq!(e.content.as_deref(), Some("8341"));
}

fn payload(ty: &str) -> Vec<u8> {
    std::fs::read(fixture(&format!("payloads/{ty}.bin"))).unwrap()
}

/// What each field of the real viewer payloads holds, read through prost's structs (the
/// schema's second reader): the evidence for what the decoder takes from where.
#[test]
fn viewer_payload_fields() {
    use danmu_analyze::proto::webcast::{RoomStatsMessage, RoomUserSeqMessage};
    use prost::Message as _;

    let s = RoomStatsMessage::decode(payload("RoomStatsMessage").as_slice()).unwrap();
    assert_eq!(
        (
            s.display_short.as_str(),
            s.display_middle.as_str(),
            s.display_long.as_str()
        ),
        ("160", "160", "160在线观众")
    );
    // display_value is the number the text shows; total agrees; type 1 goes with 在线观众.
    assert_eq!((s.display_value, s.total, s.display_type), (160, 160, 1));

    let u = RoomUserSeqMessage::decode(payload("RoomUserSeqMessage").as_slice()).unwrap();
    assert_eq!((u.total, u.total_user), (216, 8341));
    assert_eq!(
        (u.total_str.as_str(), u.total_user_str.as_str()),
        ("216", "8341")
    );
}

/// The real payloads, their display texts changed to the forms other rooms send: a cumulative
/// room-stats display and a capped total-viewers text.
#[test]
fn viewer_counts_sent_as_text() {
    use danmu_analyze::decode::{decode_message, reference, shown, FrameContext};
    use danmu_analyze::proto::webcast::{RoomStatsMessage, RoomUserSeqMessage};
    use prost::Message as _;

    let ctx = FrameContext::default();
    let both = |method: &str, payload: Vec<u8>| {
        let msg = Message {
            method: method.into(),
            payload,
            msg_id: 1,
        };
        let got = decode_message(&msg, &ctx).unwrap();
        assert_eq!(got, reference::decode_message(&msg, &ctx).unwrap());
        got
    };

    let mut s = RoomStatsMessage::decode(payload("RoomStatsMessage").as_slice()).unwrap();
    s.display_long = "1.2万人看过".into();
    s.display_value = 12_345;
    let e = both("WebcastRoomStatsMessage", s.encode_to_vec());
    assert_eq!((e.online, e.total_viewers), (None, Some(12_345)));
    s.display_value = 0;
    let e = both("WebcastRoomStatsMessage", s.encode_to_vec());
    assert_eq!((e.online, e.total_viewers), (None, Some(12_000)));

    // As the session that showed 10万+ while totalUser said 9,605.
    let mut u = RoomUserSeqMessage::decode(payload("RoomUserSeqMessage").as_slice()).unwrap();
    u.total_user = 9_605;
    u.total_user_str = "10万+".into();
    let e = both("WebcastRoomUserSeqMessage", u.encode_to_vec());
    assert_eq!((e.online, e.total_viewers), (Some(216), Some(100_000)));
    assert!(shown::lower_bound(100_000, e.content.as_deref().unwrap()));
    u.total_user_str = "3.2万".into();
    let e = both("WebcastRoomUserSeqMessage", u.encode_to_vec());
    assert_eq!(e.total_viewers, Some(32_000));
    assert!(!shown::lower_bound(32_000, e.content.as_deref().unwrap()));
}

#[test]
fn social() {
    // action 3 is a share; shareTarget "101".
    assert_eq!(decode("SocialMessage").action, Some(3));
}

#[test]
fn redacted_payload_keeps_room_from_context_and_time_from_frame() {
    let e = decode("LikeMessage");
    assert_eq!(e.room_id, 9);
    assert_eq!(e.ts, 1_700_000_000_000);
}

/// The battle payloads (cv-cat/DouYin_Spider tests/test_live_pk_ws.py: captured 2026-09-19, ids
/// and names replaced, scores, times and tags as sent) and the values they hold, as the
/// reference decoder reads them.
const BATTLE: u64 = 7_585_000_000_000_000_003;
const LEFT: u64 = 7_585_000_000_000_000_006;
const RIGHT: u64 = 7_585_000_000_000_000_007;
const START_MS: u64 = 1_789_797_328_307;

fn battle_message(ty: &str) -> Message {
    Message {
        method: format!("Webcast{ty}"),
        payload: std::fs::read(fixture(&format!("payloads/{ty}.bin"))).unwrap(),
        msg_id: 1,
    }
}

const BATTLE_TYPES: [&str; 4] = [
    "LinkMicBattleMethod",
    "LinkMicMethod",
    "LinkMicArmiesMethod",
    "LinkMicBattleFinishMethod",
];

#[test]
fn battle_payloads_hold_what_the_reference_decoder_reads() {
    let ctx = FrameContext::default();
    let read = |ty: &str| reference::decode_message(&battle_message(ty), &ctx).unwrap();
    let start = read("LinkMicBattleMethod");
    assert_eq!(start.kind, Kind::Battle);
    assert_eq!(start.battle_id, Some(BATTLE));
    assert_eq!(start.battle_start_ms, Some(START_MS));
    assert_eq!(start.battle_end_ms, Some(START_MS + 300_000), "300 s");
    assert_eq!(start.action, Some(1), "on");
    assert_eq!(start.anchor1_id, None);

    let scores = read("LinkMicMethod");
    assert_eq!((scores.battle_id, scores.action), (Some(BATTLE), Some(202)));
    assert_eq!(
        (scores.anchor1_id, scores.anchor1_score),
        (Some(LEFT), Some(218))
    );
    assert_eq!(
        (scores.anchor2_id, scores.anchor2_score),
        (Some(RIGHT), Some(211))
    );
    assert_eq!(scores.battle_start_ms, None);

    let armies = read("LinkMicArmiesMethod");
    assert_eq!(armies.battle_id, None, "contributor lists name no battle");
    assert_eq!(
        (armies.anchor1_id, armies.anchor2_id),
        (Some(RIGHT), Some(LEFT))
    );
    assert_eq!((armies.anchor1_score, armies.anchor2_score), (None, None));

    let finish = read("LinkMicBattleFinishMethod");
    assert_eq!((finish.battle_id, finish.action), (Some(BATTLE), Some(2)));
    assert_eq!(finish.battle_start_ms, Some(START_MS));
    assert_eq!(
        (finish.anchor1_score, finish.anchor2_score),
        (Some(218), Some(211))
    );
    assert_eq!(finish.ts, 1_789_797_628_552, "Common.createTime");
}

/// Each battle payload, as a bare `Message` through the binary, gives the reference decoder's
/// values.
#[test]
fn battle_payloads_through_the_binary_equal_the_reference_decoder() {
    use base64::Engine as _;
    use prost::Message as _;
    let dir = tempfile::tempdir().unwrap();
    for ty in BATTLE_TYPES {
        let msg = battle_message(ty);
        let want = reference::decode_message(&msg, &FrameContext::default()).unwrap();
        let path = dir.path().join(format!("{ty}.b64"));
        let text = base64::engine::general_purpose::STANDARD.encode(msg.encode_to_vec());
        std::fs::write(&path, text + "\n").unwrap();
        let out = bin()
            .args(["decode", "--format", "ndjson"])
            .arg(&path)
            .assert()
            .success();
        let rows = ndjson(&out.get_output().stdout);
        assert_eq!(rows.len(), 1, "{ty}");
        let row = &rows[0];
        let num = |key: &str| row.get(key).and_then(|v| v.as_u64());
        assert_eq!(row["kind"], "battle", "{ty}");
        assert_eq!(row["method"], msg.method.as_str());
        assert_eq!(num("battle_id"), want.battle_id, "{ty}");
        assert_eq!(num("battle_start_ms"), want.battle_start_ms, "{ty}");
        assert_eq!(num("battle_end_ms"), want.battle_end_ms, "{ty}");
        assert_eq!(num("action"), want.action, "{ty}");
        assert_eq!(num("anchor1_id"), want.anchor1_id, "{ty}");
        assert_eq!(num("anchor1_score"), want.anchor1_score, "{ty}");
        assert_eq!(num("anchor2_id"), want.anchor2_id, "{ty}");
        assert_eq!(num("anchor2_score"), want.anchor2_score, "{ty}");
        assert_eq!(num("room_id"), Some(want.room_id), "{ty}");
        assert_eq!(row["ts_ms"].as_i64(), Some(want.ts), "{ty}");
    }
}

/// The same bodies under the method names without the `Webcast` prefix are the same battle.
#[test]
fn battle_methods_without_the_webcast_prefix_are_battles_too() {
    for ty in BATTLE_TYPES {
        let mut msg = battle_message(ty);
        let prefixed = decode_message(&msg, &FrameContext::default()).unwrap();
        msg.method = ty.to_string();
        let bare = decode_message(&msg, &FrameContext::default()).unwrap();
        assert_eq!(bare.kind, Kind::Battle);
        assert_eq!(bare.method, ty);
        assert_eq!(
            (bare.battle_id, bare.anchor1_id, bare.anchor1_score),
            (
                prefixed.battle_id,
                prefixed.anchor1_id,
                prefixed.anchor1_score
            )
        );
    }
}

/// No public payload of these exists (see tests/fixtures/README.md): bodies built from the
/// schema, read alike by both decoders.
#[test]
fn room_notices_and_screen_chat_from_the_schema() {
    use danmu_analyze::proto::webcast::{
        Common, PrivilegeScreenChatMessage, RoomMessage, ScreenChatMessage, User,
    };
    use prost::Message as _;
    let common = Some(Common {
        room_id: 7,
        create_time: 1_700_000_000_123,
        ..Common::default()
    });
    let user = Some(User {
        id: 42,
        nickname: "小明".into(),
        ..User::default()
    });
    let cases = [
        (
            "WebcastRoomMessage",
            RoomMessage {
                common: common.clone(),
                content: "欢迎来到直播间！".into(),
            }
            .encode_to_vec(),
            Kind::RoomNotice,
        ),
        (
            "WebcastScreenChatMessage",
            ScreenChatMessage {
                common: common.clone(),
                user: user.clone(),
                content: "主播加油".into(),
            }
            .encode_to_vec(),
            Kind::ScreenChat,
        ),
        (
            "WebcastPrivilegeScreenChatMessage",
            PrivilegeScreenChatMessage {
                common: common.clone(),
                user: user.clone(),
                content: "贵宾弹幕".into(),
            }
            .encode_to_vec(),
            Kind::ScreenChat,
        ),
    ];
    for (method, payload, kind) in cases {
        let msg = Message {
            method: method.into(),
            payload,
            msg_id: 3,
        };
        let ctx = FrameContext::default();
        let got = decode_message(&msg, &ctx).unwrap();
        assert_eq!(got, reference::decode_message(&msg, &ctx).unwrap());
        assert_eq!(
            (got.kind, got.room_id, got.ts),
            (kind, 7, 1_700_000_000_123)
        );
        assert!(got.content.as_deref().is_some_and(|c| !c.is_empty()));
        let named = kind == Kind::ScreenChat;
        assert_eq!(
            got.user_name.as_deref(),
            named.then_some("小明"),
            "{method}"
        );
    }
}

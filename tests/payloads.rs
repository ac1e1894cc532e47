//! Every real `Message.payload` in tests/fixtures/payloads decodes as its type.

use danmu_analyze::decode::{decode_message, FrameContext};
use danmu_analyze::event::{Event, Kind};
use danmu_analyze::proto::webcast::Message;

use crate::common::fixture;

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
    assert_eq!(ev.kind.method(), msg.method);
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

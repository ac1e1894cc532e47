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
}

#[test]
fn room_user_seq() {
    let e = decode("RoomUserSeqMessage");
    assert_eq!((e.online, e.total_viewers), (Some(216), Some(8341)));
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

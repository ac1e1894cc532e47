//! Every real frame in tests/fixtures/frames decodes to exactly the values tests/fixtures/README.md
//! lists for it.

use danmu_analyze::event::{Event, Kind, TimeSource};

use crate::common::{bin, decode_path, fixture, ndjson};

fn decode(name: &str) -> Vec<Event> {
    let d = decode_path(&fixture(&format!("frames/{name}")));
    assert_eq!(d.stats.error_count, 0, "{:?}", d.stats.errors);
    assert_eq!(d.stats.frames.get("msg"), Some(&1));
    assert_eq!(d.stats.frames_need_ack, 1);
    d.events
}

#[test]
fn chat_2022_seed() {
    let ev = decode("chat_2022_seed.bin");
    assert_eq!(ev.len(), 1);
    let c = &ev[0];
    assert_eq!(c.kind, Kind::Chat);
    assert_eq!(c.user_id, Some(726106111214807));
    assert_eq!(c.user_name.as_deref(), Some("渴死的鱼."));
    assert_eq!(c.content.as_deref(), Some("百分之10可以直播半小时"));
    assert_eq!(c.ts, 1672157081 * 1000);
    assert_eq!(c.time_source, TimeSource::EventTime);
    assert_eq!(c.room_id, 7181823408362015540);
    assert_eq!(c.msg_id, 7181859941539730490);
    // The honour badge says 荣誉等级14级 and the fans-club badge level 5.
    assert_eq!(c.user_level, Some(14));
    assert_eq!(c.fans_club_level, Some(5));
    assert_eq!(c.gender, Some(1));
}

#[test]
fn chat_like_member_2023b() {
    let ev = decode("chat_like_member_2023b.hex");
    let kinds: Vec<Kind> = ev.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [Kind::Chat, Kind::Like, Kind::Member]);
    let chat = &ev[0];
    assert_eq!(chat.content.as_deref(), Some("🇯🇵🇨🇳🇳🇿🇺🇸"));
    assert_eq!(chat.user_id, Some(1468574771980175));
    assert_eq!(chat.user_name.as_deref(), Some("小胖天天贱666"));
    let like = &ev[1];
    assert_eq!((like.like_count, like.like_total), (Some(9), Some(15935)));
    let member = &ev[2];
    assert_eq!(member.member_count, Some(1237));
    // Like and member carry no createTime: their time is the frame's Response.now.
    for e in &ev[1..] {
        assert_eq!(e.time_source, TimeSource::FrameNow);
        assert_eq!(e.ts, 1688090135132);
    }
}

#[test]
fn member_chat_2023a_anonymised() {
    let ev = decode("member_chat_2023a.hex");
    assert_eq!(ev.len(), 10);
    let members: Vec<&Event> = ev.iter().filter(|e| e.kind == Kind::Member).collect();
    assert_eq!(members.len(), 8);
    for m in &members {
        assert_eq!(m.user_id, Some(111111));
        assert!(
            m.user_name.as_deref().unwrap().ends_with("***"),
            "{:?}",
            m.user_name
        );
    }
    let chats: Vec<&Event> = ev.iter().filter(|e| e.kind == Kind::Chat).collect();
    assert_eq!(chats.len(), 1);
    assert_eq!(chats[0].content.as_deref(), Some("吃一晚上了"));
    let other: Vec<&Event> = ev.iter().filter(|e| e.kind == Kind::Other).collect();
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].method, "WebcastRanklistHourEntranceMessage");
}

#[test]
fn gift_2026() {
    let ev = decode("gift_2026.b64");
    assert_eq!(ev.len(), 4);
    let g = ev.iter().find(|e| e.kind == Kind::Gift).unwrap();
    assert_eq!(g.gift_id, Some(463));
    assert_eq!(g.gift_name.as_deref(), Some("小心心"));
    assert_eq!(g.gift_count, Some(1));
    assert_eq!(g.diamond_count, Some(1));
    assert_eq!(g.ts, 1776121373297);
    assert_eq!(g.time_source, TimeSource::CreateTime);
    let combo = g.combo.unwrap();
    assert_eq!(
        (combo.repeat_count, combo.group_count, combo.repeat_end),
        (1, 1, false)
    );
    let mut others: Vec<&str> = ev
        .iter()
        .filter(|e| e.kind == Kind::Other)
        .map(|e| e.method.as_ref())
        .collect();
    others.sort();
    assert_eq!(
        others,
        [
            "WebcastInRoomBannerMessage",
            "WebcastLinkerContributeMessage",
            "WebcastRanklistHourEntranceMessage"
        ]
    );
}

#[test]
fn member_2026() {
    let ev = decode("member_2026.b64");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].kind, Kind::Member);
    assert_eq!(ev[0].member_count, Some(48));
}

#[test]
fn binary_decodes_every_fixture_as_ndjson() {
    let out = bin()
        .arg("decode")
        .args(crate::common::REAL_FRAMES.map(|n| fixture(&format!("frames/{n}"))))
        .args(["--format", "ndjson"])
        .assert()
        .success();
    let rows = ndjson(&out.get_output().stdout);
    assert_eq!(rows.len(), 1 + 3 + 4 + 1 + 10);
    let seed = rows
        .iter()
        .find(|r| r["content"] == "百分之10可以直播半小时")
        .unwrap();
    assert_eq!(seed["user_id"], 726106111214807u64);
    assert_eq!(seed["ts"], "2022-12-28T00:04:41.000+08:00");
    assert_eq!(seed["ts_ms"], 1672157081000i64);
    assert_eq!(seed["room_id"], 7181823408362015540u64);
}

#[test]
fn binary_table_shows_times_in_the_asked_zone() {
    let out = bin()
        .args(["decode", "--tz", "UTC"])
        .arg(fixture("frames/chat_2022_seed.bin"))
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("2022-12-27 16:04:41"), "{text}");
    assert!(text.contains("渴死的鱼."), "{text}");
}

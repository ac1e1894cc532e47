//! The reference decoder: one `Message` → one [`Event`] through prost's owned structs, the way
//! the decoder worked before it read fields in place. Kept as the oracle the borrowing decoder
//! ([`super::view_message`]) is checked against, on real payloads, the simulator and the fuzz
//! targets; nothing in the product calls it.

use std::borrow::Cow;

use prost::Message as _;

use super::body::BattleMsg;
use super::FrameContext;
use crate::event::{ComboInfo, Event, Kind, TimeSource};
use crate::proto::webcast::{
    ChatMessage, Common, ControlMessage, EmojiChatMessage, FansclubMessage, GiftMessage,
    LikeMessage, LinkMicArmies, LinkMicBattle, LinkMicBattleFinish, LinkMicMethod, MemberMessage,
    Message, PrivilegeScreenChatMessage, RoomMessage, RoomRankMessage, RoomStatsMessage,
    RoomUserSeqMessage, ScreenChatMessage, SocialMessage, User,
};

/// Decodes one message. Unknown methods become [`Kind::Other`] events carrying their method name.
pub fn decode_message(msg: &Message, ctx: &FrameContext) -> Result<Event, prost::DecodeError> {
    let kind = Kind::from_method(&msg.method);
    let method = match kind.methods().iter().find(|m| **m == msg.method) {
        Some(m) => Cow::Borrowed(*m),
        None => Cow::Owned(msg.method.clone()),
    };
    let mut ev = Event::new(kind, method);
    let body = msg.payload.as_slice();
    let mut event_time_s = 0;
    let common = match kind {
        Kind::Chat => {
            let m = ChatMessage::decode(body)?;
            set_user(&mut ev, m.user.as_ref());
            ev.content = Some(m.content);
            ev.chat_by = Some(m.chat_by.min(u64::from(u32::MAX)) as u32);
            event_time_s = m.event_time;
            m.common
        }
        Kind::RoomNotice => {
            let m = RoomMessage::decode(body)?;
            ev.content = Some(m.content);
            m.common
        }
        Kind::ScreenChat if msg.method == "WebcastScreenChatMessage" => {
            let m = ScreenChatMessage::decode(body)?;
            set_user(&mut ev, m.user.as_ref());
            ev.content = Some(m.content);
            m.common
        }
        Kind::ScreenChat => {
            let m = PrivilegeScreenChatMessage::decode(body)?;
            set_user(&mut ev, m.user.as_ref());
            ev.content = Some(m.content);
            m.common
        }
        Kind::Battle => battle(&mut ev, BattleMsg::of(&msg.method), body)?,
        Kind::EmojiChat => {
            let m = EmojiChatMessage::decode(body)?;
            set_user(&mut ev, m.user.as_ref());
            ev.content = Some(m.default_content);
            m.common
        }
        Kind::Gift => {
            let m = GiftMessage::decode(body)?;
            set_user(&mut ev, m.user.as_ref());
            let gift = m.gift.unwrap_or_default();
            ev.gift_id = Some(if m.gift_id != 0 { m.gift_id } else { gift.id });
            ev.gift_name = Some(gift.name);
            // A lone gift carries repeat_count 0 on some payloads: it is still one send.
            let repeat = m.repeat_count.max(1);
            let group = m.group_count.max(1);
            let unit = u64::from(gift.diamond_count);
            let count = repeat.saturating_mul(group);
            ev.gift_count = Some(count);
            ev.diamond_count = Some(count.saturating_mul(unit));
            ev.combo = Some(ComboInfo {
                group_id: m.group_id,
                repeat_count: repeat,
                group_count: group,
                repeat_end: m.repeat_end != 0,
                unit_diamonds: unit,
            });
            m.common
        }
        Kind::Like => {
            let m = LikeMessage::decode(body)?;
            set_user(&mut ev, m.user.as_ref());
            ev.like_count = Some(m.count);
            ev.like_total = Some(m.total);
            m.common
        }
        Kind::Member => {
            let m = MemberMessage::decode(body)?;
            set_user(&mut ev, m.user.as_ref());
            ev.member_count = Some(m.member_count);
            ev.action = Some(m.action);
            m.common
        }
        Kind::Social => {
            let m = SocialMessage::decode(body)?;
            set_user(&mut ev, m.user.as_ref());
            ev.action = Some(m.action);
            ev.follow_count = Some(m.follow_count);
            m.common
        }
        Kind::Fansclub => {
            let m = FansclubMessage::decode(body)?;
            set_user(&mut ev, m.user.as_ref());
            ev.action = Some(u64::from(m.r#type));
            ev.content = Some(m.content);
            m.common
        }
        Kind::RoomUserSeq => {
            let m = RoomUserSeqMessage::decode(body)?;
            ev.online = Some(m.total);
            ev.total_viewers = Some(super::shown::larger(m.total_user, &m.total_user_str));
            ev.content = Some(m.total_user_str);
            m.common
        }
        Kind::RoomStats => {
            let m = RoomStatsMessage::decode(body)?;
            (ev.online, ev.total_viewers) =
                super::room_stats(m.display_value, m.total, &m.display_long);
            ev.content = Some(m.display_long);
            m.common
        }
        Kind::RoomRank => {
            let m = RoomRankMessage::decode(body)?;
            // The leader fills the user columns; the whole board goes to `content`.
            set_user(&mut ev, m.ranks.first().and_then(|r| r.user.as_ref()));
            let board: Vec<String> = m
                .ranks
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let name = r.user.as_ref().map(|u| u.nickname.as_str()).unwrap_or("");
                    format!("{}.{}", i + 1, name)
                })
                .collect();
            ev.content = Some(board.join(" "));
            m.common
        }
        Kind::Control => {
            let m = ControlMessage::decode(body)?;
            ev.control_status = Some(m.status);
            m.common
        }
        Kind::Other => common_of_unknown(body),
    };
    let common = common.unwrap_or_default();
    ev.msg_id = if msg.msg_id != 0 {
        msg.msg_id
    } else {
        common.msg_id
    };
    ev.room_id = if common.room_id != 0 {
        common.room_id
    } else {
        ctx.room_id
    };
    (ev.ts, ev.time_source) = if event_time_s != 0 {
        (secs_to_ms(event_time_s), TimeSource::EventTime)
    } else if common.create_time != 0 {
        (clamp_ms(common.create_time), TimeSource::CreateTime)
    } else if ctx.now_ms != 0 {
        (clamp_ms(ctx.now_ms), TimeSource::FrameNow)
    } else if ctx.received_at_ms != 0 {
        (clamp_ms(ctx.received_at_ms), TimeSource::Received)
    } else {
        (0, TimeSource::Unknown)
    };
    Ok(ev)
}

/// A battle message: its settings, battle id, the sides (anchor, score) in the order sent.
fn battle(
    ev: &mut Event,
    which: BattleMsg,
    body: &[u8],
) -> Result<Option<Common>, prost::DecodeError> {
    let (common, settings, battle_id, sides, action): (_, _, _, Vec<(u64, Option<u64>)>, _) =
        match which {
            BattleMsg::Start => {
                let m = LinkMicBattle::decode(body)?;
                let s = m.battle_settings.unwrap_or_default();
                let status = Some(s.battle_status);
                (m.common, s, 0, Vec::new(), status)
            }
            BattleMsg::Finish => {
                let m = LinkMicBattleFinish::decode(body)?;
                let s = m.battle_settings.unwrap_or_default();
                let status = Some(s.battle_status);
                let sides = m
                    .battle_scores
                    .iter()
                    .map(|b| (b.user_id, u64::try_from(b.score).ok()))
                    .collect();
                (m.common, s, 0, sides, status)
            }
            BattleMsg::LinkMic => {
                let m = LinkMicMethod::decode(body)?;
                let sides = m
                    .user_scores
                    .iter()
                    .map(|u| (u.user_id, Some(u.score)))
                    .collect();
                let action = Some(m.message_type);
                (m.common, Default::default(), m.battle_id, sides, action)
            }
            BattleMsg::Armies => {
                let m = LinkMicArmies::decode(body)?;
                let sides = m
                    .user_armies_map
                    .iter()
                    .map(|e| (e.key as u64, None))
                    .collect();
                (m.common, Default::default(), 0, sides, None)
            }
        };
    let id = if settings.battle_id != 0 {
        settings.battle_id
    } else {
        battle_id
    };
    ev.battle_id = (id != 0).then_some(id);
    (ev.battle_start_ms, ev.battle_end_ms) =
        super::battle_times(settings.start_time_ms, settings.duration);
    ev.action = action;
    let side = |i: usize| sides.get(i).copied();
    (ev.anchor1_id, ev.anchor1_score) = side(0).map_or((None, None), |(a, s)| (Some(a), s));
    (ev.anchor2_id, ev.anchor2_score) = side(1).map_or((None, None), |(a, s)| (Some(a), s));
    Ok(common)
}

fn secs_to_ms(s: u64) -> i64 {
    clamp_ms(s.saturating_mul(1000))
}

fn clamp_ms(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

fn set_user(ev: &mut Event, user: Option<&User>) {
    let Some(u) = user else { return };
    let id = if u.id != 0 {
        u.id
    } else {
        u.id_str.parse().unwrap_or(0)
    };
    ev.user_id = (id != 0).then_some(id);
    ev.user_name = Some(u.nickname.clone());
    ev.gender = Some(u.gender.min(255) as u8);
    ev.user_level = u
        .pay_grade
        .as_ref()
        .map(|p| p.level)
        .filter(|l| *l != 0)
        .or_else(|| badge_level(u, 1))
        .map(|l| l.min(u64::from(u32::MAX)) as u32);
    ev.fans_club_level = u
        .fans_club
        .as_ref()
        .and_then(|f| f.data.as_ref())
        .map(|d| u64::from(d.level))
        .filter(|l| *l != 0)
        .or_else(|| badge_level(u, 7))
        .map(|l| l.min(u64::from(u32::MAX)) as u32);
}

/// The level printed on a badge of `image_type` (1: honour level, 7: fans club).
fn badge_level(u: &User, image_type: u32) -> Option<u64> {
    u.badge_image_list
        .iter()
        .find(|b| b.image_type == image_type)
        .and_then(|b| b.content.as_ref())
        .map(|c| c.level)
        .filter(|l| *l != 0)
}

/// Any message's first field is its `Common`; reading just that lets unknown methods keep
/// their room and time. A payload that does not fit is no error: the method is merely unknown.
/// Only the three fields used are declared, as the in-place decoder reads only those: a
/// `Common` whose other fields prost would refuse (say a `method` that is not UTF-8) still
/// gives its room and time, on both paths alike.
fn common_of_unknown(body: &[u8]) -> Option<Common> {
    #[derive(Clone, PartialEq, prost::Message)]
    struct Head {
        #[prost(message, optional, tag = "1")]
        common: Option<CommonHead>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    struct CommonHead {
        #[prost(uint64, tag = "2")]
        msg_id: u64,
        #[prost(uint64, tag = "3")]
        room_id: u64,
        #[prost(uint64, tag = "4")]
        create_time: u64,
    }
    let c = Head::decode(body).ok()?.common?;
    Some(Common {
        msg_id: c.msg_id,
        room_id: c.room_id,
        create_time: c.create_time,
        ..Common::default()
    })
}

//! One `Message` → one typed event, by its `method`, read in place from the inflated `Response`
//! (see [`crate::wire`]): the event borrows its text from those bytes until a consumer copies
//! it (a column, or [`EventRef::to_event`]).

mod body;
pub mod reference;
pub mod shown;

use crate::event::{ComboInfo, EventRef, Kind, TimeSource};
use crate::proto::webcast::Message;
use crate::wire::{self, WireError};
use body::{BattleMsg, Body, UserView};

/// What the frame around a message knows.
#[derive(Debug, Clone, Copy, Default)]
pub struct FrameContext {
    /// `Response.now`, milliseconds; 0 when absent.
    pub now_ms: u64,
    /// Capture receive time, milliseconds; 0 when unknown.
    pub received_at_ms: u64,
    /// Room id of the capture record; 0 when unknown.
    pub room_id: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("{method} (msgId {msg_id}) is not decodable: {source}")]
pub struct MessageError {
    pub method: String,
    pub msg_id: u64,
    pub source: WireError,
}

/// A `Message` of a `Response`, borrowed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MessageView<'a> {
    pub method: &'a str,
    pub payload: &'a [u8],
    pub msg_id: u64,
}

/// The `Response` fields the decoder and the protocol use, borrowed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseView<'a> {
    pub messages: Vec<MessageView<'a>>,
    pub cursor: &'a str,
    /// Server time, ms; 0 when absent.
    pub now: u64,
    pub internal_ext: &'a str,
    pub heartbeat_duration: u64,
    pub need_ack: bool,
    /// Field 10 (`pushServer` in douyin.proto and TikTok's WebcastResponse alike).
    pub push_server: &'a str,
}

impl<'a> ResponseView<'a> {
    pub fn read(buf: &'a [u8]) -> Result<ResponseView<'a>, WireError> {
        let mut r = ResponseView::default();
        wire::each(buf, |n, v| {
            match n {
                1 => r.messages.push(MessageView::read(v.bytes(n)?)?),
                2 => r.cursor = v.str(n)?,
                4 => r.now = v.varint(n)?,
                5 => r.internal_ext = v.str(n)?,
                8 => r.heartbeat_duration = v.varint(n)?,
                9 => r.need_ack = v.varint(n)? != 0,
                10 => r.push_server = v.str(n)?,
                _ => {}
            }
            Ok(())
        })?;
        Ok(r)
    }
}

impl<'a> MessageView<'a> {
    pub fn read(buf: &'a [u8]) -> Result<MessageView<'a>, WireError> {
        let mut m = MessageView::default();
        wire::each(buf, |n, v| {
            match n {
                1 => m.method = v.str(n)?,
                2 => m.payload = v.bytes(n)?,
                3 => m.msg_id = v.varint(n)?,
                _ => {}
            }
            Ok(())
        })?;
        Ok(m)
    }
}

/// Decodes one message into an owned event. Unknown methods become [`Kind::Other`] events
/// carrying their method name.
pub fn decode_message(
    msg: &Message,
    ctx: &FrameContext,
) -> Result<crate::event::Event, MessageError> {
    let view = MessageView {
        method: &msg.method,
        payload: &msg.payload,
        msg_id: msg.msg_id,
    };
    view_message(&view, ctx, |ev| ev.to_event())
}

/// Decodes one message and hands the event, borrowed from the message's bytes, to `f`.
pub fn view_message<R>(
    msg: &MessageView<'_>,
    ctx: &FrameContext,
    f: impl FnOnce(&EventRef<'_>) -> R,
) -> Result<R, MessageError> {
    let kind = Kind::from_method(msg.method);
    let mut b = Body::default();
    if let Err(source) = body::read(kind, msg.method, msg.payload, &mut b) {
        if kind != Kind::Other {
            return Err(MessageError {
                method: msg.method.to_string(),
                msg_id: msg.msg_id,
                source,
            });
        }
        // An unknown method whose body does not start with a readable `Common`: no room or
        // time of its own, but no error (the method is merely unknown).
        b = Body::default();
    }
    // A known kind's own name for the method (the same text, but not borrowed from the frame).
    let method = kind
        .methods()
        .iter()
        .find(|m| **m == msg.method)
        .copied()
        .unwrap_or(msg.method);
    let board;
    let mut ev = EventRef::new(kind, method);
    match kind {
        Kind::Chat => {
            set_user(&mut ev, b.user.as_ref());
            ev.content = Some(b.text);
            ev.chat_by = Some(b.chat_by.min(u64::from(u32::MAX)) as u32);
        }
        Kind::ScreenChat => {
            set_user(&mut ev, b.user.as_ref());
            ev.content = Some(b.text);
        }
        Kind::RoomNotice => ev.content = Some(b.text),
        Kind::Battle => {
            let s = b.battle;
            ev.battle_id = Some(if s.battle_id != 0 {
                s.battle_id
            } else {
                b.battle_id
            })
            .filter(|id| *id != 0);
            (ev.battle_start_ms, ev.battle_end_ms) = battle_times(s.start_time_ms, s.duration);
            ev.action = match BattleMsg::of(msg.method) {
                BattleMsg::Start | BattleMsg::Finish => Some(s.status),
                BattleMsg::LinkMic => Some(b.action),
                BattleMsg::Armies => None,
            };
            let side = |i: usize| b.sides.get(i).copied();
            (ev.anchor1_id, ev.anchor1_score) = side(0).map_or((None, None), |(a, s)| (Some(a), s));
            (ev.anchor2_id, ev.anchor2_score) = side(1).map_or((None, None), |(a, s)| (Some(a), s));
        }
        Kind::EmojiChat | Kind::Fansclub => {
            set_user(&mut ev, b.user.as_ref());
            ev.content = Some(b.text);
            if kind == Kind::Fansclub {
                ev.action = Some(b.action);
            }
        }
        Kind::Gift => {
            set_user(&mut ev, b.user.as_ref());
            ev.gift_id = Some(if b.gift_id != 0 {
                b.gift_id
            } else {
                b.gift_struct_id
            });
            ev.gift_name = Some(b.gift_name);
            // A lone gift carries repeat_count 0 on some payloads: it is still one send.
            let repeat = b.repeat_count.max(1);
            let group = b.group_count.max(1);
            let unit = u64::from(b.unit_diamonds);
            let count = repeat.saturating_mul(group);
            ev.gift_count = Some(count);
            ev.diamond_count = Some(count.saturating_mul(unit));
            ev.combo = Some(ComboInfo {
                group_id: b.group_id,
                repeat_count: repeat,
                group_count: group,
                repeat_end: b.repeat_end != 0,
                unit_diamonds: unit,
            });
        }
        Kind::Like => {
            set_user(&mut ev, b.user.as_ref());
            ev.like_count = Some(b.count);
            ev.like_total = Some(b.total);
        }
        Kind::Member => {
            set_user(&mut ev, b.user.as_ref());
            ev.member_count = Some(b.count);
            ev.action = Some(b.action);
        }
        Kind::Social => {
            set_user(&mut ev, b.user.as_ref());
            ev.action = Some(b.action);
            ev.follow_count = Some(b.follow_count);
        }
        Kind::RoomUserSeq => {
            ev.online = Some(b.count);
            ev.total_viewers = Some(shown::larger(b.total, b.text));
            ev.content = Some(b.text);
        }
        Kind::RoomStats => {
            let (online, total) = room_stats(b.total, b.count, b.text);
            ev.online = online;
            ev.total_viewers = total;
            ev.content = Some(b.text);
        }
        Kind::RoomRank => {
            // The leader fills the user columns; the whole board goes to `content`.
            set_user(&mut ev, b.ranks.first().and_then(Option::as_ref));
            board = rank_board(&b.ranks);
            ev.content = Some(&board);
        }
        Kind::Control => ev.control_status = Some(b.count),
        Kind::Other => {}
    }
    let common = b.common;
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
    (ev.ts, ev.time_source) = if b.event_time != 0 {
        (secs_to_ms(b.event_time), TimeSource::EventTime)
    } else if common.create_time != 0 {
        (clamp_ms(common.create_time), TimeSource::CreateTime)
    } else if ctx.now_ms != 0 {
        (clamp_ms(ctx.now_ms), TimeSource::FrameNow)
    } else if ctx.received_at_ms != 0 {
        (clamp_ms(ctx.received_at_ms), TimeSource::Received)
    } else {
        (0, TimeSource::Unknown)
    };
    Ok(f(&ev))
}

/// A room-stats message's (online, total viewers) from its `display_value`, `total` and
/// `display_long`. The display shows either viewers online (`160在线观众`: the real payload in
/// tests/fixtures has display_value = total = 160, display_type 1) or, in some rooms, viewers
/// since the live started (`1.2万人看过`, seen 2025-09 in saermart/DouyinLiveWebFetcher issue
/// #133); the text says which. Field numbers: RoomStatsMessage in
/// saermart/DouyinLiveWebFetcher protobuf/proto/bizIm/webcast/im.proto (display_long 4,
/// display_value 5, total 9, display_type 10).
fn room_stats(display_value: u64, total: u64, display_long: &str) -> (Option<u64>, Option<u64>) {
    if shown::is_cumulative(display_long) {
        // What `total` counts beside a cumulative display is unknown: it is not taken as online.
        return (None, Some(shown::larger(display_value, display_long)));
    }
    let online = [display_value, total]
        .into_iter()
        .find(|n| *n != 0)
        .or_else(|| shown::parse(display_long).map(|(s, _)| s.value))
        .unwrap_or(0);
    (Some(online), None)
}

/// `1.name 2.name …`, the room-rank board as one text.
fn rank_board(ranks: &[Option<UserView<'_>>]) -> String {
    let mut board = String::new();
    for (i, r) in ranks.iter().enumerate() {
        if i > 0 {
            board.push(' ');
        }
        let name = r.as_ref().map_or("", |u| u.nickname);
        board.push_str(&format!("{}.{name}", i + 1));
    }
    board
}

/// A battle's start and scheduled end (start + duration in seconds), UTC ms; none without a
/// start.
pub(crate) fn battle_times(start_ms: u64, duration_s: u64) -> (Option<u64>, Option<u64>) {
    if start_ms == 0 {
        return (None, None);
    }
    let end = (duration_s != 0).then(|| start_ms.saturating_add(duration_s.saturating_mul(1000)));
    (Some(start_ms), end)
}

fn secs_to_ms(s: u64) -> i64 {
    clamp_ms(s.saturating_mul(1000))
}

fn clamp_ms(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

fn set_user<'a>(ev: &mut EventRef<'a>, user: Option<&UserView<'a>>) {
    let Some(u) = user else { return };
    let id = if u.id != 0 {
        u.id
    } else {
        u.id_str.parse().unwrap_or(0)
    };
    let level = |own: u64, badge: Option<u64>| {
        Some(own)
            .filter(|l| *l != 0)
            .or(badge.filter(|l| *l != 0))
            .map(|l| l.min(u64::from(u32::MAX)) as u32)
    };
    ev.user_id = (id != 0).then_some(id);
    ev.user_name = Some(u.nickname);
    ev.gender = Some(u.gender.min(255) as u8);
    ev.user_level = level(u.pay_level, u.badge1);
    ev.fans_club_level = level(u64::from(u.fans_level), u.badge7);
}

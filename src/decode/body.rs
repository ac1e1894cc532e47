//! The fields of a message body the event table needs, read in place (field numbers are
//! `proto/webcast.proto`'s).

use crate::event::Kind;
use crate::wire::{each, Result};

#[derive(Debug, Default, Clone, Copy)]
pub struct CommonView {
    pub msg_id: u64,
    pub room_id: u64,
    pub create_time: u64,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct UserView<'a> {
    pub id: u64,
    pub id_str: &'a str,
    pub nickname: &'a str,
    pub gender: u32,
    /// `pay_grade.level`; 0 when absent.
    pub pay_level: u64,
    /// `fans_club.data.level`; 0 when absent.
    pub fans_level: u32,
    /// The level on the first honour-level (image type 1) and fans-club (7) badge, if any.
    pub badge1: Option<u64>,
    pub badge7: Option<u64>,
}

/// Which battle message a [`Kind::Battle`] body is: the kind has four layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BattleMsg {
    /// `LinkMicBattle`: the battle's settings, at its start.
    Start,
    /// `LinkMicBattleFinish`: settings and final scores.
    Finish,
    /// `LinkMicMethod`: link-mic events, score updates among them.
    LinkMic,
    /// `LinkMicArmies`: each anchor's top contributors.
    Armies,
}

impl BattleMsg {
    pub fn of(method: &str) -> BattleMsg {
        let m = method.strip_prefix("Webcast").unwrap_or(method);
        match m {
            "LinkMicBattleMethod" => BattleMsg::Start,
            "LinkMicBattleFinishMethod" => BattleMsg::Finish,
            "LinkMicArmiesMethod" => BattleMsg::Armies,
            _ => BattleMsg::LinkMic,
        }
    }
}

/// A battle's `BattleSettings`.
#[derive(Debug, Default, Clone, Copy)]
pub struct BattleView {
    pub battle_id: u64,
    pub start_time_ms: u64,
    /// Seconds.
    pub duration: u64,
    pub status: u64,
}

/// Every field any kind reads; each kind fills its own.
#[derive(Debug, Default)]
pub struct Body<'a> {
    pub common: CommonView,
    pub user: Option<UserView<'a>>,
    /// Chat `content`, emoji chat `default_content`, fans-club `content`, room stats
    /// `display_long`, room-user-seq `total_user_str`.
    pub text: &'a str,
    pub event_time: u64,
    pub gift_id: u64,
    pub group_count: u64,
    pub repeat_count: u64,
    pub repeat_end: u32,
    pub group_id: u64,
    pub gift_struct_id: u64,
    pub unit_diamonds: u32,
    pub gift_name: &'a str,
    /// Like `count`, member `member_count`, room-user-seq and room-stats `total`, control
    /// `status`.
    pub count: u64,
    /// Like `total`, room-user-seq `total_user`, room-stats `display_value`.
    pub total: u64,
    /// Member and social `action`, fans-club `type`.
    pub action: u64,
    pub follow_count: u64,
    /// Room rank: each entry's user.
    pub ranks: Vec<Option<UserView<'a>>>,
    /// Chat `chat_by`: how the chat was sent (9: a lucky-bag passphrase).
    pub chat_by: u64,
    /// Battle start and finish: `battle_settings`.
    pub battle: BattleView,
    /// Link-mic `battle_id` (field 104), where sent.
    pub battle_id: u64,
    /// Battle sides in wire order: anchor id and score (none on armies).
    pub sides: Vec<(u64, Option<u64>)>,
}

/// Reads `buf` as the body of a `kind` message sent as `method` into `b`.
pub fn read<'a>(kind: Kind, method: &str, buf: &'a [u8], b: &mut Body<'a>) -> Result<()> {
    use Kind::*;
    if kind == Battle {
        return battle(BattleMsg::of(method), buf, b);
    }
    // Screen chat has two layouts: `ScreenChatMessage` puts its text at 4, the privilege one
    // at 3 (jwwsjlm/douyinlive-proto protobuf/new_douyin.proto; the 4 also in Douyin's
    // livesdk `ScreenChatMessage` adapter, tag = 4).
    let screen_text = match method {
        "WebcastScreenChatMessage" => 4,
        _ => 3,
    };
    each(buf, |n, v| {
        match (kind, n) {
            (_, 1) => common(v.bytes(n)?, &mut b.common)?,
            (Chat | EmojiChat | Member | Social | ScreenChat, 2)
            | (Gift, 7)
            | (Like, 5)
            | (Fansclub, 4) => user(v.bytes(n)?, b.user.get_or_insert_with(UserView::default))?,
            (Chat, 3)
            | (EmojiChat, 5)
            | (Fansclub, 3)
            | (RoomStats, 4)
            | (RoomUserSeq, 8)
            | (RoomNotice, 2) => b.text = v.str(n)?,
            (ScreenChat, n) if n == screen_text => b.text = v.str(n)?,
            (Chat, 15) => b.event_time = v.varint(n)?,
            (Chat, 20) => b.chat_by = v.varint(n)?,
            (Gift, 2) => b.gift_id = v.varint(n)?,
            (Gift, 4) => b.group_count = v.varint(n)?,
            (Gift, 5) => b.repeat_count = v.varint(n)?,
            (Gift, 9) => b.repeat_end = v.u32(n)?,
            (Gift, 11) => b.group_id = v.varint(n)?,
            (Gift, 15) => gift(v.bytes(n)?, b)?,
            (Like, 2) | (Member, 3) | (RoomUserSeq, 3) | (RoomStats, 9) | (Control, 2) => {
                b.count = v.varint(n)?
            }
            (Like, 3) | (RoomUserSeq, 7) | (RoomStats, 5) => b.total = v.varint(n)?,
            (Member, 10) | (Social, 4) => b.action = v.varint(n)?,
            (Fansclub, 2) => b.action = u64::from(v.u32(n)?),
            (Social, 6) => b.follow_count = v.varint(n)?,
            (RoomRank, 2) => {
                let mut entry = None;
                each(v.bytes(n)?, |n, v| match n {
                    1 => user(v.bytes(n)?, entry.get_or_insert_with(UserView::default)),
                    _ => Ok(()),
                })?;
                b.ranks.push(entry);
            }
            _ => {}
        }
        Ok(())
    })
}

/// A battle message's body. Field numbers agree in jwwsjlm/douyinlive-proto
/// protobuf/new_douyin.proto (`LinkMicBattle`, `LinkMicBattleFinish`, `LinkMicMethod`,
/// `LinkMicArmies`, `BattleSettings`, `BattleScore`) and cv-cat/DouYin_Spider static/PK.proto,
/// and fit the payloads of cv-cat/DouYin_Spider tests/test_live_pk_ws.py.
fn battle(which: BattleMsg, buf: &[u8], b: &mut Body<'_>) -> Result<()> {
    each(buf, |n, v| {
        match (which, n) {
            (_, 1) => common(v.bytes(n)?, &mut b.common)?,
            (BattleMsg::Start | BattleMsg::Finish, 2) => settings(v.bytes(n)?, &mut b.battle)?,
            (BattleMsg::Finish, 4) => {
                // BattleScore: score is an int32 (a negative one is no score).
                let (mut id, mut score) = (0, 0);
                each(v.bytes(n)?, |n, v| {
                    match n {
                        1 => score = v.varint(n)?,
                        2 => id = v.varint(n)?,
                        _ => {}
                    }
                    Ok(())
                })?;
                b.sides.push((id, u64::try_from(score as i32).ok()));
            }
            (BattleMsg::LinkMic, 2) => b.action = v.varint(n)?,
            (BattleMsg::LinkMic, 17) => {
                // UserScores: score and the anchor it belongs to.
                let (mut id, mut score) = (0, 0);
                each(v.bytes(n)?, |n, v| {
                    match n {
                        1 => score = v.varint(n)?,
                        2 => id = v.varint(n)?,
                        _ => {}
                    }
                    Ok(())
                })?;
                b.sides.push((id, Some(score)));
            }
            (BattleMsg::LinkMic, 104) => b.battle_id = v.varint(n)?,
            (BattleMsg::Armies, 2) => {
                // A map<int64, UserArmies> entry: the key is the anchor.
                let mut id = 0;
                each(v.bytes(n)?, |n, v| {
                    if n == 1 {
                        id = v.varint(n)?;
                    }
                    Ok(())
                })?;
                b.sides.push((id, None));
            }
            _ => {}
        }
        Ok(())
    })
}

fn settings(buf: &[u8], s: &mut BattleView) -> Result<()> {
    each(buf, |n, v| {
        match n {
            2 => s.battle_id = v.varint(n)?,
            3 => s.start_time_ms = v.varint(n)?,
            4 => s.duration = v.varint(n)?,
            40 => s.status = v.varint(n)?,
            _ => {}
        }
        Ok(())
    })
}

fn common(buf: &[u8], c: &mut CommonView) -> Result<()> {
    each(buf, |n, v| {
        match n {
            2 => c.msg_id = v.varint(n)?,
            3 => c.room_id = v.varint(n)?,
            4 => c.create_time = v.varint(n)?,
            _ => {}
        }
        Ok(())
    })
}

fn gift<'a>(buf: &'a [u8], b: &mut Body<'a>) -> Result<()> {
    each(buf, |n, v| {
        match n {
            5 => b.gift_struct_id = v.varint(n)?,
            12 => b.unit_diamonds = v.u32(n)?,
            16 => b.gift_name = v.str(n)?,
            _ => {}
        }
        Ok(())
    })
}

fn user<'a>(buf: &'a [u8], u: &mut UserView<'a>) -> Result<()> {
    each(buf, |n, v| {
        match n {
            1 => u.id = v.varint(n)?,
            3 => u.nickname = v.str(n)?,
            4 => u.gender = v.u32(n)?,
            21 => {
                let (image_type, level) = badge(v.bytes(n)?)?;
                let first = match image_type {
                    1 => &mut u.badge1,
                    7 => &mut u.badge7,
                    _ => return Ok(()),
                };
                first.get_or_insert(level);
            }
            23 => each(v.bytes(n)?, |n, v| {
                if n == 6 {
                    u.pay_level = v.varint(n)?;
                }
                Ok(())
            })?,
            24 => each(v.bytes(n)?, |n, v| match n {
                1 => each(v.bytes(n)?, |n, v| {
                    if n == 2 {
                        u.fans_level = v.u32(n)?;
                    }
                    Ok(())
                }),
                _ => Ok(()),
            })?,
            1028 => u.id_str = v.str(n)?,
            _ => {}
        }
        Ok(())
    })
}

/// A badge `Image`: its type and the level its content shows (0 without content).
fn badge(buf: &[u8]) -> Result<(u32, u64)> {
    let (mut image_type, mut level) = (0, 0);
    each(buf, |n, v| {
        match n {
            6 => image_type = v.u32(n)?,
            8 => each(v.bytes(n)?, |n, v| {
                if n == 3 {
                    level = v.varint(n)?;
                }
                Ok(())
            })?,
            _ => {}
        }
        Ok(())
    })?;
    Ok((image_type, level))
}

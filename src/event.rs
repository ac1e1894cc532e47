//! The event: one decoded message, one row of the event table.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// What an event is. The names are the `kind` column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Chat,
    EmojiChat,
    Gift,
    Like,
    Member,
    Social,
    Fansclub,
    RoomUserSeq,
    RoomStats,
    RoomRank,
    Control,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::Chat,
        Kind::EmojiChat,
        Kind::Gift,
        Kind::Like,
        Kind::Member,
        Kind::Social,
        Kind::Fansclub,
        Kind::RoomUserSeq,
        Kind::RoomStats,
        Kind::RoomRank,
        Kind::Control,
        Kind::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Chat => "chat",
            Kind::EmojiChat => "emoji_chat",
            Kind::Gift => "gift",
            Kind::Like => "like",
            Kind::Member => "member",
            Kind::Social => "social",
            Kind::Fansclub => "fansclub",
            Kind::RoomUserSeq => "room_user_seq",
            Kind::RoomStats => "room_stats",
            Kind::RoomRank => "room_rank",
            Kind::Control => "control",
            Kind::Other => "other",
        }
    }

    /// The push `method` that carries this kind (`Other` has none of its own).
    pub fn method(self) -> &'static str {
        match self {
            Kind::Chat => "WebcastChatMessage",
            Kind::EmojiChat => "WebcastEmojiChatMessage",
            Kind::Gift => "WebcastGiftMessage",
            Kind::Like => "WebcastLikeMessage",
            Kind::Member => "WebcastMemberMessage",
            Kind::Social => "WebcastSocialMessage",
            Kind::Fansclub => "WebcastFansclubMessage",
            Kind::RoomUserSeq => "WebcastRoomUserSeqMessage",
            Kind::RoomStats => "WebcastRoomStatsMessage",
            Kind::RoomRank => "WebcastRoomRankMessage",
            Kind::Control => "WebcastControlMessage",
            Kind::Other => "",
        }
    }

    pub fn from_method(method: &str) -> Kind {
        Kind::ALL
            .into_iter()
            .find(|k| *k != Kind::Other && k.method() == method)
            .unwrap_or(Kind::Other)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Kind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown kind `{s}`; expected one of: {}", names.join(", "))
            })
    }
}

/// Where an event's timestamp came from, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSource {
    /// `ChatMessage.eventTime` (seconds).
    EventTime,
    /// `Common.createTime` (milliseconds).
    CreateTime,
    /// `Response.now` of the frame (milliseconds).
    FrameNow,
    /// The capture's receive time.
    Received,
    /// No time at all (a bare frame without `Response.now`): 0.
    Unknown,
}

/// Combo bookkeeping of a gift update; not a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ComboInfo {
    pub group_id: u64,
    pub repeat_count: u64,
    pub group_count: u64,
    pub repeat_end: bool,
    /// Diamonds of one gift.
    pub unit_diamonds: u64,
}

/// One decoded message. Fields that do not apply to a kind are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// UTC milliseconds since the Unix epoch.
    pub ts: i64,
    pub time_source: TimeSource,
    pub room_id: u64,
    pub msg_id: u64,
    pub kind: Kind,
    pub method: Cow<'static, str>,
    pub user_id: Option<u64>,
    pub user_name: Option<String>,
    pub user_level: Option<u32>,
    pub fans_club_level: Option<u32>,
    pub gender: Option<u8>,
    pub content: Option<String>,
    pub gift_id: Option<u64>,
    pub gift_name: Option<String>,
    pub gift_count: Option<u64>,
    pub diamond_count: Option<u64>,
    pub like_count: Option<u64>,
    pub like_total: Option<u64>,
    pub member_count: Option<u64>,
    pub follow_count: Option<u64>,
    pub action: Option<u64>,
    pub online: Option<u64>,
    pub total_viewers: Option<u64>,
    pub control_status: Option<u64>,
    pub combo: Option<ComboInfo>,
}

impl Event {
    pub fn new(kind: Kind, method: Cow<'static, str>) -> Event {
        Event {
            ts: 0,
            time_source: TimeSource::Unknown,
            room_id: 0,
            msg_id: 0,
            kind,
            method,
            user_id: None,
            user_name: None,
            user_level: None,
            fans_club_level: None,
            gender: None,
            content: None,
            gift_id: None,
            gift_name: None,
            gift_count: None,
            diamond_count: None,
            like_count: None,
            like_total: None,
            member_count: None,
            follow_count: None,
            action: None,
            online: None,
            total_viewers: None,
            control_status: None,
            combo: None,
        }
    }
}

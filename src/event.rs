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
    /// A PK battle between linked anchors: its start, end, score updates and contributors.
    Battle,
    /// A room notice (`RoomMessage`): system text shown in the chat area.
    RoomNotice,
    /// Chat shown across the screen (`ScreenChatMessage`, `PrivilegeScreenChatMessage`).
    ScreenChat,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 15] = [
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
        Kind::Battle,
        Kind::RoomNotice,
        Kind::ScreenChat,
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
            Kind::Battle => "battle",
            Kind::RoomNotice => "room_notice",
            Kind::ScreenChat => "screen_chat",
            Kind::Other => "other",
        }
    }

    /// The push `method` that carries this kind, the first of [`Kind::methods`] (`Other` has
    /// none of its own).
    pub fn method(self) -> &'static str {
        self.methods().first().copied().unwrap_or("")
    }

    /// Every push `method` that carries this kind. Douyin sends the battle messages under two
    /// names each, with and without the `Webcast` prefix (both seen in one capture:
    /// DouyinLiveWebFetcher-style method tallies and cv-cat/DouYin_Spider's dy_live/pk.py).
    /// TikTok's `WebcastLinkMicBattle`/`WebcastLinkMicArmies` are not among them: their bodies
    /// are laid out differently (TikTok's field 2 is a varint battle id, Douyin's a settings
    /// message), so reading them as Douyin's would be wrong.
    pub fn methods(self) -> &'static [&'static str] {
        match self {
            Kind::Chat => &["WebcastChatMessage"],
            Kind::EmojiChat => &["WebcastEmojiChatMessage"],
            Kind::Gift => &["WebcastGiftMessage"],
            Kind::Like => &["WebcastLikeMessage"],
            Kind::Member => &["WebcastMemberMessage"],
            Kind::Social => &["WebcastSocialMessage"],
            Kind::Fansclub => &["WebcastFansclubMessage"],
            Kind::RoomUserSeq => &["WebcastRoomUserSeqMessage"],
            Kind::RoomStats => &["WebcastRoomStatsMessage"],
            Kind::RoomRank => &["WebcastRoomRankMessage"],
            Kind::Control => &["WebcastControlMessage"],
            Kind::Battle => &[
                "WebcastLinkMicBattleMethod",
                "LinkMicBattleMethod",
                "WebcastLinkMicBattleFinishMethod",
                "LinkMicBattleFinishMethod",
                "WebcastLinkMicMethod",
                "LinkMicMethod",
                "WebcastLinkMicArmiesMethod",
                "LinkMicArmiesMethod",
            ],
            Kind::RoomNotice => &["WebcastRoomMessage"],
            Kind::ScreenChat => &[
                "WebcastScreenChatMessage",
                "WebcastPrivilegeScreenChatMessage",
            ],
            Kind::Other => &[],
        }
    }

    pub fn from_method(method: &str) -> Kind {
        Kind::ALL
            .into_iter()
            .find(|k| k.methods().contains(&method))
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

/// `ChatMessage.chat_by` of a chat sent by the lucky-bag (福袋) button: the bag's passphrase,
/// typed by the platform for every viewer who joins the draw. Public clients agree on 9: a
/// Douyin live userscript's danmu filter (`chat_by === "9"`: 来自福袋一键发送, 福袋口令) and a
/// DouyinLiveWebFetcher-based collector (`msg.chat_by == 9`: 福袋口令). 0 (or absent) is typed
/// chat.
pub const CHAT_BY_LUCKY_BAG: u32 = 9;

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

/// One decoded message, owning its text. Fields that do not apply to a kind are `None`.
pub type Event = EventOf<String, Cow<'static, str>>;

/// An event borrowed from the bytes it was decoded from (or from an [`Event`]): what the decoder
/// hands its consumers, so a column can take the text without a `String` per message.
pub type EventRef<'a> = EventOf<&'a str>;

/// One decoded message: `T` is its text, `M` its method name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventOf<T, M = T> {
    /// UTC milliseconds since the Unix epoch.
    pub ts: i64,
    pub time_source: TimeSource,
    pub room_id: u64,
    pub msg_id: u64,
    pub kind: Kind,
    pub method: M,
    pub user_id: Option<u64>,
    pub user_name: Option<T>,
    pub user_level: Option<u32>,
    pub fans_club_level: Option<u32>,
    pub gender: Option<u8>,
    pub content: Option<T>,
    pub gift_id: Option<u64>,
    pub gift_name: Option<T>,
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
    pub chat_by: Option<u32>,
    pub battle_id: Option<u64>,
    pub battle_start_ms: Option<u64>,
    pub battle_end_ms: Option<u64>,
    pub anchor1_id: Option<u64>,
    pub anchor1_score: Option<u64>,
    pub anchor2_id: Option<u64>,
    pub anchor2_score: Option<u64>,
    pub combo: Option<ComboInfo>,
}

impl<T, M> EventOf<T, M> {
    pub fn new(kind: Kind, method: M) -> EventOf<T, M> {
        EventOf {
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
            chat_by: None,
            battle_id: None,
            battle_start_ms: None,
            battle_end_ms: None,
            anchor1_id: None,
            anchor1_score: None,
            anchor2_id: None,
            anchor2_score: None,
            combo: None,
        }
    }

    /// The same event with its text and method converted.
    fn convert<'s, U, N>(
        &'s self,
        text: impl Fn(&'s T) -> U,
        method: impl FnOnce(&'s M) -> N,
    ) -> EventOf<U, N> {
        EventOf {
            ts: self.ts,
            time_source: self.time_source,
            room_id: self.room_id,
            msg_id: self.msg_id,
            kind: self.kind,
            method: method(&self.method),
            user_id: self.user_id,
            user_name: self.user_name.as_ref().map(&text),
            user_level: self.user_level,
            fans_club_level: self.fans_club_level,
            gender: self.gender,
            content: self.content.as_ref().map(&text),
            gift_id: self.gift_id,
            gift_name: self.gift_name.as_ref().map(&text),
            gift_count: self.gift_count,
            diamond_count: self.diamond_count,
            like_count: self.like_count,
            like_total: self.like_total,
            member_count: self.member_count,
            follow_count: self.follow_count,
            action: self.action,
            online: self.online,
            total_viewers: self.total_viewers,
            control_status: self.control_status,
            chat_by: self.chat_by,
            battle_id: self.battle_id,
            battle_start_ms: self.battle_start_ms,
            battle_end_ms: self.battle_end_ms,
            anchor1_id: self.anchor1_id,
            anchor1_score: self.anchor1_score,
            anchor2_id: self.anchor2_id,
            anchor2_score: self.anchor2_score,
            combo: self.combo,
        }
    }
}

impl Event {
    /// The event as a borrowed view.
    pub fn view(&self) -> EventRef<'_> {
        self.convert(|s| s.as_str(), |m| m.as_ref())
    }
}

impl EventRef<'_> {
    /// The owned event (a known kind's method name is not copied).
    pub fn to_event(&self) -> Event {
        let known = self.kind.methods();
        self.convert(
            |s| s.to_string(),
            |&m| match known.iter().find(|k| **k == m) {
                Some(k) => Cow::Borrowed(*k),
                None => Cow::Owned(m.to_string()),
            },
        )
    }
}

//! The event table's columns, defined once in [`TABLE`]: name, type, SQL type, the kinds each
//! applies to, the names other tools give it, and what it means. The polars schema
//! (`table::schema`), `t_danmu.sql` (`db::schema`), `load`'s rows, the MySQL and foreign-file
//! mappings and README.md's event-table section are all derived from it (tests check the last).

use crate::event::{Event, EventRef, Kind};

/// Columns of the event table, in table order. `Column::X as usize` indexes [`TABLE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Ts,
    RoomId,
    MsgId,
    Kind,
    Method,
    UserId,
    UserName,
    UserLevel,
    FansClubLevel,
    Gender,
    Content,
    GiftId,
    GiftName,
    GiftCount,
    DiamondCount,
    LikeCount,
    LikeTotal,
    MemberCount,
    FollowCount,
    Action,
    Online,
    TotalViewers,
    ControlStatus,
    ChatBy,
    BattleId,
    BattleStartMs,
    BattleEndMs,
    Anchor1Id,
    Anchor1Score,
    Anchor2Id,
    Anchor2Score,
}

/// What a column's values are, for people and writers (README's `type`; CSV writes ids as text
/// cells because Excel would round them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// UTC milliseconds, shown as a time.
    Time,
    /// A 64-bit identifier: written as text where a consumer would round it.
    Id,
    Count,
    Text,
}

impl ColumnType {
    /// The name README.md's event table uses.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Time => "time",
            ColumnType::Id => "id",
            ColumnType::Count => "count",
            ColumnType::Text => "text",
        }
    }
}

/// How a column is stored in the polars table (`table::schema::dtype` maps each to a polars
/// `DataType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// `Datetime(Milliseconds, UTC)`.
    TimeMs,
    UInt64,
    /// Levels, codes and small enumerations.
    UInt32,
    String,
}

/// One value of one row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Null,
    Time(i64),
    Id(u64),
    Count(u64),
    Text(&'a str),
}

/// One column of the event table.
#[derive(Debug, Clone, Copy)]
pub struct ColumnDef {
    pub column: Column,
    pub name: &'static str,
    pub ty: ColumnType,
    pub dtype: Dtype,
    /// Its type in `t_danmu` (for `ts`: the exact `ts_ms` column). NOT NULL when it applies to
    /// every kind.
    pub sql: &'static str,
    /// `t_danmu.sql`'s COMMENT, if any.
    pub sql_comment: &'static str,
    /// The kinds it means something for (per-kind export files have only these columns).
    pub kinds: &'static [Kind],
    /// Names other tools' tables give it, best first, compared ignoring case (`--mysql-query`,
    /// foreign CSV/Parquet). The first is always [`ColumnDef::name`].
    pub aliases: &'static [&'static str],
    /// README.md's `meaning`.
    pub doc: &'static str,
}

const ALL_KINDS: &[Kind] = &Kind::ALL;
/// Kinds about a user's action (not the room's state).
const USER_KINDS: &[Kind] = &[
    Kind::Chat,
    Kind::EmojiChat,
    Kind::Gift,
    Kind::Like,
    Kind::Member,
    Kind::Social,
    Kind::Fansclub,
    Kind::RoomRank,
    Kind::ScreenChat,
];

/// Names other tools give the exact UTC-milliseconds time; preferred over any `ts` alias.
pub const TS_MS_ALIASES: &[&str] = &["ts_ms", "time_ms", "timestamp_ms"];

/// The event table, in column order.
pub static TABLE: [ColumnDef; 31] = [
    ColumnDef {
        column: Column::Ts,
        name: "ts",
        ty: ColumnType::Time,
        dtype: Dtype::TimeMs,
        sql: "BIGINT",
        sql_comment: "UTC milliseconds since the Unix epoch",
        kinds: ALL_KINDS,
        aliases: &[
            "ts",
            "timestamp",
            "create_time",
            "created_at",
            "time",
            "event_time",
            "send_time",
            "datetime",
        ],
        doc: "when it happened, UTC milliseconds: chat `eventTime` (s), else `Common.createTime` (ms), else the frame's `Response.now`, else the capture's receive time. CSV: local time in `--tz` plus `ts_ms`; NDJSON: ISO-8601 with offset plus `ts_ms`; Parquet: `Datetime(ms, tz)`",
    },
    ColumnDef {
        column: Column::RoomId,
        name: "room_id",
        ty: ColumnType::Id,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: ALL_KINDS,
        aliases: &["room_id", "roomid", "room"],
        doc: "the live room (`Common.roomId`, else the capture record's)",
    },
    ColumnDef {
        column: Column::MsgId,
        name: "msg_id",
        ty: ColumnType::Id,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: ALL_KINDS,
        aliases: &["msg_id", "msgid", "message_id", "id"],
        doc: "the message id; (room_id, msg_id) is unique",
    },
    ColumnDef {
        column: Column::Kind,
        name: "kind",
        ty: ColumnType::Text,
        dtype: Dtype::String,
        sql: "VARCHAR(16)",
        sql_comment: "chat, emoji_chat, gift, like, member, social, fansclub, room_user_seq, room_stats, room_rank, control, battle, room_notice, screen_chat, other",
        kinds: ALL_KINDS,
        aliases: &["kind", "type", "msg_type"],
        doc: "`chat`, `emoji_chat`, `gift`, `like`, `member`, `social`, `fansclub`, `room_user_seq`, `room_stats`, `room_rank`, `control`, `battle`, `room_notice`, `screen_chat`, `other`",
    },
    ColumnDef {
        column: Column::Method,
        name: "method",
        ty: ColumnType::Text,
        dtype: Dtype::String,
        sql: "VARCHAR(255)",
        sql_comment: "push method, e.g. WebcastChatMessage",
        kinds: ALL_KINDS,
        aliases: &["method"],
        doc: "the push method, e.g. `WebcastChatMessage`; for `other`, the unknown method's name; for `battle`, which battle message (`…LinkMicBattleMethod` start, `…LinkMicBattleFinishMethod` end, `…LinkMicMethod` link-mic events and score updates, `…LinkMicArmiesMethod` contributors; each with and without the `Webcast` prefix)",
    },
    ColumnDef {
        column: Column::UserId,
        name: "user_id",
        ty: ColumnType::Id,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: USER_KINDS,
        aliases: &["user_id", "uid", "userid"],
        doc: "the user who acted (room_rank: the leader)",
    },
    ColumnDef {
        column: Column::UserName,
        name: "user_name",
        ty: ColumnType::Text,
        dtype: Dtype::String,
        sql: "VARCHAR(255)",
        sql_comment: "",
        kinds: USER_KINDS,
        aliases: &[
            "user_name",
            "nickname",
            "nick_name",
            "username",
            "name",
            "uname",
        ],
        doc: "nickname as shown (may be masked, e.g. `丽***`, on anonymised frames)",
    },
    ColumnDef {
        column: Column::UserLevel,
        name: "user_level",
        ty: ColumnType::Count,
        dtype: Dtype::UInt32,
        sql: "INT UNSIGNED",
        sql_comment: "",
        kinds: USER_KINDS,
        aliases: &["user_level", "level", "pay_grade"],
        doc: "honour (spending) level, `User.payGrade.level` or the level badge",
    },
    ColumnDef {
        column: Column::FansClubLevel,
        name: "fans_club_level",
        ty: ColumnType::Count,
        dtype: Dtype::UInt32,
        sql: "INT UNSIGNED",
        sql_comment: "",
        kinds: USER_KINDS,
        aliases: &["fans_club_level", "fansclub_level", "fans_level"],
        doc: "the user's fans-club level in this room",
    },
    ColumnDef {
        column: Column::Gender,
        name: "gender",
        ty: ColumnType::Count,
        dtype: Dtype::UInt32,
        sql: "TINYINT UNSIGNED",
        sql_comment: "",
        kinds: USER_KINDS,
        aliases: &["gender", "sex"],
        doc: "1 male, 2 female, 0 unknown",
    },
    ColumnDef {
        column: Column::Content,
        name: "content",
        ty: ColumnType::Text,
        dtype: Dtype::String,
        sql: "TEXT",
        sql_comment: "",
        kinds: &[
            Kind::Chat,
            Kind::EmojiChat,
            Kind::Fansclub,
            Kind::RoomUserSeq,
            Kind::RoomStats,
            Kind::RoomRank,
            Kind::RoomNotice,
            Kind::ScreenChat,
        ],
        aliases: &["content", "text", "msg", "message", "comment", "danmu"],
        doc: "chat text; emoji_chat default text; fansclub text; room_user_seq viewers since the start as shown (`totalUserStr`: `8341`, `3.2万`, `10万+`); room_stats display text (`160在线观众`, `1.2万人看过`); room_rank the board (`1.name 2.name …`); room_notice the notice; screen_chat its text",
    },
    ColumnDef {
        column: Column::GiftId,
        name: "gift_id",
        ty: ColumnType::Id,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: &[Kind::Gift],
        aliases: &["gift_id", "giftid"],
        doc: "gift id",
    },
    ColumnDef {
        column: Column::GiftName,
        name: "gift_name",
        ty: ColumnType::Text,
        dtype: Dtype::String,
        sql: "VARCHAR(255)",
        sql_comment: "",
        kinds: &[Kind::Gift],
        aliases: &["gift_name", "gift"],
        doc: "gift name, e.g. 小心心",
    },
    ColumnDef {
        column: Column::GiftCount,
        name: "gift_count",
        ty: ColumnType::Count,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "a resolved combo: final repeatCount x groupCount",
        kinds: &[Kind::Gift],
        aliases: &["gift_count", "repeat_count", "combo_count"],
        doc: "gifts in the combo: final `repeatCount` × `groupCount`",
    },
    ColumnDef {
        column: Column::DiamondCount,
        name: "diamond_count",
        ty: ColumnType::Count,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: &[Kind::Gift],
        aliases: &["diamond_count", "diamonds"],
        doc: "diamonds the combo is worth: `gift_count` × the gift's diamond price",
    },
    ColumnDef {
        column: Column::LikeCount,
        name: "like_count",
        ty: ColumnType::Count,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: &[Kind::Like],
        aliases: &["like_count"],
        doc: "likes in this like message",
    },
    ColumnDef {
        column: Column::LikeTotal,
        name: "like_total",
        ty: ColumnType::Count,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: &[Kind::Like],
        aliases: &["like_total", "total_like"],
        doc: "the room's like total after it",
    },
    ColumnDef {
        column: Column::MemberCount,
        name: "member_count",
        ty: ColumnType::Count,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: &[Kind::Member],
        aliases: &["member_count"],
        doc: "viewers online when the user joined",
    },
    ColumnDef {
        column: Column::FollowCount,
        name: "follow_count",
        ty: ColumnType::Count,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: &[Kind::Social],
        aliases: &["follow_count", "follower_count"],
        doc: "the anchor's follower count after a follow",
    },
    ColumnDef {
        column: Column::Action,
        name: "action",
        ty: ColumnType::Count,
        dtype: Dtype::UInt32,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: &[Kind::Member, Kind::Social, Kind::Fansclub, Kind::Battle],
        aliases: &["action"],
        doc: "member: 1 joined; social: 1 follow, 3 share; fansclub: the message type (1 level up, 2 joined); battle: on start and end the battle's status (1 on, 2 finished), on link-mic the message type (202 a score update)",
    },
    ColumnDef {
        column: Column::Online,
        name: "online",
        ty: ColumnType::Count,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: &[Kind::RoomUserSeq, Kind::RoomStats],
        aliases: &["online", "online_count"],
        doc: "viewers online now (room_user_seq; room_stats that show viewers online)",
    },
    ColumnDef {
        column: Column::TotalViewers,
        name: "total_viewers",
        ty: ColumnType::Count,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: &[Kind::RoomUserSeq, Kind::RoomStats],
        aliases: &["total_viewers", "total_user"],
        doc: "viewers since the live started (room_user_seq; room_stats that show `N人看过`): the number sent, or the text count where that is larger; a lower bound where `content` ends the count with `+` (`10万+`) and gives this value",
    },
    ColumnDef {
        column: Column::ControlStatus,
        name: "control_status",
        ty: ColumnType::Count,
        dtype: Dtype::UInt32,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: &[Kind::Control],
        aliases: &["control_status"],
        doc: "control: 3 means the live ended",
    },
    ColumnDef {
        column: Column::ChatBy,
        name: "chat_by",
        ty: ColumnType::Count,
        dtype: Dtype::UInt32,
        sql: "INT UNSIGNED",
        sql_comment: "9: a lucky-bag passphrase",
        kinds: &[Kind::Chat],
        aliases: &["chat_by", "chatby"],
        doc: "how the chat was sent (`ChatMessage.chat_by`): 0 typed, 9 a lucky-bag (福袋) passphrase sent by the bag's button; `words` and `report` leave those out unless `--passphrases`",
    },
    ColumnDef {
        column: Column::BattleId,
        name: "battle_id",
        ty: ColumnType::Id,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: &[Kind::Battle],
        aliases: &["battle_id"],
        doc: "the PK battle (start and end: `battle_settings.battle_id`; link-mic score updates: `battle_id`; contributor lists carry none)",
    },
    ColumnDef {
        column: Column::BattleStartMs,
        name: "battle_start_ms",
        ty: ColumnType::Count,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "UTC milliseconds",
        kinds: &[Kind::Battle],
        aliases: &["battle_start_ms"],
        doc: "when the battle started, UTC milliseconds (start and end messages)",
    },
    ColumnDef {
        column: Column::BattleEndMs,
        name: "battle_end_ms",
        ty: ColumnType::Count,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "UTC milliseconds: start + duration",
        kinds: &[Kind::Battle],
        aliases: &["battle_end_ms"],
        doc: "when the battle is due to end, UTC milliseconds: start + duration (a battle cut short ends at its end message's `ts`)",
    },
    ColumnDef {
        column: Column::Anchor1Id,
        name: "anchor1_id",
        ty: ColumnType::Id,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: &[Kind::Battle],
        aliases: &["anchor1_id"],
        doc: "the first side's anchor as sent (score messages: the leader)",
    },
    ColumnDef {
        column: Column::Anchor1Score,
        name: "anchor1_score",
        ty: ColumnType::Count,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: &[Kind::Battle],
        aliases: &["anchor1_score"],
        doc: "the first side's score, where sent (score updates and the end)",
    },
    ColumnDef {
        column: Column::Anchor2Id,
        name: "anchor2_id",
        ty: ColumnType::Id,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: &[Kind::Battle],
        aliases: &["anchor2_id"],
        doc: "the second side's anchor",
    },
    ColumnDef {
        column: Column::Anchor2Score,
        name: "anchor2_score",
        ty: ColumnType::Count,
        dtype: Dtype::UInt64,
        sql: "BIGINT UNSIGNED",
        sql_comment: "",
        kinds: &[Kind::Battle],
        aliases: &["anchor2_score"],
        doc: "the second side's score, where sent",
    },
];

impl Column {
    pub const ALL: [Column; 31] = [
        Column::Ts,
        Column::RoomId,
        Column::MsgId,
        Column::Kind,
        Column::Method,
        Column::UserId,
        Column::UserName,
        Column::UserLevel,
        Column::FansClubLevel,
        Column::Gender,
        Column::Content,
        Column::GiftId,
        Column::GiftName,
        Column::GiftCount,
        Column::DiamondCount,
        Column::LikeCount,
        Column::LikeTotal,
        Column::MemberCount,
        Column::FollowCount,
        Column::Action,
        Column::Online,
        Column::TotalViewers,
        Column::ControlStatus,
        Column::ChatBy,
        Column::BattleId,
        Column::BattleStartMs,
        Column::BattleEndMs,
        Column::Anchor1Id,
        Column::Anchor1Score,
        Column::Anchor2Id,
        Column::Anchor2Score,
    ];

    /// Its row of [`TABLE`].
    pub const fn def(self) -> &'static ColumnDef {
        &TABLE[self as usize]
    }

    pub const fn name(self) -> &'static str {
        self.def().name
    }

    pub const fn ty(self) -> ColumnType {
        self.def().ty
    }

    pub const fn dtype(self) -> Dtype {
        self.def().dtype
    }

    /// The column of that exact name.
    pub fn from_name(name: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether it means something for every kind (then it is never null, NOT NULL in SQL).
    pub fn always(self) -> bool {
        self.def().kinds.len() == Kind::ALL.len()
    }

    pub fn cell<'a>(self, ev: &EventRef<'a>) -> Cell<'a> {
        let text = |v: Option<&'a str>| v.map_or(Cell::Null, Cell::Text);
        let count = |v: Option<u64>| v.map_or(Cell::Null, Cell::Count);
        let id = |v: Option<u64>| v.map_or(Cell::Null, Cell::Id);
        match self {
            Column::Ts => Cell::Time(ev.ts),
            Column::RoomId => Cell::Id(ev.room_id),
            Column::MsgId => Cell::Id(ev.msg_id),
            Column::Kind => Cell::Text(ev.kind.name()),
            Column::Method => Cell::Text(ev.method),
            Column::UserId => id(ev.user_id),
            Column::UserName => text(ev.user_name),
            Column::UserLevel => count(ev.user_level.map(u64::from)),
            Column::FansClubLevel => count(ev.fans_club_level.map(u64::from)),
            Column::Gender => count(ev.gender.map(u64::from)),
            Column::Content => text(ev.content),
            Column::GiftId => id(ev.gift_id),
            Column::GiftName => text(ev.gift_name),
            Column::GiftCount => count(ev.gift_count),
            Column::DiamondCount => count(ev.diamond_count),
            Column::LikeCount => count(ev.like_count),
            Column::LikeTotal => count(ev.like_total),
            Column::MemberCount => count(ev.member_count),
            Column::FollowCount => count(ev.follow_count),
            Column::Action => count(ev.action),
            Column::Online => count(ev.online),
            Column::TotalViewers => count(ev.total_viewers),
            Column::ControlStatus => count(ev.control_status),
            Column::ChatBy => count(ev.chat_by.map(u64::from)),
            Column::BattleId => id(ev.battle_id),
            Column::BattleStartMs => count(ev.battle_start_ms),
            Column::BattleEndMs => count(ev.battle_end_ms),
            Column::Anchor1Id => id(ev.anchor1_id),
            Column::Anchor1Score => count(ev.anchor1_score),
            Column::Anchor2Id => id(ev.anchor2_id),
            Column::Anchor2Score => count(ev.anchor2_score),
        }
    }

    /// Sets an id or count column of `ev` (the inverse of [`Column::cell`]); false when the
    /// value does not fit the field, or the column is not a number.
    pub fn set_number(self, ev: &mut Event, n: Option<u64>) -> bool {
        fn small<T: TryFrom<u64>>(n: Option<u64>, field: &mut Option<T>) -> bool {
            match n.map(T::try_from).transpose() {
                Ok(v) => {
                    *field = v;
                    true
                }
                Err(_) => false,
            }
        }
        match self {
            Column::RoomId => ev.room_id = n.unwrap_or(0),
            Column::MsgId => ev.msg_id = n.unwrap_or(0),
            Column::UserId => ev.user_id = n,
            Column::UserLevel => return small(n, &mut ev.user_level),
            Column::FansClubLevel => return small(n, &mut ev.fans_club_level),
            Column::Gender => return small(n, &mut ev.gender),
            Column::GiftId => ev.gift_id = n,
            Column::GiftCount => ev.gift_count = n,
            Column::DiamondCount => ev.diamond_count = n,
            Column::LikeCount => ev.like_count = n,
            Column::LikeTotal => ev.like_total = n,
            Column::MemberCount => ev.member_count = n,
            Column::FollowCount => ev.follow_count = n,
            Column::Action => ev.action = n,
            Column::Online => ev.online = n,
            Column::TotalViewers => ev.total_viewers = n,
            Column::ControlStatus => ev.control_status = n,
            Column::ChatBy => return small(n, &mut ev.chat_by),
            Column::BattleId => ev.battle_id = n,
            Column::BattleStartMs => ev.battle_start_ms = n,
            Column::BattleEndMs => ev.battle_end_ms = n,
            Column::Anchor1Id => ev.anchor1_id = n,
            Column::Anchor1Score => ev.anchor1_score = n,
            Column::Anchor2Id => ev.anchor2_id = n,
            Column::Anchor2Score => ev.anchor2_score = n,
            Column::Ts
            | Column::Kind
            | Column::Method
            | Column::UserName
            | Column::Content
            | Column::GiftName => return false,
        }
        true
    }

    /// Sets a free-text column of `ev` (user_name, content, gift_name); false for any other.
    pub fn set_text(self, ev: &mut Event, s: Option<String>) -> bool {
        match self {
            Column::UserName => ev.user_name = s,
            Column::Content => ev.content = s,
            Column::GiftName => ev.gift_name = s,
            _ => return false,
        }
        true
    }

    /// The columns that mean something for one kind (for per-kind export files), in table order.
    pub fn for_kind(kind: Kind) -> Vec<Column> {
        Column::ALL
            .into_iter()
            .filter(|c| c.def().kinds.contains(&kind))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_are_in_column_order() {
        for (i, c) in Column::ALL.into_iter().enumerate() {
            assert_eq!(TABLE[i].column, c);
            assert_eq!(c as usize, i);
            assert_eq!(c.def().aliases[0], c.name(), "the first alias is the name");
            assert_eq!(Column::from_name(c.name()), Some(c));
        }
    }

    #[test]
    fn no_alias_names_two_columns() {
        let mut seen: Vec<&str> = TS_MS_ALIASES.to_vec();
        for c in Column::ALL {
            for a in c.def().aliases {
                assert!(!seen.contains(a), "alias {a} twice");
                seen.push(a);
            }
        }
    }

    #[test]
    fn every_kind_has_its_base_columns() {
        for k in Kind::ALL {
            let cols = Column::for_kind(k);
            assert_eq!(
                cols[..5],
                [
                    Column::Ts,
                    Column::RoomId,
                    Column::MsgId,
                    Column::Kind,
                    Column::Method
                ]
            );
        }
        assert_eq!(Column::for_kind(Kind::Other).len(), 5);
        assert!(Column::for_kind(Kind::Gift).contains(&Column::DiamondCount));
    }

    #[test]
    fn set_number_is_the_inverse_of_cell() {
        let mut ev = Event::new(Kind::Gift, Kind::Gift.method().into());
        for (i, c) in Column::ALL.into_iter().enumerate() {
            if matches!(c.ty(), ColumnType::Id | ColumnType::Count) {
                assert!(c.set_number(&mut ev, Some(i as u64)), "{c:?}");
                assert!(
                    matches!(c.cell(&ev.view()), Cell::Id(v) | Cell::Count(v) if v == i as u64)
                );
            }
        }
        assert!(!Column::Gender.set_number(&mut ev, Some(256)));
        assert!(!Column::Content.set_number(&mut ev, Some(1)));
        assert!(Column::Content.set_text(&mut ev, Some("hi".into())));
        assert_eq!(Column::Content.cell(&ev.view()), Cell::Text("hi"));
    }
}

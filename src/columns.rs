//! The event table's columns: names, types, and each event's value in each.

use crate::event::{Event, Kind};

/// Columns of the event table, in table order. `README.md` documents each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

/// How a column's values are typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// UTC milliseconds, shown as a time.
    Time,
    /// A 64-bit identifier: written as text where a consumer would round it.
    Id,
    Count,
    Text,
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

const USER: [Column; 5] = [
    Column::UserId,
    Column::UserName,
    Column::UserLevel,
    Column::FansClubLevel,
    Column::Gender,
];

impl Column {
    pub const ALL: [Column; 23] = [
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
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Ts => "ts",
            Column::RoomId => "room_id",
            Column::MsgId => "msg_id",
            Column::Kind => "kind",
            Column::Method => "method",
            Column::UserId => "user_id",
            Column::UserName => "user_name",
            Column::UserLevel => "user_level",
            Column::FansClubLevel => "fans_club_level",
            Column::Gender => "gender",
            Column::Content => "content",
            Column::GiftId => "gift_id",
            Column::GiftName => "gift_name",
            Column::GiftCount => "gift_count",
            Column::DiamondCount => "diamond_count",
            Column::LikeCount => "like_count",
            Column::LikeTotal => "like_total",
            Column::MemberCount => "member_count",
            Column::FollowCount => "follow_count",
            Column::Action => "action",
            Column::Online => "online",
            Column::TotalViewers => "total_viewers",
            Column::ControlStatus => "control_status",
        }
    }

    pub fn ty(self) -> ColumnType {
        match self {
            Column::Ts => ColumnType::Time,
            Column::RoomId | Column::MsgId | Column::UserId | Column::GiftId => ColumnType::Id,
            Column::Kind
            | Column::Method
            | Column::UserName
            | Column::Content
            | Column::GiftName => ColumnType::Text,
            _ => ColumnType::Count,
        }
    }

    pub fn cell(self, ev: &Event) -> Cell<'_> {
        fn text(v: &Option<String>) -> Cell<'_> {
            v.as_deref().map_or(Cell::Null, Cell::Text)
        }
        let count = |v: Option<u64>| v.map_or(Cell::Null, Cell::Count);
        let id = |v: Option<u64>| v.map_or(Cell::Null, Cell::Id);
        match self {
            Column::Ts => Cell::Time(ev.ts),
            Column::RoomId => Cell::Id(ev.room_id),
            Column::MsgId => Cell::Id(ev.msg_id),
            Column::Kind => Cell::Text(ev.kind.name()),
            Column::Method => Cell::Text(&ev.method),
            Column::UserId => id(ev.user_id),
            Column::UserName => text(&ev.user_name),
            Column::UserLevel => count(ev.user_level.map(u64::from)),
            Column::FansClubLevel => count(ev.fans_club_level.map(u64::from)),
            Column::Gender => count(ev.gender.map(u64::from)),
            Column::Content => text(&ev.content),
            Column::GiftId => id(ev.gift_id),
            Column::GiftName => text(&ev.gift_name),
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
        }
    }

    /// The columns that mean something for one kind (for per-kind export files).
    pub fn for_kind(kind: Kind) -> Vec<Column> {
        let mut cols = vec![
            Column::Ts,
            Column::RoomId,
            Column::MsgId,
            Column::Kind,
            Column::Method,
        ];
        let has_user = !matches!(
            kind,
            Kind::RoomUserSeq | Kind::RoomStats | Kind::Control | Kind::Other
        );
        if has_user {
            cols.extend(USER);
        }
        cols.extend(match kind {
            Kind::Chat | Kind::EmojiChat | Kind::RoomRank => &[Column::Content][..],
            Kind::Gift => &[
                Column::GiftId,
                Column::GiftName,
                Column::GiftCount,
                Column::DiamondCount,
            ],
            Kind::Like => &[Column::LikeCount, Column::LikeTotal],
            Kind::Member => &[Column::MemberCount, Column::Action],
            Kind::Social => &[Column::Action, Column::FollowCount],
            Kind::Fansclub => &[Column::Action, Column::Content],
            Kind::RoomUserSeq => &[Column::Online, Column::TotalViewers],
            Kind::RoomStats => &[Column::Online, Column::Content],
            Kind::Control => &[Column::ControlStatus],
            Kind::Other => &[],
        });
        cols
    }
}

//! The audience funnel: how many came, and of them how many entered, interacted, chatted,
//! liked, followed, joined the fans club and gifted. Distinct users per step are one group-by
//! over the event table; the viewers it is measured against come from what the room sent.
//!
//! Viewers are the room's count of viewers since the live began (`total_viewers`, at its
//! highest; past 10,000 a room may send only text such as `10万+`, a lower bound), never less
//! than the highest online count nor than the users seen acting: a room that sends no count
//! is measured against those, and says so. Douyin sends member (entry) messages for only a
//! share of entrants in a big room, so `entered` and `interacted` are both shares of viewers,
//! and the steps after `interacted` are shares of it: no rate exceeds 100 %.

use polars::prelude::*;
use serde::Serialize;

use super::expr::{c, is_kind, keyed_by_name, name_without_id, ts_ms, Engine, Events, Run};
use super::newcomers::Newcomers;
use super::viewers;
use crate::columns::Column as Col;
use crate::decode::shown;
use crate::event::Kind;

/// Columns of the per-group frame ([`funnel_by`]) and of the steps table ([`Funnel::steps`]).
pub mod cols {
    pub const VIEWERS: &str = "viewers";
    pub const VIEWERS_SOURCE: &str = "viewers_source";
    pub const VIEWERS_LOWER_BOUND: &str = "viewers_lower_bound";
    pub const ENTERED: &str = "entered";
    pub const INTERACTED: &str = "interacted";
    pub const CHATTED: &str = "chatted";
    pub const LIKED: &str = "liked";
    pub const FOLLOWED: &str = "followed";
    pub const JOINED_FANS_CLUB: &str = "joined_fans_club";
    pub const GIFTED: &str = "gifted";
    /// Users seen doing any step (entering included).
    pub const SEEN: &str = "users_seen";

    pub const STEP: &str = "step";
    pub const COUNT: &str = "count";
    /// The count over viewers (0–1).
    pub const OF_VIEWERS: &str = "of_viewers";
    /// The step the count is a share of.
    pub const BASE: &str = "base";
    pub const OF_BASE: &str = "of_base";
}
use cols::*;

/// The steps after viewers, each with the step it is a share of: entering and interacting
/// are not nested (entry messages come for only some entrants), the rest are kinds of
/// interaction.
pub const STEPS: [(&str, &str); 7] = [
    (ENTERED, VIEWERS),
    (INTERACTED, VIEWERS),
    (CHATTED, INTERACTED),
    (LIKED, INTERACTED),
    (FOLLOWED, INTERACTED),
    (JOINED_FANS_CLUB, INTERACTED),
    (GIFTED, INTERACTED),
];

/// The fans-club light sign (粉丝团灯牌): sending it buys the membership.
pub const FANS_CLUB_LIGHT_ID: u64 = 685;
pub const FANS_CLUB_LIGHT_NAME: &str = "粉丝团灯牌";
/// `FansclubMessage.type` of a join.
pub const FANS_CLUB_JOINED: u64 = 2;

/// What the viewers are: `total_viewers` (the room's count since the live began),
/// `online_max` (no such count, or a lower one: the highest online count), `users_seen`
/// (neither: the distinct users seen entering or acting).
pub const SOURCES: [&str; 3] = ["total_viewers", "online_max", "users_seen"];

/// The funnel of one group (the whole table, a room, a session).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Funnel {
    pub viewers: u64,
    /// One of [`SOURCES`]; over several rooms or sessions, those used, joined by `+`.
    pub viewers_source: String,
    /// The viewers are at least this many, not exactly (a `10万+`, an online count, the users
    /// seen).
    pub viewers_lower_bound: bool,
    pub entered: u64,
    pub interacted: u64,
    pub chatted: u64,
    pub liked: u64,
    pub followed: u64,
    pub joined_fans_club: u64,
    pub gifted: u64,
    /// Distinct users who did any step (entering included): viewers are never fewer.
    pub users_seen: u64,
}

impl Funnel {
    /// The count of a step (a [`cols`] name).
    pub fn count(&self, step: &str) -> u64 {
        match step {
            VIEWERS => self.viewers,
            ENTERED => self.entered,
            INTERACTED => self.interacted,
            CHATTED => self.chatted,
            LIKED => self.liked,
            FOLLOWED => self.followed,
            JOINED_FANS_CLUB => self.joined_fans_club,
            GIFTED => self.gifted,
            _ => 0,
        }
    }

    /// funnel.csv: one row per step: `step`, `count`, `of_viewers`, `base` (the step it is a
    /// share of), `of_base`; shares 0–1, empty where the base is 0.
    pub fn steps(&self) -> PolarsResult<DataFrame> {
        let rows: Vec<(&str, Option<&str>)> = std::iter::once((VIEWERS, None))
            .chain(STEPS.iter().map(|(s, b)| (*s, Some(*b))))
            .collect();
        let share = |n: u64, of: u64| (of > 0).then(|| n as f64 / of as f64);
        df!(
            STEP => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            COUNT => rows.iter().map(|r| self.count(r.0)).collect::<Vec<_>>(),
            OF_VIEWERS => rows.iter().map(|r| share(self.count(r.0), self.viewers)).collect::<Vec<_>>(),
            BASE => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            OF_BASE => rows
                .iter()
                .map(|r| r.1.and_then(|b| share(self.count(r.0), self.count(b))))
                .collect::<Vec<_>>(),
        )
    }
}

impl Funnel {
    /// This funnel (of all the events) with its viewers summed over the sessions of `sessions`
    /// (a sessions table: see [`super::sessions::Split::table`]), each live counting its own;
    /// at least the users seen. The users are this funnel's: distinct over all the events.
    pub fn over_sessions(&self, sessions: &DataFrame) -> PolarsResult<Funnel> {
        let mut f = self.clone();
        (f.viewers, f.viewers_source, f.viewers_lower_bound) = summed(sessions, self.users_seen)?;
        Ok(f)
    }
}

/// The viewers of groups (rows with `viewers`, `viewers_source`, `viewers_lower_bound`: rooms,
/// sessions) together: their sum, the sources used joined by `+`, whether any is a lower
/// bound; the users `seen` where they are more.
fn summed(groups: &DataFrame, seen: u64) -> PolarsResult<(u64, String, bool)> {
    let viewers: u64 = groups
        .column(VIEWERS)?
        .u64()?
        .iter()
        .map(|v| v.unwrap_or(0))
        .sum();
    let sources = groups.column(VIEWERS_SOURCE)?.str()?;
    let used: Vec<&str> = SOURCES
        .into_iter()
        .filter(|src| sources.iter().any(|v| v == Some(*src)))
        .collect();
    let lower = groups
        .column(VIEWERS_LOWER_BOUND)?
        .bool()?
        .iter()
        .any(|b| b == Some(true));
    Ok(match viewers >= seen && !used.is_empty() {
        true => (viewers, used.join("+"), lower),
        false => (seen, SOURCES[2].to_string(), true),
    })
}

/// Rows of `kind` with `action`.
fn acted(kind: Kind, action: u64) -> Expr {
    is_kind(kind)
        .and(c(Col::Action).eq(lit(action)))
        .fill_null(lit(false))
}

/// (step, whether a row is it): the steps a user is counted in, and the interactions that
/// count only towards `interacted`.
fn step_flags() -> Vec<(&'static str, Expr)> {
    let light = c(Col::GiftId)
        .eq(lit(FANS_CLUB_LIGHT_ID))
        .or(c(Col::GiftName).eq(lit(FANS_CLUB_LIGHT_NAME)))
        .fill_null(lit(false));
    vec![
        (ENTERED, is_kind(Kind::Member)),
        (CHATTED, is_kind(Kind::Chat)),
        ("_emoji", is_kind(Kind::EmojiChat)),
        (LIKED, is_kind(Kind::Like)),
        (FOLLOWED, acted(Kind::Social, 1)),
        ("_shared", acted(Kind::Social, 3)),
        (GIFTED, is_kind(Kind::Gift)),
        (
            JOINED_FANS_CLUB,
            acted(Kind::Fansclub, FANS_CLUB_JOINED).or(is_kind(Kind::Gift).and(light)),
        ),
    ]
}

const INTERACTIONS: [&str; 7] = [
    CHATTED,
    "_emoji",
    LIKED,
    FOLLOWED,
    "_shared",
    GIFTED,
    JOINED_FANS_CLUB,
];

/// One row per user and group of `keys` (columns of `events`): the keys, the user's keys
/// (`user_id`, and `_name` where the table has no ids), a flag per step (did it), `_first` (the
/// first time they did any, UTC ms) and `_entered`, `_chat`, `_follow`, `_gift` (the first time
/// of each) when `times`. One pass over the events: the funnel and the newcomers both read it.
pub(crate) fn per_user(events: &LazyFrame, keys: &[Expr], by_name: bool, times: bool) -> LazyFrame {
    let flags = step_flags();
    let any = flags
        .iter()
        .map(|f| f.1.clone())
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false));
    let mut user = keys.to_vec();
    user.push(c(Col::UserId));
    let mut present = c(Col::UserId).is_not_null();
    let mut rows = events.clone().filter(any);
    if by_name {
        rows = rows.with_column(name_without_id().alias("_name"));
        present = present.or(col("_name").neq(lit("")).fill_null(lit(false)));
        user.push(col("_name"));
    }
    let mut select = user.clone();
    select.push(ts_ms().alias("_ts"));
    select.extend(flags.iter().map(|(n, e)| e.clone().alias(*n)));
    // Each step's time as a column of its own before grouping: plain minima aggregate on
    // polars' fast path, an expression inside the aggregation does not.
    let firsts = [
        (ENTERED, "_entered"),
        (CHATTED, "_chat"),
        (FOLLOWED, "_follow"),
        (GIFTED, "_gift"),
    ];
    let timed = firsts.map(|(flag, name)| {
        when(col(flag))
            .then(col("_ts"))
            .otherwise(lit(NULL).cast(DataType::Int64))
            .alias(name)
    });
    let mut aggs: Vec<Expr> = flags.iter().map(|(n, _)| col(*n).max()).collect();
    let rows = rows.filter(present).select(select);
    if !times {
        // The funnel alone: a user's flags, nothing more per group (a dataset's sessions hold
        // millions of them).
        return rows.group_by(user).agg(aggs);
    }
    aggs.push(col("_ts").min().alias("_first"));
    aggs.extend(firsts.map(|(_, name)| col(name).min()));
    rows.with_columns(timed).group_by(user).agg(aggs)
}

/// [`per_user`] collected on polars' streaming engine, whatever the table: it holds a row per
/// user, never the rows of every event with the steps' columns (77 MB at 1.2 M events).
fn per_user_of(
    e: &Events,
    keys: &[Expr],
    names: &[&str],
    by_name: bool,
    times: bool,
) -> PolarsResult<DataFrame> {
    room_by_room(e, names, |lf| {
        per_user(&lf, keys, by_name, times).run(Engine::Streaming)
    })
}

/// `query` over `e`, one room at a time when the table is scanned (a dataset: its parts are
/// per room, so each pass reads one room's files) and holds several rooms, and grouped by
/// room or session (`names`; a session is of one room): the same rows, but the group-by
/// holds one room's (session, user) groups at a time instead of all of them.
fn room_by_room(
    e: &Events,
    names: &[&str],
    query: impl Fn(LazyFrame) -> PolarsResult<DataFrame>,
) -> PolarsResult<DataFrame> {
    let per_room = names
        .iter()
        .any(|n| *n == Col::RoomId.name() || *n == "_sid");
    if e.engine != Engine::Streaming || !per_room {
        return query(e.lazy.clone());
    }
    let rooms = e
        .lazy
        .clone()
        .select([c(Col::RoomId)])
        .unique(None, UniqueKeepStrategy::Any)
        .run(Engine::Streaming)?;
    if rooms.height() <= 1 {
        return query(e.lazy.clone());
    }
    let mut parts = Vec::with_capacity(rooms.height());
    for room in rooms.column(Col::RoomId.name())?.u64()?.iter() {
        let this = match room {
            Some(r) => c(Col::RoomId).eq(lit(r).cast(DataType::UInt64)),
            None => c(Col::RoomId).is_null(),
        };
        parts.push(query(e.lazy.clone().filter(this))?.lazy());
        crate::alloc::trim();
    }
    concat(parts, UnionArgs::default())?.collect()
}

/// Distinct users per step and group of `keys`, from [`per_user`]'s rows: the keys, then
/// `users_seen` and each step but viewers (UInt64).
fn users_of(per_user: LazyFrame, keys: &[Expr]) -> LazyFrame {
    let interacted = INTERACTIONS
        .iter()
        .map(|n| col(*n))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false));
    let mut aggs = vec![len().cast(DataType::UInt64).alias(SEEN)];
    aggs.push(interacted.sum().cast(DataType::UInt64).alias(INTERACTED));
    aggs.extend(
        step_flags()
            .iter()
            .filter(|(n, _)| !n.starts_with('_'))
            .map(|(n, _)| col(*n).sum().cast(DataType::UInt64).alias(*n)),
    );
    per_user.group_by(keys).agg(aggs)
}

/// [`per_user`]'s rows merged over groups: one per user, a step done in any group counts.
fn across_groups(per_user: LazyFrame, by_name: bool) -> LazyFrame {
    let mut user = vec![c(Col::UserId)];
    if by_name {
        user.push(col("_name"));
    }
    let flags: Vec<Expr> = step_flags().iter().map(|(n, _)| col(*n).max()).collect();
    per_user
        .group_by(user)
        .agg(flags)
        .with_column(lit(0u32).alias("_all"))
}

/// Per group of `keys`: `_tv` (the highest `total_viewers`), `_tv_lb` (it is a lower bound),
/// `_online` (the highest online count, by the rule of [`viewers`]).
fn counts(
    events: &LazyFrame,
    keys: &[Expr],
    names: &[&str],
    engine: Engine,
) -> PolarsResult<LazyFrame> {
    let mut select = keys.to_vec();
    select.extend([c(Col::TotalViewers), c(Col::Content)]);
    let sent = events
        .clone()
        .filter(c(Col::TotalViewers).is_not_null())
        .select(select)
        .run(engine)?;
    // A few rows (one every few seconds): the text rule of `shown` row by row.
    let tv = sent.column(Col::TotalViewers.name())?.u64()?;
    let text = sent.column(Col::Content.name())?.str()?;
    let lb: BooleanChunked = tv
        .iter()
        .zip(text.iter())
        .map(|(n, t)| Some(shown::lower_bound(n.unwrap_or(0), t.unwrap_or(""))))
        .collect();
    let mut sent = sent;
    sent.with_column(lb.with_name("_lb".into()).into_column())?;
    let by_key: Vec<Expr> = names.iter().map(|n| col(*n)).collect();
    let total = sent.lazy().group_by(by_key.clone()).agg([
        c(Col::TotalViewers).max().alias("_tv"),
        col("_lb")
            .filter(c(Col::TotalViewers).eq(c(Col::TotalViewers).max()))
            .any(true)
            .alias("_tv_lb"),
    ]);
    let online = viewers::sent(events.clone(), keys.to_vec()).run(engine)?;
    let mut per_minute = by_key.clone();
    per_minute.push(col("_ts").floor_div(lit(viewers::GRID_MS)));
    let online = viewers::kept(online.lazy(), per_minute)?
        .group_by(by_key)
        .agg([col("online").max().alias("_online")]);
    Ok(total.join(
        online,
        names.iter().map(|n| col(*n)).collect::<Vec<_>>(),
        names.iter().map(|n| col(*n)).collect::<Vec<_>>(),
        JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
    ))
}

/// The funnel per group of `keys` (named columns of `events`, e.g. `room_id`): the keys, then
/// `viewers`, `viewers_source`, `viewers_lower_bound`, `users_seen`, `entered`,
/// `interacted`, `chatted`, `liked`, `followed`, `joined_fans_club`, `gifted`; sorted by the
/// keys (none: one row for all). Groups with neither a user nor a viewer count have no row.
///
/// ```
/// use danmu_analyze::analysis::funnel::funnel_by;
/// use danmu_analyze::event::{Event, Kind};
/// use polars::prelude::IntoLazy;
///
/// let ev = |kind: Kind, user: u64| {
///     let mut e = Event::new(kind, kind.method().into());
///     e.room_id = 1;
///     e.user_id = Some(user);
///     e
/// };
/// let mut seq = Event::new(Kind::RoomUserSeq, Kind::RoomUserSeq.method().into());
/// seq.room_id = 1;
/// seq.online = Some(40);
/// seq.total_viewers = Some(120);
/// let events = [seq, ev(Kind::Member, 7), ev(Kind::Chat, 7), ev(Kind::Like, 8)];
/// let table = danmu_analyze::table::from_events(&events).unwrap();
/// let f = funnel_by(table.lazy(), &["room_id"]).unwrap();
/// let n = |c: &str| f.column(c).unwrap().u64().unwrap().get(0);
/// assert_eq!((n("viewers"), n("entered"), n("interacted"), n("chatted")), (Some(120), Some(1), Some(2), Some(1)));
/// ```
pub fn funnel_by(events: impl Into<Events>, keys: &[&str]) -> PolarsResult<DataFrame> {
    let e: Events = events.into();
    if keys.is_empty() {
        // One group: all of it.
        let all = Events {
            lazy: e.lazy.with_column(lit(0u32).alias("_all")),
            engine: e.engine,
        };
        return funnel_by(all, &["_all"])?.drop("_all");
    }
    let by_name = keyed_by_name(&e.lazy, e.engine)?;
    let key_exprs: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    let users = room_by_room(&e, keys, |lf| {
        users_of(per_user(&lf, &key_exprs, by_name, false), &key_exprs).run(Engine::Streaming)
    })?;
    with_viewers(users, &e, keys)
}

/// Distinct users per group (`users_of`) joined with the viewer counts of the groups of
/// `keys`, and the viewers each is measured against.
fn with_viewers(users: DataFrame, e: &Events, keys: &[&str]) -> PolarsResult<DataFrame> {
    let key_exprs: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    let counts = counts(&e.lazy, &key_exprs, keys, e.engine)?.collect()?;
    let on = || key_exprs.clone();
    let full = JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns);
    let (tv, online, seen) = (col("_tv"), col("_online"), col(SEEN));
    let mut out = users
        .lazy()
        .join(counts.lazy(), on(), on(), full)
        .with_columns([
            col("_tv").fill_null(lit(0u64)),
            col("_tv_lb").fill_null(lit(false)),
            col("_online").fill_null(lit(0u64)),
        ])
        .with_columns(
            [
                SEEN,
                ENTERED,
                INTERACTED,
                CHATTED,
                LIKED,
                FOLLOWED,
                JOINED_FANS_CLUB,
                GIFTED,
            ]
            .map(|n| col(n).fill_null(lit(0u64))),
        )
        .with_column(
            when(
                tv.clone()
                    .gt(lit(0u64))
                    .and(tv.clone().gt_eq(online.clone()))
                    .and(tv.clone().gt_eq(seen.clone())),
            )
            .then(lit(SOURCES[0]))
            .when(
                online
                    .clone()
                    .gt(lit(0u64))
                    .and(online.clone().gt_eq(seen.clone())),
            )
            .then(lit(SOURCES[1]))
            .otherwise(lit(SOURCES[2]))
            .alias(VIEWERS_SOURCE),
        )
        .with_columns([
            when(col(VIEWERS_SOURCE).eq(lit(SOURCES[0])))
                .then(tv)
                .when(col(VIEWERS_SOURCE).eq(lit(SOURCES[1])))
                .then(online)
                .otherwise(seen)
                .alias(VIEWERS),
            // Only a count since the live began, sent as a number, is exact.
            when(col(VIEWERS_SOURCE).eq(lit(SOURCES[0])))
                .then(col("_tv_lb"))
                .otherwise(lit(true))
                .alias(VIEWERS_LOWER_BOUND),
        ]);
    let mut select = key_exprs.clone();
    select.extend(
        [
            VIEWERS,
            VIEWERS_SOURCE,
            VIEWERS_LOWER_BOUND,
            SEEN,
            ENTERED,
            INTERACTED,
            CHATTED,
            LIKED,
            FOLLOWED,
            JOINED_FANS_CLUB,
            GIFTED,
        ]
        .map(col),
    );
    out = out.select(select);
    if !keys.is_empty() {
        out = out.sort(keys.to_vec(), SortMultipleOptions::default());
    }
    out.collect()
}

/// The funnel of all of `events`, the viewers summed over the groups of `groups` (a room, or
/// a session: a live's count since it began counts that live alone), at least the users seen
/// over all. Distinct users are over all the events: one person in two rooms counts once.
///
/// ```
/// use danmu_analyze::analysis::funnel::funnel;
/// use danmu_analyze::event::{Event, Kind};
/// use polars::prelude::IntoLazy;
///
/// let mut chat = Event::new(Kind::Chat, Kind::Chat.method().into());
/// chat.room_id = 1;
/// chat.user_id = Some(7);
/// // No viewer count at all: measured against the one user seen.
/// let table = danmu_analyze::table::from_events(&[chat]).unwrap();
/// let f = funnel(table.lazy(), &["room_id"]).unwrap();
/// assert_eq!((f.viewers, f.viewers_source.as_str(), f.chatted), (1, "users_seen", 1));
/// ```
pub fn funnel(events: impl Into<Events>, groups: &[&str]) -> PolarsResult<Funnel> {
    Ok(funnel_and_newcomers(events.into(), groups, false)?.0)
}

/// [`funnel`] and the [`Newcomers`] of `events` from one pass over them (see [`per_user`]);
/// newcomers are told per group (a room, a session).
///
/// ```
/// use danmu_analyze::analysis::funnel::audience;
/// use danmu_analyze::event::{Event, Kind};
/// use polars::prelude::IntoLazy;
///
/// let ev = |kind: Kind, user: u64, ts: i64| {
///     let mut e = Event::new(kind, kind.method().into());
///     e.user_id = Some(user);
///     e.ts = ts;
///     e
/// };
/// // 1 enters and chats 30 s later; 2 chats before any entry message of theirs.
/// let events = [ev(Kind::Member, 1, 0), ev(Kind::Chat, 2, 1_000), ev(Kind::Member, 2, 2_000), ev(Kind::Chat, 1, 30_000)];
/// let table = danmu_analyze::table::from_events(&events).unwrap();
/// let (_, n) = audience(table.lazy(), &["room_id"]).unwrap();
/// assert_eq!((n.newcomers, n.chatted, n.median_secs_to_chat), (1, 1, Some(30.0)));
/// ```
pub fn audience(events: impl Into<Events>, groups: &[&str]) -> PolarsResult<(Funnel, Newcomers)> {
    let (funnel, newcomers) = funnel_and_newcomers(events.into(), groups, true)?;
    Ok((funnel, newcomers.unwrap_or_default()))
}

fn funnel_and_newcomers(
    e: Events,
    groups: &[&str],
    newcomers: bool,
) -> PolarsResult<(Funnel, Option<Newcomers>)> {
    let by_name = keyed_by_name(&e.lazy, e.engine)?;
    let keys: Vec<Expr> = groups.iter().map(|k| col(*k)).collect();
    // One row per user and group: small beside the events, so what follows is in memory.
    let users = per_user_of(&e, &keys, groups, by_name, newcomers)?;
    let all = users_of(across_groups(users.clone().lazy(), by_name), &[col("_all")]).collect()?;
    let per_group = with_viewers(users_of(users.clone().lazy(), &keys).collect()?, &e, groups)?;
    let newcomers = match newcomers {
        true => Some(super::newcomers::of_users(users.lazy())?),
        false => None,
    };
    let n = |df: &DataFrame, c: &str| -> PolarsResult<u64> {
        Ok(df.column(c)?.u64()?.iter().map(|v| v.unwrap_or(0)).sum())
    };
    let seen = n(&all, SEEN)?;
    let (viewers, source, lower) = summed(&per_group, seen)?;
    let funnel = Funnel {
        viewers,
        viewers_source: source,
        viewers_lower_bound: lower,
        entered: n(&all, ENTERED)?,
        interacted: n(&all, INTERACTED)?,
        chatted: n(&all, CHATTED)?,
        liked: n(&all, LIKED)?,
        followed: n(&all, FOLLOWED)?,
        joined_fans_club: n(&all, JOINED_FANS_CLUB)?,
        gifted: n(&all, GIFTED)?,
        users_seen: seen,
    };
    Ok((funnel, newcomers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    fn ev(kind: Kind, room: u64, user: Option<u64>) -> Event {
        let mut e = Event::new(kind, kind.method().into());
        e.room_id = room;
        e.user_id = user;
        e
    }

    fn seq(room: u64, ts: i64, online: u64, total: u64, text: &str) -> Event {
        let mut e = ev(Kind::RoomUserSeq, room, None);
        e.ts = ts;
        e.online = Some(online);
        e.total_viewers = Some(total);
        e.content = Some(text.into());
        e
    }

    #[test]
    fn every_step_counts_distinct_users_and_rates_stay_within_their_base() {
        let mut follow = ev(Kind::Social, 1, Some(3));
        follow.action = Some(1);
        let mut share = ev(Kind::Social, 1, Some(4));
        share.action = Some(3);
        let mut light = ev(Kind::Gift, 1, Some(5));
        light.gift_id = Some(FANS_CLUB_LIGHT_ID);
        let mut joined = ev(Kind::Fansclub, 1, Some(6));
        joined.action = Some(FANS_CLUB_JOINED);
        let mut upgraded = ev(Kind::Fansclub, 1, Some(7));
        upgraded.action = Some(1);
        let table = crate::table::from_events(&[
            seq(1, 0, 50, 9_605, "9605"),
            seq(1, 1_000, 60, 100_000, "10万+"),
            ev(Kind::Member, 1, Some(1)),
            ev(Kind::Member, 1, Some(1)),
            ev(Kind::Chat, 1, Some(1)),
            ev(Kind::Chat, 1, Some(2)),
            ev(Kind::Like, 1, Some(2)),
            follow,
            share,
            light,
            joined,
            upgraded,
            ev(Kind::EmojiChat, 1, Some(8)),
            // The rank board names its leader: not an act of theirs.
            ev(Kind::RoomRank, 1, Some(9)),
            ev(Kind::Chat, 1, None),
        ])
        .unwrap();
        let f = funnel(table.lazy(), &["room_id"]).unwrap();
        assert_eq!(
            f,
            Funnel {
                viewers: 100_000,
                viewers_source: "total_viewers".into(),
                viewers_lower_bound: true,
                entered: 1,
                interacted: 7,
                chatted: 2,
                liked: 1,
                followed: 1,
                joined_fans_club: 2,
                gifted: 1,
                users_seen: 7,
            }
        );
        let steps = f.steps().unwrap();
        let of_base = steps.column(OF_BASE).unwrap().f64().unwrap();
        assert!(of_base.into_no_null_iter().all(|r| r <= 1.0));
        assert_eq!(of_base.get(0), None);
        assert_eq!(of_base.get(3), Some(2.0 / 7.0));
    }

    #[test]
    fn viewers_fall_back_to_online_then_to_users_seen_and_say_so() {
        let mut stats = ev(Kind::RoomStats, 2, None);
        stats.online = Some(3);
        let users = |room| (1..=5).map(move |u| ev(Kind::Chat, room, Some(u)));
        let events: Vec<Event> = std::iter::once(seq(1, 0, 500, 0, ""))
            .chain(users(1))
            .chain(std::iter::once(stats))
            .chain(users(2))
            .collect();
        let table = crate::table::from_events(&events).unwrap();
        let by_room = funnel_by(table.clone().lazy(), &["room_id"]).unwrap();
        let src: Vec<_> = by_room
            .column(VIEWERS_SOURCE)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(Option::unwrap)
            .collect();
        assert_eq!(src, ["online_max", "users_seen"]);
        let viewers: Vec<_> = by_room
            .column(VIEWERS)
            .unwrap()
            .u64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(viewers, [500, 5]);
        let f = funnel(table.lazy(), &["room_id"]).unwrap();
        assert_eq!(f.viewers, 505);
        assert_eq!(f.viewers_source, "online_max+users_seen");
        assert!(f.viewers_lower_bound);
        // The same five users in both rooms count once.
        assert_eq!(f.chatted, 5);
    }
}

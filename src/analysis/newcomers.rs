//! Newcomers: the users first seen entering (their first act in the table is the entry
//! message), and what they did next: the share who chatted, followed or gifted, and the median
//! time from entering to their first chat and first gift.

use polars::prelude::*;
use serde::Serialize;

use super::expr::{c, is_kind, keyed_by_name, name_without_id, ts_ms, Events, Run};
use super::funnel::FANS_CLUB_JOINED;
use crate::columns::Column as Col;
use crate::event::Kind;

/// summary.json's `newcomers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Newcomers {
    /// Users whose first act was entering.
    pub newcomers: u64,
    pub chatted: u64,
    pub followed: u64,
    pub gifted: u64,
    /// Shares of `newcomers`, 0–1 (0 without newcomers).
    pub chatted_share: f64,
    pub followed_share: f64,
    pub gifted_share: f64,
    /// Median seconds from entering to the first chat, of those who chatted.
    pub median_secs_to_chat: Option<f64>,
    pub median_secs_to_gift: Option<f64>,
}

/// The newcomers of `events`.
///
/// ```
/// use danmu_analyze::analysis::newcomers::newcomers;
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
/// let n = newcomers(table.lazy()).unwrap();
/// assert_eq!((n.newcomers, n.chatted, n.median_secs_to_chat), (1, 1, Some(30.0)));
/// ```
pub fn newcomers(events: impl Into<Events>) -> PolarsResult<Newcomers> {
    let e: Events = events.into();
    let by_name = keyed_by_name(&e.lazy, e.engine)?;
    let mut user = vec![c(Col::UserId)];
    let mut rows = e.lazy.clone().filter(is_kind(Kind::RoomRank).not());
    let mut present = c(Col::UserId).is_not_null();
    if by_name {
        rows = rows.with_column(name_without_id().alias("_name"));
        present = present.or(col("_name").neq(lit("")).fill_null(lit(false)));
        user.push(col("_name"));
    }
    let first = |when_: Expr, name: &str| {
        when(when_)
            .then(col("_ts"))
            .otherwise(lit(NULL).cast(DataType::Int64))
            .min()
            .alias(name)
    };
    let followed = is_kind(Kind::Social)
        .and(c(Col::Action).eq(lit(1u32)))
        .fill_null(lit(false));
    // Acts: anything a user does; the rank board's leader and fans-club level-ups are not.
    let acts = c(Col::Kind)
        .is_in(
            lit(Series::new(
                "k".into(),
                [
                    Kind::Member,
                    Kind::Chat,
                    Kind::EmojiChat,
                    Kind::Like,
                    Kind::Social,
                    Kind::Gift,
                    Kind::Fansclub,
                ]
                .map(|k| k.name()),
            ))
            .implode(false),
            false,
        )
        .and(
            is_kind(Kind::Fansclub)
                .and(c(Col::Action).neq(lit(FANS_CLUB_JOINED)))
                .fill_null(lit(false))
                .not(),
        );
    let mut select = user.clone();
    select.extend([c(Col::Kind), c(Col::Action), ts_ms().alias("_ts")]);
    let per_user = rows
        .filter(present.and(acts))
        .select(select)
        .group_by(user)
        .agg([
            col("_ts").min().alias("_first"),
            first(is_kind(Kind::Member), "_entered"),
            first(is_kind(Kind::Chat), "_chat"),
            first(followed, "_follow"),
            first(is_kind(Kind::Gift), "_gift"),
        ])
        .filter(col("_entered").eq(col("_first")));
    let secs = |e: &str| (col(e) - col("_entered")).cast(DataType::Float64) / lit(1000.0);
    let one = per_user
        .select([
            len().cast(DataType::UInt64).alias("n"),
            col("_chat").count().cast(DataType::UInt64).alias("chat"),
            col("_follow")
                .count()
                .cast(DataType::UInt64)
                .alias("follow"),
            col("_gift").count().cast(DataType::UInt64).alias("gift"),
            secs("_chat").median().alias("to_chat"),
            secs("_gift").median().alias("to_gift"),
        ])
        .run(e.engine)?;
    let u = |n: &str| -> PolarsResult<u64> { Ok(one.column(n)?.u64()?.get(0).unwrap_or(0)) };
    let f = |n: &str| -> PolarsResult<Option<f64>> { Ok(one.column(n)?.f64()?.get(0)) };
    let n = u("n")?;
    let share = |k: u64| if n > 0 { k as f64 / n as f64 } else { 0.0 };
    let (chatted, followed, gifted) = (u("chat")?, u("follow")?, u("gift")?);
    Ok(Newcomers {
        newcomers: n,
        chatted,
        followed,
        gifted,
        chatted_share: share(chatted),
        followed_share: share(followed),
        gifted_share: share(gifted),
        median_secs_to_chat: f("to_chat")?,
        median_secs_to_gift: f("to_gift")?,
    })
}

impl Newcomers {
    /// newcomers.csv: one row of the fields above.
    pub fn table(&self) -> PolarsResult<DataFrame> {
        df!(
            "newcomers" => [self.newcomers],
            "chatted" => [self.chatted],
            "followed" => [self.followed],
            "gifted" => [self.gifted],
            "chatted_share" => [self.chatted_share],
            "followed_share" => [self.followed_share],
            "gifted_share" => [self.gifted_share],
            "median_secs_to_chat" => [self.median_secs_to_chat],
            "median_secs_to_gift" => [self.median_secs_to_gift],
        )
    }
}

//! Who chatted, who paid, who liked: per-user totals as a polars group-by, the rankings,
//! level distributions and the chatters who also paid.

use polars::prelude::*;

use super::expr::{c, is_kind, keyed_by_name, name_without_id, ts_ms, Run};
use crate::columns::Column as Col;
use crate::event::Kind;

/// Per-user totals and the rankings drawn from them. Every frame has the columns of
/// [`Users::all`]; rankings add `rank` (from 1) in front.
#[derive(Debug, Clone)]
pub struct Users {
    /// Everyone who did anything, by user id (by nickname in tables without ids): `user_id`, `user_name` (the
    /// latest non-empty one), `messages`, `active_minutes` (distinct UTC minutes with chat),
    /// `diamonds` (of resolved combos), `gifts` (combos), `likes`, `user_level`,
    /// `fans_club_level` (the latest known).
    pub all: DataFrame,
    pub top_chatters: DataFrame,
    pub top_gifters: DataFrame,
    pub top_likers: DataFrame,
    /// `level`, `users_at_honour_level`, `users_at_fans_club_level`: distinct users per level.
    pub levels: DataFrame,
    /// Users who both chatted and sent gifts, by diamonds (all of them, not only the top).
    pub chatters_who_paid: DataFrame,
}

/// Per-user totals of `events` and the rankings, `top` rows each. Ties rank by user id.
///
/// ```
/// use danmu_analyze::analysis::users::users;
/// use danmu_analyze::event::{Event, Kind};
/// use polars::prelude::IntoLazy;
///
/// let mut a = Event::new(Kind::Chat, Kind::Chat.method().into());
/// a.user_id = Some(1);
/// a.user_name = Some("小明".into());
/// let mut b = a.clone();
/// b.user_id = Some(2);
/// let table = danmu_analyze::table::from_events(&[a.clone(), a, b]).unwrap();
/// let u = users(table.lazy(), 10).unwrap();
/// let top = u.top_chatters.column("user_id").unwrap().u64().unwrap().get(0);
/// assert_eq!(top, Some(1));
/// ```
pub fn users(events: LazyFrame, top: usize) -> PolarsResult<Users> {
    // The leaderboard names its leader; that is not an action of theirs.
    let acts = is_kind(Kind::RoomRank).not();
    let is_chat = is_kind(Kind::Chat);
    let is_gift = is_kind(Kind::Gift);
    let named = c(Col::UserName).neq(lit("")).and(acts.clone());
    // Tables without user ids (a spider's) key users by nickname; checked first, so tables
    // with ids group by the id alone and no per-row key column is built.
    let by_name = keyed_by_name(&events)?;
    let mut keys = vec![c(Col::UserId)];
    if by_name {
        keys.push(name_without_id().alias("_name_key"));
    }
    // No filter before the group-by: it would copy every column the query reads.
    let all = events
        .group_by_stable(keys)
        .agg([
            acts.clone().sum().alias("_acts"),
            c(Col::UserName).filter(named).last(),
            is_chat
                .clone()
                .sum()
                .cast(DataType::UInt64)
                .alias("messages"),
            ts_ms()
                .floor_div(lit(60_000i64))
                .filter(is_chat)
                .n_unique()
                .cast(DataType::UInt64)
                .alias("active_minutes"),
            c(Col::DiamondCount)
                .filter(is_gift.clone())
                .sum()
                .cast(DataType::UInt64)
                .alias("diamonds"),
            is_gift.sum().cast(DataType::UInt64).alias("gifts"),
            c(Col::LikeCount)
                .filter(is_kind(Kind::Like))
                .sum()
                .cast(DataType::UInt64)
                .alias("likes"),
            c(Col::UserLevel)
                .filter(acts.clone())
                .drop_nulls()
                .last()
                .alias("user_level"),
            c(Col::FansClubLevel)
                .filter(acts)
                .drop_nulls()
                .last()
                .alias("fans_club_level"),
        ])
        // Someone only seen as a leaderboard's leader, and rows of nobody, are no user.
        .filter(col("_acts").gt(lit(0)).and(if by_name {
            c(Col::UserId)
                .is_not_null()
                .or(col("_name_key").is_not_null())
        } else {
            c(Col::UserId).is_not_null()
        }))
        .with_column(c(Col::UserName).fill_null(lit("")));
    let helpers: &[&str] = if by_name {
        &["_acts", "_name_key"]
    } else {
        &["_acts"]
    };
    let all = all.drop(cols(helpers.iter().copied())).run()?;
    let ranked = |value: &str, limit: Option<usize>| -> PolarsResult<DataFrame> {
        let lf = all
            .clone()
            .lazy()
            .filter(col(value).gt(lit(0u64)))
            .sort_by_exprs(
                [col(value), c(Col::UserId), c(Col::UserName)],
                SortMultipleOptions::default()
                    .with_order_descending_multi([true, false, false])
                    .with_nulls_last(true),
            );
        let lf = match limit {
            Some(n) => lf.limit(n as IdxSize),
            None => lf,
        };
        ranking_columns(lf, value).collect()
    };
    let paid = ranking_columns(
        all.clone()
            .lazy()
            .filter(
                col("messages")
                    .gt(lit(0u64))
                    .and(col("diamonds").gt(lit(0u64))),
            )
            .sort_by_exprs(
                [col("diamonds"), c(Col::UserId)],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            ),
        "diamonds",
    )
    .collect()?;
    Ok(Users {
        top_chatters: ranked("messages", Some(top))?,
        top_gifters: ranked("diamonds", Some(top))?,
        top_likers: ranked("likes", Some(top))?,
        levels: levels(&all)?,
        chatters_who_paid: paid,
        all,
    })
}

/// `rank`, the user, the ranked value, then the other totals.
fn ranking_columns(lf: LazyFrame, value: &str) -> LazyFrame {
    let mut cols = vec![col("rank"), c(Col::UserId), c(Col::UserName), col(value)];
    for other in [
        "messages",
        "active_minutes",
        "diamonds",
        "gifts",
        "likes",
        "user_level",
        "fans_club_level",
    ] {
        if other != value {
            cols.push(col(other));
        }
    }
    lf.with_row_index("rank", Some(1))
        .with_column(col("rank").cast(DataType::UInt64))
        .select(cols)
}

fn levels(all: &DataFrame) -> PolarsResult<DataFrame> {
    let one = |level: Col, honour: u64| {
        all.clone().lazy().filter(c(level).is_not_null()).select([
            c(level).alias("level"),
            lit(honour).alias("users_at_honour_level"),
            lit(1 - honour).alias("users_at_fans_club_level"),
        ])
    };
    concat(
        [one(Col::UserLevel, 1), one(Col::FansClubLevel, 0)],
        UnionArgs::default(),
    )?
    .group_by([col("level")])
    .agg([
        col("users_at_honour_level").sum(),
        col("users_at_fans_club_level").sum(),
    ])
    .sort(["level"], SortMultipleOptions::default())
    .collect()
}

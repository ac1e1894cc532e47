//! Who chatted, who paid, who liked: per-user totals as a polars group-by, the rankings,
//! level distributions and the chatters who also paid.

use polars::prelude::*;

use super::distinct::DistinctCounter;
use super::expr::{
    c, for_each_batch, is_kind, keyed_by_name, name_without_id, ts_ms, Engine, Events, Run,
};
use crate::columns::Column as Col;
use crate::event::Kind;

/// The columns of [`Users::all`] besides `user_id`, `user_name`, `user_level` and
/// `fans_club_level` (the event table's names), and of [`Users::levels`].
pub mod cols {
    pub const MESSAGES: &str = "messages";
    pub const ACTIVE_MINUTES: &str = "active_minutes";
    pub const DIAMONDS: &str = "diamonds";
    pub const GIFTS: &str = "gifts";
    pub const LIKES: &str = "likes";
    pub const RANK: &str = "rank";
    pub const LEVEL: &str = "level";
    pub const USERS_AT_HONOUR_LEVEL: &str = "users_at_honour_level";
    pub const USERS_AT_FANS_CLUB_LEVEL: &str = "users_at_fans_club_level";
}

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
pub fn users(events: impl Into<Events>, top: usize) -> PolarsResult<Users> {
    let Events {
        lazy: events,
        engine,
    } = events.into();
    // The leaderboard names its leader; that is not an action of theirs.
    let acts = is_kind(Kind::RoomRank).not();
    let named = c(Col::UserName).neq(lit("")).and(acts.clone());
    // Tables without user ids (a spider's) key users by nickname; checked first, so tables
    // with ids group by the id alone and no per-row key column is built.
    let by_name = keyed_by_name(&events, engine)?;
    let mut keys = vec![c(Col::UserId)];
    if by_name {
        keys.push(name_without_id().alias("_name_key"));
    }
    let of_kind = |kind: Kind, aggs: Vec<Expr>| {
        events
            .clone()
            .filter(is_kind(kind))
            .group_by(keys.clone())
            .agg(aggs)
    };
    let u64len = |name: &str| len().cast(DataType::UInt64).alias(name);
    let u64sum = |e: Expr, name: &str| e.sum().cast(DataType::UInt64).alias(name);
    let gift = of_kind(
        Kind::Gift,
        vec![
            u64sum(c(Col::DiamondCount), cols::DIAMONDS),
            u64len(cols::GIFTS),
        ],
    );
    let like = of_kind(Kind::Like, vec![u64sum(c(Col::LikeCount), cols::LIKES)]);
    let key_names: Vec<Expr> = if by_name {
        vec![c(Col::UserId), col("_name_key")]
    } else {
        vec![c(Col::UserId)]
    };
    let join = |left: LazyFrame, right: LazyFrame| {
        // A null user id with a nickname is a user in an id-less table: nulls must match.
        let mut args = JoinArgs::new(JoinType::Left);
        args.nulls_equal = true;
        left.join(right, key_names.clone(), key_names.clone(), args)
    };
    // Each part collected on its own, one after another: in one plan polars runs the four
    // group-bys at once and holds all their intermediates (+970 MB at 10 M events, against
    // +230 MB for the largest part alone). The parts are one row per user: joins are cheap.
    let part = |lf: LazyFrame| -> PolarsResult<LazyFrame> {
        let df = lf.run(engine)?;
        crate::alloc::trim();
        Ok(df.lazy())
    };
    let identity = if engine == Engine::Streaming {
        // A scan on the streaming engine, whose rows may come unsorted (a dataset's parts):
        // "latest" is the greatest time, then row number — the order of the sorted table. Per
        // user the latest time (a native max), then the rows at that time (a join on the small
        // per-user side) and of those the last; no group-by holds a string per row (a string
        // `last` over every row kept each user's name per thread: 450 MB at 10 M events).
        let rows = events.clone().with_row_index("_row", None);
        let latest = |filter: Expr, column: Col| -> PolarsResult<LazyFrame> {
            let mut with = vec![ts_ms().alias("_ts")];
            if by_name {
                with.push(name_without_id().alias("_name_key"));
            }
            let candidates = rows.clone().filter(filter).with_columns(with);
            let at = part(
                candidates
                    .clone()
                    .group_by(key_names.clone())
                    .agg([col("_ts").max()]),
            )?;
            let on: Vec<Expr> = key_names.iter().cloned().chain([col("_ts")]).collect();
            let mut args = JoinArgs::new(JoinType::Inner);
            args.nulls_equal = true;
            args.build_side = Some(JoinBuildSide::ForceRight);
            Ok(candidates
                .join(at, on.clone(), on, args)
                .group_by(key_names.clone())
                .agg([c(column).max_by(col("_row")).alias(column.name())]))
        };
        let counted = events
            .clone()
            .filter(acts.clone())
            .group_by(keys.clone())
            .agg([len().alias("_acts")]);
        let parts = [
            latest(named, Col::UserName)?,
            latest(
                acts.clone().and(c(Col::UserLevel).is_not_null()),
                Col::UserLevel,
            )?,
            latest(
                acts.and(c(Col::FansClubLevel).is_not_null()),
                Col::FansClubLevel,
            )?,
        ];
        let mut identity = part(counted)?;
        for p in parts {
            identity = join(identity, part(p)?);
        }
        identity
    } else {
        // Who they are, over every row (a filter first would copy every column read); what they
        // did, over the rows of each kind only: several small group-bys instead of one that
        // builds every aggregation's values for every row.
        let identity = events.clone().group_by(keys.clone()).agg([
            acts.clone().sum().alias("_acts"),
            c(Col::UserName).filter(named).last(),
            c(Col::UserLevel)
                .filter(acts.clone())
                .drop_nulls()
                .last()
                .alias(Col::UserLevel.name()),
            c(Col::FansClubLevel)
                .filter(acts)
                .drop_nulls()
                .last()
                .alias(Col::FansClubLevel.name()),
        ]);
        part(identity)?
    };
    let chat = if engine == Engine::Streaming {
        // `n_unique` is no streaming reduction: its fallback held every chat row's user and
        // minute (794 MB at 10 M scanned events). Distinct (user, minute) pairs instead.
        let messages = part(of_kind(Kind::Chat, vec![u64len(cols::MESSAGES)]))?;
        join(
            messages,
            part(active_minutes(&events, engine, &keys, &key_names, by_name)?)?,
        )
    } else {
        // In memory, one group-by: the pairs' way measured 0.38 s against 0.26 s here at
        // 1.2 M events.
        part(of_kind(
            Kind::Chat,
            vec![
                u64len(cols::MESSAGES),
                minute()
                    .n_unique()
                    .cast(DataType::UInt64)
                    .alias(cols::ACTIVE_MINUTES),
            ],
        ))?
    };
    let (gift, like) = (part(gift)?, part(like)?);
    let all = join(join(join(identity, chat), gift), like)
        .with_columns(
            [
                cols::MESSAGES,
                cols::ACTIVE_MINUTES,
                cols::DIAMONDS,
                cols::GIFTS,
                cols::LIKES,
            ]
            .map(|n| col(n).fill_null(lit(0u64))),
        )
        .select(
            [
                c(Col::UserId),
                c(Col::UserName),
                col(cols::MESSAGES),
                col(cols::ACTIVE_MINUTES),
                col(cols::DIAMONDS),
                col(cols::GIFTS),
                col(cols::LIKES),
                c(Col::UserLevel),
                c(Col::FansClubLevel),
                col("_acts"),
            ]
            .into_iter()
            .chain(by_name.then(|| col("_name_key")))
            .collect::<Vec<_>>(),
        )
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
    let all = all.drop(cols(helpers.iter().copied())).collect()?;
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
                col(cols::MESSAGES)
                    .gt(lit(0u64))
                    .and(col(cols::DIAMONDS).gt(lit(0u64))),
            )
            .sort_by_exprs(
                [col(cols::DIAMONDS), c(Col::UserId)],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            ),
        cols::DIAMONDS,
    )
    .collect()?;
    Ok(Users {
        top_chatters: ranked(cols::MESSAGES, Some(top))?,
        top_gifters: ranked(cols::DIAMONDS, Some(top))?,
        top_likers: ranked(cols::LIKES, Some(top))?,
        levels: levels(&all)?,
        chatters_who_paid: paid,
        all,
    })
}

fn minute() -> Expr {
    ts_ms().floor_div(lit(60_000i64))
}

/// `active_minutes` per user of a scan: the distinct (user, minute) pairs of chat, as sorted numbers
/// ([`DistinctCounter`], 8 bytes a pair; with a polars `unique` of them the users stage peaked
/// at 1.9 GB on a 51.6 M-event dataset, under 1 GB now). Tables keyed by nickname (small, from
/// other tools) keep the `unique`.
fn active_minutes(
    events: &LazyFrame,
    engine: Engine,
    keys: &[Expr],
    key_names: &[Expr],
    by_name: bool,
) -> PolarsResult<LazyFrame> {
    let chat = events.clone().filter(is_kind(Kind::Chat));
    if by_name {
        return Ok(chat
            .select(
                keys.iter()
                    .cloned()
                    .chain([minute().alias("_minute")])
                    .collect::<Vec<_>>(),
            )
            .unique(None, UniqueKeepStrategy::Any)
            .group_by(key_names)
            .agg([len().cast(DataType::UInt64).alias(cols::ACTIVE_MINUTES)]));
    }
    let mut pairs = DistinctCounter::new();
    let rows = chat
        .filter(c(Col::UserId).is_not_null())
        .select([c(Col::UserId), minute().alias("_minute")]);
    for_each_batch(rows, engine, |df| {
        let ids = df.column(Col::UserId.name())?.u64()?;
        let minutes = df.column("_minute")?.i64()?;
        for (id, m) in ids.iter().zip(minutes.iter()) {
            pairs.add(id.unwrap_or(0), m.unwrap_or(0) as u64);
        }
        Ok(())
    })?;
    let (ids, counts): (Vec<u64>, Vec<u64>) = pairs.finish().into_iter().unzip();
    Ok(DataFrame::new(
        ids.len(),
        vec![
            polars::prelude::Column::new(Col::UserId.name().into(), ids),
            polars::prelude::Column::new(cols::ACTIVE_MINUTES.into(), counts),
        ],
    )?
    .lazy())
}

/// `rank`, the user, the ranked value, then the other totals.
fn ranking_columns(lf: LazyFrame, value: &str) -> LazyFrame {
    let mut columns = vec![
        col(cols::RANK),
        c(Col::UserId),
        c(Col::UserName),
        col(value),
    ];
    for other in [
        cols::MESSAGES,
        cols::ACTIVE_MINUTES,
        cols::DIAMONDS,
        cols::GIFTS,
        cols::LIKES,
        Col::UserLevel.name(),
        Col::FansClubLevel.name(),
    ] {
        if other != value {
            columns.push(col(other));
        }
    }
    lf.with_row_index(cols::RANK, Some(1))
        .with_column(col(cols::RANK).cast(DataType::UInt64))
        .select(columns)
}

fn levels(all: &DataFrame) -> PolarsResult<DataFrame> {
    let one = |level: Col, honour: u64| {
        all.clone().lazy().filter(c(level).is_not_null()).select([
            c(level).alias(cols::LEVEL),
            lit(honour).alias(cols::USERS_AT_HONOUR_LEVEL),
            lit(1 - honour).alias(cols::USERS_AT_FANS_CLUB_LEVEL),
        ])
    };
    concat(
        [one(Col::UserLevel, 1), one(Col::FansClubLevel, 0)],
        UnionArgs::default(),
    )?
    .group_by([col(cols::LEVEL)])
    .agg([
        col(cols::USERS_AT_HONOUR_LEVEL).sum(),
        col(cols::USERS_AT_FANS_CLUB_LEVEL).sum(),
    ])
    .sort([cols::LEVEL], SortMultipleOptions::default())
    .collect()
}

//! Revenue and who made it: diamonds per gifter, how concentrated they are (the shares of the
//! top gifter, the top 10 and the top 1 %, the Gini coefficient) and the whales, the gifters
//! with at least [`WHALE_SHARE`] of the diamonds. One polars query over the gift rows.

use polars::prelude::*;
use serde::Serialize;

use super::expr::{c, is_kind, keyed_by_name, name_without_id, ts_ms, Events, Run};
use super::frame::{f64s, strs, u64s, ColumnError};

use crate::columns::Column as Col;
use crate::event::Kind;

/// A whale has at least this share of the diamonds.
pub const WHALE_SHARE: f64 = 0.05;

/// Columns of the concentration frame ([`revenue_by`]) and of the whales table.
pub mod cols {
    pub const DIAMONDS: &str = "diamonds";
    pub const GIFTERS: &str = "gifters";
    pub const TOP1_SHARE: &str = "top1_share";
    pub const TOP10_SHARE: &str = "top10_share";
    pub const TOP1PCT_SHARE: &str = "top1pct_share";
    pub const GINI: &str = "gini";
    pub const WHALES: &str = "whales";

    pub const RANK: &str = "rank";
    /// A gifter's share of the diamonds, 0–1.
    pub const SHARE: &str = "diamonds_share";
    pub const GIFTS: &str = "gifts";
    pub const FIRST_GIFT: &str = "first_gift";
    pub const LAST_GIFT: &str = "last_gift";
    pub const BIGGEST_GIFT: &str = "biggest_gift";
    pub const BIGGEST_GIFT_DIAMONDS: &str = "biggest_gift_diamonds";
}
use cols::*;

/// A whale, as summary.json lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Whale {
    /// Decimal (ids exceed what JSON numbers hold exactly in JavaScript).
    pub user_id: String,
    pub user_name: String,
    pub diamonds: u64,
    /// Of all the diamonds, 0–1.
    pub share: f64,
}

/// The revenue of the whole table: summary.json's `revenue`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Revenue {
    pub diamonds: u64,
    pub gifters: u64,
    /// Shares of all the diamonds, 0–1; 0 without diamonds.
    pub top1_share: f64,
    pub top10_share: f64,
    /// The top 1 % of gifters, at least one.
    pub top1pct_share: f64,
    /// Of diamonds over gifters: 0 when all gave alike, near 1 when one gave everything.
    pub gini: f64,
    pub whales: Vec<Whale>,
}

/// Per gifter and group of `keys`: the keys, `user_id` (and `_name` in id-less tables),
/// `user_name` (the latest one), `diamonds`, `gifts`, `first_gift`, `last_gift` (UTC ms),
/// `biggest_gift`, `biggest_gift_diamonds`; gift rows only, collected (a few in a hundred).
fn gifters(e: &Events, keys: &[&str]) -> PolarsResult<(DataFrame, Vec<&'static str>)> {
    let by_name = keyed_by_name(&e.lazy, e.engine)?;
    let mut user = vec![Col::UserId.name()];
    let mut select: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    select.extend([
        c(Col::UserId),
        c(Col::UserName),
        ts_ms().alias("_ts"),
        c(Col::DiamondCount).cast(DataType::UInt64),
        c(Col::GiftName),
    ]);
    if by_name {
        select.push(name_without_id().alias("_name"));
        user.push("_name");
    }
    let present = match by_name {
        true => c(Col::UserId)
            .is_not_null()
            .or(c(Col::UserName).neq(lit("")).fill_null(lit(false))),
        false => c(Col::UserId).is_not_null(),
    };
    let rows = e
        .lazy
        .clone()
        .filter(is_kind(Kind::Gift).and(present))
        .select(select)
        .run(e.engine)?;
    let mut group: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    group.extend(user.iter().map(|u| col(*u)));
    let diamonds = || c(Col::DiamondCount).fill_null(lit(0u64));
    let df = rows
        .lazy()
        // Time order, stable: the latest name, and the first of equal biggest gifts.
        .sort(
            ["_ts"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .group_by(group)
        .agg([
            c(Col::UserName)
                .filter(c(Col::UserName).neq(lit("")))
                .last()
                .alias(Col::UserName.name()),
            diamonds().sum().cast(DataType::UInt64).alias(DIAMONDS),
            len().cast(DataType::UInt64).alias(GIFTS),
            col("_ts").min().alias(FIRST_GIFT),
            col("_ts").max().alias(LAST_GIFT),
            c(Col::GiftName)
                .sort_by(
                    [diamonds()],
                    SortMultipleOptions::default()
                        .with_order_descending(true)
                        .with_maintain_order(true),
                )
                .first()
                .alias(BIGGEST_GIFT),
            diamonds().max().alias(BIGGEST_GIFT_DIAMONDS),
        ])
        .with_column(col(Col::UserName.name()).fill_null(lit("")))
        .collect()?;
    Ok((df, user))
}

/// Ranks gifters within their group: `rank` (1 = most diamonds; ties by user id), `_n`
/// (gifters in the group), `_total` (its diamonds) and `share`.
fn ranked(gifters: DataFrame, keys: &[&str], user: &[&str]) -> PolarsResult<LazyFrame> {
    let mut by: Vec<&str> = keys.to_vec();
    by.push(DIAMONDS);
    by.extend(user);
    let mut desc = vec![false; keys.len()];
    desc.push(true);
    desc.extend(user.iter().map(|_| false));
    let over: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    let window = |e: Expr| match over.is_empty() {
        true => Ok(e),
        false => e.over(over.clone()),
    };
    Ok(gifters
        .lazy()
        .sort(
            by,
            SortMultipleOptions::default()
                .with_order_descending_multi(desc)
                .with_nulls_last(true),
        )
        .with_column(lit(1u64).alias("_one"))
        .with_columns([
            window(col("_one").cum_sum(false))?.alias(RANK),
            window(len().cast(DataType::UInt64))?.alias("_n"),
            window(col(DIAMONDS).sum())?.alias("_total"),
        ])
        .with_column(
            when(col("_total").gt(lit(0u64)))
                .then(col(DIAMONDS).cast(DataType::Float64) / col("_total").cast(DataType::Float64))
                .otherwise(lit(0.0))
                .alias(SHARE),
        ))
}

/// Revenue concentration per group of `keys` (named columns of `events`; none: one row for
/// all): the keys, `diamonds`, `gifters`, `top1_share`, `top10_share`, `top1pct_share`,
/// `gini`, `whales` (gifters with at least [`WHALE_SHARE`]); groups without gifts have no row.
///
/// ```
/// use danmu_analyze::analysis::revenue::revenue_by;
/// use danmu_analyze::event::{Event, Kind};
/// use polars::prelude::IntoLazy;
///
/// let gift = |user: u64, diamonds: u64| {
///     let mut e = Event::new(Kind::Gift, Kind::Gift.method().into());
///     e.user_id = Some(user);
///     e.diamond_count = Some(diamonds);
///     e
/// };
/// // One gifter gave 9 of 10 diamonds.
/// let table = danmu_analyze::table::from_events(&[gift(1, 9), gift(2, 1)]).unwrap();
/// let r = revenue_by(table.lazy(), &[]).unwrap();
/// let f = |c: &str| r.column(c).unwrap().f64().unwrap().get(0).unwrap();
/// assert_eq!(f("top1_share"), 0.9);
/// assert!((f("gini") - 0.4).abs() < 1e-12);
/// ```
pub fn revenue_by(events: impl Into<Events>, keys: &[&str]) -> PolarsResult<DataFrame> {
    let (g, user) = gifters(&events.into(), keys)?;
    concentration(g, &user, keys)
}

/// [`revenue_by`] of the gifters' rows.
fn concentration(g: DataFrame, user: &[&str], keys: &[&str]) -> PolarsResult<DataFrame> {
    let group: Vec<Expr> = match keys.is_empty() {
        true => vec![lit(0u32).alias("_all")],
        false => keys.iter().map(|k| col(*k)).collect(),
    };
    let share = |top: Expr| {
        when(col("_total").first().gt(lit(0u64)))
            .then(
                col(DIAMONDS).filter(top).sum().cast(DataType::Float64)
                    / col("_total").first().cast(DataType::Float64),
            )
            .otherwise(lit(0.0))
    };
    let n = col("_n").first().cast(DataType::Float64);
    // Ascending order i = n - rank + 1: G = 2 Σ i·x / (n Σ x) − (n + 1) / n.
    let i = (col("_n") - col(RANK) + lit(1u64)).cast(DataType::Float64);
    let gini = when(col("_total").first().gt(lit(0u64)))
        .then(
            lit(2.0) * (i * col(DIAMONDS).cast(DataType::Float64)).sum()
                / (n.clone() * col("_total").first().cast(DataType::Float64))
                - (n.clone() + lit(1.0)) / n.clone(),
        )
        .otherwise(lit(0.0));
    let top1pct = (col(RANK).cast(DataType::Float64))
        .lt_eq((n.clone() / lit(100.0)).ceil().clip_min(lit(1.0)));
    let mut out = ranked(g, keys, user)?.group_by(group).agg([
        col("_total").first().alias(DIAMONDS),
        col("_n").first().alias(GIFTERS),
        share(col(RANK).eq(lit(1u64))).alias(TOP1_SHARE),
        share(col(RANK).lt_eq(lit(10u64))).alias(TOP10_SHARE),
        share(top1pct).alias(TOP1PCT_SHARE),
        gini.alias(GINI),
        col(SHARE)
            .gt_eq(lit(WHALE_SHARE))
            .sum()
            .cast(DataType::UInt64)
            .alias(WHALES),
    ]);
    if keys.is_empty() {
        out = out.drop(cols(["_all"]));
    } else {
        out = out.sort(keys.to_vec(), SortMultipleOptions::default());
    }
    out.collect()
}

/// A gift of at least this many diamonds (100 yuan) is marked on the revenue chart.
pub const BIG_GIFT_DIAMONDS: u64 = 1_000;

/// The `n` biggest gifts of at least [`BIG_GIFT_DIAMONDS`], in time order: `ts`,
/// `user_name`, `gift_name`, `diamonds`.
pub fn big_gifts(events: impl Into<Events>, n: usize) -> PolarsResult<DataFrame> {
    let e: Events = events.into();
    e.lazy
        .filter(is_kind(Kind::Gift).and(c(Col::DiamondCount).gt_eq(lit(BIG_GIFT_DIAMONDS))))
        .select([
            c(Col::Ts),
            c(Col::UserName).fill_null(lit("")),
            c(Col::GiftName).fill_null(lit("")),
            c(Col::DiamondCount).cast(DataType::UInt64).alias(DIAMONDS),
        ])
        .run(e.engine)?
        .lazy()
        .sort_by_exprs(
            [col(DIAMONDS), c(Col::Ts)],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, false])
                .with_maintain_order(true),
        )
        .limit(n as u32)
        .sort(
            [Col::Ts.name()],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .collect()
}

/// whales.csv: the gifters with at least [`WHALE_SHARE`] of their group's diamonds, most
/// first: the keys, `rank`, `user_id`, `user_name`, `diamonds`, `share`, `gifts`,
/// `first_gift`, `last_gift` (UTC datetimes), `biggest_gift`, `biggest_gift_diamonds`.
pub fn whales_by(events: impl Into<Events>, keys: &[&str]) -> PolarsResult<DataFrame> {
    let (g, user) = gifters(&events.into(), keys)?;
    whales_of(g, &user, keys)
}

/// [`whales_by`] of the gifters' rows.
fn whales_of(g: DataFrame, user: &[&str], keys: &[&str]) -> PolarsResult<DataFrame> {
    let utc = DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
    let mut select: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    select.extend([
        col(RANK),
        c(Col::UserId),
        c(Col::UserName),
        col(DIAMONDS),
        col(SHARE),
        col(GIFTS),
        col(FIRST_GIFT).cast(utc.clone()),
        col(LAST_GIFT).cast(utc),
        col(BIGGEST_GIFT),
        col(BIGGEST_GIFT_DIAMONDS),
    ]);
    ranked(g, keys, user)?
        .filter(col(SHARE).gt_eq(lit(WHALE_SHARE)))
        .select(select)
        .collect()
}

impl Revenue {
    /// The revenue of all of `events`, and its whales table (see [`whales_by`]).
    ///
    /// ```
    /// use danmu_analyze::analysis::revenue::Revenue;
    /// use danmu_analyze::event::{Event, Kind};
    /// use polars::prelude::IntoLazy;
    ///
    /// let gift = |user: u64, diamonds: u64| {
    ///     let mut e = Event::new(Kind::Gift, Kind::Gift.method().into());
    ///     e.user_id = Some(user);
    ///     e.diamond_count = Some(diamonds);
    ///     e
    /// };
    /// let events: Vec<_> = (1..=40).map(|u| gift(u, 1)).chain([gift(99, 60)]).collect();
    /// let table = danmu_analyze::table::from_events(&events).unwrap();
    /// let (r, whales) = Revenue::of(table.lazy()).unwrap();
    /// assert_eq!((r.diamonds, r.gifters, r.whales.len()), (100, 41, 1));
    /// assert_eq!(r.whales[0].user_id, "99");
    /// assert_eq!(whales.height(), 1);
    /// ```
    pub fn of(events: impl Into<Events>) -> PolarsResult<(Revenue, DataFrame)> {
        // The gift rows read once, for both.
        let (g, user) = gifters(&events.into(), &[])?;
        let whales = whales_of(g.clone(), &user, &[])?;
        let r = concentration(g, &user, &[])?;
        let u = |name: &'static str| -> Result<u64, ColumnError> {
            Ok(u64s(&r, "revenue", name)?.get(0).unwrap_or(0))
        };
        let f = |name: &'static str| -> Result<f64, ColumnError> {
            Ok(f64s(&r, "revenue", name)?.get(0).unwrap_or(0.0))
        };
        let ids = u64s(&whales, "whales", Col::UserId.name())?;
        let names = strs(&whales, "whales", Col::UserName.name())?;
        let diamonds = u64s(&whales, "whales", DIAMONDS)?;
        let total = u(DIAMONDS)?;
        // The share as one division of the two sums: polars may divide a column by way of a
        // reciprocal, a last bit off.
        let list = ids
            .iter()
            .zip(names.iter())
            .zip(diamonds.iter())
            .map(|((id, name), d)| Whale {
                user_id: id.map(|i| i.to_string()).unwrap_or_default(),
                user_name: name.unwrap_or("").to_string(),
                diamonds: d.unwrap_or(0),
                share: d.unwrap_or(0) as f64 / total.max(1) as f64,
            })
            .collect();
        let revenue = Revenue {
            diamonds: u(DIAMONDS)?,
            gifters: u(GIFTERS)?,
            top1_share: f(TOP1_SHARE)?,
            top10_share: f(TOP10_SHARE)?,
            top1pct_share: f(TOP1PCT_SHARE)?,
            gini: f(GINI)?,
            whales: list,
        };
        Ok((revenue, whales))
    }

    /// revenue.csv: one row of `diamonds`, `gifters`, `top1_share`, `top10_share`,
    /// `top1pct_share`, `gini`, `whales`.
    pub fn table(&self) -> PolarsResult<DataFrame> {
        df!(
            DIAMONDS => [self.diamonds],
            GIFTERS => [self.gifters],
            TOP1_SHARE => [self.top1_share],
            TOP10_SHARE => [self.top10_share],
            TOP1PCT_SHARE => [self.top1pct_share],
            GINI => [self.gini],
            WHALES => [self.whales.len() as u64],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    fn gift(room: u64, user: u64, diamonds: u64, name: &str, ts: i64) -> Event {
        let mut e = Event::new(Kind::Gift, Kind::Gift.method().into());
        e.room_id = room;
        e.ts = ts;
        e.user_id = Some(user);
        e.user_name = Some(format!("观众{user}"));
        e.diamond_count = Some(diamonds);
        e.gift_name = Some(name.into());
        e
    }

    /// The Gini coefficient by its definition: the mean absolute difference over all pairs,
    /// over twice the mean.
    fn gini(x: &[f64]) -> f64 {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let diff: f64 = x
            .iter()
            .flat_map(|a| x.iter().map(move |b| (a - b).abs()))
            .sum();
        diff / (2.0 * n * n * mean)
    }

    #[test]
    fn shares_gini_and_whales_per_room_match_their_definitions() {
        let mut events = Vec::new();
        // Room 1: 150 gifters of 1..=150 diamonds; room 2: one gifter.
        for u in 1..=150u64 {
            events.push(gift(1, u, u, "小心心", u as i64));
        }
        events.push(gift(2, 7, 30, "玫瑰", 0));
        events.push(gift(2, 7, 300, "比心兔兔", 5));
        events.push(gift(2, 7, 300, "跑车", 9));
        let table = crate::table::from_events(&events).unwrap();
        let r = revenue_by(table.clone().lazy(), &["room_id"]).unwrap();
        let f = |c: &str, i: usize| r.column(c).unwrap().f64().unwrap().get(i).unwrap();
        let total: f64 = (1..=150).sum::<u64>() as f64;
        assert_eq!(f(TOP1_SHARE, 0), 150.0 / total);
        assert_eq!(f(TOP10_SHARE, 0), (141..=150).sum::<u64>() as f64 / total);
        // 1 % of 150 gifters, rounded up: the top 2.
        assert_eq!(f(TOP1PCT_SHARE, 0), (149.0 + 150.0) / total);
        let x: Vec<f64> = (1..=150).map(|v| v as f64).collect();
        assert!((f(GINI, 0) - gini(&x)).abs() < 1e-12);
        assert_eq!((f(TOP1_SHARE, 1), f(GINI, 1)), (1.0, 0.0));
        // No gifter of room 1 has 5 % (150 of 11,325 is 1.3 %); room 2's one has it all.
        let whales = whales_by(table.lazy(), &["room_id"]).unwrap();
        assert_eq!(whales.height(), 1);
        let name = whales.column(BIGGEST_GIFT).unwrap().str().unwrap().get(0);
        // Two gifts of 300: the first of them.
        assert_eq!(name, Some("比心兔兔"));
    }
}

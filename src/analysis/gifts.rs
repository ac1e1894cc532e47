//! Gifts by gift, as a polars group-by: combos, units, diamonds, distinct senders, and the
//! revenue estimate.

use polars::prelude::*;

use super::expr::{c, is_kind, Events, Run};
use crate::columns::Column as Col;
use crate::event::Kind;

/// The columns of [`Gifts::rows`] (besides `gift_id`).
pub mod cols {
    pub const GIFT_NAME: &str = "gift_name";
    pub const COMBOS: &str = "combos";
    pub const UNITS: &str = "units";
    pub const DIAMONDS: &str = "diamonds";
    pub const SENDERS: &str = "senders";
    pub const RMB: &str = "rmb";
}

/// Douyin sells 10 diamonds for 1 yuan.
pub const DEFAULT_RMB_PER_DIAMOND: f64 = 0.1;

#[derive(Debug, Clone)]
pub struct Gifts {
    /// `gift_id`, `gift_name`, `combos` (resolved: one per send, however many updates it
    /// took), `units`, `diamonds`, `senders`, `rmb`; by diamonds, then units, then gift id.
    pub rows: DataFrame,
    pub combos_total: u64,
    pub units_total: u64,
    pub diamonds_total: u64,
    pub rmb_total: f64,
}

/// The revenue estimate of `diamonds`, as the column `rmb`.
pub fn rmb(diamonds: Expr, rmb_per_diamond: f64) -> Expr {
    (diamonds.cast(DataType::Float64) * lit(rmb_per_diamond)).alias(cols::RMB)
}

/// Gifts of `events` by gift.
///
/// ```
/// use danmu_analyze::analysis::gifts::gifts;
/// use danmu_analyze::event::{Event, Kind};
/// use polars::prelude::IntoLazy;
///
/// let mut g = Event::new(Kind::Gift, Kind::Gift.method().into());
/// g.gift_id = Some(463);
/// g.gift_name = Some("小心心".into());
/// g.gift_count = Some(10);
/// g.diamond_count = Some(10);
/// let table = danmu_analyze::table::from_events(&[g]).unwrap();
/// let out = gifts(table.lazy(), 0.1).unwrap();
/// assert_eq!((out.units_total, out.diamonds_total), (10, 10));
/// ```
pub fn gifts(events: impl Into<Events>, rmb_per_diamond: f64) -> PolarsResult<Gifts> {
    let Events {
        lazy: events,
        engine,
    } = events.into();
    let u64sum = |e: Expr, name: &str| e.sum().cast(DataType::UInt64).alias(name);
    let named = c(Col::GiftName).neq(lit(""));
    // The gift rows alone (a few in a hundred events), in time order: the first name a gift
    // was seen with is its name, and a dataset's parts arrive unsorted. A stable sort keeps
    // the table's order within a millisecond, as the sorted table has it.
    let sent = events
        .filter(is_kind(Kind::Gift))
        .select([
            c(Col::Ts),
            c(Col::GiftId),
            c(Col::GiftName),
            c(Col::GiftCount),
            c(Col::DiamondCount),
            c(Col::UserId),
        ])
        .run(engine)?;
    let rows = sent
        .lazy()
        .sort(
            [Col::Ts.name()],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .with_column(c(Col::GiftId).fill_null(lit(0u64)))
        .group_by([c(Col::GiftId)])
        .agg([
            c(Col::GiftName)
                .filter(named)
                .first()
                .alias(cols::GIFT_NAME),
            len().cast(DataType::UInt64).alias(cols::COMBOS),
            u64sum(c(Col::GiftCount), cols::UNITS),
            u64sum(c(Col::DiamondCount), cols::DIAMONDS),
            c(Col::UserId)
                .fill_null(lit(0u64))
                .n_unique()
                .cast(DataType::UInt64)
                .alias(cols::SENDERS),
        ])
        .with_columns([
            col(cols::GIFT_NAME).fill_null(lit("")),
            rmb(col(cols::DIAMONDS), rmb_per_diamond),
        ])
        .sort_by_exprs(
            [col(cols::DIAMONDS), col(cols::UNITS), c(Col::GiftId)],
            SortMultipleOptions::default().with_order_descending_multi([true, true, false]),
        )
        .collect()?;
    let total = |name: &str| -> PolarsResult<u64> {
        Ok(rows
            .column(name)?
            .as_materialized_series()
            .sum::<u64>()
            .unwrap_or(0))
    };
    let diamonds_total = total(cols::DIAMONDS)?;
    Ok(Gifts {
        combos_total: total(cols::COMBOS)?,
        units_total: total(cols::UNITS)?,
        diamonds_total,
        rmb_total: diamonds_total as f64 * rmb_per_diamond,
        rows,
    })
}

//! Newcomers: the users first seen entering (their first act in a room is the entry message;
//! acts are the funnel's steps), and what they did next: the share who chatted, followed or
//! gifted, and the median time from entering to their first chat and first gift. Counted from
//! the funnel's one pass over the events: [`super::funnel::audience`] gives both.

use polars::prelude::*;
use serde::Serialize;

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

/// The newcomers of the funnel's per-user rows (`funnel::per_user`) (per user and group: a newcomer of a
/// room is one whose first act there was entering).
pub(crate) fn of_users(per_user: LazyFrame) -> PolarsResult<Newcomers> {
    let secs = |e: &str| (col(e) - col("_entered")).cast(DataType::Float64) / lit(1000.0);
    let one = per_user
        .filter(col("_entered").eq(col("_first")))
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
        .collect()?;
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

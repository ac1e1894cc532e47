//! Small expression helpers the processors share, so each names columns through the column
//! table rather than by string.

use std::hash::BuildHasher as _;

use polars::prelude::{
    col, len, lit, polars_err, when, DataFrame, DataType, Expr, LazyFrame, PlanCallback,
    PolarsResult, NULL,
};

use crate::columns::Column;
use crate::event::Kind;

/// The column as an expression.
pub fn c(column: Column) -> Expr {
    col(column.name())
}

/// `ts` as UTC milliseconds (Int64).
pub fn ts_ms() -> Expr {
    c(Column::Ts).cast(DataType::Int64)
}

/// Rows of one kind.
pub fn is_kind(kind: Kind) -> Expr {
    c(Column::Kind).eq(lit(kind.name()))
}

/// Who acted, for tables that lack user ids (a spider's `user_name, content, …`): the nickname
/// where `user_id` is empty, else nothing. Grouped with `user_id`, ids still decide whenever
/// there are ids.
pub fn name_without_id() -> Expr {
    when(c(Column::UserId).is_null())
        .then(c(Column::UserName))
        .otherwise(lit(NULL).cast(DataType::String))
}

pub use crate::engine::{Engine, Events};

/// `run(engine)`: collect a query over the event table on that engine.
pub trait Run {
    fn run(self, engine: Engine) -> PolarsResult<DataFrame>;
}

impl Run for LazyFrame {
    fn run(self, engine: Engine) -> PolarsResult<DataFrame> {
        match engine {
            // One plan in, one frame out: `Multiple` only answers `collect_all`.
            Engine::Streaming => self
                .collect_with_engine(polars::prelude::Engine::Streaming)
                .map(|r| r.unwrap_single()),
            Engine::InMemory => self.collect(),
        }
    }
}

/// Whether some rows name a user but carry no user id (a spider's table): then users are told
/// apart by nickname there ([`name_without_id`]). Tables with ids skip that per-row key.
pub fn keyed_by_name(events: &LazyFrame, engine: Engine) -> PolarsResult<bool> {
    let n = events
        .clone()
        .filter(
            c(Column::UserId)
                .is_null()
                .and(c(Column::UserName).neq(lit("")))
                .and(is_kind(Kind::RoomRank).not()),
        )
        .select([len()])
        .run(engine)?;
    Ok(n.column("len")?.u32()?.get(0).unwrap_or(0) > 0)
}

/// Each row's user as one number, for counting in plain vectors, from a batch's `user_id` and,
/// where users are keyed by nickname ([`keyed_by_name`]), its `user_name`.
pub fn user_keys(df: &DataFrame) -> PolarsResult<Vec<u64>> {
    let ids = df.column(Column::UserId.name())?.u64()?;
    Ok(match df.column(Column::UserName.name()) {
        Ok(names) => ids
            .iter()
            .zip(names.str()?.iter())
            .map(|(id, name)| user_key(id, name))
            .collect(),
        Err(_) => ids.iter().map(|id| user_key(id, None)).collect(),
    })
}

/// The user id, or for a row without one a key from the nickname (a spider's table; top bit
/// set), 0 for neither.
fn user_key(id: Option<u64>, name: Option<&str>) -> u64 {
    match (id, name) {
        (Some(id), _) => id,
        (None, Some(n)) if !n.is_empty() => rustc_hash::FxBuildHasher.hash_one(n) | 1 << 63,
        _ => 0,
    }
}

/// Hands the rows of `query` to `each`, in the query's order: batch by batch from the streaming
/// engine when the table is scanned (so only a batch is in memory), else all at once.
pub fn for_each_batch(
    query: LazyFrame,
    engine: Engine,
    mut each: impl FnMut(&DataFrame) -> PolarsResult<()>,
) -> PolarsResult<()> {
    if engine == Engine::InMemory {
        return each(&query.collect()?);
    }
    enum Msg {
        Batch(DataFrame),
        Done(PolarsResult<()>),
    }
    let (send, recv) = std::sync::mpsc::sync_channel::<Msg>(2);
    let batches = send.clone();
    // The query runs on its own thread and hands each batch over; a full channel holds it back,
    // and a closed one (`each` failed) stops it.
    let query = query.sink_batches(
        PlanCallback::new(move |df| Ok(batches.send(Msg::Batch(df)).is_err())),
        true,
        None,
    )?;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let done = query
                .collect_with_engine(polars::prelude::Engine::Streaming)
                .map(|_| ());
            send.send(Msg::Done(done)).ok();
        });
        // Owned here, so it closes when this returns, before the query thread is joined.
        let recv = recv;
        loop {
            match recv.recv() {
                Ok(Msg::Batch(df)) => each(&df)?,
                Ok(Msg::Done(done)) => return done,
                Err(_) => return Err(polars_err!(ComputeError: "a streaming query stopped early")),
            }
        }
    })
}

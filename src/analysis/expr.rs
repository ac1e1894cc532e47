//! Small expression helpers the processors share, so each names columns through the column
//! table rather than by string.

use std::sync::atomic::{AtomicBool, Ordering};

use polars::prelude::{
    col, lit, when, DataFrame, DataType, Engine, Expr, LazyFrame, PolarsResult, NULL,
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

static STREAMING: AtomicBool = AtomicBool::new(false);

/// Run the processors' queries on polars' streaming engine: for tables scanned from files,
/// so a query holds batches of the columns it reads rather than whole columns.
pub fn use_streaming(on: bool) {
    STREAMING.store(on, Ordering::Relaxed);
}

/// `run()`: collect a query over the event table on the engine [`use_streaming`] chose.
pub trait Run {
    fn run(self) -> PolarsResult<DataFrame>;
}

impl Run for LazyFrame {
    fn run(self) -> PolarsResult<DataFrame> {
        if STREAMING.load(Ordering::Relaxed) {
            // One plan in, one frame out: `Multiple` only answers `collect_all`.
            self.collect_with_engine(Engine::Streaming)
                .map(|r| r.unwrap_single())
        } else {
            self.collect()
        }
    }
}

//! Small expression helpers the processors share, so each names columns through the column
//! table rather than by string.

use polars::prelude::{col, lit, DataType, Expr};

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

//! Small expression helpers the processors share, so each names columns through the column
//! table rather than by string.

use polars::prelude::{col, lit, when, DataType, Expr, NULL};

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

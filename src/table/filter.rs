//! `--kind`, `--room`, `--since`, `--until` as a polars predicate on the event table (MySQL
//! gets the same [`Filter`] as a WHERE clause, a dataset as partition pruning).

use polars::prelude::{col, lit, DataType, Expr, LazyFrame};

use crate::columns::Column;
pub use crate::db::Filter;

/// The rows the filter keeps, as one predicate; `None` keeps everything.
pub fn predicate(f: &Filter) -> Option<Expr> {
    let mut parts: Vec<Expr> = Vec::new();
    if !f.kinds.is_empty() {
        let any = f
            .kinds
            .iter()
            .map(|k| col(Column::Kind.name()).eq(lit(k.name())))
            .reduce(|a, b| a.or(b));
        parts.extend(any);
    }
    if let Some(r) = f.room {
        parts.push(col(Column::RoomId.name()).eq(lit(r)));
    }
    let ms = || col(Column::Ts.name()).cast(DataType::Int64);
    if let Some(t) = f.since {
        parts.push(ms().gt_eq(lit(t)));
    }
    if let Some(t) = f.until {
        parts.push(ms().lt(lit(t)));
    }
    parts.into_iter().reduce(|a, b| a.and(b))
}

pub fn apply(lf: LazyFrame, f: &Filter) -> LazyFrame {
    match predicate(f) {
        Some(p) => lf.filter(p),
        None => lf,
    }
}

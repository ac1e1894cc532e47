//! Reading the processors' result tables by their named columns (each processor's `cols`): a
//! column that is missing or of another type is an error naming the table and the column, so
//! a chart or page never comes out empty because a name drifted.

use polars::prelude::{
    DataFrame, DatetimeChunked, Float64Chunked, PolarsError, PolarsResult, StringChunked,
    UInt32Chunked, UInt64Chunked,
};

#[derive(Debug, thiserror::Error)]
pub enum ColumnError {
    #[error("the {table} table has no column {column:?}")]
    Missing {
        table: &'static str,
        column: &'static str,
    },
    #[error("the {table} table's column {column:?} is {found}, not {expected}")]
    Type {
        table: &'static str,
        column: &'static str,
        found: String,
        expected: &'static str,
    },
}

/// For the processors' own `?`: a result table without its column is a schema error.
impl From<ColumnError> for PolarsError {
    fn from(e: ColumnError) -> Self {
        match e {
            ColumnError::Missing { .. } => PolarsError::ColumnNotFound(e.to_string().into()),
            ColumnError::Type { .. } => PolarsError::SchemaMismatch(e.to_string().into()),
        }
    }
}

fn typed<'a, T>(
    df: &'a DataFrame,
    table: &'static str,
    column: &'static str,
    expected: &'static str,
    cast: impl Fn(&'a polars::prelude::Column) -> PolarsResult<&'a T>,
) -> Result<&'a T, ColumnError> {
    let c = df
        .column(column)
        .map_err(|_| ColumnError::Missing { table, column })?;
    cast(c).map_err(|_| ColumnError::Type {
        table,
        column,
        found: c.dtype().to_string(),
        expected,
    })
}

/// Column `column` of `table` (its name, for the error) as u64s.
pub fn u64s<'a>(
    df: &'a DataFrame,
    table: &'static str,
    column: &'static str,
) -> Result<&'a UInt64Chunked, ColumnError> {
    typed(df, table, column, "u64", |c| c.u64())
}

pub fn u32s<'a>(
    df: &'a DataFrame,
    table: &'static str,
    column: &'static str,
) -> Result<&'a UInt32Chunked, ColumnError> {
    typed(df, table, column, "u32", |c| c.u32())
}

pub fn f64s<'a>(
    df: &'a DataFrame,
    table: &'static str,
    column: &'static str,
) -> Result<&'a Float64Chunked, ColumnError> {
    typed(df, table, column, "f64", |c| c.f64())
}

pub fn strs<'a>(
    df: &'a DataFrame,
    table: &'static str,
    column: &'static str,
) -> Result<&'a StringChunked, ColumnError> {
    typed(df, table, column, "text", |c| c.str())
}

pub fn datetimes<'a>(
    df: &'a DataFrame,
    table: &'static str,
    column: &'static str,
) -> Result<&'a DatetimeChunked, ColumnError> {
    typed(df, table, column, "datetime", |c| c.datetime())
}

//! [`conform`]: any DataFrame of events (the tool's exports, other tools' tables) into exactly
//! the event table's schema ([`crate::table::schema::schema`]), columns found by name or alias
//! ([`crate::resolve`]), values converted, what cannot be read counted.

use chrono::DateTime;
use polars::prelude::{
    Column as PlColumn, DataFrame, DataType, NamedFrom, PolarsError, Series, TimeUnit,
};

use crate::columns::{Column, ColumnType, TS_MS_ALIASES};
use crate::event::Kind;
use crate::resolve::{resolve, Origin, ResolveError};
use crate::table::schema::{dtype, schema};
use crate::timefmt::{epoch_ms, parse_stored_time, Zone};

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("no time column: expected one of {}, {}; found {found} (danmu-analyze reads captures, frame dumps and event tables: {})", TS_MS_ALIASES.join(", "), Column::Ts.def().aliases.join(", "), super::EXPECTED)]
    NoTime { found: String },
    #[error("--map {ours}={theirs}: there is no column `{theirs}`; found {found}")]
    NoSuchColumn {
        ours: &'static str,
        theirs: String,
        found: String,
    },
    #[error(transparent)]
    Polars(#[from] PolarsError),
}

/// How [`conform`] reads a table.
#[derive(Debug, Clone, Default)]
pub struct ConformOptions {
    /// The zone of times written without an offset (CSV's local `ts`, a spider's DATETIME text).
    pub zone: Zone,
    /// `ours=theirs`: read our column from theirs, before any alias is tried.
    pub renames: Vec<(Column, String)>,
}

/// A conformed table, and what could not be read of it.
#[derive(Debug, Clone)]
pub struct Conformed {
    /// Exactly [`schema`].
    pub df: DataFrame,
    /// One line per column with values that are not numbers / times (left empty).
    pub problems: Vec<String>,
    /// Input columns no event-table column was read from.
    pub unused_columns: Vec<String>,
}

/// Casts and renames `df` into exactly [`schema`]: each column found by `opts.renames`, its own
/// name, then its aliases (ignoring case and a UTF-8 BOM; each input column read once, `ts_ms`
/// before any other time); a missing column is all nulls; a table without `kind` is chat.
/// Fails only when there is no time column (or a rename names a column that is not there).
pub fn conform(df: DataFrame, opts: &ConformOptions) -> Result<Conformed, SchemaError> {
    // Already the event table (the decoder's, a scan's): nothing to convert. Renames still apply.
    if opts.renames.is_empty() && **df.schema() == schema() {
        return Ok(Conformed {
            df,
            problems: Vec::new(),
            unused_columns: Vec::new(),
        });
    }
    let height = df.height();
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let resolved = resolve(&names, &opts.renames).map_err(|e| match e {
        ResolveError::NoTime { found } => SchemaError::NoTime { found },
        ResolveError::NoSuchColumn {
            ours,
            theirs,
            found,
        } => SchemaError::NoSuchColumn {
            ours,
            theirs,
            found,
        },
    })?;
    let sources = &resolved.sources;
    let unused_columns = resolved
        .unused(&names)
        .into_iter()
        .map(str::to_string)
        .collect();

    let input = df.columns();
    let mut problems = Vec::new();
    let mut out: Vec<PlColumn> = Vec::with_capacity(Column::ALL.len());
    for c in Column::ALL {
        let src = sources[c as usize].map(|f| match f {
            Origin::Ms(i) | Origin::Col(i) => (i, input[i].as_materialized_series()),
        });
        let (series, bad) = match (c, src) {
            (Column::Kind | Column::Method, _) => continue, // filled below, from each other
            (_, None) => (
                Series::full_null(c.name().into(), height, &dtype(c.dtype())),
                0,
            ),
            (_, Some((_, s))) => {
                let exact_ms = matches!(sources[c as usize], Some(Origin::Ms(_)));
                convert(c, s, exact_ms, &opts.zone)?
            }
        };
        if bad > 0 {
            let (i, _) = src.expect("values were read");
            let what = if c == Column::Ts {
                "times; those rows have no ts"
            } else {
                "numbers in range; left empty"
            };
            problems.push(format!(
                "column `{}`: {bad} value(s) are not {what}",
                names[i]
            ));
        }
        out.push(PlColumn::from(series.with_name(c.name().into())));
    }
    let text = |c: Column| -> Result<Option<Series>, SchemaError> {
        match sources[c as usize] {
            Some(Origin::Col(i)) => Ok(Some(
                input[i].as_materialized_series().cast(&DataType::String)?,
            )),
            _ => Ok(None),
        }
    };
    let (kind, method) = kinds_and_methods(text(Column::Kind)?, text(Column::Method)?, height)?;
    out.insert(Column::Kind as usize, PlColumn::from(kind));
    out.insert(Column::Method as usize, PlColumn::from(method));
    Ok(Conformed {
        df: DataFrame::new(height, out)?,
        problems,
        unused_columns,
    })
}

/// One input column as column `c`'s type; also how many values were there but unreadable.
fn convert(
    c: Column,
    s: &Series,
    exact_ms: bool,
    zone: &Zone,
) -> Result<(Series, usize), SchemaError> {
    let name = c.name().into();
    let target = dtype(c.dtype());
    let out = match (c.ty(), s.dtype()) {
        (ColumnType::Text, _) => s.cast(&DataType::String)?,
        (ColumnType::Time, DataType::Datetime(_, tz)) => {
            let ms = s.cast(&DataType::Datetime(TimeUnit::Milliseconds, tz.clone()))?;
            let ms = ms.datetime()?.physical().clone();
            let utc: Vec<Option<i64>> = match tz {
                Some(_) => ms.iter().collect(),
                // Wall-clock times without a zone: local in --tz, as spiders store them.
                None => ms
                    .iter()
                    .map(|v| {
                        let naive = DateTime::from_timestamp_millis(v?)?.naive_utc();
                        zone.local_ms(naive)
                    })
                    .collect(),
            };
            Series::new(name, utc).cast(&target)?
        }
        (ColumnType::Time, DataType::Date) => {
            let days = s.cast(&DataType::Int32)?;
            let utc: Vec<Option<i64>> = days
                .i32()?
                .iter()
                .map(|d| {
                    let naive = DateTime::from_timestamp(i64::from(d?) * 86_400, 0)?.naive_utc();
                    zone.local_ms(naive)
                })
                .collect();
            Series::new(name, utc).cast(&target)?
        }
        (ColumnType::Time, DataType::String) => {
            let utc: Vec<Option<i64>> = s
                .str()?
                .iter()
                .map(|v| {
                    let v = v?;
                    if exact_ms {
                        v.trim().parse::<i64>().ok()
                    } else {
                        parse_stored_time(v, Some(zone)).ok().flatten()
                    }
                })
                .collect();
            Series::new(name, utc).cast(&target)?
        }
        (ColumnType::Time, dt) if dt.is_primitive_numeric() => {
            let utc: Vec<Option<i64>> = if exact_ms {
                s.cast(&DataType::Int64)?.i64()?.iter().collect()
            } else {
                let f = s.cast(&DataType::Float64)?;
                f.f64()?
                    .iter()
                    .map(|v| v.filter(|v| v.is_finite()).map(epoch_ms))
                    .collect()
            };
            Series::new(name, utc).cast(&target)?
        }
        (ColumnType::Time, _) => Series::full_null(name, s.len(), &target),
        (ColumnType::Id | ColumnType::Count, DataType::String) => {
            let n: Vec<Option<u64>> = s.str()?.iter().map(|v| v.and_then(parse_u64)).collect();
            Series::new(name, n).cast(&target)?
        }
        (ColumnType::Id | ColumnType::Count, _) => s.cast(&target)?,
    };
    // A value that was there and is gone did not convert.
    let had = s.len() - s.null_count() - blank_strings(s);
    let bad = had.saturating_sub(out.len() - out.null_count());
    Ok((out, bad))
}

/// Empty text cells: no value, not an unreadable one.
fn blank_strings(s: &Series) -> usize {
    s.str()
        .map(|ca| ca.iter().flatten().filter(|v| v.trim().is_empty()).count())
        .unwrap_or(0)
}

/// An id or count as written by any tool: `123`, ` 123 `, Excel's `="123"`, `123.0`.
fn parse_u64(v: &str) -> Option<u64> {
    let v = v.trim();
    let v = v
        .strip_prefix("=\"")
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v);
    v.parse().ok().or_else(|| {
        let f: f64 = v.parse().ok()?;
        (f.fract() == 0.0 && (0.0..1.8e19).contains(&f)).then_some(f as u64)
    })
}

/// `kind` and `method` from whichever of them the input has: a kind name or a push method in
/// `kind` (anything else is `other`), no kind at all is chat; no method is the kind's own (for
/// `other`, the text the kind column held).
fn kinds_and_methods(
    kind: Option<Series>,
    method: Option<Series>,
    height: usize,
) -> Result<(Series, Series), SchemaError> {
    let kind_text: Vec<Option<&str>> = match &kind {
        Some(s) => s.str()?.iter().collect(),
        None => vec![None; height],
    };
    let method_text: Vec<Option<&str>> = match &method {
        Some(s) => s.str()?.iter().collect(),
        None => vec![None; height],
    };
    let mut kinds = Vec::with_capacity(height);
    let mut methods = Vec::with_capacity(height);
    for (k, m) in kind_text.into_iter().zip(method_text) {
        let k_text = k.map(str::trim).filter(|k| !k.is_empty());
        let kind = k_text.map_or(Kind::Chat, |s| {
            s.parse::<Kind>().unwrap_or_else(|_| Kind::from_method(s))
        });
        kinds.push(kind.name());
        methods.push(match (m.filter(|m| !m.is_empty()), kind) {
            (Some(m), _) => m,
            (None, Kind::Other) => k_text.unwrap_or(""),
            (None, k) => k.method(),
        });
    }
    Ok((
        Series::new(Column::Kind.name().into(), kinds),
        Series::new(Column::Method.name().into(), methods),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_columns_are_nulls_and_a_table_without_kind_is_chat() {
        let df = DataFrame::new(
            2,
            vec![
                PlColumn::new("Create_Time".into(), ["2026-01-01 18:00:00", "bad"]),
                PlColumn::new("UID".into(), [Some(7u64), None]),
            ],
        )
        .unwrap();
        let c = conform(df, &ConformOptions::default()).unwrap();
        assert_eq!(**c.df.schema(), schema());
        let kinds: Vec<_> = c.df.column("kind").unwrap().str().unwrap().iter().collect();
        assert_eq!(kinds, [Some("chat"), Some("chat")]);
        assert_eq!(
            c.df.column("user_id").unwrap().u64().unwrap().get(0),
            Some(7)
        );
        assert_eq!(c.df.column("content").unwrap().null_count(), 2);
        assert_eq!(
            c.problems,
            ["column `Create_Time`: 1 value(s) are not times; those rows have no ts"]
        );
        // Conforming the result again changes nothing.
        let again = conform(c.df.clone(), &ConformOptions::default()).unwrap();
        let same = again.df.columns().iter().zip(c.df.columns());
        assert!(same.into_iter().all(|(a, b)| a.equals_missing(b)));
    }

    #[test]
    fn ids_as_excel_writes_them() {
        assert_eq!(
            parse_u64("=\"7181859941539730490\""),
            Some(7181859941539730490)
        );
        assert_eq!(parse_u64(" 42 "), Some(42));
        assert_eq!(parse_u64("3.0"), Some(3));
        assert_eq!(parse_u64("-1"), None);
        assert_eq!(parse_u64("MS4wLjAB"), None);
    }
}

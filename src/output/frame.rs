//! Result tables (rankings, timelines, peaks) are polars DataFrames; this shows them: aligned
//! for people, as Excel-friendly CSV, or as cells for the HTML page.

use std::io::{self, Write};

use polars::prelude::{AnyValue, DataFrame, PolarsResult};
use unicode_width::UnicodeWidthStr;

use super::csv::{CsvOptions, BOM};
use crate::columns::{Column, ColumnType};
use crate::timefmt::Zone;

/// One shown cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub text: String,
    /// Numbers align right.
    pub numeric: bool,
    /// A 64-bit id: a text cell in Excel CSV.
    pub id: bool,
}

/// Every cell of `df` as text: times in `zone`, floats with `decimals(column)` places.
pub fn cells(df: &DataFrame, zone: &Zone) -> PolarsResult<Vec<Vec<Shown>>> {
    let mut rows: Vec<Vec<Shown>> = (0..df.height()).map(|_| Vec::new()).collect();
    for column in df.columns() {
        let name = column.name().as_str();
        let id = is_id(name);
        let dtype = column.dtype().clone();
        let s = column.as_materialized_series().rechunk();
        for (i, row) in rows.iter_mut().enumerate() {
            let v = s.get(i)?;
            let (text, numeric) = match v {
                AnyValue::Null => (String::new(), false),
                AnyValue::Datetime(ms, _, _) => (zone.human(ms), false),
                AnyValue::Float64(f) => (format!("{f:.*}", decimals(name)), true),
                AnyValue::Float32(f) => (format!("{f:.*}", decimals(name)), true),
                AnyValue::String(t) => (t.to_string(), false),
                AnyValue::StringOwned(ref t) => (t.to_string(), false),
                AnyValue::Boolean(b) => (b.to_string(), false),
                other if dtype.is_integer() => (other.to_string(), !id),
                other => (other.to_string(), false),
            };
            row.push(Shown { text, numeric, id });
        }
    }
    Ok(rows)
}

/// Decimal places shown for a float column.
fn decimals(name: &str) -> usize {
    match name {
        "rmb" | "ratio" | "share" | "score" => 2,
        // Shares 0–1 (funnel rates, revenue concentration): a tenth of a percent and more.
        "gini" | "of_viewers" | "of_base" => 4,
        n if n.ends_with("_share") || n.ends_with("_rate") => 4,
        _ => 1,
    }
}

/// Integer columns that hold ids rather than quantities, by the column table.
fn is_id(name: &str) -> bool {
    // The battles table's sides, by role rather than by the event table's name.
    matches!(name, "room_anchor" | "opponent")
        || Column::ALL
            .iter()
            .any(|c| c.name() == name && c.ty() == ColumnType::Id)
}

/// Aligned columns under upper-case headers; CJK characters count as two columns wide.
pub fn print<W: Write>(df: &DataFrame, zone: &Zone, out: &mut W) -> io::Result<()> {
    let rows = cells(df, zone).map_err(io::Error::other)?;
    let headers: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|h| h.to_uppercase())
        .collect();
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].text.width())
                .chain([headers[i].width()])
                .max()
                .unwrap_or(0)
                .min(40)
        })
        .collect();
    let line = |out: &mut W, vals: Vec<(&str, bool)>| -> io::Result<()> {
        let mut s = String::new();
        for (i, (v, right)) in vals.into_iter().enumerate() {
            let pad = " ".repeat(widths[i].saturating_sub(v.width()));
            if i > 0 {
                s.push_str("  ");
            }
            if right {
                s.push_str(&pad);
                s.push_str(v);
            } else {
                s.push_str(v);
                s.push_str(&pad);
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, headers.iter().map(|h| (h.as_str(), false)).collect())?;
    for row in &rows {
        line(
            out,
            row.iter().map(|c| (c.text.as_str(), c.numeric)).collect(),
        )?;
    }
    Ok(())
}

/// CSV for Excel (see [`CsvOptions`]): BOM, ids as `="…"` text cells, local times.
pub fn write_csv<W: Write>(df: &DataFrame, mut out: W, opts: &CsvOptions) -> io::Result<()> {
    if opts.bom {
        out.write_all(BOM)?;
    }
    let rows = cells(df, &opts.zone).map_err(io::Error::other)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(df.get_column_names().iter().map(|n| n.as_str()))?;
    for row in rows {
        w.write_record(row.into_iter().map(|c| {
            if c.id && opts.excel_ids && !c.text.is_empty() {
                format!("=\"{}\"", c.text)
            } else {
                c.text
            }
        }))?;
    }
    w.flush()
}

/// The same cells as [`write_csv`], as a JSON array of objects keyed by column: numbers as
/// numbers, ids and text as strings (a 64-bit id is past JavaScript's exact integers), times
/// as the CSV shows them, empty cells as null.
pub fn write_json<W: Write>(df: &DataFrame, mut out: W, zone: &Zone) -> io::Result<()> {
    let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
    let rows = cells(df, zone).map_err(io::Error::other)?;
    let records: Vec<serde_json::Map<String, serde_json::Value>> = rows
        .into_iter()
        .map(|row| {
            names
                .iter()
                .zip(row)
                .map(|(n, c)| {
                    let v = if c.text.is_empty() {
                        serde_json::Value::Null
                    } else if c.numeric {
                        serde_json::from_str(&c.text).unwrap_or(serde_json::Value::String(c.text))
                    } else {
                        serde_json::Value::String(c.text)
                    };
                    (n.to_string(), v)
                })
                .collect()
        })
        .collect();
    serde_json::to_writer_pretty(&mut out, &records)?;
    out.write_all(b"\n")
}

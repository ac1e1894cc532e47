//! Small result tables (rankings, timelines): printed aligned for people, or written as
//! Excel-friendly CSV.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use super::csv::{CsvOptions, BOM};

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// A 64-bit id: text in Excel CSV.
    Id(u64),
    Int(u64),
    /// A number shown with this many decimals.
    Float(f64, usize),
    Text(String),
    Empty,
}

impl Val {
    fn show(&self) -> String {
        match self {
            Val::Id(v) | Val::Int(v) => v.to_string(),
            Val::Float(v, d) => format!("{v:.d$}"),
            Val::Text(s) => s.clone(),
            Val::Empty => String::new(),
        }
    }

    fn right_aligned(&self) -> bool {
        matches!(self, Val::Int(_) | Val::Float(..))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Val>>,
}

impl Grid {
    pub fn new(headers: Vec<&'static str>) -> Grid {
        Grid {
            headers,
            rows: Vec::new(),
        }
    }

    /// Aligned columns; CJK characters count as two columns wide.
    pub fn print<W: Write>(&self, out: &mut W) -> io::Result<()> {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(Val::show).collect())
            .collect();
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|i| {
                cells
                    .iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| c.width())
                    .chain([self.headers[i].width()])
                    .max()
                    .unwrap_or(0)
                    .min(40)
            })
            .collect();
        let line = |out: &mut W, vals: Vec<(String, bool)>| -> io::Result<()> {
            let mut s = String::new();
            for (i, (v, right)) in vals.into_iter().enumerate() {
                let pad = " ".repeat(widths[i].saturating_sub(v.width()));
                if i > 0 {
                    s.push_str("  ");
                }
                if right {
                    s.push_str(&pad);
                    s.push_str(&v);
                } else {
                    s.push_str(&v);
                    s.push_str(&pad);
                }
            }
            writeln!(out, "{}", s.trim_end())
        };
        line(
            out,
            self.headers
                .iter()
                .map(|h| (h.to_uppercase(), false))
                .collect(),
        )?;
        for (row, shown) in self.rows.iter().zip(cells) {
            line(
                out,
                row.iter()
                    .zip(shown)
                    .map(|(v, s)| (s, v.right_aligned()))
                    .collect(),
            )?;
        }
        Ok(())
    }

    pub fn write_csv<W: Write>(&self, mut out: W, opts: &CsvOptions) -> io::Result<()> {
        if opts.bom {
            out.write_all(BOM)?;
        }
        let mut w = csv::Writer::from_writer(out);
        w.write_record(&self.headers)?;
        for row in &self.rows {
            w.write_record(row.iter().map(|v| match v {
                Val::Id(id) if opts.excel_ids => format!("=\"{id}\""),
                v => v.show(),
            }))?;
        }
        w.flush()
    }
}

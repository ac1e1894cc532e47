//! CSV that opens in Excel with Chinese intact: UTF-8 with a BOM, times Excel reads as times,
//! and 64-bit ids as text (Excel keeps only 15 significant digits of a number).

use std::io::{self, Write};

use crate::columns::{Cell, Column};
use crate::table::rows::Rows;
use crate::timefmt::Zone;

pub const BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug, Clone, Copy)]
pub struct CsvOptions {
    /// Start with a UTF-8 BOM, so Excel does not read the file as GBK.
    pub bom: bool,
    /// Write ids as `="7181859941539730490"`, which Excel shows as text instead of rounding.
    pub excel_ids: bool,
    pub zone: Zone,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            bom: true,
            excel_ids: true,
            zone: Zone::default(),
        }
    }
}

/// Writes the event table's `rows` with `columns`; `ts` is local time in the zone
/// (`2026-01-01 18:00:00.123`) and `ts_ms` the exact UTC milliseconds.
pub fn write<W: Write>(
    mut out: W,
    rows: &Rows,
    columns: &[Column],
    opts: &CsvOptions,
) -> io::Result<()> {
    if opts.bom {
        out.write_all(BOM)?;
    }
    let mut w = csv::WriterBuilder::new().from_writer(out);
    let mut header: Vec<&str> = columns.iter().map(|c| c.name()).collect();
    let with_ms = columns.contains(&Column::Ts);
    if with_ms {
        header.insert(1, "ts_ms");
    }
    w.write_record(&header)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for i in 0..rows.len() {
        row.clear();
        for &col in columns {
            match rows.cell(col, i) {
                Cell::Null => row.push(String::new()),
                Cell::Time(ms) => {
                    row.push(opts.zone.at(ms).format("%Y-%m-%d %H:%M:%S%.3f").to_string());
                    row.push(ms.to_string());
                }
                Cell::Id(v) if opts.excel_ids => row.push(format!("=\"{v}\"")),
                Cell::Id(v) | Cell::Count(v) => row.push(v.to_string()),
                Cell::Text(s) => row.push(s.to_string()),
            }
        }
        w.write_record(&row)?;
    }
    w.flush()
}

/// Reads back an id cell written either way.
pub fn parse_id(cell: &str) -> Option<u64> {
    cell.trim_start_matches("=\"")
        .trim_end_matches('"')
        .parse()
        .ok()
}

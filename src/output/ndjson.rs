//! Newline-delimited JSON: one object per event, null fields left out, ids as numbers.

use std::io::{self, Write};

use serde_json::{Map, Value};

use crate::columns::{Cell, Column};
use crate::table::rows::Rows;
use crate::timefmt::Zone;

/// One row as a JSON object: `ts` as ISO-8601 in the zone, `ts_ms` as UTC milliseconds.
pub fn to_json(rows: &Rows, row: usize, columns: &[Column], zone: &Zone) -> Map<String, Value> {
    let mut obj = Map::new();
    for &col in columns {
        match rows.cell(col, row) {
            Cell::Null => {}
            Cell::Time(ms) => {
                obj.insert(col.name().into(), Value::from(zone.iso(ms)));
                obj.insert("ts_ms".into(), Value::from(ms));
            }
            Cell::Id(v) | Cell::Count(v) => {
                obj.insert(col.name().into(), Value::from(v));
            }
            Cell::Text(s) => {
                obj.insert(col.name().into(), Value::from(s));
            }
        }
    }
    obj
}

pub fn write<W: Write>(mut out: W, rows: &Rows, columns: &[Column], zone: &Zone) -> io::Result<()> {
    for i in 0..rows.len() {
        serde_json::to_writer(&mut out, &to_json(rows, i, columns, zone))?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

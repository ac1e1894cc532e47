//! Newline-delimited JSON: one object per event, null fields left out, ids as numbers.

use std::io::{self, Write};

use serde_json::{Map, Value};

use crate::columns::{Cell, Column};
use crate::event::Event;
use crate::timefmt::Zone;

/// One event as a JSON object: `ts` as ISO-8601 in the zone, `ts_ms` as UTC milliseconds.
pub fn to_json(ev: &Event, columns: &[Column], zone: &Zone) -> Map<String, Value> {
    let mut obj = Map::new();
    for &col in columns {
        match col.cell(ev) {
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

pub fn write<'a, W: Write>(
    mut out: W,
    events: impl IntoIterator<Item = &'a Event>,
    columns: &[Column],
    zone: &Zone,
) -> io::Result<()> {
    for ev in events {
        serde_json::to_writer(&mut out, &to_json(ev, columns, zone))?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

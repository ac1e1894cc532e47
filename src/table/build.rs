//! The event table built straight from the decoder's ordered pass: each kept event goes into
//! column builders as it comes, so a capture never exists as one struct per event.

use polars::prelude::{
    ChunkedBuilder, Column as PlColumn, DataFrame, DataType, IdxSize, Int64Chunked, IntoColumn,
    IntoSeries, PolarsResult, PrimitiveChunkedBuilder, Series, StringChunked, StringChunkedBuilder,
    UInt32Type, UInt64Type,
};
use rustc_hash::FxHashMap;

use super::schema;
use crate::columns::{Cell, Column};
use crate::event::{Event, Kind};
use crate::pipeline::{Sink, Stats};

enum Builder {
    Time(Vec<i64>),
    U64(PrimitiveChunkedBuilder<UInt64Type>),
    U32(PrimitiveChunkedBuilder<UInt32Type>),
    Text(StringChunkedBuilder),
    /// Text of few distinct values (kind, method, gift name): each value is stored once per
    /// chunk and rows point at it, instead of a copy of `WebcastChatMessage` per row.
    Dict(Dict),
}

#[derive(Default)]
struct Dict {
    /// The distinct values; `None` is null.
    values: Vec<Option<String>>,
    /// Code of each non-null value (looked up by `&str`: no allocation per row).
    index: FxHashMap<String, IdxSize>,
    null: Option<IdxSize>,
    rows: Vec<IdxSize>,
}

impl Dict {
    fn push(&mut self, v: Option<&str>) {
        let code = match v {
            Some(s) => match self.index.get(s) {
                Some(&c) => c,
                None => {
                    let c = self.values.len() as IdxSize;
                    self.values.push(Some(s.to_string()));
                    self.index.insert(s.to_string(), c);
                    c
                }
            },
            None => *self.null.get_or_insert_with(|| {
                self.values.push(None);
                (self.values.len() - 1) as IdxSize
            }),
        };
        self.rows.push(code);
    }

    /// The rows' values: a gather from the distinct values, so every row's string view points
    /// into the same few bytes.
    fn finish(self, col: Column) -> PolarsResult<Series> {
        let distinct: StringChunked = self.values.iter().map(|v| v.as_deref()).collect();
        distinct
            .with_name(col.name().into())
            .into_series()
            .take_slice(&self.rows)
    }
}

impl Builder {
    fn push(&mut self, cell: Cell) {
        match (self, cell) {
            (Builder::Time(v), Cell::Time(ms)) => v.push(ms),
            (Builder::Time(v), _) => v.push(0),
            (Builder::U64(b), Cell::Id(x) | Cell::Count(x)) => b.append_value(x),
            (Builder::U64(b), _) => b.append_null(),
            (Builder::U32(b), Cell::Id(x) | Cell::Count(x)) => {
                b.append_value(u32::try_from(x).unwrap_or(u32::MAX))
            }
            (Builder::U32(b), _) => b.append_null(),
            (Builder::Text(b), Cell::Text(s)) => b.append_value(s),
            (Builder::Text(b), _) => b.append_null(),
            (Builder::Dict(d), Cell::Text(s)) => d.push(Some(s)),
            (Builder::Dict(d), _) => d.push(None),
        }
    }

    fn finish(self, col: Column) -> PolarsResult<Series> {
        Ok(match self {
            Builder::Time(v) => Int64Chunked::from_vec(col.name().into(), v)
                .into_series()
                .cast(&schema::dtype(col.dtype()))?,
            Builder::U64(b) => b.finish().into_series(),
            Builder::U32(b) => b.finish().into_series(),
            Builder::Text(b) => b.finish().into_series(),
            Builder::Dict(d) => d.finish(col)?,
        })
    }
}

/// Rows per chunk: builders are finished every this many rows, so a growing table never holds
/// a builder's doubling slack of more than one chunk.
const CHUNK_ROWS: usize = 1 << 16;

/// A [`Sink`] that fills the event table's columns.
pub struct TableBuilder {
    columns: Vec<Builder>,
    /// Finished chunks of every column but `ts`, indexed like [`Column::ALL`].
    done: Vec<Option<Series>>,
    in_chunk: usize,
    /// Arrival order, to sort by (ts, seq) at the end.
    seq: Vec<u64>,
    ts: Vec<i64>,
    stats: Partial,
}

#[derive(Default)]
struct Partial {
    gifts: u64,
    rooms: std::collections::BTreeSet<u64>,
    first: Option<i64>,
    last: Option<i64>,
}

impl Default for TableBuilder {
    fn default() -> Self {
        TableBuilder::new()
    }
}

impl TableBuilder {
    pub fn new() -> TableBuilder {
        TableBuilder {
            columns: fresh_builders(),
            done: Column::ALL.iter().map(|_| None).collect(),
            in_chunk: 0,
            seq: Vec::new(),
            ts: Vec::new(),
            stats: Partial::default(),
        }
    }

    fn add(&mut self, seq: u64, ev: &Event) {
        for (b, &col) in self.columns.iter_mut().zip(Column::ALL.iter()) {
            // `ts` is kept on the side for sorting and joins the table at the end.
            if col != Column::Ts {
                b.push(col.cell(ev));
            }
        }
        self.seq.push(seq);
        self.ts.push(ev.ts);
        self.in_chunk += 1;
        if self.in_chunk == CHUNK_ROWS {
            // Errors cannot happen here (the builders' types match); keep the chunk if one did.
            let _ = self.seal();
        }
        let p = &mut self.stats;
        p.gifts += u64::from(ev.kind == Kind::Gift);
        if ev.room_id != 0 {
            p.rooms.insert(ev.room_id);
        }
        if ev.ts != 0 {
            p.first = Some(p.first.map_or(ev.ts, |f| f.min(ev.ts)));
        }
        p.last = Some(p.last.map_or(ev.ts, |l| l.max(ev.ts)));
    }

    /// Finishes the builders' rows into a chunk of each column.
    fn seal(&mut self) -> PolarsResult<()> {
        let builders = std::mem::replace(&mut self.columns, fresh_builders());
        for ((b, &col), done) in builders
            .into_iter()
            .zip(Column::ALL.iter())
            .zip(self.done.iter_mut())
        {
            if col == Column::Ts {
                continue;
            }
            let chunk = b.finish(col)?;
            match done {
                Some(s) => {
                    s.append_owned(chunk)?;
                }
                None => *done = Some(chunk),
            }
        }
        self.in_chunk = 0;
        Ok(())
    }

    /// The table, sorted by (ts, arrival): one column at a time, so sorting never holds two
    /// copies of the whole table.
    fn build(mut self) -> PolarsResult<DataFrame> {
        self.seal()?;
        let n = self.ts.len();
        let mut order: Vec<IdxSize> = (0..n as IdxSize).collect();
        let sorted = self
            .ts
            .windows(2)
            .zip(self.seq.windows(2))
            .all(|(t, s)| (t[0], s[0]) <= (t[1], s[1]));
        if !sorted {
            let (ts, seq) = (&self.ts, &self.seq);
            order.sort_unstable_by_key(|&i| (ts[i as usize], seq[i as usize]));
        }
        drop(std::mem::take(&mut self.seq));
        let mut out: Vec<PlColumn> = Vec::with_capacity(Column::ALL.len());
        let mut ts = Some(std::mem::take(&mut self.ts));
        for (done, &col) in self.done.into_iter().zip(Column::ALL.iter()) {
            let series = match (col, ts.take_if(|_| col == Column::Ts), done) {
                (Column::Ts, Some(ts), _) => Builder::Time(ts).finish(col)?,
                (_, _, Some(s)) => s,
                // No rows at all.
                (_, _, None) => Series::new_empty(col.name().into(), &schema::dtype(col.dtype())),
            };
            let column = series.into_column();
            out.push(if sorted {
                column
            } else {
                column.take_slice(&order)?
            });
        }
        DataFrame::new(n, out)
    }
}

impl Sink for TableBuilder {
    type Output = PolarsResult<DataFrame>;

    fn push(&mut self, seq: u64, ev: Event) {
        self.add(seq, &ev);
    }

    fn finish(mut self, gifts: Vec<(u64, Event)>, stats: &mut Stats) -> PolarsResult<DataFrame> {
        for (seq, ev) in &gifts {
            self.add(*seq, ev);
        }
        drop(gifts);
        let p = std::mem::take(&mut self.stats);
        stats.events = self.ts.len() as u64;
        stats.combos = p.gifts;
        stats.rooms = p.rooms;
        stats.first_ts = p.first;
        stats.last_ts = p.last.filter(|t| *t != 0);
        self.build()
    }
}

fn fresh_builders() -> Vec<Builder> {
    Column::ALL
        .iter()
        .map(|&c| {
            let name = c.name().into();
            match schema::dtype(c.dtype()) {
                DataType::Datetime(..) => Builder::Time(Vec::new()),
                DataType::UInt32 => Builder::U32(PrimitiveChunkedBuilder::new(name, CHUNK_ROWS)),
                DataType::UInt64 => Builder::U64(PrimitiveChunkedBuilder::new(name, CHUNK_ROWS)),
                _ if matches!(c, Column::Kind | Column::Method | Column::GiftName) => {
                    Builder::Dict(Dict::default())
                }
                _ => Builder::Text(StringChunkedBuilder::new(name, CHUNK_ROWS)),
            }
        })
        .collect()
}

//! The event table built straight from the decoder: workers fill column builders from each
//! message's bytes in place, so a capture never exists as one struct (or `String`) per event.

use polars::prelude::{
    BooleanChunked, ChunkedBuilder, Column as PlColumn, DataFrame, DataType, IdxSize, Int64Chunked,
    IntoColumn, IntoSeries, PolarsError, PolarsResult, PrimitiveChunkedBuilder, Series,
    StringChunked, StringChunkedBuilder, UInt32Type, UInt64Type,
};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{schema, sparse};
use crate::columns::{Cell, Column};
use crate::event::EventRef;
use crate::pipeline::{Plan, Sink, Stats, FROM_CONTEXT};

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

/// Rows per chunk of the finished table: runs of rows from the workers are joined into chunks
/// this long, so columns do not end up in thousands of small pieces.
const CHUNK_ROWS: usize = 1 << 16;

/// A worker's rows: column builders filled from borrowed events.
pub struct Rows {
    /// The builders of [`Layout::filled`], in that order.
    columns: Vec<Builder>,
    ts: Vec<i64>,
    layout: Layout,
}

/// Which columns besides `ts` the builder fills; the rest of the table is null.
#[derive(Debug, Clone)]
pub struct Layout {
    filled: std::sync::Arc<[Column]>,
}

/// A worker's rows as polars columns (the filled ones but `ts`, which is kept aside for the
/// sort).
pub struct Chunk {
    columns: PolarsResult<Vec<Series>>,
    ts: Vec<i64>,
}

/// A [`Sink`] that fills the event table's columns: workers build column chunks straight from
/// the decoded messages' bytes, the ordered pass only drops rows and joins chunks.
pub struct TableBuilder {
    layout: Layout,
    /// Finished chunks of each filled column, in [`Layout::filled`] order.
    done: Vec<Series>,
    /// Runs not yet joined into a chunk.
    pending: Vec<Vec<Series>>,
    pending_rows: usize,
    ts: Vec<i64>,
    /// Rows appended but dropped by the ordered pass (re-deliveries, outdone combo updates),
    /// by index among all appended rows: they stay in the chunks until the final gather, which
    /// leaves them out, instead of each run being filtered and copied as it comes.
    dropped: Vec<IdxSize>,
    error: Option<PolarsError>,
}

impl Default for TableBuilder {
    fn default() -> Self {
        TableBuilder::new()
    }
}

impl TableBuilder {
    /// The whole event table.
    pub fn new() -> TableBuilder {
        TableBuilder::only(&NOT_TS)
    }

    /// The event table with only `columns` (and `ts`) filled, every other column null: what a
    /// query that reads just those needs (the analyses read [`crate::analysis::COLUMNS_READ`]),
    /// in a fraction of the memory, as polars' projection pushdown gives a scanned file.
    pub fn only(columns: &[Column]) -> TableBuilder {
        let filled: Vec<Column> = NOT_TS
            .iter()
            .copied()
            .filter(|c| columns.contains(c))
            .collect();
        TableBuilder {
            layout: Layout {
                filled: filled.into(),
            },
            done: Vec::new(),
            pending: Vec::new(),
            pending_rows: 0,
            ts: Vec::new(),
            dropped: Vec::new(),
            error: None,
        }
    }

    fn try_append(&mut self, chunk: Chunk, keep: &[bool]) -> PolarsResult<()> {
        let columns = chunk.columns?;
        let first = self.ts.len();
        self.dropped.extend(
            keep.iter()
                .enumerate()
                .filter(|(_, k)| !**k)
                .map(|(i, _)| (first + i) as IdxSize),
        );
        self.ts.extend(chunk.ts);
        self.pending_rows += columns.first().map_or(0, |c| c.len());
        self.pending.push(columns);
        if self.pending_rows >= CHUNK_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    /// Joins the pending runs into one chunk of each column.
    fn flush(&mut self) -> PolarsResult<()> {
        let mut runs = std::mem::take(&mut self.pending).into_iter();
        self.pending_rows = 0;
        let Some(mut joined) = runs.next() else {
            return Ok(());
        };
        for run in runs {
            for (j, s) in joined.iter_mut().zip(run) {
                j.append_owned(s)?;
            }
        }
        for (i, j) in joined.into_iter().enumerate() {
            let j = sparse::compact(j.rechunk())?;
            match self.done.get_mut(i) {
                Some(d) => {
                    d.append_owned(j)?;
                }
                None => self.done.push(j),
            }
        }
        // No malloc_trim here: a trim walks the whole heap, which at 10 M events made the
        // decode half as slow again (22 s against 15 s) and left the peak where it was.
        Ok(())
    }

    /// The table, in the plan's order and then sorted by time: a column at a time per core, so
    /// sorting never holds two copies of the whole table.
    fn build(mut self, plan: &Plan) -> PolarsResult<DataFrame> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.flush()?;
        let n = plan.len();
        // The plan counts kept rows only; `kept[r]` is where kept row r is among all appended.
        let kept: Option<Vec<IdxSize>> = (!self.dropped.is_empty()).then(|| {
            let mut dropped = self.dropped.iter().copied().peekable();
            (0..self.ts.len() as IdxSize)
                .filter(|r| {
                    let gone = dropped.peek() == Some(r);
                    if gone {
                        dropped.next();
                    }
                    !gone
                })
                .collect()
        });
        drop(std::mem::take(&mut self.dropped));
        let arrival: Option<Vec<IdxSize>> = match (plan.order(), &kept) {
            (Some(o), Some(k)) => Some(o.into_iter().map(|r| k[r]).collect()),
            (Some(o), None) => Some(o.into_iter().map(|r| r as IdxSize).collect()),
            (None, k) => k.clone(),
        };
        let ts = &self.ts;
        let sorted = match &arrival {
            None => ts.is_sorted(),
            Some(order) => order
                .windows(2)
                .all(|w| ts[w[0] as usize] <= ts[w[1] as usize]),
        };
        let order: Option<Vec<IdxSize>> = match (arrival, sorted) {
            (None, true) => None,
            (arrival, _) => {
                let mut order: Vec<IdxSize> =
                    arrival.unwrap_or_else(|| (0..ts.len() as IdxSize).collect());
                if !sorted {
                    // Stable: rows of one millisecond stay in arrival order.
                    order.sort_by_key(|&r| ts[r as usize]);
                }
                Some(order)
            }
        };
        // Decoded with a context input: which rows are the context's, in output order. Kept
        // row r is the context's when r < k, that is when it was appended before kept row k.
        let from_context = plan.context_rows().map(|k| {
            let bound = match &kept {
                Some(kept) => kept.get(k).map_or(usize::MAX, |&p| p as usize),
                None => k,
            };
            let flags: BooleanChunked = match &order {
                None => (0..n).map(|r| r < bound).collect(),
                Some(o) => o.iter().map(|&r| (r as usize) < bound).collect(),
            };
            flags.with_name(FROM_CONTEXT.into()).into_series()
        });
        drop(kept);
        let ts: Vec<i64> = match &order {
            None => std::mem::take(&mut self.ts),
            Some(o) => o.iter().map(|&r| self.ts[r as usize]).collect(),
        };
        drop(std::mem::take(&mut self.ts));
        // Each filled column put in order, two at a time (one per core): the gathers are
        // independent, and single-threaded they were a tenth of a capture report's time. At
        // most one extra column per core is held while it is gathered, if each one's memory is
        // given back as it is freed (glibc would keep it: 140 MB more at 1.2 M events).
        let done: Vec<Series> = match &order {
            None => self.done,
            Some(o) => self
                .done
                .into_par_iter()
                .map(|s| {
                    let gathered = s.take_slice(o)?;
                    drop(s);
                    let compacted = sparse::compact(gathered)?;
                    crate::alloc::trim();
                    Ok(compacted)
                })
                .collect::<PolarsResult<_>>()?,
        };
        let mut done = done.into_iter();
        let mut out: Vec<PlColumn> = Vec::with_capacity(Column::ALL.len());
        let mut ts = Some(ts);
        for &col in Column::ALL.iter() {
            let series = if col == Column::Ts {
                Builder::Time(ts.take().unwrap_or_default()).finish(col)?
            } else if !self.layout.filled.contains(&col) {
                // A scalar column: no memory until something reads it.
                out.push(PlColumn::full_null(
                    col.name().into(),
                    n,
                    &schema::dtype(col.dtype()),
                ));
                continue;
            } else {
                match done.next() {
                    Some(s) => s,
                    // No rows at all.
                    None => Series::new_empty(col.name().into(), &schema::dtype(col.dtype())),
                }
            };
            out.push(series.into_column());
        }
        out.extend(from_context.map(IntoColumn::into_column));
        debug_assert_eq!(out[0].len(), n);
        DataFrame::new(n, out)
    }
}

impl Sink for TableBuilder {
    type Rows = Rows;
    type Layout = Layout;
    type Chunk = Chunk;
    type Output = PolarsResult<DataFrame>;

    fn layout(&self) -> Layout {
        self.layout.clone()
    }

    fn rows(layout: &Layout, capacity: usize) -> Rows {
        Rows {
            columns: fresh_builders(&layout.filled, capacity),
            ts: Vec::with_capacity(capacity),
            layout: layout.clone(),
        }
    }

    fn add(rows: &mut Rows, ev: &EventRef<'_>) {
        for (b, &col) in rows.columns.iter_mut().zip(rows.layout.filled.iter()) {
            b.push(col.cell(ev));
        }
        rows.ts.push(ev.ts);
    }

    fn seal(rows: Rows) -> Chunk {
        let columns = rows
            .columns
            .into_iter()
            .zip(rows.layout.filled.iter())
            .map(|(b, &col)| b.finish(col))
            .collect();
        Chunk {
            columns,
            ts: rows.ts,
        }
    }

    fn append(&mut self, chunk: Chunk, keep: &[bool]) {
        if self.error.is_none() {
            if let Err(e) = self.try_append(chunk, keep) {
                self.error = Some(e);
            }
        }
    }

    fn finish(self, plan: Plan, stats: &mut Stats) -> PolarsResult<DataFrame> {
        let df = self.build(&plan)?;
        crate::alloc::trim();
        let ts = df
            .column(Column::Ts.name())?
            .as_materialized_series()
            .clone();
        let ts = ts.to_physical_repr();
        let ts = ts.i64()?;
        stats.first_ts = ts.iter().flatten().find(|t| *t != 0);
        stats.last_ts = ts.iter().last().flatten().filter(|t| *t != 0);
        Ok(df)
    }
}

/// Every column but `ts`, in table order: what the builders fill.
static NOT_TS: std::sync::LazyLock<Vec<Column>> = std::sync::LazyLock::new(|| {
    Column::ALL
        .iter()
        .copied()
        .filter(|c| *c != Column::Ts)
        .collect()
});

fn fresh_builders(columns: &[Column], capacity: usize) -> Vec<Builder> {
    columns
        .iter()
        .map(|&c| {
            let name = c.name().into();
            match schema::dtype(c.dtype()) {
                DataType::UInt32 => Builder::U32(PrimitiveChunkedBuilder::new(name, capacity)),
                DataType::UInt64 => Builder::U64(PrimitiveChunkedBuilder::new(name, capacity)),
                _ if matches!(c, Column::Kind | Column::Method | Column::GiftName) => {
                    Builder::Dict(Dict::default())
                }
                _ => Builder::Text(StringChunkedBuilder::new(name, capacity)),
            }
        })
        .collect()
}

//! Where the processors' queries run, chosen once by whoever made the table: the engine, and
//! the event table as the processors take it.

use polars::prelude::LazyFrame;

/// The polars engine the processors' queries should run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The table is in memory: the in-memory engine.
    InMemory,
    /// The table is a scan of files: the streaming engine, so a query holds batches of the
    /// columns it reads rather than whole columns.
    Streaming,
}

/// The event table as the processors take it: the query over it, and the engine its queries
/// run on. A `LazyFrame` is an in-memory table; `load::EventTable::events` gives the
/// streaming engine for tables scanned from files, so a query holds batches of the columns it
/// reads rather than whole columns.
#[derive(Clone)]
pub struct Events {
    pub lazy: LazyFrame,
    pub engine: Engine,
}

impl From<LazyFrame> for Events {
    fn from(lazy: LazyFrame) -> Events {
        Events {
            lazy,
            engine: Engine::InMemory,
        }
    }
}

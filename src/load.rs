//! From inputs to the event table, in one call: capture files and dumps through the decoder,
//! this tool's exports and other tools' tables (CSV, Parquet, NDJSON) through [`crate::source`],
//! datasets as scans, and MySQL. What comes back carries the table as a lazy frame, whether it
//! is in time order, what reading found, and the engine the processors should run on.
//!
//! ```no_run
//! use danmu_analyze::load::{load, LoadOptions, Source};
//!
//! let table = load(&Source::files(["sample-data/session.dmcap"]), &LoadOptions::default())?;
//! println!("{} events", table.stats.events);
//! let chat = table.frame()?; // the table in memory
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::File;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use polars::prelude::{
    concat, len, DataFrame, IntoLazy, LazyFrame, PolarsError, SortMultipleOptions, UnionArgs,
};

use crate::columns::Column;
use crate::dataset::{self as ds, DatasetError};
use crate::db::Filter;
pub use crate::engine::{Engine, Events};
use crate::input::{self, InputFormat, InputSpec, OpenError};
use crate::pipeline::{self, Options, Stats};
use crate::source::{self, ColumnMap, SourceError, SourceOptions, TableFormat};
use crate::table::{build::TableBuilder, filter};
use crate::timefmt::Zone;

/// Where the events come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Files, folders, `*`/`?` patterns, `-` for stdin, dataset directories, in any mix.
    Files(Vec<PathBuf>),
    /// MySQL: `t_danmu` filtered on the server, or the rows of `query` (another tool's table,
    /// its columns matched by name). `url` `None`: `$DANMU_MYSQL_URL`.
    MySql {
        url: Option<String>,
        query: Option<String>,
    },
}

impl Source {
    pub fn files<P: Into<PathBuf>>(paths: impl IntoIterator<Item = P>) -> Source {
        Source::Files(paths.into_iter().map(Into::into).collect())
    }
}

/// What the inputs are: found from their first bytes, or said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Auto,
    /// Frames: capture files, hex / base64 dumps, raw frames.
    Frames(InputFormat),
    /// The event table itself.
    Table(TableFormat),
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "auto" {
            return Ok(Format::Auto);
        }
        match s.parse::<TableFormat>() {
            Ok(t) => Ok(Format::Table(t)),
            Err(_) => s.parse::<InputFormat>().map(Format::Frames).map_err(|_| {
                format!(
                    "unknown input format `{s}`; expected auto, capture, hex, base64, raw, parquet, csv or ndjson"
                )
            }),
        }
    }
}

/// How to read: checked settings, not raw flags.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub format: Format,
    /// Other tools' columns the built-in aliases do not find (`--map OURS=THEIRS`).
    pub map: Vec<ColumnMap>,
    /// The zone of times written without an offset.
    pub zone: Zone,
    /// The text encoding of CSV input; `None` detects it per file (BOM, UTF-8, GB18030).
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Kinds, room and time span to keep.
    pub filter: Filter,
    /// Drop re-delivered messages (same room and msgId).
    pub dedup: bool,
    /// Count each gift combo once, at its final count.
    pub resolve_combos: bool,
    /// Fail at the first unreadable frame, record or value instead of skipping it.
    pub strict: bool,
    /// The columns frames are decoded into (the others stay null), as a Parquet scan reads
    /// only what a query needs: [`Column::ALL`], or [`crate::analysis::COLUMNS_READ`].
    pub columns: Vec<Column>,
    /// Every byte of the frame inputs read is added here, for a progress bar.
    pub bytes_read: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            format: Format::Auto,
            map: Vec::new(),
            zone: Zone::default(),
            encoding: None,
            filter: Filter::default(),
            dedup: true,
            resolve_combos: true,
            strict: false,
            columns: Column::ALL.to_vec(),
            bytes_read: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("give input files or MySQL, not both")]
    FilesAndMySql,
    #[error("opening the inputs failed: {0}")]
    Open(#[from] OpenError),
    #[error("{0}")]
    Source(#[from] SourceError),
    #[error("reading the dataset {} failed: {source}", dir.display())]
    Dataset { dir: PathBuf, source: DatasetError },
    #[error("{0}")]
    Polars(#[from] PolarsError),
    #[error("{first} (--strict: stopping at the first unreadable {what})")]
    Strict { first: String, what: &'static str },
    #[error("nothing could be read from the inputs (see above); nothing was written")]
    Nothing,
    #[cfg(feature = "mysql")]
    #[error("reading events from {url} failed: {source}")]
    Db {
        url: String,
        source: crate::db::DbError,
    },
    #[cfg(feature = "mysql")]
    #[error("{0}")]
    DbUrl(crate::db::DbError),
    #[error("MySQL: this danmu-analyze was built without MySQL support (the cargo feature `mysql`, on by default); build it with: cargo install --path . --features mysql")]
    NoMySql,
}

/// The event table of the inputs, filtered, and what reading them found.
pub struct EventTable {
    /// The table in time order: an in-memory table, or a scan of Parquet files.
    lazy: LazyFrame,
    /// `lazy` with the rows in no particular order: a dataset's parts unsorted.
    unordered: LazyFrame,
    /// The in-memory table, one chunk per column.
    frame: Option<DataFrame>,
    pub stats: Stats,
    /// The MySQL URL (password masked) the events came from.
    pub source: Option<String>,
    /// What went wrong but was got around, one line each: values left empty (the first line
    /// says so), shown always.
    pub warnings: Vec<String>,
    /// CSV rows left out for bytes their encoding cannot decode (`file: line …: why`).
    pub skipped_rows: Vec<String>,
    /// Frames, records or MySQL rows the decoder skipped (`stats.errors` holds the first);
    /// `stats.error_count` counts these, the skipped rows and the values left empty.
    pub decode_errors: u64,
    /// Worth knowing, quieted by `-q`: columns of other tools' tables that were not read.
    pub notes: Vec<String>,
    /// Where the processors' queries should run.
    pub engine: Engine,
}

/// Reads `source` into the event table, filtered as `opts` say.
pub fn load(source: &Source, opts: &LoadOptions) -> Result<EventTable, LoadError> {
    match source {
        Source::Files(paths) => load_files(paths, opts),
        #[cfg(feature = "mysql")]
        Source::MySql { url, query } => load_mysql(url.as_deref(), query.as_deref(), opts),
        #[cfg(not(feature = "mysql"))]
        Source::MySql { .. } => Err(LoadError::NoMySql),
    }
}

#[cfg(feature = "mysql")]
fn load_mysql(
    url: Option<&str>,
    query: Option<&str>,
    opts: &LoadOptions,
) -> Result<EventTable, LoadError> {
    use crate::db::{self as mysql_db, read, DbUrl};
    let url = DbUrl::from_arg_or_env(url).map_err(LoadError::DbUrl)?;
    let failed = |source| LoadError::Db {
        url: url.to_string(),
        source,
    };
    let mut conn = mysql_db::connect(&url).map_err(failed)?;
    let mut notes = Vec::new();
    let decoded = match query {
        None => read::read_table(&mut conn, &url, &opts.filter).map_err(failed)?,
        Some(sql) => {
            let renames: Vec<_> = opts
                .map
                .iter()
                .map(|m| (m.ours, m.theirs.clone()))
                .collect();
            let read =
                read::read_query(&mut conn, &url, sql, opts.zone, &renames).map_err(failed)?;
            if !read.unused_columns.is_empty() {
                notes.push(format!(
                    "note: --mysql-query: column(s) {} match no event field (README lists the names read)",
                    read.unused_columns.join(", ")
                ));
            }
            read.decoded
        }
    };
    check_strict(opts, &decoded.stats, "value")?;
    let decode_errors = decoded.stats.error_count;
    let table = crate::table::from_events(&decoded.events)?.lazy();
    let mut t = EventTable::new(
        table.clone(),
        table,
        decoded.stats,
        &opts.filter,
        Some(url.to_string()),
        Engine::InMemory,
    )?;
    t.notes = notes;
    t.decode_errors = decode_errors;
    Ok(t)
}

fn load_files(paths: &[PathBuf], opts: &LoadOptions) -> Result<EventTable, LoadError> {
    let mut frame_specs: Vec<InputSpec> = Vec::new();
    let mut table_paths: Vec<PathBuf> = Vec::new();
    let mut datasets: Vec<&Path> = Vec::new();
    for p in paths {
        if ds::is_dataset(p) {
            datasets.push(p);
        } else if is_table(p, opts.format, opts.encoding) {
            table_paths.push(p.clone());
        } else {
            let format = match opts.format {
                Format::Frames(f) => f,
                Format::Auto | Format::Table(_) => InputFormat::Auto,
            };
            frame_specs.push(InputSpec::new(p, format));
        }
    }
    let mut parts: Vec<LazyFrame> = Vec::new();
    // The same parts, a dataset's unsorted (see `EventTable::unordered`).
    let mut unordered: Vec<LazyFrame> = Vec::new();
    let mut stats = Stats::default();
    let (mut warnings, mut skipped_rows, mut notes) = (Vec::new(), Vec::new(), Vec::new());
    let mut decode_errors = 0;
    let mut engine = Engine::InMemory;
    if !frame_specs.is_empty() {
        let frames = input::open_all_counted(&frame_specs, opts.bytes_read.as_ref())?;
        let popts = Options {
            dedup: opts.dedup,
            resolve_combos: opts.resolve_combos,
        };
        let decoded = pipeline::decode_into(frames, popts, TableBuilder::only(&opts.columns));
        check_strict(opts, &decoded.stats, "input")?;
        stats = decoded.stats;
        decode_errors = stats.error_count;
        let part = decoded.events?.lazy();
        parts.push(part.clone());
        unordered.push(part);
    }
    if !table_paths.is_empty() {
        let sopts = SourceOptions {
            zone: opts.zone,
            map: opts.map.clone(),
            encoding: opts.encoding,
        };
        let format = match opts.format {
            Format::Table(f) => Some(f),
            Format::Auto | Format::Frames(_) => None,
        };
        let parquet_only = opts.map.is_empty()
            && table_paths.iter().all(|p| {
                format == Some(TableFormat::Parquet)
                    || p.extension().is_some_and(|e| e == "parquet")
            });
        if parquet_only {
            // Scanned, not read: filters and projections reach the files.
            let part = source::scan(&table_paths, format, &sopts)?;
            parts.push(part.clone());
            unordered.push(part);
            engine = Engine::Streaming;
        } else {
            let read = source::read(&table_paths, format, &sopts)?;
            if let Some(first) = read.skipped_rows.first() {
                if opts.strict {
                    return Err(LoadError::Strict {
                        first: first.clone(),
                        what: "row",
                    });
                }
                stats.error_count += read.skipped_rows.len() as u64;
                skipped_rows = read.skipped_rows;
            }
            if let Some(first) = read.problems.first() {
                if opts.strict {
                    return Err(LoadError::Strict {
                        first: first.clone(),
                        what: "value",
                    });
                }
                warnings.push("warning: some values could not be read and were left empty:".into());
                warnings.extend(read.problems.iter().map(|p| format!("  {p}")));
                stats.error_count += read.problems.len() as u64;
            }
            for c in &read.unused_columns {
                notes.push(format!(
                    "note: column {c} matches no event-table column (--map OURS=THEIRS reads it)"
                ));
            }
            let part = read.df.lazy();
            parts.push(part.clone());
            unordered.push(part);
        }
        stats.tables = table_paths.len() as u64;
    }
    for d in &datasets {
        // Scanned, with the partitions outside the filter's room and times never opened.
        let failed = |source| LoadError::Dataset {
            dir: d.to_path_buf(),
            source,
        };
        parts.push(ds::scan(d, &opts.filter).map_err(failed)?);
        unordered.push(ds::scan_unordered(d, &opts.filter).map_err(failed)?);
        stats.tables += 1;
        engine = Engine::Streaming;
    }
    let table = match parts.len() {
        1 => parts.remove(0),
        _ => concat(parts, UnionArgs::default())?.sort(
            [Column::Ts.name()],
            SortMultipleOptions::default().with_maintain_order(true),
        ),
    };
    let unordered = match unordered.len() {
        1 => unordered.remove(0),
        _ => concat(unordered, UnionArgs::default())?,
    };
    let mut t = EventTable::new(table, unordered, stats, &opts.filter, None, engine)?;
    t.warnings = warnings;
    t.skipped_rows = skipped_rows;
    t.decode_errors = decode_errors;
    t.notes = notes;
    Ok(t)
}

/// Whether an input holds the event table itself rather than frames: a folder, a pattern,
/// a table format said, or a file whose first bytes say Parquet, CSV or NDJSON.
pub fn is_table(
    path: &Path,
    format: Format,
    encoding: Option<&'static encoding_rs::Encoding>,
) -> bool {
    match format {
        Format::Table(_) => return true,
        Format::Auto | Format::Frames(InputFormat::Auto) => {}
        Format::Frames(_) => return false,
    }
    if input::is_stdin(path) {
        return false;
    }
    if path.is_dir() || path.to_string_lossy().contains(['*', '?']) {
        return true;
    }
    let mut head = Vec::with_capacity(8192);
    let read = File::open(path).and_then(|f| f.take(8192).read_to_end(&mut head));
    read.is_ok()
        && input::detect(&head) != InputFormat::Capture
        && source::detect_with(&head, encoding).is_some()
}

fn check_strict(opts: &LoadOptions, stats: &Stats, what: &'static str) -> Result<(), LoadError> {
    match stats.errors.first() {
        Some(first) if opts.strict => Err(LoadError::Strict {
            first: first.to_string(),
            what,
        }),
        _ => Ok(()),
    }
}

impl EventTable {
    fn new(
        table: LazyFrame,
        unordered: LazyFrame,
        stats: Stats,
        f: &Filter,
        source: Option<String>,
        engine: Engine,
    ) -> Result<EventTable, LoadError> {
        let lazy = filter::apply(table, f);
        // A scan stays a scan; anything else is collected once, one chunk per column but for
        // the mostly-null ones, whose null runs cost nothing as chunks of their own.
        let (lazy, unordered, frame) = match engine {
            Engine::Streaming => (lazy, filter::apply(unordered, f), None),
            Engine::InMemory => {
                let frame = crate::table::sparse::rechunk(lazy.collect()?)?;
                (frame.clone().lazy(), frame.clone().lazy(), Some(frame))
            }
        };
        Ok(EventTable {
            lazy,
            unordered,
            frame,
            stats,
            source,
            warnings: Vec::new(),
            skipped_rows: Vec::new(),
            decode_errors: 0,
            notes: Vec::new(),
            engine,
        })
    }

    /// The table in time order (then place in the inputs).
    pub fn lazy(&self) -> LazyFrame {
        self.lazy.clone()
    }

    /// The table as [`Self::lazy`], but for a dataset its parts unsorted (each in time order,
    /// one after another): what the processors take, since they read order only as time then
    /// place in the table, which is the sorted table's order, and so nothing holds every row.
    pub fn unordered(&self) -> LazyFrame {
        self.unordered.clone()
    }

    /// The table as the processors take it: [`Self::unordered`] and the engine to run on.
    pub fn events(&self) -> Events {
        Events {
            lazy: self.unordered(),
            engine: self.engine,
        }
    }

    /// Whether [`Self::unordered`] is already in time order (an in-memory table is).
    pub fn is_time_ordered(&self) -> bool {
        self.frame.is_some()
    }

    /// The table in memory (collected from the scan if it was one), one chunk per column: what
    /// row-wise writers read ([`crate::table::rows::Rows`]).
    pub fn frame(&self) -> Result<DataFrame, LoadError> {
        let mut t = match &self.frame {
            Some(t) => t.clone(),
            None => self.lazy.clone().collect()?,
        };
        t.rechunk_mut();
        Ok(t)
    }

    /// For commands that write results: inputs that yielded no event at all, only errors,
    /// get no (empty) output.
    pub fn require_events(&self) -> Result<(), LoadError> {
        if self.stats.error_count > 0 {
            let n = self.lazy.clone().select([len()]).collect()?;
            if n.column("len")?.u32()?.get(0).unwrap_or(0) == 0 {
                return Err(LoadError::Nothing);
            }
        }
        Ok(())
    }

    /// One line on what reading did.
    pub fn summary(&self) -> String {
        let s = &self.stats;
        if let Some(url) = &self.source {
            return format!("{} events read from {url}", s.events);
        }
        if s.records == 0 && s.tables > 0 {
            return format!("the event table read from {} table input(s)", s.tables);
        }
        format!(
            "{} records, {} messages → {} events ({} re-delivered dropped, {} gift updates → {} gifts)",
            s.records, s.messages, s.events, s.duplicates_dropped, s.gift_updates, s.combos
        )
    }
}

//! danmu-analyze: record, decode and analyse Douyin live-stream danmaku (弹幕).
//!
//! The flow: [`load()`] reads inputs (capture files, dumps, exports, other tools' tables,
//! datasets, MySQL) into one [`EventTable`]; the processors in [`analysis`] are polars queries
//! on it; [`report`] writes what they find as CSV, PNG, HTML and JSON; [`record`] captures live
//! rooms into capture files that `load` reads.
//!
//! ```no_run
//! use danmu_analyze::{load, LoadOptions, Source};
//! use danmu_analyze::analysis::{timeline, users, words::{self, Segmenter}};
//!
//! let table = load(&Source::files(["sample-data/session.dmcap"]), &LoadOptions::default())?;
//! let seg = Segmenter::new(None, None)?;
//! let hot = words::words(table.events(), &seg, &Default::default())?;
//! let per_minute = timeline::timeline(table.events(), timeline::BucketSize(60_000))?;
//! let ranks = users::users(table.events(), 10)?;
//! println!("{}\n{}\n{}", hot.words.head(Some(10)), per_minute.frame, ranks.top_chatters);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Underneath: [`input`] yields raw frames (from [`capture`] files, text dumps, raw frames),
//! [`pipeline`] decodes them ([`frame`] → [`decode`]) into [`event::Event`]s, drops
//! re-deliveries and resolves gift combos; [`table`] and [`output`] turn events into tables.
//! [`columns`] defines the event table's columns once; `source` reads files that already hold
//! the table (exports, other tools' CSV / Parquet) into it. `examples/` has short programs.

pub mod alloc;
#[cfg(feature = "table")]
pub mod analysis;
pub mod atomic;
pub mod capture;
#[cfg(feature = "table")]
pub mod charts;
pub mod columns;
#[cfg(feature = "table")]
pub mod dataset;
pub mod db;
pub mod decode;
pub mod decoder;
pub mod deflate;
#[cfg(feature = "table")]
pub mod engine;
pub mod event;
pub mod frame;
pub mod input;
#[cfg(feature = "live")]
pub mod live;
#[cfg(feature = "table")]
pub mod load;
#[cfg(feature = "table")]
pub mod output;
pub mod pipeline;
pub mod proto;
#[cfg(feature = "table")]
pub mod report;
pub mod resolve;
pub mod simulate;
#[cfg(feature = "table")]
pub mod source;
#[cfg(feature = "table")]
pub mod table;
pub mod timefmt;
pub mod wire;

#[cfg(feature = "live")]
pub use live::recording::{record, Plan, RoomPlan};
#[cfg(feature = "table")]
pub use load::{load, EventTable, LoadOptions, Source};

//! danmu-analyze: record, decode and analyse Douyin live-stream danmaku (弹幕).
//!
//! The pipeline: [`input`] yields raw frames (from [`capture`] files, text dumps, raw frames),
//! [`pipeline`] decodes them ([`frame`] → [`decode`]) into [`event::Event`]s, drops
//! re-deliveries and resolves gift combos; [`table`] and [`output`] turn events into tables.
//! [`columns`] defines the event table's columns once; `source` reads files that already hold
//! the table (exports, other tools' CSV / Parquet) into it.

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
pub mod simulate;
#[cfg(feature = "table")]
pub mod source;
#[cfg(feature = "table")]
pub mod table;
pub mod timefmt;
pub mod wire;

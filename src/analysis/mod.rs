//! Processors over the event table: words, timeline and peaks, users, gifts, and the summary
//! that ties them together. Each is a polars query: it takes the table as a `LazyFrame` (an
//! in-memory table or a scan of files) and returns `DataFrame`s.

pub mod compare;
pub mod during;
pub mod expr;
pub mod gifts;
pub mod keywords;
pub mod peaks;
pub mod sessions;
pub mod summary;
pub mod timeline;
pub mod users;
pub mod words;

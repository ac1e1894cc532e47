//! One integration-test crate (one link step) with a module per concern.

mod common;

mod bad_input;
mod bare_frames;
mod capture_file;
mod cli;
mod columns;
mod dataset;
mod encodings;
mod export;
mod funnel;
#[cfg(feature = "live")]
mod guide;
mod in_place_decoder;
#[cfg(feature = "live")]
mod live;
#[cfg(feature = "live")]
mod live_hosts;
#[cfg(feature = "live")]
mod live_proxies;
#[cfg(feature = "live")]
mod live_replay;
#[cfg(feature = "live")]
mod live_rooms;
mod load_api;
mod payloads;
mod peaks;
#[cfg(feature = "live")]
mod proxies;
mod real_frames;
mod regression;
mod report;
mod sessions;
mod simulate_truth;
mod sources;
mod sparse_columns;
mod table_outputs;
mod table_roundtrip;

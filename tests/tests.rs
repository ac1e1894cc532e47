//! One integration-test crate (one link step) with a module per concern.

mod common;

mod bad_input;
mod capture_file;
mod export;
#[cfg(feature = "live")]
mod live;
mod payloads;
mod peaks;
mod real_frames;
mod regression;
mod report;
mod simulate_truth;

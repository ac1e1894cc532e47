//! One integration-test crate (one link step) with a module per concern.

mod common;

mod bad_input;
mod capture_file;
mod export;
mod payloads;
mod real_frames;
mod simulate_truth;

//! Decode throughput on a simulated busy room, stage by stage, beside the floor: a one-shot
//! inflate of the same payloads on every thread. Run with `cargo bench --bench decode`.
//!
//! Each stage does everything the one before did plus one step, on frames already in memory
//! (except the first), so the differences are what each step costs: read the capture; inflate;
//! read each Response and message in place into events (protobuf); fill the table's column
//! chunks; then the whole decode with de-duplication, combos and the sort.
//!
//! `DANMU_BENCH_MINUTES` / `DANMU_BENCH_VIEWERS` size the session (default 60 × 20,000: about
//! 1.2 M messages, ~210 per frame); `DANMU_BENCH_SHAPE=real` takes the real-shaped capture
//! instead (ten rooms, ~2.7 messages per frame, ~97 k frames). The capture is generated once
//! into `bench-data/` (or `$DANMU_BENCH_DATA`).

use std::io::{BufReader, Read};
use std::time::{Duration, Instant};

mod common;

use common::shaped_capture;
use danmu_analyze::analysis::COLUMNS_READ;
use danmu_analyze::capture::CaptureReader;
use danmu_analyze::decoder::{self, Depth, Received};
use danmu_analyze::frame::{decode_push_frame, inflate};
use danmu_analyze::input::{self, InputFormat, InputSpec};
use danmu_analyze::pipeline::{self, Options, RawFrame};
use danmu_analyze::table::build::TableBuilder;
use rayon::prelude::*;

const RUNS: usize = 3;

fn best<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        last = Some(v);
    }
    (best, last.unwrap())
}

fn main() {
    // `cargo bench` passes --bench; any other argument filters nothing here.
    let path = shaped_capture(60, 20_000);
    let file_bytes = std::fs::metadata(&path).unwrap().len();
    if std::env::var_os("DANMU_BENCH_DECODE_ONLY").is_some() {
        // For profilers: just the decode, once.
        let frames = input::open(&InputSpec::new(&path, InputFormat::Auto)).unwrap();
        let d = pipeline::decode_into(frames, Options::default(), TableBuilder::new());
        println!("{} messages", d.stats.messages);
        return;
    }

    // The payloads alone, in memory, for the floor.
    let mut raw = Vec::new();
    BufReader::new(std::fs::File::open(&path).unwrap())
        .read_to_end(&mut raw)
        .unwrap();
    let payloads: Vec<Vec<u8>> = CaptureReader::new(raw.as_slice())
        .unwrap()
        .filter_map(|r| r.ok())
        .filter_map(|r| decode_push_frame(&r.record.frame).ok())
        .filter(|f| f.payload_type == "msg")
        .map(|f| f.payload)
        .collect();
    drop(raw);

    let (inflate_1, inflated) = best(|| {
        let mut out = Vec::new();
        payloads
            .iter()
            .map(|p| {
                inflate(p, &mut out).unwrap();
                out.len()
            })
            .sum::<usize>()
    });
    let (inflate_2, _) = best(|| {
        payloads
            .par_iter()
            .map_init(Vec::new, |out, p| {
                inflate(p, out).unwrap();
                out.len()
            })
            .sum::<usize>()
    });
    let (read, frames) = best(|| {
        input::open(&InputSpec::new(&path, InputFormat::Auto))
            .unwrap()
            .collect::<Result<Vec<RawFrame>, _>>()
            .unwrap()
    });
    let (protobuf, views) = best(|| {
        frames
            .par_iter()
            .map_init(Vec::new, |scratch, f| {
                let mut n = 0usize;
                decoder::decode_each(
                    &f.bytes,
                    Received::default(),
                    Depth::Events,
                    scratch,
                    |_| n += 1,
                )
                .map_or(0, |_| n)
            })
            .sum::<usize>()
    });
    let in_memory = || frames.iter().cloned().map(Ok);
    let no_pass = Options {
        dedup: false,
        resolve_combos: false,
    };
    let (columns, _) = best(|| pipeline::decode_into(in_memory(), no_pass, TableBuilder::new()));
    let (whole, _) =
        best(|| pipeline::decode_into(in_memory(), Options::default(), TableBuilder::new()));
    let (decode, decoded) = best(|| {
        let frames = input::open(&InputSpec::new(&path, InputFormat::Auto)).unwrap();
        pipeline::decode_into(frames, Options::default(), TableBuilder::new())
    });
    // What `report` decodes: only the columns the analyses read.
    let (decode_read, _) = best(|| {
        let frames = input::open(&InputSpec::new(&path, InputFormat::Auto)).unwrap();
        pipeline::decode_into(frames, Options::default(), TableBuilder::only(COLUMNS_READ))
    });
    assert_eq!(
        views as u64, decoded.stats.messages,
        "every message became an event"
    );
    let messages = decoded.stats.messages;
    let secs = |d: Duration| d.as_secs_f64();
    let mb = file_bytes as f64 / 1e6;
    println!(
        "capture: {} ({:.1} MB, {} frames with payload, {:.1} MB inflated)",
        path.display(),
        mb,
        payloads.len(),
        inflated as f64 / 1e6
    );
    println!(
        "messages: {messages} ({} events after dedup and combos)",
        decoded.stats.events
    );
    println!("threads: {}", rayon::current_num_threads());
    println!(
        "{:<34}{:>10}{:>16}{:>12}",
        "stage (best of 3)", "seconds", "messages/s", "MB/s"
    );
    println!("(each stage includes the ones above it; frames in memory after `read`)");
    for (name, d) in [
        ("read the capture (frames)", read),
        ("inflate only, 1 thread", inflate_1),
        ("inflate only, all threads (floor)", inflate_2),
        ("+ protobuf in place → events", protobuf),
        ("+ column chunks (no dedup)", columns),
        ("+ dedup, combos, sort", whole),
        ("decode: file → event table", decode),
        ("decode: file → report's columns", decode_read),
    ] {
        println!(
            "{name:<34}{:>10.3}{:>16.0}{:>12.1}",
            secs(d),
            messages as f64 / secs(d),
            mb / secs(d)
        );
    }
    println!(
        "decode / inflate 1 thread: {:.2}x",
        secs(decode) / secs(inflate_1)
    );
    println!(
        "decode / inflate all threads: {:.2}x",
        secs(decode) / secs(inflate_2)
    );
    // The floor of issue 23: inflate and the protobuf walk on every thread.
    println!(
        "decode / floor (inflate + protobuf, all threads): {:.2}x; report's columns: {:.2}x",
        secs(decode) / secs(protobuf),
        secs(decode_read) / secs(protobuf)
    );
    assert_eq!(decoded.stats.error_count, 0);
}

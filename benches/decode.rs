//! Decode throughput on a simulated capture of over a million messages, beside the floor: a plain
//! flate2 inflate of the same payloads. Run with `cargo bench --bench decode`.
//!
//! The capture is generated once and kept in the target directory (`bench-data/`).

use std::io::{BufReader, Read};
use std::time::{Duration, Instant};

mod common;

use common::capture;
use danmu_analyze::capture::CaptureReader;
use danmu_analyze::frame::{decode_push_frame, inflate};
use danmu_analyze::input::{self, InputFormat, InputSpec};
use danmu_analyze::pipeline::{self, Options};
use danmu_analyze::simulate::SimConfig;
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
    let cfg = SimConfig {
        minutes: 60,
        viewers: 16_000,
        seed: 1,
        ..SimConfig::default()
    };
    let path = capture(&cfg);
    let file_bytes = std::fs::metadata(&path).unwrap().len();
    if std::env::var_os("DANMU_BENCH_DECODE_ONLY").is_some() {
        // For profilers: just the decode, once.
        let frames = input::open(&InputSpec::new(&path, InputFormat::Auto)).unwrap();
        let d = pipeline::decode_all(frames, Options::default());
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
    let (decode, decoded) = best(|| {
        let frames = input::open(&InputSpec::new(&path, InputFormat::Auto)).unwrap();
        pipeline::decode_all(frames, Options::default())
    });
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
    for (name, d) in [
        ("inflate only, 1 thread (floor)", inflate_1),
        ("inflate only, all threads", inflate_2),
        ("decode (file → events), all", decode),
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
    assert_eq!(decoded.stats.error_count, 0);
}

//! `report` on a simulated capture of over a million chat messages: wall time of each stage,
//! and peak memory. Run with `cargo bench --bench report` (a release build of polars: long the
//! first time).

use std::time::Instant;

mod common;

use common::capture;
use danmu_analyze::analysis::summary::{analyze, AnalysisOptions, Summary};
use danmu_analyze::analysis::words::Segmenter;
use danmu_analyze::input::{self, InputFormat, InputSpec};
use danmu_analyze::output::csv::CsvOptions;
use danmu_analyze::pipeline::{self, Options};
use danmu_analyze::report::{self, ReportInput};
use danmu_analyze::simulate::SimConfig;
use danmu_analyze::timefmt::Zone;
use polars::prelude::IntoLazy;

/// Peak resident memory of this process so far (Linux), in MB.
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    // About 0.5 chat messages per viewer-minute: 120 min × 20,000 viewers ≈ 1.2 million chats.
    let cfg = SimConfig {
        minutes: 120,
        viewers: 20_000,
        seed: 1,
        ..SimConfig::default()
    };
    let path = capture(&cfg);
    let out = common::bench_dir().join("report-bench");
    let zone = Zone::default();
    let opts = AnalysisOptions::default();
    let rss_before = peak_rss_mb();

    let t0 = Instant::now();
    let frames = input::open(&InputSpec::new(&path, InputFormat::Auto)).unwrap();
    let decoded = pipeline::decode_all(frames, Options::default());
    let t_decode = t0.elapsed();
    let n_events = decoded.events.len();
    let t = Instant::now();
    let table = danmu_analyze::table::from_events(&decoded.events).unwrap();
    drop(decoded.events);
    let t_table = t.elapsed();
    let t = Instant::now();
    let seg = Segmenter::new(None, None).unwrap();
    let t_dict = t.elapsed();
    let mut stages: Vec<(String, Instant)> = vec![("start".into(), Instant::now())];
    let a = analyze(table.lazy(), &seg, &opts, |s| {
        stages.push((s.to_string(), Instant::now()))
    })
    .unwrap();
    stages.push(("end".into(), Instant::now()));
    let summary = Summary::new(&a, &decoded.stats, &zone, opts.top);
    let t = Instant::now();
    let csv = CsvOptions::default();
    let input = ReportInput {
        analysis: &a,
        summary: &summary,
        zone: &zone,
        csv: &csv,
        title: "bench",
        top: opts.top,
    };
    report::write(&out, &input, |_| {}).unwrap();
    let t_write = t.elapsed();
    let total = t0.elapsed();

    let chats = a.totals.counts.get("chat").copied().unwrap_or(0);
    println!(
        "capture: {} ({:.0} MB)",
        path.display(),
        std::fs::metadata(&path).unwrap().len() as f64 / 1e6
    );
    println!(
        "messages: {}, events: {}, chat messages: {chats}",
        decoded.stats.messages, n_events
    );
    println!("{:<28}{:>9}", "stage", "seconds");
    println!("{:<28}{:>9.2}", "decode", t_decode.as_secs_f64());
    println!("{:<28}{:>9.2}", "event table", t_table.as_secs_f64());
    println!(
        "{:<28}{:>9.2}",
        "load jieba dictionaries",
        t_dict.as_secs_f64()
    );
    for w in stages.windows(2).skip(1) {
        println!("{:<28}{:>9.2}", w[0].0, (w[1].1 - w[0].1).as_secs_f64());
    }
    println!(
        "{:<28}{:>9.2}",
        "tables, charts, page",
        t_write.as_secs_f64()
    );
    println!("{:<28}{:>9.2}", "total", total.as_secs_f64());
    println!(
        "peak memory: {:.0} MB (before: {rss_before:.0} MB)",
        peak_rss_mb()
    );
}

//! `report` on a simulated capture of over a million chat messages: wall time of each stage,
//! and peak memory. Run with `cargo bench --bench report --no-default-features` (the report
//! path does not need polars, whose release build takes 20+ minutes here).

use std::path::{Path, PathBuf};
use std::time::Instant;

use danmu_analyze::analysis::summary::{analyze, AnalysisOptions, Summary};
use danmu_analyze::analysis::words::Segmenter;
use danmu_analyze::input::{self, InputFormat, InputSpec};
use danmu_analyze::output::csv::CsvOptions;
use danmu_analyze::pipeline::{self, Options};
use danmu_analyze::report::{self, ReportInput};
use danmu_analyze::simulate::{simulate, SimConfig};
use danmu_analyze::timefmt::Zone;

fn bench_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("bench-data")
}

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
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!(
        "sim-{}m-{}v-s{}.dmcap",
        cfg.minutes, cfg.viewers, cfg.seed
    ));
    if !path.exists() {
        let t = Instant::now();
        let tmp = path.with_extension("partial");
        let truth = simulate(
            &cfg,
            std::io::BufWriter::new(std::fs::File::create(&tmp).unwrap()),
        )
        .unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        eprintln!(
            "generated {} ({} messages) in {:.1?}",
            path.display(),
            truth.messages_sent,
            t.elapsed()
        );
    }
    let out = dir.join("report-bench");
    let zone = Zone::default();
    let opts = AnalysisOptions::default();
    let rss_before = peak_rss_mb();

    let t0 = Instant::now();
    let frames = input::open(&InputSpec::new(&path, InputFormat::Auto)).unwrap();
    let decoded = pipeline::decode_all(frames, Options::default());
    let t_decode = t0.elapsed();
    let events: Vec<_> = decoded.events.iter().collect();
    let t = Instant::now();
    let seg = Segmenter::new(None, None).unwrap();
    let t_dict = t.elapsed();
    let mut stages: Vec<(String, Instant)> = vec![("start".into(), Instant::now())];
    let a = analyze(&events, &seg, &opts, |s| {
        stages.push((s.to_string(), Instant::now()))
    });
    stages.push(("end".into(), Instant::now()));
    let summary = Summary::new(&a, &events, &decoded.stats, &zone, opts.top);
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

    let chats = a.counts.get("chat").copied().unwrap_or(0);
    println!(
        "capture: {} ({:.0} MB)",
        path.display(),
        std::fs::metadata(&path).unwrap().len() as f64 / 1e6
    );
    println!(
        "messages: {}, events: {}, chat messages: {chats}",
        decoded.stats.messages,
        events.len()
    );
    println!("{:<28}{:>9}", "stage", "seconds");
    println!("{:<28}{:>9.2}", "decode", t_decode.as_secs_f64());
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

//! `report` on a simulated capture: wall time of each stage and peak memory, from the capture
//! or from its Parquet export. Run with `cargo bench --bench report` (a release build of
//! polars: long the first time).
//!
//! - `DANMU_BENCH_MINUTES`, `DANMU_BENCH_VIEWERS`: the simulated session (default 120 minutes
//!   × 20,000 viewers ≈ 2.4 M events; 240 × 43,000 ≈ 10 M).
//! - `DANMU_BENCH_SHAPE=real`: the real-shaped capture instead (ten rooms, a few messages per
//!   frame: see `benches/decode.rs`).
//! - `DANMU_BENCH_SOURCE=capture` (default) decodes the capture into the event table and writes
//!   its Parquet export beside it; `parquet` runs the same report on a scan of that export.
//!   Peak memory is per process, so run the two as two runs.
//! - `DANMU_BENCH_DATA`: where captures are kept (share it between two builds being compared).
//! - `DANMU_BENCH_ENGINE=streaming`: the processors on polars' streaming engine (the CLI uses
//!   the in-memory one: at 10 M events streaming used more memory, 2.1 GB against 1.2 GB).

use std::path::Path;
use std::time::Instant;

mod common;

use common::shaped_capture;
use danmu_analyze::analysis::dictionary::content_chars;
use danmu_analyze::analysis::expr::{Engine, Events};
use danmu_analyze::analysis::summary::{analyze, AnalysisOptions, Summary};
use danmu_analyze::analysis::words::Segmenter;
use danmu_analyze::analysis::COLUMNS_READ;
use danmu_analyze::columns::Column;
use danmu_analyze::input::{self, InputFormat, InputSpec};
use danmu_analyze::output::csv::CsvOptions;
use danmu_analyze::pipeline::{self, Options, Stats};
use danmu_analyze::report::{self, ReportInput};
use danmu_analyze::table::build::TableBuilder;
use danmu_analyze::timefmt::Zone;
use polars::prelude::{IntoLazy, LazyFrame, ScanArgsParquet};

/// Peak resident memory of this process so far (Linux), in MB.
fn peak_rss_mb() -> f64 {
    danmu_analyze::alloc::resident_mb().1
}

fn main() {
    danmu_analyze::alloc::tune();
    let path = shaped_capture(120, 20_000);
    let parquet = path.with_extension("parquet");
    let from_parquet = std::env::var("DANMU_BENCH_SOURCE").as_deref() == Ok("parquet");
    let out = common::bench_dir().join("report-bench");
    let zone = Zone::default();
    let opts = AnalysisOptions::default();
    let rss_before = peak_rss_mb();

    let t0 = Instant::now();
    let mut timings: Vec<(String, f64)> = Vec::new();
    // DANMU_BENCH_ENGINE=streaming: the processors on the streaming engine (the CLI's choice
    // for scans); otherwise the in-memory one.
    let engine = match std::env::var("DANMU_BENCH_ENGINE").as_deref() {
        Ok("streaming") => Engine::Streaming,
        _ => Engine::InMemory,
    };
    let (events, stats): (LazyFrame, Stats) = if from_parquet {
        let lf =
            LazyFrame::scan_parquet(parquet.to_str().unwrap().into(), ScanArgsParquet::default())
                .expect("the Parquet export exists: run the capture mode first");
        timings.push(("scan parquet".into(), t0.elapsed().as_secs_f64()));
        (lf, Stats::default())
    } else {
        let frames = input::open(&InputSpec::new(&path, InputFormat::Auto)).unwrap();
        // As the CLI does: only the columns the analyses read.
        let builder = TableBuilder::only(COLUMNS_READ);
        let decoded = pipeline::decode_into(frames, Options::default(), builder);
        let table = decoded.events.unwrap();
        timings.push(("decode into the table".into(), t0.elapsed().as_secs_f64()));
        eprintln!(
            "after decoding: peak {:.0} MB, table {:.0} MB (polars' estimate)",
            peak_rss_mb(),
            table.estimated_size() as f64 / 1e6
        );
        (table.lazy(), decoded.stats)
    };
    let t = Instant::now();
    // As the CLI does: the dictionary words the chat's characters can form.
    let chars = content_chars(&events.clone().into()).unwrap();
    let seg = Segmenter::for_chars(&chars, None, None).unwrap();
    timings.push(("load jieba dictionaries".into(), t.elapsed().as_secs_f64()));
    eprintln!("after loading jieba: peak {:.0} MB", peak_rss_mb());
    let mut stages: Vec<(String, Instant)> = vec![("start".into(), Instant::now())];
    let input = Events {
        lazy: events.clone(),
        engine,
    };
    let a = analyze(input, &seg, &opts, |s| {
        eprintln!("before {s}: peak {:.0} MB", peak_rss_mb());
        stages.push((s.to_string(), Instant::now()))
    })
    .unwrap();
    stages.push(("end".into(), Instant::now()));
    eprintln!("after the processors: peak {:.0} MB", peak_rss_mb());
    for w in stages.windows(2).skip(1) {
        timings.push((w[0].0.clone(), (w[1].1 - w[0].1).as_secs_f64()));
    }
    let summary = Summary::new(&a, &stats, &zone, opts.top).unwrap();
    let t = Instant::now();
    let model = report::build(&ReportInput {
        analysis: &a,
        summary: &summary,
        zone: &zone,
        title: "bench",
        top: opts.top,
        sessions: None,
        lang: Default::default(),
    })
    .unwrap();
    report::write_all(&model, &out, &CsvOptions::default(), |_| {}).unwrap();
    timings.push(("tables, charts, page".into(), t.elapsed().as_secs_f64()));
    let total = t0.elapsed();
    let peak = peak_rss_mb();

    if !from_parquet && !parquet.exists() {
        // The export has every column: decoded again, whole.
        drop(events);
        let frames = input::open(&InputSpec::new(&path, InputFormat::Auto)).unwrap();
        let whole = pipeline::decode_into(frames, Options::default(), TableBuilder::new());
        write_parquet(whole.events.unwrap().lazy(), &parquet, &zone);
    }
    let chats = a.totals.counts.get("chat").copied().unwrap_or(0);
    println!(
        "source: {} ({:.0} MB)",
        if from_parquet { &parquet } else { &path }.display(),
        std::fs::metadata(if from_parquet { &parquet } else { &path }).map_or(0, |m| m.len())
            as f64
            / 1e6
    );
    println!(
        "events: {}, chat messages: {chats}, messages decoded: {}",
        a.totals.events, stats.messages
    );
    println!("{:<28}{:>9}", "stage", "seconds");
    for (name, secs) in &timings {
        println!("{name:<28}{secs:>9.2}");
    }
    println!("{:<28}{:>9.2}", "total", total.as_secs_f64());
    println!("peak memory: {peak:.0} MB (before: {rss_before:.0} MB)");
}

/// The Parquet export of the whole table, as `export --format parquet --wide` writes it.
fn write_parquet(events: LazyFrame, path: &Path, zone: &Zone) {
    let table = events.collect().unwrap();
    let tmp = path.with_extension("parquet.partial");
    let file = std::io::BufWriter::new(std::fs::File::create(&tmp).unwrap());
    danmu_analyze::output::parquet::write(file, &table, &Column::ALL, zone).unwrap();
    std::fs::rename(&tmp, path).unwrap();
    eprintln!("wrote {}", path.display());
}

//! The library's `load`, without the binary, on every kind of input: a capture file, each text
//! dump and a raw frame, its Parquet / CSV / NDJSON exports (one file, a folder, a pattern),
//! a dataset; each gives the same table. The Parquet scan and the dataset run on the streaming
//! engine, and the processors give there what they give in memory.

use std::fs::File;
use std::path::{Path, PathBuf};

use danmu_analyze::analysis::users::users;
use danmu_analyze::columns::Column;
use danmu_analyze::dataset::Dataset;
use danmu_analyze::load::{load, Engine, EventTable, Format, LoadError, LoadOptions, Source};
use danmu_analyze::output::{csv as csv_out, ndjson, parquet};
use danmu_analyze::pipeline::Options;
use danmu_analyze::table::rows::Rows;
use danmu_analyze::timefmt::Zone;
use polars::prelude::{DataFrame, SortMultipleOptions};

use crate::common::{fixture, real_capture, REAL_FRAMES};

fn opts() -> LoadOptions {
    LoadOptions::default()
}

fn loaded(paths: &[&Path], opts: &LoadOptions) -> EventTable {
    load(&Source::files(paths.iter().copied()), opts).unwrap()
}

/// The columns every input kind carries, in time then id order, for comparing tables.
fn comparable(t: &EventTable) -> DataFrame {
    let cols = [
        Column::Ts,
        Column::Kind,
        Column::UserId,
        Column::UserName,
        Column::Content,
        Column::GiftCount,
    ];
    t.frame()
        .unwrap()
        .select(cols.iter().map(|c| c.name()))
        .unwrap()
        .sort(
            [Column::Ts.name(), Column::Kind.name()],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .unwrap()
}

#[test]
fn every_input_kind_loads_into_the_same_table() {
    let dir = tempfile::tempdir().unwrap();
    let cap = dir.path().join("real.dmcap");
    std::fs::write(&cap, real_capture()).unwrap();
    let from_capture = loaded(&[&cap], &opts());
    assert_eq!(from_capture.engine, Engine::InMemory);
    assert!(from_capture.is_time_ordered());
    assert!(from_capture.stats.events > 0);
    assert_eq!(from_capture.stats.records, REAL_FRAMES.len() as u64);
    let expected = comparable(&from_capture);

    // The frames as the dumps and raw bytes others publish: the same events.
    let dumps: Vec<PathBuf> = REAL_FRAMES
        .iter()
        .map(|n| fixture(&format!("frames/{n}")))
        .collect();
    let refs: Vec<&Path> = dumps.iter().map(PathBuf::as_path).collect();
    let from_dumps = loaded(&refs, &opts());
    assert_eq!(from_dumps.stats.events, from_capture.stats.events);

    // Its exports: Parquet (scanned), CSV and NDJSON (read), each alone and as folder and pattern.
    let frame = from_capture.frame().unwrap();
    let zone = Zone::default();
    let pq = dir.path().join("t.parquet");
    parquet::write(File::create(&pq).unwrap(), &frame, &Column::ALL, &zone).unwrap();
    let rows = Rows::new(&frame).unwrap();
    let csv = dir.path().join("t.csv");
    csv_out::write(
        File::create(&csv).unwrap(),
        &rows,
        &Column::ALL,
        &csv_out::CsvOptions::default(),
    )
    .unwrap();
    let nd = dir.path().join("t.ndjson");
    ndjson::write(File::create(&nd).unwrap(), &rows, &Column::ALL, &zone).unwrap();

    let scanned = loaded(&[&pq], &opts());
    assert_eq!(
        scanned.engine,
        Engine::Streaming,
        "a Parquet file is scanned"
    );
    assert!(!scanned.is_time_ordered() || scanned.frame().is_ok());
    assert_eq!(comparable(&scanned), expected);
    for path in [&csv, &nd] {
        let t = loaded(&[path], &opts());
        assert_eq!(t.engine, Engine::InMemory, "{}", path.display());
        assert_eq!(comparable(&t), expected, "{}", path.display());
    }
    let folder = dir.path().join("exports");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(&pq, folder.join("a.parquet")).unwrap();
    assert_eq!(comparable(&loaded(&[&folder], &opts())), expected);
    let pattern = dir.path().join("*.parquet");
    assert_eq!(comparable(&loaded(&[&pattern], &opts())), expected);

    // Said rather than detected.
    let forced = LoadOptions {
        format: "csv".parse::<Format>().unwrap(),
        ..opts()
    };
    assert_eq!(comparable(&loaded(&[&csv], &forced)), expected);

    // A dataset: scanned, partitions pruned by the filter.
    let ds_dir = dir.path().join("ds");
    let ds = Dataset::open(&ds_dir, &zone).unwrap();
    ds.append_frames(&cap, None, Options::default()).unwrap();
    let from_dataset = loaded(&[&ds_dir], &opts());
    assert_eq!(from_dataset.engine, Engine::Streaming);
    assert_eq!(comparable(&from_dataset), expected);
}

/// The processors on a scanned table (the streaming engine) give what they give in memory.
#[test]
fn the_streaming_path_gives_the_in_memory_results() {
    let dir = tempfile::tempdir().unwrap();
    let cap = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/session.dmcap");
    let in_memory = loaded(&[&cap], &opts());
    let pq = dir.path().join("s.parquet");
    let frame = in_memory.frame().unwrap();
    parquet::write(
        File::create(&pq).unwrap(),
        &frame,
        &Column::ALL,
        &Zone::default(),
    )
    .unwrap();
    let scanned = loaded(&[&pq], &opts());
    assert_eq!(scanned.engine, Engine::Streaming);
    // `events()` carries the engine: the scan's queries run on the streaming engine.
    assert_eq!(scanned.events().engine, Engine::Streaming);
    let a = users(in_memory.events(), 20).unwrap();
    let b = users(scanned.events(), 20).unwrap();
    let by_id = |df: &DataFrame| {
        df.sort(["user_id"], SortMultipleOptions::default())
            .unwrap()
    };
    let (x, y) = (by_id(&a.all), by_id(&b.all));
    for c in x.get_column_names() {
        assert_eq!(x.column(c).unwrap(), y.column(c).unwrap(), "{c}");
    }
    assert_eq!(a.top_chatters, b.top_chatters);
    assert!(a.all.height() > 0);
    let minute = danmu_analyze::analysis::timeline::BucketSize(60_000);
    let t = danmu_analyze::analysis::timeline::timeline(in_memory.events(), minute).unwrap();
    let u = danmu_analyze::analysis::timeline::timeline(scanned.events(), minute).unwrap();
    assert_eq!(t.frame, u.frame);
}

/// Filters and errors: kinds and times keep what they say; a missing file is an error that
/// names it; nothing but errors is `Nothing`; strict stops at the first bad record.
#[test]
fn filters_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cap = dir.path().join("real.dmcap");
    std::fs::write(&cap, real_capture()).unwrap();
    let mut only_chat = opts();
    only_chat.filter.kinds = vec![danmu_analyze::event::Kind::Chat];
    let t = loaded(&[&cap], &only_chat);
    let kinds = t.frame().unwrap();
    let kinds = kinds.column(Column::Kind.name()).unwrap().str().unwrap();
    assert!(!kinds.is_empty() && kinds.iter().all(|k| k == Some("chat")));

    let missing = dir.path().join("nope.dmcap");
    let e = load(&Source::files([&missing]), &opts()).err().unwrap();
    assert!(e.to_string().contains("nope.dmcap"), "{e}");

    let junk = dir.path().join("junk.dmcap");
    let mut bytes = b"DMCAP\x00\x01\x00".to_vec();
    bytes.extend([0x05, 1, 2, 3, 4, 5]);
    std::fs::write(&junk, bytes).unwrap();
    let t = loaded(&[&junk], &opts());
    assert!(t.decode_errors > 0);
    assert!(matches!(t.require_events(), Err(LoadError::Nothing)));
    let strict = LoadOptions {
        strict: true,
        ..opts()
    };
    assert!(matches!(
        load(&Source::files([&junk]), &strict),
        Err(LoadError::Strict { .. })
    ));
}

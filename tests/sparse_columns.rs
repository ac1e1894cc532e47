//! The event table keeps its mostly-null columns (a battle's fields, the viewer counts) with each
//! long run of nulls as a chunk of its own, to save memory: the values, their order and every
//! row-wise output stay exactly what a dense table gives.

use danmu_analyze::input::{self, InputFormat, InputSpec};
use danmu_analyze::load::{self, LoadOptions, Source};
use danmu_analyze::pipeline::{self, Options};
use danmu_analyze::simulate::{simulate, SimConfig};
use danmu_analyze::table::build::TableBuilder;

/// A 40-minute session: one PK battle (one each half hour), a few hundred viewer counts among
/// some ten thousand events.
fn capture(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("s.dmcap");
    let cfg = SimConfig {
        minutes: 40,
        viewers: 150,
        ..SimConfig::default()
    };
    let truth = simulate(&cfg, std::fs::File::create(&path).unwrap()).unwrap();
    assert!(!truth.battles.is_empty(), "the session has a battle");
    path
}

#[test]
fn built_table_equals_the_dense_one_with_null_runs_as_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let path = capture(dir.path());
    let open = || input::open(&InputSpec::new(&path, InputFormat::Auto)).unwrap();
    let built = pipeline::decode_into(open(), Options::default(), TableBuilder::new())
        .events
        .unwrap();
    let events = pipeline::decode_all(open(), Options::default()).events;
    let dense = danmu_analyze::table::from_events(&events).unwrap();
    assert!(built.height() > 5_000, "{} rows", built.height());
    assert_eq!(built.schema(), dense.schema());
    for name in dense.get_column_names() {
        let (b, d) = (built.column(name).unwrap(), dense.column(name).unwrap());
        assert!(b.equals_missing(d), "column {name} differs");
    }
    let battle = built.column("battle_id").unwrap().as_materialized_series();
    assert!(
        battle.null_count() < battle.len(),
        "the battle's rows have ids"
    );
    assert!(battle.n_chunks() > 1, "null runs as chunks of their own");
    let content = built.column("content").unwrap().as_materialized_series();
    assert_eq!(content.n_chunks(), 1, "a dense column stays one chunk");
}

#[test]
fn loaded_table_keeps_compact_columns_and_its_frame_is_one_chunk_each() {
    let dir = tempfile::tempdir().unwrap();
    let path = capture(dir.path());
    let table = load::load(&Source::Files(vec![path.clone()]), &LoadOptions::default()).unwrap();
    let lazy = table.lazy().collect().unwrap();
    let battle = lazy.column("battle_id").unwrap().as_materialized_series();
    assert!(battle.n_chunks() > 1, "compact for the processors");
    // Row-wise writers read `frame()`: plain single chunks, the same values.
    let frame = table.frame().unwrap();
    for c in frame.columns() {
        assert_eq!(c.n_chunks(), 1, "{}", c.name());
    }
    assert!(frame.equals_missing(&lazy));
}

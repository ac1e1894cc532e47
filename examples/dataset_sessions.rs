//! Sessions of a dataset: capture files appended to a partitioned Parquet dataset, then read
//! back as a scan (the streaming engine's kind of table) and cut into live sessions.
//!
//! `cargo run --example dataset_sessions -- DATASET_DIR CAPTURE…` (the dataset is created when
//! missing; the sample capture when no capture is given).

use std::path::{Path, PathBuf};

use danmu_analyze::analysis::sessions::{sessions, SessionOptions};
use danmu_analyze::analysis::words::Segmenter;
use danmu_analyze::dataset::Dataset;
use danmu_analyze::load::{load, Engine, LoadOptions, Source};
use danmu_analyze::pipeline::Options;
use danmu_analyze::timefmt::Zone;
use polars::prelude::DataFrame;

fn sessions_of(dir: &Path, captures: &[PathBuf]) -> Result<DataFrame, Box<dyn std::error::Error>> {
    let ds = Dataset::open(dir, &Zone::default())?;
    let mut previous: Option<&Path> = None;
    for c in captures {
        // Each file after the one before it: a combo or re-delivery across the cut counts once.
        ds.append_frames(c, previous, Options::default())?;
        previous = Some(c);
    }
    let table = load(&Source::files([dir]), &LoadOptions::default())?;
    assert_eq!(table.engine, Engine::Streaming);
    let seg = Segmenter::new(None, None)?;
    Ok(sessions(table.events(), &seg, &SessionOptions::default())?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "dataset".into()));
    let mut captures: Vec<PathBuf> = args.map(PathBuf::from).collect();
    if captures.is_empty() {
        captures.push("sample-data/session.dmcap".into());
    }
    println!("{}", sessions_of(&dir, &captures)?);
    Ok(())
}

#[test]
fn the_sample_is_one_session() {
    let dir = std::env::temp_dir().join(format!("danmu-example-ds-{}", std::process::id()));
    let capture = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sample-data/session.dmcap"
    ));
    let table = sessions_of(&dir, std::slice::from_ref(&capture)).unwrap();
    // Appending the same file again adds nothing.
    let again = sessions_of(&dir, &[capture]).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(table.height(), 1, "{table}");
    assert!(table.equals_missing(&again));
}

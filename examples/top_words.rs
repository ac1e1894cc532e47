//! A capture's top words, in a dozen lines: load → event table → the words processor.
//!
//! `cargo run --example top_words -- sample-data/session.dmcap`

use danmu_analyze::analysis::words::{words, Segmenter, WordOptions, WordStats};
use danmu_analyze::load::{load, LoadOptions, Source};

fn top_words(capture: &str, n: usize) -> Result<Vec<(String, u64)>, Box<dyn std::error::Error>> {
    let table = load(&Source::files([capture]), &LoadOptions::default())?;
    let seg = Segmenter::new(None, None)?;
    let stats = words(table.events(), &seg, &WordOptions::default())?;
    let top = WordStats::top(&stats.words, n)?;
    Ok(top.into_iter().map(|w| (w.word, w.count)).collect())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let capture = std::env::args().nth(1);
    let capture = capture.as_deref().unwrap_or("sample-data/session.dmcap");
    for (word, count) in top_words(capture, 10)? {
        println!("{count:>6}  {word}");
    }
    Ok(())
}

#[test]
fn the_sample_has_hot_words() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/session.dmcap");
    let top = top_words(path, 10).unwrap();
    assert_eq!(top.len(), 10);
    assert!(top.windows(2).all(|w| w[0].1 >= w[1].1), "{top:?}");
}

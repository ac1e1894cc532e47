//! A report model written as CSV only: load a capture, run the processors once, build the
//! report model, and hand its tables to the CSV writer alone (no charts, no page).
//!
//! `cargo run --example report_csv -- CAPTURE OUT_DIR`

use std::path::Path;

use danmu_analyze::analysis::summary::{analyze, AnalysisOptions, Summary};
use danmu_analyze::analysis::words::Segmenter;
use danmu_analyze::output::csv::CsvOptions;
use danmu_analyze::report::{self, write_csv, Lang, ReportInput};
use danmu_analyze::timefmt::Zone;
use danmu_analyze::{load, LoadOptions, Source};

fn csv_report(capture: &Path, dir: &Path) -> Result<Vec<&'static str>, Box<dyn std::error::Error>> {
    let table = load(&Source::files([capture]), &LoadOptions::default())?;
    let (zone, opts) = (Zone::default(), AnalysisOptions::default());
    let a = analyze(table.events(), &Segmenter::new(None, None)?, &opts, |_| {})?;
    let summary = Summary::new(&a, &table.stats, &zone, opts.top)?;
    let model = report::build(&ReportInput {
        analysis: &a,
        summary: &summary,
        zone: &zone,
        title: "report",
        top: opts.top,
        sessions: None,
        lang: Lang::Zh,
    })?;
    std::fs::create_dir_all(dir)?;
    Ok(write_csv::section(
        dir,
        &model.overview,
        &CsvOptions::default(),
    )?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let capture = args
        .next()
        .unwrap_or_else(|| "sample-data/session.dmcap".into());
    let dir = args.next().unwrap_or_else(|| "report-csv".into());
    for name in csv_report(Path::new(&capture), Path::new(&dir))? {
        println!("{dir}/{name}");
    }
    Ok(())
}

#[test]
fn the_sample_gives_the_reports_csv_files_and_nothing_else() {
    let sample = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sample-data/session.dmcap"
    ));
    let dir = std::env::temp_dir().join(format!("danmu-example-csv-{}", std::process::id()));
    let written = csv_report(sample, &dir).unwrap();
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    std::fs::remove_dir_all(&dir).ok();
    files.sort();
    assert!(written.contains(&"words.csv") && written.contains(&"timeline.csv"));
    assert!(files.iter().all(|f| f.ends_with(".csv")), "{files:?}");
    assert_eq!(files.len(), written.len());
}

//! `--dataset DIR` of `export`, `capture` and `simulate`: sources appended to a dataset (see
//! `danmu_analyze::dataset`), and what to say about it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use danmu_analyze::dataset::{self, Appended, Dataset};
use danmu_analyze::input::is_stdin;
use danmu_analyze::pipeline::Options;
use danmu_analyze::source::{self, TableFormat};

use danmu_analyze::load::{is_table, Format};

use super::{InputArgs, Outcome, ISSUES_SHOWN};

/// `export INPUT… --dataset DIR`: each input appended once, capture files after the capture
/// file before them.
pub fn export(input: &InputArgs, dir: &Path) -> Result<Outcome> {
    check_export_args(input)?;
    let ds = Dataset::open(dir, &input.tz)
        .with_context(|| format!("opening the dataset {} failed", dir.display()))?;
    let mut previous: Option<PathBuf> = None;
    let (mut added, mut present, mut skipped_input) = (0, 0, false);
    for p in &input.inputs {
        if dataset::is_dataset(p) {
            bail!(
                "{} is a dataset: `export --dataset` takes capture files and table files (read the dataset with `export {} --out DIR` to copy it)",
                p.display(),
                p.display()
            );
        }
        let results: Vec<(PathBuf, Appended)> = if is_table(p, input.input_format, input.encoding) {
            // A table breaks a recording's chain of capture files.
            previous = None;
            let format = match input.input_format {
                Format::Table(f) => Some(f),
                Format::Auto | Format::Frames(_) => None,
            };
            let mut out = Vec::new();
            for file in source::expand(std::slice::from_ref(p)).map_err(super::one_line)? {
                out.push((file.clone(), append_table(&ds, input, &file, format)?));
            }
            out
        } else {
            let a = ds
                .append_frames(p, previous.as_deref(), Options::default())
                .with_context(|| format!("appending {} to the dataset failed", p.display()))?;
            previous = Some(p.clone());
            vec![(p.clone(), a)]
        };
        for (file, a) in results {
            if a.present {
                present += 1;
            } else {
                added += 1;
            }
            skipped_input |= a.issue_count > 0;
            say_appended(&file, &a);
            if input.strict && a.issue_count > 0 {
                bail!(
                    "{} (--strict: stopping at the first unreadable input; the inputs before it and the rest of this one are in the dataset)",
                    a.issues[0]
                );
            }
        }
    }
    super::say!(
        "{}: {added} source(s) added, {present} already in it",
        dir.display()
    )?;
    Ok(if skipped_input {
        Outcome::Skipped
    } else {
        Outcome::Clean
    })
}

/// A dataset holds every event of its sources, once: what would change which events those are
/// is a question for the reader (`report DIR --room R`), not the writer.
fn check_export_args(input: &InputArgs) -> Result<()> {
    if input.mysql.is_some() || input.mysql_query.is_some() {
        bail!("--dataset takes files; to put MySQL's events in a dataset, `export --mysql … --out DIR --format parquet --wide` then `export DIR/events.parquet --dataset DATASET`");
    }
    let filtering = !input.kinds.is_empty()
        || input.room.is_some()
        || input.since.is_some()
        || input.until.is_some();
    if filtering || input.keep_duplicates || input.raw_gifts {
        bail!("--dataset stores every event of its inputs once; leave out --kind, --room, --since, --until, --keep-duplicates and --raw-gifts and filter when reading (`report DIR --room R`)");
    }
    if let Some(p) = input.inputs.iter().find(|p| is_stdin(p)) {
        bail!(
            "{}: --dataset names each input by its bytes; save stdin to a file first",
            p.display()
        );
    }
    Ok(())
}

fn append_table(
    ds: &Dataset,
    input: &InputArgs,
    file: &Path,
    format: Option<TableFormat>,
) -> Result<Appended> {
    let sopts = input.source_options();
    let read = source::read(&[file.to_path_buf()], format, &sopts).map_err(super::one_line)?;
    if !read.skipped_rows.is_empty() {
        super::report_skipped_rows(&read.skipped_rows);
    }
    if !read.problems.is_empty() {
        eprintln!("warning: some values could not be read and were left empty:");
        for p in &read.problems {
            eprintln!("  {p}");
        }
    }
    let mut a = ds
        .append_table(file, read.df)
        .with_context(|| format!("appending {} to the dataset failed", file.display()))?;
    a.issue_count += (read.problems.len() + read.skipped_rows.len()) as u64;
    Ok(a)
}

fn say_appended(file: &Path, a: &Appended) {
    if a.present {
        super::verbosity::note!("already in the dataset: {}", file.display());
        return;
    }
    let moved = if a.moved_combos > 0 {
        format!(
            ", {} gift combo(s) moved here from the file before",
            a.moved_combos
        )
    } else {
        String::new()
    };
    super::verbosity::note!(
        "{:>9} events in {} part(s){moved}: {}",
        a.events,
        a.parts,
        file.display()
    );
    if a.issue_count > 0 {
        eprintln!(
            "warning: skipped {} unreadable item(s) of {}; everything else went in:",
            a.issue_count,
            file.display()
        );
        for issue in a.issues.iter().take(ISSUES_SHOWN) {
            eprintln!("  {issue}");
        }
    }
}

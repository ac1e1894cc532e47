//! `--dataset DIR` of `export`, `capture` and `simulate`: sources appended to a dataset (see
//! `danmu_analyze::dataset`), and what to say about it.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use anyhow::{bail, Context, Result};

use danmu_analyze::dataset::{self, Appended, Dataset};
use danmu_analyze::input::is_stdin;
use danmu_analyze::pipeline::Options;
use danmu_analyze::source::{self, TableFormat};

use super::{InputArgs, InputFormatArg, Outcome, ISSUES_SHOWN};

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
        let results: Vec<(PathBuf, Appended)> = if input.is_table(p) {
            // A table breaks a recording's chain of capture files.
            previous = None;
            let format = match input.input_format {
                InputFormatArg::Table(f) => Some(f),
                InputFormatArg::Frames(_) => None,
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

/// Appends the capture files a recording closes, on a thread of its own so the recording never
/// waits for a decode: each file after the one closed before it, as `export --dataset` does.
pub struct Appender {
    tx: Option<mpsc::Sender<PathBuf>>,
    thread: Option<JoinHandle<()>>,
}

impl Appender {
    /// Starts the thread for `ds` (opened before recording, so a wrong directory or zone fails
    /// first). `earlier`: the files this recording wrote before this run, oldest first (see
    /// [`earlier_files`]): the newest two are appended first if a crash kept them out, and the
    /// newest is the context of the first new file, whose history replay repeats its last
    /// messages. `log` gets one line per file appended, or why it was not.
    pub fn start(
        ds: Dataset,
        earlier: Vec<PathBuf>,
        log: impl Fn(String) + Send + 'static,
    ) -> Result<Appender> {
        let (tx, rx) = mpsc::channel::<PathBuf>();
        let thread = std::thread::Builder::new()
            .name("dataset".into())
            .spawn(move || {
                let mut previous: Option<PathBuf> = None;
                // The newest two go in if a crash kept them out (the one being appended, and
                // the one queued behind it); a third before them is their context only.
                let check_from = earlier.len().saturating_sub(2);
                for (i, file) in earlier.iter().enumerate() {
                    if i >= check_from {
                        let context = previous.as_deref();
                        match ds.append_frames(file, context, Options::default()) {
                            Ok(a) if a.present => {}
                            result => log(appended_line(&ds, file, context, result)),
                        }
                    }
                    previous = Some(file.clone());
                }
                for file in rx {
                    let result = ds.append_frames(&file, previous.as_deref(), Options::default());
                    log(appended_line(&ds, &file, previous.as_deref(), result));
                    previous = Some(file);
                }
            })
            .context("cannot start the dataset thread")?;
        Ok(Appender {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// What the recorder calls with each file it closes.
    pub fn sink(&self) -> impl FnMut(&Path) + Send + 'static {
        let tx = self.tx.clone().expect("sender kept until finish");
        move |p: &Path| {
            // The thread only ends after `finish`; a failed send means it panicked, which the
            // join in `finish` reports.
            let _ = tx.send(p.to_path_buf());
        }
    }

    /// Waits until every closed file is appended.
    pub fn finish(mut self) -> Result<()> {
        drop(self.tx.take());
        if let Some(t) = self.thread.take() {
            if t.join().is_err() {
                bail!("the dataset thread failed; append the capture files with `export FILES… --dataset DIR`");
            }
        }
        Ok(())
    }
}

/// The log line for one file the appender handled.
fn appended_line(
    ds: &Dataset,
    file: &Path,
    context: Option<&Path>,
    result: Result<Appended, dataset::DatasetError>,
) -> String {
    match result {
        Ok(a) if a.present => format!("dataset: {} was in it already", file.display()),
        Ok(a) => format!(
            "dataset: appended {} ({} events in {} part(s){}{})",
            file.display(),
            a.events,
            a.parts,
            if a.moved_combos > 0 {
                format!(", {} combo(s) moved from the file before", a.moved_combos)
            } else {
                String::new()
            },
            if a.issue_count > 0 {
                format!(", {} unreadable item(s) skipped", a.issue_count)
            } else {
                String::new()
            }
        ),
        Err(e) => format!(
            "dataset: error: appending {} failed: {e}; the capture file is kept: `export {} --dataset {}` adds it later",
            file.display(),
            context
                .map(|p| format!("{} {}", p.display(), file.display()))
                .unwrap_or_else(|| file.display().to_string()),
            ds.dir().display()
        ),
    }
}

/// The three newest capture files an earlier run of this recording rotated into (`stem-*.dmcap`
/// beside `base`), oldest first; called before this run opens its first file.
pub fn earlier_files(base: &Path) -> Vec<PathBuf> {
    let stem = base
        .file_stem()
        .map_or_else(|| "capture".into(), |s| s.to_string_lossy().into_owned());
    let dir = match base.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let prefix = format!("{stem}-");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| is_rotated(n, &prefix))
        })
        .map(|e| e.path())
        .collect();
    files.sort();
    let keep = files.len().saturating_sub(3);
    files.split_off(keep)
}

/// `PREFIX20260101T180000.dmcap` or `PREFIX20260101T180000_001.dmcap`: what the recorder names
/// rotated files (so `room-2-…` is not taken for one of `room`'s).
fn is_rotated(name: &str, prefix: &str) -> bool {
    let Some(stamp) = name
        .strip_prefix(prefix)
        .and_then(|r| r.strip_suffix(".dmcap"))
    else {
        return false;
    };
    let b = stamp.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    match b.len() {
        15 => digits(0..8) && b[8] == b'T' && digits(9..15),
        19 => digits(0..8) && b[8] == b'T' && digits(9..15) && b[15] == b'_' && digits(16..19),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotated_names_of_a_stem() {
        assert!(is_rotated("room-20260101T180000.dmcap", "room-"));
        assert!(is_rotated("room-20260101T180000_001.dmcap", "room-"));
        assert!(!is_rotated("room-2-20260101T180000.dmcap", "room-"));
        assert!(!is_rotated("room-20260101T180000.dmcap.tmp", "room-"));
        assert!(!is_rotated("room.dmcap", "room-"));
    }
}

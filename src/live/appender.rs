//! Appending a recording's capture files to a dataset as they close (`capture --dataset`), on a
//! thread of its own so the recording never waits for a decode.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::dataset::{self, Appended, Dataset};
use crate::pipeline::Options;

/// The appending thread died (a bug): the capture files are all on disk still.
#[derive(Debug, thiserror::Error)]
#[error("the dataset thread failed; append the capture files with `export FILES… --dataset DIR`")]
pub struct AppenderFailed;

/// Appends the capture files a recording closes, on a thread of its own so the recording never
/// waits for a decode: each file after the one closed before it, as `export --dataset` does.
pub struct Appender {
    tx: Option<mpsc::Sender<PathBuf>>,
    thread: Option<JoinHandle<()>>,
}

impl Appender {
    /// Starts the thread for `ds` (opened before recording, so a wrong directory or zone fails
    /// first). `earlier`: the files this recording wrote before this run, oldest first (see
    /// [`super::recorder::earlier_files`]): the newest two are appended first if a crash kept them out, and the
    /// newest is the context of the first new file, whose history replay repeats its last
    /// messages. `log` gets one line per file appended, or why it was not.
    pub fn start(
        ds: Dataset,
        earlier: Vec<PathBuf>,
        log: impl Fn(String) + Send + 'static,
    ) -> std::io::Result<Appender> {
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
            })?;
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
    pub fn finish(mut self) -> Result<(), AppenderFailed> {
        drop(self.tx.take());
        match self.thread.take().map(JoinHandle::join) {
            Some(Err(_)) => Err(AppenderFailed),
            _ => Ok(()),
        }
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

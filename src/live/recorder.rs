//! The capture file(s) a live capture writes: one record per received frame, flushed per record,
//! fsync'd on rotation and at the end; with `--rotate`, time-stamped files one after another.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;

use prost::Message as _;

use super::log::Log;
use super::spec::{human_bytes, Rotate};
use super::LiveError;
use crate::capture::{CaptureRecord, CaptureWriter};
use crate::timefmt::Zone;

/// Creates `path`'s missing folders and proves that `path` can be written: an existing file is
/// opened for appending, a missing one is created and removed again. For the outputs of
/// `capture` (`--out`, `--dump-page`), checked before any room is contacted.
pub fn prepare_output(path: &Path, what: &'static str) -> Result<(), LiveError> {
    let fail = |detail: String| LiveError::Output {
        path: path.to_path_buf(),
        what,
        detail,
    };
    if path.is_dir() {
        return Err(fail("it is a folder: give a file name".into()));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| fail(format!("cannot create the folder {}: {e}", dir.display())))?;
    }
    let mut open = std::fs::OpenOptions::new();
    if path.exists() {
        open.append(true)
            .open(path)
            .map_err(|e| fail(e.to_string()))?;
    } else {
        open.append(true)
            .create_new(true)
            .open(path)
            .map_err(|e| fail(e.to_string()))?;
        std::fs::remove_file(path).map_err(|e| fail(e.to_string()))?;
    }
    Ok(())
}

struct OpenFile {
    writer: CaptureWriter<File>,
    path: PathBuf,
    opened: Instant,
    bytes: u64,
}

/// Appends frames to the capture file, rotating when asked to.
pub struct Recorder {
    base: PathBuf,
    rotate: Option<Rotate>,
    zone: Zone,
    log: Log,
    file: Option<OpenFile>,
    files: Vec<PathBuf>,
    records: u64,
    bytes: u64,
    /// Called with each file once it is closed and fsync'd (`capture --dataset`).
    on_close: Option<OnClose>,
}

type OnClose = Box<dyn FnMut(&Path) + Send>;

impl Recorder {
    /// Opens the first file: `base` itself (appending when it exists) without rotation, else
    /// `base`'s stem with the local time and `.dmcap`, e.g. `room-20260101T180000.dmcap`.
    pub fn open(base: &Path, rotate: Option<Rotate>, log: Log) -> Result<Recorder, LiveError> {
        let mut r = Recorder {
            base: base.to_path_buf(),
            rotate,
            zone: log.zone(),
            log,
            file: None,
            files: Vec::new(),
            records: 0,
            bytes: 0,
            on_close: None,
        };
        r.open_next()?;
        Ok(r)
    }

    /// Checks, before any room is contacted, that the capture can be written where asked:
    /// creates the missing folders, refuses an existing file that is not a capture file, and
    /// proves the folder writable (a file made and removed again). Nothing is left behind.
    pub fn check(base: &Path, rotate: Option<Rotate>) -> Result<(), LiveError> {
        prepare_output(base, "capture file")?;
        if rotate.is_none() && base.exists() {
            // Appended to later: it must be a capture file already.
            let mut head = [0u8; 8];
            let read = File::open(base).and_then(|mut f| {
                use std::io::Read as _;
                f.read_exact(&mut head)
            });
            if read.is_err() || crate::capture::check_magic(&head).is_err() {
                return Err(LiveError::Output {
                    path: base.to_path_buf(),
                    what: "capture file",
                    detail:
                        "it exists and is not a capture file (give another --out, or move it away)"
                            .into(),
                });
            }
        }
        Ok(())
    }

    fn open_next(&mut self) -> Result<(), LiveError> {
        let path = match self.rotate {
            None => self.base.clone(),
            Some(_) => self.stamped_path(),
        };
        let writer = CaptureWriter::append(&path).map_err(|source| LiveError::Open {
            path: path.clone(),
            source,
        })?;
        let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
        self.files.push(path.clone());
        self.file = Some(OpenFile {
            writer,
            path,
            opened: Instant::now(),
            bytes,
        });
        Ok(())
    }

    /// A name that does not exist yet: a second rotation within the same second gets `_001`,
    /// which still sorts after the first.
    fn stamped_path(&self) -> PathBuf {
        let stem = self
            .base
            .file_stem()
            .map_or_else(|| "capture".into(), |s| s.to_string_lossy().into_owned());
        let dir = self.base.parent().unwrap_or(Path::new(""));
        let stamp = self
            .zone
            .at(super::log::now_ms() as i64)
            .format("%Y%m%dT%H%M%S")
            .to_string();
        let mut path = dir.join(format!("{stem}-{stamp}.dmcap"));
        let mut n = 0;
        while path.exists() {
            n += 1;
            path = dir.join(format!("{stem}-{stamp}_{n:03}.dmcap"));
        }
        path
    }

    fn rotation_due(&self, f: &OpenFile) -> bool {
        match self.rotate {
            None => false,
            Some(Rotate::Every(d)) => f.opened.elapsed() >= d,
            Some(Rotate::Size(limit)) => f.bytes >= limit,
        }
    }

    /// Appends one frame as received, flushed to the OS before returning.
    pub fn write(
        &mut self,
        frame: Vec<u8>,
        received_at_ms: u64,
        room_id: u64,
    ) -> Result<(), LiveError> {
        if self.file.as_ref().is_some_and(|f| self.rotation_due(f)) {
            self.rotate()?;
        }
        let record = CaptureRecord {
            received_at_ms,
            frame,
            room_id,
            source: "capture".into(),
        };
        let len = record.encoded_len();
        let size = (prost::length_delimiter_len(len) + len) as u64;
        let f = match self.file.as_mut() {
            Some(f) => f,
            None => {
                self.open_next()?;
                self.file.as_mut().expect("just opened")
            }
        };
        f.writer.write(&record).map_err(|source| LiveError::Write {
            path: f.path.clone(),
            source,
        })?;
        f.bytes += size;
        self.records += 1;
        self.bytes += size;
        Ok(())
    }

    /// Closes the current file (fsync'd) and opens the next one.
    pub fn rotate(&mut self) -> Result<(), LiveError> {
        if let Some(old) = self.close_current()? {
            self.open_next()?;
            let now = &self.files[self.files.len() - 1];
            self.log.line(format!(
                "rotated: closed {} ({}), now writing {}",
                old.0.display(),
                human_bytes(old.1),
                now.display()
            ));
        }
        Ok(())
    }

    fn close_current(&mut self) -> Result<Option<(PathBuf, u64)>, LiveError> {
        let Some(mut f) = self.file.take() else {
            return Ok(None);
        };
        f.writer.sync().map_err(|source| LiveError::Write {
            path: f.path.clone(),
            source,
        })?;
        if let Some(call) = self.on_close.as_mut() {
            call(&f.path);
        }
        Ok(Some((f.path, f.bytes)))
    }

    /// Asks the OS to put what was written on disk.
    pub fn sync(&mut self) -> Result<(), LiveError> {
        match self.file.as_mut() {
            Some(f) => f.writer.sync().map_err(|source| LiveError::Write {
                path: f.path.clone(),
                source,
            }),
            None => Ok(()),
        }
    }

    /// Flushes and fsyncs the last file; returns every file written to, in order.
    pub fn finish(mut self) -> Result<Vec<PathBuf>, LiveError> {
        self.close_current()?;
        Ok(self.files)
    }

    /// Has `call` run with each file as soon as it is closed (at rotation and at the end),
    /// complete and fsync'd.
    pub fn on_close(&mut self, call: impl FnMut(&Path) + Send + 'static) {
        self.on_close = Some(Box::new(call));
    }

    pub fn current_path(&self) -> Option<&Path> {
        self.file.as_ref().map(|f| f.path.as_path())
    }

    pub fn records(&self) -> u64 {
        self.records
    }

    /// Bytes written to capture files this run (records with their length prefixes).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    pub fn files(&self) -> &[PathBuf] {
        &self.files
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
pub fn is_rotated(name: &str, prefix: &str) -> bool {
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

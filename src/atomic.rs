//! Every output file is written whole or not at all: into a temporary file in the same folder,
//! flushed and fsync'd, then renamed over the target (a rename within one filesystem is
//! atomic), and the folder fsync'd so the rename lasts. A full disk, Ctrl-C or a crash leaves
//! the old file or none — never a truncated one; on an error the temporary file is removed.
//! (Killed mid-write, a `NAME.tmp` may stay behind; nothing reads those, and the next run
//! writing that file replaces it.)

use std::error::Error as StdError;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

type BoxError = Box<dyn StdError + Send + Sync>;

/// A file that could not be written; the target is as it was before (or absent).
#[derive(Debug, thiserror::Error)]
#[error("writing {} failed: {source}; nothing partial was left ({})", path.display(), left(path, *existed))]
pub struct WriteError {
    pub path: PathBuf,
    /// Whether an older file of that name is still there, unchanged.
    pub existed: bool,
    #[source]
    pub source: BoxError,
}

fn left(path: &Path, existed: bool) -> String {
    let name = path
        .file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy();
    if existed {
        format!("the old {name} is unchanged")
    } else {
        format!("no {name} was created")
    }
}

/// The temporary name of `path`: `NAME.tmp` in the same folder (so the rename stays on one
/// filesystem). Always the same name, so a run after a crash overwrites what the crash left.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    PathBuf::from(tmp)
}

/// [`temp_path`] with the extension again (`timeline.png.tmp.png`), for writers that choose the
/// format by it (the PNG charts).
fn temp_path_keeping_extension(path: &Path) -> PathBuf {
    let mut tmp = temp_path(path).into_os_string();
    if let Some(ext) = path.extension() {
        tmp.push(".");
        tmp.push(ext);
    }
    PathBuf::from(tmp)
}

/// Writes `path` through `write`, which writes the file it is given (the temporary one, named
/// with `path`'s extension).
pub fn write_via_path<T, E: Into<BoxError>>(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<T, E>,
) -> Result<T, WriteError> {
    replace(path, &temp_path_keeping_extension(path), write)
}

/// Writes `path` through `write`, given a buffered writer on the temporary file.
pub fn write_file<E: Into<BoxError>>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<(), E>,
) -> Result<(), WriteError> {
    replace(path, &temp_path(path), |tmp| -> Result<(), BoxError> {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(tmp)?);
        write(&mut out).map_err(Into::into)?;
        out.flush()?;
        out.into_inner().map_err(|e| e.into_error())?;
        Ok(())
    })
}

/// `write` fills `tmp`; then it is fsync'd and renamed over `path`, or removed on any error.
fn replace<T, E: Into<BoxError>>(
    path: &Path,
    tmp: &Path,
    write: impl FnOnce(&Path) -> Result<T, E>,
) -> Result<T, WriteError> {
    let result = write(tmp).map_err(Into::into).and_then(|value| {
        File::open(tmp)?.sync_all()?;
        fs::rename(tmp, path)?;
        Ok::<T, BoxError>(value)
    });
    match result {
        Ok(value) => {
            sync_dir(path);
            Ok(value)
        }
        Err(source) => {
            let _ = fs::remove_file(tmp);
            Err(WriteError {
                path: path.to_path_buf(),
                existed: path.exists(),
                source,
            })
        }
    }
}

/// `bytes` as the whole of `path`.
pub fn write_bytes(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), WriteError> {
    write_file(path, |out| out.write_all(bytes.as_ref()))
}

/// fsync of the folder, so the rename survives a crash. Some platforms cannot open a folder for
/// that; the rename itself is still atomic there.
fn sync_dir(path: &Path) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// An io::Error carrying a [`WriteError`], for writers whose callers take io errors.
impl From<WriteError> for io::Error {
    fn from(e: WriteError) -> Self {
        io::Error::other(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chat.csv");
        write_bytes(&path, "old").unwrap();
        let err = write_file(&path, |out| {
            out.write_all(b"half")?;
            Err::<(), _>(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(
            err.to_string(),
            format!(
                "writing {} failed: disk full; nothing partial was left (the old chat.csv is \
                 unchanged)",
                path.display()
            )
        );
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left");
        let new = dir.path().join("new.png");
        let err = write_via_path(&new, |tmp| {
            assert!(tmp.to_string_lossy().ends_with(".png"));
            fs::write(tmp, "x")?;
            Err::<(), BoxError>("chart failed".into())
        })
        .unwrap_err();
        assert!(
            err.to_string().ends_with("(no new.png was created)"),
            "{err}"
        );
        assert!(!new.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        write_bytes(&path, "new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
    }
}

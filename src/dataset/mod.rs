//! A Hive-partitioned Parquet dataset of the event table, appended to export by export and
//! rotation by rotation:
//!
//! ```text
//! DIR/_dataset.json                                  format version, time zone, columns
//! DIR/_sources/<key>.json                            one per source exported: its parts
//! DIR/room_id=<id>/date=<YYYY-MM-DD>/part-<first ts ms>-<key>.parquet
//! ```
//!
//! Every part holds exactly the event-table schema (`ts` in UTC, `room_id` included, so a part
//! is a table on its own); `date` is the local date of `ts` in the dataset's zone. A source's
//! `key` is a hash of its bytes, so exporting it again adds nothing ([`layout`]). Files are
//! written under a temporary name, fsync'd and renamed ([`crate::atomic`]): readers never see half a part ([`read`] takes only
//! `part-*.parquet`). Capture files are decoded with the file before them as context, so
//! re-deliveries and gift combos straddling a rotation count once ([`write`]).

pub mod layout;
pub mod read;
pub mod write;

use std::io;
use std::path::{Path, PathBuf};

use polars::prelude::PolarsError;

pub use layout::{is_dataset, Manifest, MANIFEST};
pub use read::{scan, scan_unordered};
pub use write::{Appended, Dataset};

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: {source}")]
    Polars { path: PathBuf, source: PolarsError },
    #[error("{path}: not a danmu-analyze dataset manifest ({message}); move it away or choose another directory")]
    BadManifest { path: PathBuf, message: String },
    #[error("{path} holds dataset version {found}; this danmu-analyze reads version {supported}: use a newer danmu-analyze")]
    Version {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("{path} was created with --tz {dataset}, not {given}: its date partitions are days in {dataset}; export with --tz {dataset} (reading shows times in any --tz)")]
    Zone {
        path: PathBuf,
        dataset: String,
        given: String,
    },
    #[error("{path}: its columns are not this version's event table ({message}); export into a new directory")]
    Schema { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    #[error(transparent)]
    Write(#[from] crate::atomic::WriteError),
}

impl DatasetError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(io::Error) -> DatasetError + '_ {
        move |source| DatasetError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn polars(path: &Path) -> impl FnOnce(PolarsError) -> DatasetError + '_ {
        move |source| DatasetError::Polars {
            path: path.to_path_buf(),
            source,
        }
    }
}

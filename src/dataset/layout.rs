//! Where things are in a dataset directory, the manifest and source records, partition names,
//! listing the parts a filter can reach, and atomic writes.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::DatasetError;
use crate::table::schema::schema;
use crate::timefmt::Zone;

/// The manifest: its presence makes a directory a dataset.
pub const MANIFEST: &str = "_dataset.json";
/// One JSON record per exported source: `_sources/<key>.json`.
pub const SOURCES: &str = "_sources";
/// The layout version this build writes and reads.
pub const VERSION: u32 = 1;
const FORMAT: &str = "danmu-analyze dataset";
/// Hive's name for a null partition value (a table without room ids).
pub const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";
/// Hex digits of a source key used in part names: 128 bits.
const KEY_IN_NAME: usize = 32;

/// Whether `path` is a dataset directory: it holds [`MANIFEST`], or (a dataset whose manifest
/// was lost, copied without it) `room_id=…/date=…` partition directories.
pub fn is_dataset(path: &Path) -> bool {
    path.join(MANIFEST).is_file() || has_partitions(path)
}

/// Whether `dir` holds a `room_id=…` directory with a `date=…` directory in it.
pub fn has_partitions(dir: &Path) -> bool {
    let Ok(rooms) = subdirs(dir) else {
        return false;
    };
    rooms
        .iter()
        .filter(|(name, _)| name.starts_with("room_id="))
        .any(|(_, room)| {
            subdirs(room).is_ok_and(|dates| dates.iter().any(|(n, _)| n.starts_with("date=")))
        })
}

/// `_dataset.json`: what every part of the dataset shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    /// The zone whose local dates the `date` partitions are (`--tz` at creation).
    pub tz: String,
    pub partitioning: Vec<String>,
    /// The event-table columns every part holds, in order, with their polars types.
    pub columns: Vec<ColumnDef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnDef {
    pub name: String,
    pub dtype: String,
}

impl Manifest {
    pub fn new(zone: &Zone) -> Manifest {
        Manifest {
            format: FORMAT.into(),
            version: VERSION,
            tz: zone.name(),
            partitioning: vec!["room_id".into(), "date".into()],
            columns: current_columns(),
        }
    }

    /// The manifest of `dir`, checked; `None` when there is none.
    pub fn load(dir: &Path) -> Result<Option<Manifest>, DatasetError> {
        let path = dir.join(MANIFEST);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(DatasetError::io(&path)(e)),
        };
        let m: Manifest =
            serde_json::from_slice(&bytes).map_err(|e| DatasetError::BadManifest {
                path: path.clone(),
                message: e.to_string(),
            })?;
        if m.format != FORMAT {
            return Err(DatasetError::BadManifest {
                path,
                message: format!("format `{}`", m.format),
            });
        }
        if m.version != VERSION {
            return Err(DatasetError::Version {
                path,
                found: m.version,
                supported: VERSION,
            });
        }
        if m.columns != current_columns() {
            let names: Vec<&str> = m.columns.iter().map(|c| c.name.as_str()).collect();
            return Err(DatasetError::Schema {
                path,
                message: format!("it lists {}", names.join(", ")),
            });
        }
        m.zone(&path)?;
        Ok(Some(m))
    }

    /// The zone of the `date` partitions.
    pub fn zone(&self, path: &Path) -> Result<Zone, DatasetError> {
        self.tz
            .parse()
            .map_err(|message| DatasetError::BadManifest {
                path: path.to_path_buf(),
                message,
            })
    }
}

fn current_columns() -> Vec<ColumnDef> {
    schema()
        .iter()
        .map(|(name, dtype)| ColumnDef {
            name: name.to_string(),
            dtype: dtype.to_string(),
        })
        .collect()
}

/// `_sources/<key>.json`: one exported source (a capture file, a table file) and its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRecord {
    pub key: String,
    /// The input as it was named.
    pub input: String,
    pub bytes: u64,
    pub events: u64,
    /// The key of the file decoded before it as context (capture files).
    pub context: Option<String>,
    /// Its parts, relative to the dataset directory.
    pub parts: Vec<String>,
}

pub fn source_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(SOURCES).join(format!("{key}.json"))
}

/// The source record of `key`, when that source was exported.
pub fn load_source(dir: &Path, key: &str) -> Result<Option<SourceRecord>, DatasetError> {
    let path = source_path(dir, key);
    match fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| DatasetError::Input {
                path,
                message: format!(
                    "not a source record ({e}); delete it and export that source again"
                ),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(DatasetError::io(&path)(e)),
    }
}

/// One partition: a room (`None`: rows without a room id) and a local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Partition {
    pub room: Option<u64>,
    pub date: NaiveDate,
}

impl Partition {
    /// `room_id=<id>/date=<YYYY-MM-DD>`, relative to the dataset directory.
    pub fn dir(&self) -> PathBuf {
        let room = match self.room {
            Some(r) => r.to_string(),
            None => NULL_PARTITION.to_string(),
        };
        Path::new(&format!("room_id={room}")).join(format!("date={}", self.date.format("%Y-%m-%d")))
    }
}

/// A part's file name: its first time (so a partition's parts list in time order, which keeps
/// rows of one millisecond in source order when they are read back) and its source's key.
pub fn part_name(first_ts: i64, key: &str) -> String {
    let key = &key[..key.len().min(KEY_IN_NAME)];
    format!("part-{:013}-{key}.parquet", first_ts.max(0))
}

/// Which partitions a reader needs: a room, an inclusive range of local dates.
#[derive(Debug, Clone, Copy, Default)]
pub struct Prune {
    pub room: Option<u64>,
    pub dates: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
}

impl Prune {
    fn keeps_room(&self, room: Option<u64>) -> bool {
        self.room.is_none() || self.room == room
    }

    fn keeps_date(&self, d: NaiveDate) -> bool {
        match self.dates {
            None => true,
            Some((from, to)) => from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t),
        }
    }
}

/// The part files of the partitions `prune` keeps: rooms in id order (rows without a room
/// last), dates in order, parts by name. Only `part-*.parquet` files count: a `*.tmp` left by a
/// crash, or anything else, is never read. Directories that are no partition are passed over.
pub fn parts(dir: &Path, prune: &Prune) -> Result<Vec<PathBuf>, DatasetError> {
    let mut rooms: Vec<(Option<u64>, PathBuf)> = Vec::new();
    for (name, path) in subdirs(dir)? {
        let Some(value) = name.strip_prefix("room_id=") else {
            continue;
        };
        let room = match value {
            NULL_PARTITION => None,
            v => match v.parse::<u64>() {
                Ok(r) => Some(r),
                Err(_) => continue,
            },
        };
        if prune.keeps_room(room) {
            rooms.push((room, path));
        }
    }
    // `None` sorts first in Option's order; rows without a room go last.
    rooms.sort_by_key(|(r, _)| (r.is_none(), *r));
    let mut out = Vec::new();
    for (_, room_dir) in rooms {
        let mut dates: Vec<(NaiveDate, PathBuf)> = Vec::new();
        for (name, path) in subdirs(&room_dir)? {
            let Some(d) = name
                .strip_prefix("date=")
                .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
            else {
                continue;
            };
            if prune.keeps_date(d) {
                dates.push((d, path));
            }
        }
        dates.sort();
        for (_, date_dir) in dates {
            let mut files: Vec<PathBuf> = read_dir(&date_dir)?
                .into_iter()
                .filter(|(name, path)| {
                    name.starts_with("part-") && name.ends_with(".parquet") && path.is_file()
                })
                .map(|(_, p)| p)
                .collect();
            files.sort();
            out.extend(files);
        }
    }
    Ok(out)
}

fn read_dir(dir: &Path) -> Result<Vec<(String, PathBuf)>, DatasetError> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(DatasetError::io(dir))? {
        let entry = entry.map_err(DatasetError::io(dir))?;
        if let Some(name) = entry.file_name().to_str() {
            out.push((name.to_string(), entry.path()));
        }
    }
    Ok(out)
}

fn subdirs(dir: &Path) -> Result<Vec<(String, PathBuf)>, DatasetError> {
    Ok(read_dir(dir)?
        .into_iter()
        .filter(|(_, p)| p.is_dir())
        .collect())
}

/// Writes `path` so that it is either absent (or as before) or complete: through
/// [`crate::atomic`], the helper every output file goes through.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<(), DatasetError>,
) -> Result<(), DatasetError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(DatasetError::io(dir))?;
    crate::atomic::write_file(path, write)?;
    Ok(())
}

/// Removes `path` and makes that last.
pub fn remove(path: &Path) -> Result<(), DatasetError> {
    fs::remove_file(path).map_err(DatasetError::io(path))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(())
}

/// fsync of a directory, so renames in it survive a crash. Some platforms cannot open a
/// directory for that; the rename itself is still atomic there.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// JSON, pretty, written atomically.
pub fn write_json(path: &Path, value: &impl Serialize) -> Result<(), DatasetError> {
    let mut json = serde_json::to_vec_pretty(value).map_err(|e| DatasetError::Input {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    json.push(b'\n');
    write_atomic(path, |out| {
        out.write_all(&json).map_err(DatasetError::io(path))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_and_part_names() {
        let p = Partition {
            room: Some(7),
            date: NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
        };
        assert_eq!(p.dir(), Path::new("room_id=7/date=2026-01-02"));
        let none = Partition { room: None, ..p };
        assert_eq!(
            none.dir(),
            Path::new("room_id=__HIVE_DEFAULT_PARTITION__/date=2026-01-02")
        );
        let key = "ab".repeat(32);
        assert_eq!(
            part_name(1_767_261_600_000, &key),
            format!("part-1767261600000-{}.parquet", "ab".repeat(16))
        );
        assert_eq!(part_name(-5, "k"), "part-0000000000000-k.parquet");
    }

    #[test]
    fn listing_prunes_rooms_and_dates_and_skips_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let touch = |rel: &str| {
            let p = dir.path().join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, b"x").unwrap();
        };
        touch("room_id=10/date=2026-01-01/part-1-a.parquet");
        touch("room_id=10/date=2026-01-02/part-2-a.parquet");
        touch("room_id=10/date=2026-01-02/part-2-b.parquet.tmp");
        touch("room_id=9/date=2026-01-01/part-1-c.parquet");
        touch("room_id=9/date=2026-01-01/notes.txt");
        touch("room_id=x/date=2026-01-01/part-1-d.parquet");
        touch("_sources/k.json");
        let rel = |prune: &Prune| -> Vec<String> {
            parts(dir.path(), prune)
                .unwrap()
                .iter()
                .map(|p| {
                    p.strip_prefix(dir.path())
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect()
        };
        assert_eq!(
            rel(&Prune::default()),
            [
                "room_id=9/date=2026-01-01/part-1-c.parquet",
                "room_id=10/date=2026-01-01/part-1-a.parquet",
                "room_id=10/date=2026-01-02/part-2-a.parquet",
            ],
            "rooms in numeric order, only part-*.parquet"
        );
        let jan2 = NaiveDate::from_ymd_opt(2026, 1, 2);
        assert_eq!(
            rel(&Prune {
                room: Some(10),
                dates: Some((jan2, None)),
            }),
            ["room_id=10/date=2026-01-02/part-2-a.parquet"]
        );
    }
}

//! Appending to a dataset: a source's events split into `(room, local date)` parts, each written
//! atomically, then the source record that says it is in.
//!
//! **Idempotence.** A source's key is the BLAKE3 hash of its bytes; a source whose record
//! exists is passed over, so exporting the same file again (or a capture file `capture
//! --dataset` already appended) adds nothing. Parts are named by the key, so a re-run after a
//! crash rewrites the same files.
//!
//! **Files of one recording** (`capture --rotate`): re-delivered messages and gift combos can
//! straddle a rotation. A capture file is therefore decoded after the file before it (its
//! context, see [`crate::pipeline::decode_with_context`]) and only its own rows are written: a
//! message the context already had is the context's, and a combo belongs to the file holding
//! its highest update. When that is the new file, the combo's lower count was written with the
//! context's parts: those are rewritten without it. So the dataset equals decoding all the
//! files at once, as long as no re-delivery or combo spans more than one boundary (a rotation
//! period longer than the server's history replay, seconds, and a combo's length, seconds).
//! A crash between writing a file's parts and trimming its context's leaves such a combo
//! counted twice until the same export runs again.

use std::fs::File;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use polars::prelude::{
    col, lit, BooleanChunked, DataFrame, IdxCa, IdxSize, IntoLazy, ParquetCompression,
    ParquetReader, ParquetWriter, SerReader,
};
use rustc_hash::FxHashSet;

use super::layout::{
    load_source, part_name, source_path, write_atomic, write_json, Manifest, Partition,
    SourceRecord,
};
use super::DatasetError;
use crate::columns::Column;
use crate::event::Kind;
use crate::input::{self, InputFormat, InputSpec};
use crate::pipeline::{self, Issue, Options, FROM_CONTEXT};
use crate::table::build::TableBuilder;
use crate::timefmt::Zone;

/// A dataset directory open for appending.
#[derive(Debug, Clone)]
pub struct Dataset {
    dir: PathBuf,
    zone: Zone,
}

/// What appending one source did.
#[derive(Debug, Clone, Default)]
pub struct Appended {
    pub key: String,
    /// It was in the dataset already: nothing was written.
    pub present: bool,
    pub events: u64,
    /// Part files written.
    pub parts: usize,
    /// Gift combos taken out of the context's parts (their highest update is in this source).
    pub moved_combos: usize,
    /// Unreadable frames or records of this source, skipped (the context's are not repeated).
    pub issues: Vec<Issue>,
    pub issue_count: u64,
}

impl Dataset {
    /// Opens `dir` for appending, creating it with a manifest for `zone` when it is new or
    /// empty. A dataset of another zone is an error (its dates are days in that zone), and so is
    /// a directory that holds other things.
    pub fn open(dir: &Path, zone: &Zone) -> Result<Dataset, DatasetError> {
        match Manifest::load(dir)? {
            Some(m) if m.tz != zone.name() => {
                return Err(DatasetError::Zone {
                    path: dir.to_path_buf(),
                    dataset: m.tz,
                    given: zone.name(),
                })
            }
            Some(_) => {}
            None => {
                let occupied = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some());
                if occupied {
                    return Err(DatasetError::Input {
                        path: dir.to_path_buf(),
                        message: format!(
                            "the directory is not empty and holds no {}: give a new or empty directory for a dataset",
                            super::MANIFEST
                        ),
                    });
                }
                write_json(&dir.join(super::MANIFEST), &Manifest::new(zone))?;
            }
        }
        Ok(Dataset {
            dir: dir.to_path_buf(),
            zone: *zone,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// Whether the source with this key was appended already.
    pub fn has_source(&self, key: &str) -> bool {
        source_path(&self.dir, key).is_file()
    }

    /// Appends a capture file (or frame dump), decoded after `context` — the file recorded
    /// before it, or `None` — so that re-deliveries and combos straddling the two count once
    /// (see the module doc). `opts` are the decoder's.
    pub fn append_frames(
        &self,
        input: &Path,
        context: Option<&Path>,
        opts: Options,
    ) -> Result<Appended, DatasetError> {
        let (key, bytes) = file_key(input)?;
        if self.has_source(&key) {
            return Ok(Appended {
                key,
                present: true,
                ..Appended::default()
            });
        }
        let open = |p: &Path| {
            input::open(&InputSpec::new(p, InputFormat::Auto)).map_err(|e| DatasetError::Input {
                path: p.to_path_buf(),
                message: e.to_string(),
            })
        };
        let frames = open(input)?;
        let (decoded, context_key) = match context {
            Some(c) => {
                let (ckey, _) = file_key(c)?;
                let d = pipeline::decode_with_context(open(c)?, frames, opts, TableBuilder::new());
                (d, Some(ckey))
            }
            None => (
                pipeline::decode_into(frames, opts, TableBuilder::new()),
                None,
            ),
        };
        let name: &str = &input.display().to_string();
        let issues: Vec<Issue> = decoded
            .stats
            .errors
            .iter()
            .filter(|i| &*i.position.source == name)
            .cloned()
            .collect();
        let issue_count = if context.is_some() {
            issues.len() as u64
        } else {
            decoded.stats.error_count
        };
        let table = decoded.events.map_err(DatasetError::polars(input))?;
        let (own, survivors) = match context {
            Some(_) => split_context(&table).map_err(DatasetError::polars(input))?,
            None => (table, FxHashSet::default()),
        };
        if own.height() == 0 && issue_count > 0 {
            // Recorded, it would count as present and never be retried.
            let first = issues
                .first()
                .map(|i| format!(" (first: {i})"))
                .unwrap_or_default();
            return Err(DatasetError::Input {
                path: input.to_path_buf(),
                message: format!("nothing could be read from it{first}; nothing was written"),
            });
        }
        let mut appended = self.write_source(input, &key, bytes, own, context_key.clone())?;
        if let Some(ckey) = &context_key {
            appended.moved_combos = self.trim(ckey, &survivors)?;
        }
        appended.issues = issues;
        appended.issue_count = issue_count;
        Ok(appended)
    }

    /// Appends a source that is already an event table (a Parquet, CSV or NDJSON file read
    /// into the event table), under the key of the file's bytes.
    pub fn append_table(&self, input: &Path, table: DataFrame) -> Result<Appended, DatasetError> {
        let (key, bytes) = file_key(input)?;
        if self.has_source(&key) {
            return Ok(Appended {
                key,
                present: true,
                ..Appended::default()
            });
        }
        self.write_source(input, &key, bytes, table, None)
    }

    /// The table's parts, then its source record (which makes the source count as present).
    fn write_source(
        &self,
        input: &Path,
        key: &str,
        bytes: u64,
        table: DataFrame,
        context: Option<String>,
    ) -> Result<Appended, DatasetError> {
        let events = table.height() as u64;
        let mut parts = Vec::new();
        for (partition, df) in split(&table, &self.zone).map_err(DatasetError::polars(input))? {
            let first = first_ts(&df).map_err(DatasetError::polars(input))?;
            let rel = partition.dir().join(part_name(first, key));
            write_part(&self.dir.join(&rel), df)?;
            parts.push(rel.to_string_lossy().into_owned());
        }
        let record = SourceRecord {
            key: key.to_string(),
            input: input.display().to_string(),
            bytes,
            events,
            context,
            parts,
        };
        write_json(&source_path(&self.dir, key), &record)?;
        Ok(Appended {
            key: key.to_string(),
            present: false,
            events,
            parts: record.parts.len(),
            ..Appended::default()
        })
    }

    /// Rewrites the parts of source `key` without the gift rows not in `survivors`: combos whose
    /// highest update turned out to be in the next file. How many rows went.
    fn trim(&self, key: &str, survivors: &FxHashSet<(u64, u64)>) -> Result<usize, DatasetError> {
        let Some(record) = load_source(&self.dir, key)? else {
            return Ok(0);
        };
        let mut removed = 0;
        for rel in &record.parts {
            let path = self.dir.join(rel);
            if !path.is_file() {
                // Emptied by an earlier trim.
                continue;
            }
            let df = File::open(&path)
                .map_err(DatasetError::io(&path))
                .and_then(|f| {
                    ParquetReader::new(f)
                        .finish()
                        .map_err(DatasetError::polars(&path))
                })?;
            let keep = survivor_mask(&df, survivors).map_err(DatasetError::polars(&path))?;
            let kept = keep.sum().unwrap_or(0) as usize;
            if kept == df.height() {
                continue;
            }
            removed += df.height() - kept;
            if kept == 0 {
                super::layout::remove(&path)?;
            } else {
                let df = df.filter(&keep).map_err(DatasetError::polars(&path))?;
                write_part(&path, df)?;
            }
        }
        Ok(removed)
    }
}

/// A file's source key (BLAKE3 of a version tag and its bytes, hex) and its length.
pub fn file_key(path: &Path) -> Result<(String, u64), DatasetError> {
    let mut f = File::open(path).map_err(DatasetError::io(path))?;
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"danmu-analyze dataset source v1\n");
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(DatasetError::io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((hasher.finalize().to_hex().to_string(), bytes))
}

/// The rows of the input itself (without the context's, and without the marker column), and
/// the (room, msg_id) of the context's gift rows that are still the highest of their combo.
fn split_context(
    table: &DataFrame,
) -> polars::prelude::PolarsResult<(DataFrame, FxHashSet<(u64, u64)>)> {
    let mine = !table.column(FROM_CONTEXT)?.bool()?;
    let own = table.filter(&mine)?.drop(FROM_CONTEXT)?;
    let gifts = table
        .clone()
        .lazy()
        .filter(col(FROM_CONTEXT).and(col(Column::Kind.name()).eq(lit(Kind::Gift.name()))))
        .select([col(Column::RoomId.name()), col(Column::MsgId.name())])
        .collect()?;
    let rooms = gifts.column(Column::RoomId.name())?.u64()?;
    let msgs = gifts.column(Column::MsgId.name())?.u64()?;
    let survivors = rooms
        .iter()
        .zip(msgs.iter())
        .map(|(r, m)| (r.unwrap_or(0), m.unwrap_or(0)))
        .collect();
    Ok((own, survivors))
}

/// True for the rows to keep: every row that is not a gift, and gifts in `survivors`.
fn survivor_mask(
    df: &DataFrame,
    survivors: &FxHashSet<(u64, u64)>,
) -> polars::prelude::PolarsResult<BooleanChunked> {
    let kinds = df.column(Column::Kind.name())?.str()?;
    let rooms = df.column(Column::RoomId.name())?.u64()?;
    let msgs = df.column(Column::MsgId.name())?.u64()?;
    Ok(kinds
        .iter()
        .zip(rooms.iter())
        .zip(msgs.iter())
        .map(|((k, r), m)| {
            k != Some(Kind::Gift.name()) || survivors.contains(&(r.unwrap_or(0), m.unwrap_or(0)))
        })
        .collect())
}

/// The table's rows by partition, in table order within each (so each part stays in time
/// order), partitions in order.
fn split(
    table: &DataFrame,
    zone: &Zone,
) -> polars::prelude::PolarsResult<Vec<(Partition, DataFrame)>> {
    let ts = table
        .column(Column::Ts.name())?
        .as_materialized_series()
        .to_physical_repr();
    let ts = ts.i64()?;
    let rooms = table.column(Column::RoomId.name())?.u64()?;
    let mut days = DayCache::new(*zone);
    let mut groups: std::collections::BTreeMap<Partition, Vec<IdxSize>> = Default::default();
    for (i, (t, r)) in ts.iter().zip(rooms.iter()).enumerate() {
        let p = Partition {
            room: r,
            date: days.date(t.unwrap_or(0)),
        };
        groups.entry(p).or_default().push(i as IdxSize);
    }
    if groups.len() == 1 {
        let (p, _) = groups.pop_first().expect("one group");
        return Ok(vec![(p, table.clone())]);
    }
    groups
        .into_iter()
        .map(|(p, rows)| Ok((p, table.take(&IdxCa::from_vec("rows".into(), rows))?)))
        .collect()
}

/// Local dates of times that mostly come in order: the current day's bounds are kept, so most
/// rows cost two comparisons instead of a time-zone conversion.
struct DayCache {
    zone: Zone,
    date: chrono::NaiveDate,
    /// The day's start and end as UTC ms; empty until the first lookup (or when a DST change
    /// skips midnight).
    start: i64,
    end: i64,
}

impl DayCache {
    fn new(zone: Zone) -> DayCache {
        DayCache {
            zone,
            date: chrono::NaiveDate::MIN,
            start: 0,
            end: 0,
        }
    }

    fn date(&mut self, ts: i64) -> chrono::NaiveDate {
        if ts >= self.start && ts < self.end {
            return self.date;
        }
        let date = self.zone.at(ts).date_naive();
        let midnight =
            |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).and_then(|n| self.zone.local_ms(n));
        let next = date.succ_opt();
        match (midnight(date), next.and_then(midnight)) {
            (Some(s), Some(e)) if s <= ts && ts < e => {
                self.start = s;
                self.end = e;
            }
            _ => {
                self.start = 0;
                self.end = 0;
            }
        }
        self.date = date;
        date
    }
}

fn first_ts(df: &DataFrame) -> polars::prelude::PolarsResult<i64> {
    let ts = df
        .column(Column::Ts.name())?
        .as_materialized_series()
        .to_physical_repr();
    Ok(ts.i64()?.get(0).unwrap_or(0))
}

/// One part: the event table's columns as they are (`ts` in UTC), Snappy, with statistics so
/// scans skip row groups outside a time filter.
fn write_part(path: &Path, mut df: DataFrame) -> Result<(), DatasetError> {
    write_atomic(path, |out| {
        ParquetWriter::new(out)
            .with_compression(ParquetCompression::Snappy)
            .finish(&mut df)
            .map(|_| ())
            .map_err(DatasetError::polars(path))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{CaptureReader, CaptureWriter};
    use crate::simulate::{simulate, SimConfig};

    /// The context decode is the plain decode of both inputs plus the marker column, and the
    /// rows it marks as the input's are exactly those the context leaves.
    #[test]
    fn a_context_decode_is_the_decode_of_both_with_the_context_marked() {
        let dir = tempfile::tempdir().unwrap();
        let whole = dir.path().join("whole.dmcap");
        let cfg = SimConfig {
            minutes: 2,
            viewers: 200,
            seed: 4,
            ..SimConfig::default()
        };
        simulate(&cfg, File::create(&whole).unwrap()).unwrap();
        let records: Vec<_> = CaptureReader::open(&whole)
            .unwrap()
            .map(|r| r.unwrap().record)
            .collect();
        let half = records.len() / 2;
        let write = |name: &str, recs: &[crate::capture::CaptureRecord]| {
            let path = dir.path().join(name);
            let mut w = CaptureWriter::new(File::create(&path).unwrap()).unwrap();
            for r in recs {
                w.write(r).unwrap();
            }
            path
        };
        let (a, b) = (
            write("a.dmcap", &records[..half]),
            write("b.dmcap", &records[half..]),
        );
        let open = |p: &Path| input::open(&InputSpec::new(p, InputFormat::Auto)).unwrap();
        let marked = pipeline::decode_with_context(
            open(&a),
            open(&b),
            Options::default(),
            TableBuilder::new(),
        )
        .events
        .unwrap();
        let plain = pipeline::decode_into(
            open(&a).chain(open(&b)),
            Options::default(),
            TableBuilder::new(),
        )
        .events
        .unwrap();
        assert!(marked.drop(FROM_CONTEXT).unwrap().equals_missing(&plain));
        let (own, _) = split_context(&marked).unwrap();
        let flags = marked.column(FROM_CONTEXT).unwrap().bool().unwrap();
        let context = flags.sum().unwrap_or(0) as usize;
        assert!(context > 0 && own.height() > 0);
        assert_eq!(own.height() + context, plain.height());
    }

    #[test]
    fn day_cache_agrees_with_the_zone() {
        for tz in ["Asia/Shanghai", "America/New_York", "+05:30", "UTC"] {
            let zone: Zone = tz.parse().unwrap();
            let mut cache = DayCache::new(zone);
            // Every 37 minutes over ten days across the US DST change of 2026-03-08.
            let start = 1_772_582_400_000i64;
            for i in 0..400 {
                let t = start + i * 37 * 60_000;
                assert_eq!(cache.date(t), zone.at(t).date_naive(), "{tz} {t}");
            }
            assert_eq!(
                cache.date(start),
                zone.at(start).date_naive(),
                "back in time"
            );
        }
    }
}

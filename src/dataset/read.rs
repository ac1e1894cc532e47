//! Reading a dataset: the partitions a filter can reach, from the directory names alone, then
//! one polars scan of their parts. A directory of `room_id=…/date=…` partitions without its
//! manifest reads too, pruned by room only.
//!
//! Pruning is done here rather than by polars' hive inference: over a list of files polars reads
//! `k=v` out of every directory of each path (a parent called `a=b` would become a column), and
//! `--since`/`--until` select dates only through the dataset's zone. polars then pushes the
//! row filter and the projection into the files (row-group statistics on `ts`, `kind`).

use std::path::Path;

use chrono::NaiveDate;
use polars::prelude::{
    col, HiveOptions, IntoLazy, LazyFrame, PlRefPath, ScanArgsParquet, SortMultipleOptions,
};

use super::layout::{has_partitions, parts, Manifest, Prune, MANIFEST};
use super::DatasetError;
use crate::columns::Column;
use crate::db::Filter;
use crate::table;
use crate::timefmt::Zone;

/// The dataset in `dir` as the event table, in time order (rows of one millisecond in
/// partition, then part order), reading only the partitions of `filter`'s room and dates. The
/// filter itself is not applied to the rows: the caller does that (`table::filter::apply`).
pub fn scan(dir: &Path, filter: &Filter) -> Result<LazyFrame, DatasetError> {
    Ok(scan_unordered(dir, filter)?.sort(
        [Column::Ts.name()],
        SortMultipleOptions::default().with_maintain_order(true),
    ))
}

/// [`scan`] without the sort: the parts one after another (partition, then part order), each
/// in time order. For queries that do not need the rows in time order (aggregations): a sort
/// holds every row it reads, and the streaming engine cannot stream past it.
pub fn scan_unordered(dir: &Path, filter: &Filter) -> Result<LazyFrame, DatasetError> {
    let prune = match Manifest::load(dir)? {
        Some(m) => prune(filter, &m.zone(&dir.join(MANIFEST))?),
        // The partitions without the manifest: the zone of their dates is unknown, so only
        // --room prunes (the time filter still applies to the rows).
        None if has_partitions(dir) => Prune {
            room: filter.room,
            dates: None,
        },
        None => {
            return Err(DatasetError::Input {
                path: dir.to_path_buf(),
                message: format!("no {MANIFEST}: not a dataset (`export --dataset DIR` makes one)"),
            })
        }
    };
    let files = parts(dir, &prune)?;
    if files.is_empty() {
        return Ok(table::empty().lazy());
    }
    let paths: Vec<PlRefPath> = files
        .iter()
        .map(|p| PlRefPath::new(p.to_string_lossy()))
        .collect();
    let args = ScanArgsParquet {
        // The partition values are in the files too; see the module doc.
        hive_options: HiveOptions::new_disabled(),
        // File names are names, not patterns.
        glob: false,
        ..ScanArgsParquet::default()
    };
    let lf =
        LazyFrame::scan_parquet_files(paths.into(), args).map_err(DatasetError::polars(dir))?;
    let columns: Vec<_> = Column::ALL.iter().map(|c| col(c.name())).collect();
    Ok(lf.select(columns))
}

/// The partitions `filter` can need: its room, and the local dates from `--since` to the last
/// millisecond before `--until`.
pub fn prune(filter: &Filter, zone: &Zone) -> Prune {
    let day = |t: i64| -> NaiveDate { zone.at(t).date_naive() };
    let dates = match (filter.since, filter.until) {
        (None, None) => None,
        (since, until) => Some((since.map(day), until.map(|t| day(t.saturating_sub(1))))),
    };
    Prune {
        room: filter.room,
        dates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_filters_become_local_dates() {
        let zone: Zone = "Asia/Shanghai".parse().unwrap();
        // 2026-01-01 16:00 UTC is 2026-01-02 00:00 in Shanghai.
        let midnight = 1_767_283_200_000;
        let f = Filter {
            room: Some(3),
            since: Some(midnight - 1),
            until: Some(midnight),
            kinds: vec![],
        };
        let p = prune(&f, &zone);
        assert_eq!(p.room, Some(3));
        let jan1 = NaiveDate::from_ymd_opt(2026, 1, 1);
        assert_eq!(p.dates, Some((jan1, jan1)), "until is exclusive");
        let f = Filter {
            since: Some(midnight),
            ..f
        };
        let p = prune(&f, &zone);
        let jan2 = NaiveDate::from_ymd_opt(2026, 1, 2);
        assert_eq!(p.dates.unwrap().0, jan2);
        assert!(prune(&Filter::default(), &zone).dates.is_none());
    }
}

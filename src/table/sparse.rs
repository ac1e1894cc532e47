//! Columns that are null on almost every row — a battle's scores, the viewer counts, the control
//! status: a few hundred values among a million events — kept as chunks, each long run of nulls
//! a null chunk of its own. Polars' null arrays of up to 8 MiB share one zeroed buffer, so such a
//! run costs nothing where a dense column costs 8 bytes a row: on a 1.2 M-event capture the ten
//! columns of this kind were 90 MB of a 190 MB table. The values and their order are unchanged.

use polars::prelude::{Column, DataFrame, IdxSize, PolarsResult, Series};

/// Nulls in a row from which a run becomes a chunk of its own. A chunk costs a few hundred bytes
/// and every operation visits each one, so shorter runs stay inside the dense pieces: a column
/// has at most two chunks per `MIN_RUN` rows.
const MIN_RUN: usize = 1024;

/// `s` with its long runs of nulls as null chunks, when at least 7 in 8 of its rows are null and
/// there is such a run; otherwise `s` as it is.
pub fn compact(s: Series) -> PolarsResult<Series> {
    let n = s.len();
    let values = n - s.null_count();
    if values * 8 > n || n < MIN_RUN {
        return Ok(s);
    }
    let valid = s.is_not_null();
    let pieces = pieces(valid.iter().map(|v| v == Some(true)), n);
    drop(valid);
    if pieces.len() == 1 && !pieces[0].null {
        return Ok(s);
    }
    let mut out: Option<Series> = None;
    for p in pieces {
        let piece = if p.null {
            Series::full_null(s.name().clone(), p.len, s.dtype())
        } else {
            // A copy of the rows, not a slice, so the dense original can be freed.
            let idx: Vec<IdxSize> = (p.start..p.start + p.len).map(|i| i as IdxSize).collect();
            s.take_slice(&idx)?
        };
        match &mut out {
            None => out = Some(piece),
            Some(o) => {
                o.append_owned(piece)?;
            }
        }
    }
    Ok(out.unwrap_or(s))
}

/// `df` with one chunk per column, as polars' `rechunk_mut` leaves it, except that the
/// mostly-null columns keep (or get) their long runs of nulls as chunks of their own. Row-wise
/// readers ([`super::rows::Rows`]) want plain single chunks: `rechunk_mut` gives them that.
pub fn rechunk(df: DataFrame) -> PolarsResult<DataFrame> {
    let height = df.height();
    let columns = df
        .into_columns()
        .into_iter()
        .map(|c| match c {
            // Scalar columns (the ones a builder did not fill) have no chunks to join.
            Column::Series(s) => {
                let s = s.take();
                let s = if is_compact(&s) {
                    s
                } else {
                    compact(s.rechunk())?
                };
                Ok(Column::from(s))
            }
            other => Ok(other),
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new(height, columns)
}

/// Whether `s` already has its null runs as chunks (from [`compact`]).
fn is_compact(s: &Series) -> bool {
    s.n_chunks() > 1
        && s.chunks()
            .iter()
            .any(|a| a.len() >= MIN_RUN && a.null_count() == a.len())
}

/// A run of rows: all null, or dense (values with shorter runs of nulls between them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    start: usize,
    len: usize,
    null: bool,
}

/// The rows cut into dense pieces and null runs of at least [`MIN_RUN`], in order, covering
/// `0..n`.
fn pieces(valid: impl Iterator<Item = bool>, n: usize) -> Vec<Piece> {
    let mut out = Vec::new();
    // Start of the dense piece being built, and of the nulls since the last value.
    let (mut start, mut nulls_from) = (0, 0);
    let close = |out: &mut Vec<Piece>, start: &mut usize, nulls_from: usize, end: usize| {
        if end - nulls_from >= MIN_RUN {
            if nulls_from > *start {
                out.push(Piece {
                    start: *start,
                    len: nulls_from - *start,
                    null: false,
                });
            }
            out.push(Piece {
                start: nulls_from,
                len: end - nulls_from,
                null: true,
            });
            *start = end;
        }
    };
    for (i, v) in valid.enumerate() {
        if v {
            close(&mut out, &mut start, nulls_from, i);
            nulls_from = i + 1;
        }
    }
    close(&mut out, &mut start, nulls_from, n);
    if start < n {
        out.push(Piece {
            start,
            len: n - start,
            null: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{DataType, NamedFrom, TimeUnit, TimeZone};

    fn sparse(n: usize, at: &[usize]) -> Vec<Option<u64>> {
        (0..n)
            .map(|i| at.contains(&i).then_some(i as u64 * 7))
            .collect()
    }

    #[test]
    fn long_null_runs_become_their_own_chunks() {
        let v = sparse(10_000, &[5, 6, 3000, 9999]);
        let s = Series::new("x".into(), v.clone());
        let c = compact(s.clone()).unwrap();
        assert!(c.equals_missing(&s));
        assert_eq!(c.u64().unwrap().iter().collect::<Vec<_>>(), v);
        // [0,7) dense, [7,3000) null, [3000,3001) dense, [3001,9999) null, [9999] dense.
        assert_eq!(c.n_chunks(), 5);
        assert_eq!(c.null_count(), s.null_count());
    }

    #[test]
    fn dense_or_short_columns_stay_as_they_are() {
        let every_fourth: Vec<Option<u64>> =
            (0..10_000).map(|i| (i % 4 == 0).then_some(i)).collect();
        let s = Series::new("x".into(), every_fourth);
        assert_eq!(compact(s).unwrap().n_chunks(), 1);
        let short = Series::new("x".into(), sparse(500, &[1]));
        assert_eq!(compact(short).unwrap().n_chunks(), 1);
        // Values every 1000 rows: no run long enough to stand alone.
        let spread = Series::new(
            "x".into(),
            sparse(20_000, &(0..20).map(|k| k * 1000).collect::<Vec<_>>()),
        );
        assert_eq!(compact(spread).unwrap().n_chunks(), 1);
    }

    #[test]
    fn all_null_and_logical_types_keep_their_type() {
        let s = Series::new("x".into(), vec![None::<u64>; 5000]);
        let c = compact(s).unwrap();
        assert_eq!(c.null_count(), 5000);
        let ts = Series::new("ts".into(), sparse(5000, &[2500]))
            .cast(&DataType::Datetime(
                TimeUnit::Milliseconds,
                Some(TimeZone::UTC),
            ))
            .unwrap();
        let c = compact(ts.clone()).unwrap();
        assert_eq!(c.dtype(), ts.dtype());
        assert!(c.equals_missing(&ts));
        assert_eq!(c.n_chunks(), 3);
        let text: Vec<Option<&str>> = (0..5000).map(|i| (i == 4000).then_some("红包")).collect();
        let t = Series::new("t".into(), text);
        let c = compact(t.clone()).unwrap();
        assert!(c.equals_missing(&t));
        // [0,4000) null; the 999 nulls after the value are too few to stand alone.
        assert_eq!(c.n_chunks(), 2);
    }

    #[test]
    fn rechunk_joins_dense_columns_and_keeps_sparse_ones_compact() {
        let mut dense = Series::new("a".into(), (0..5000u64).collect::<Vec<_>>());
        dense
            .append(&Series::new("a".into(), vec![1u64, 2]))
            .unwrap();
        let sparse_col = Series::new("b".into(), sparse(5002, &[10, 4000]));
        let df = DataFrame::new(
            5002,
            vec![
                dense.clone().into(),
                sparse_col.clone().into(),
                Column::full_null("c".into(), 5002, &DataType::UInt64),
            ],
        )
        .unwrap();
        let out = rechunk(df).unwrap();
        let a = out.column("a").unwrap().as_materialized_series();
        assert_eq!(a.n_chunks(), 1);
        assert!(a.equals(&dense));
        let b = out.column("b").unwrap().as_materialized_series();
        assert!(b.n_chunks() > 1);
        assert!(b.equals_missing(&sparse_col));
        assert!(matches!(out.column("c").unwrap(), Column::Scalar(_)));
        // Already compact: kept as it is.
        let again = rechunk(out.clone()).unwrap();
        let b2 = again.column("b").unwrap().as_materialized_series();
        assert_eq!(b2.n_chunks(), b.n_chunks());
    }

    #[test]
    fn pieces_cover_every_row_in_order() {
        for at in [vec![], vec![0], vec![4999], vec![0, 1, 2, 2000, 2001, 4999]] {
            let valid: Vec<bool> = (0..5000).map(|i| at.contains(&i)).collect();
            let p = pieces(valid.iter().copied(), valid.len());
            let mut next = 0;
            for piece in &p {
                assert_eq!(piece.start, next);
                assert!(piece.len > 0);
                if piece.null {
                    assert!(piece.len >= MIN_RUN);
                    assert!(!valid[piece.start..piece.start + piece.len].contains(&true));
                }
                next += piece.len;
            }
            assert_eq!(next, 5000, "{at:?}");
        }
    }
}

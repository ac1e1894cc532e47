//! Which of another table's columns fills each event-table column: one set of rules for every
//! reader of other tools' tables (CSV / Parquet through `source::conform`, MySQL rows
//! through `db::mapping`), so `--map` and the aliases mean the same everywhere.
//!
//! The rules: `--map OURS=THEIRS` first; then exact milliseconds (`ts_ms` …) before any other
//! time column; then each column's own name and aliases in the column table's order. Names are
//! compared ignoring case, surrounding spaces and a UTF-8 BOM; each input column fills at most
//! one of ours. With exact milliseconds, other time columns are redundant, not unused.

use crate::columns::{Column, TS_MS_ALIASES};

/// Where one of our columns comes from: an input column's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Exact UTC milliseconds (only for `ts`).
    Ms(usize),
    Col(usize),
}

impl Origin {
    pub fn index(self) -> usize {
        match self {
            Origin::Ms(i) | Origin::Col(i) => i,
        }
    }
}

/// The input columns our columns are read from.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Per [`Column`] (indexed by `column as usize`), where it comes from.
    pub sources: Vec<Option<Origin>>,
    /// Per input column, whether something reads it (or it is a redundant time column).
    pub claimed: Vec<bool>,
}

impl Resolved {
    pub fn of(&self, c: Column) -> Option<Origin> {
        self.sources[c as usize]
    }

    /// The input columns nothing reads, by name.
    pub fn unused<'a>(&self, names: &'a [String]) -> Vec<&'a str> {
        names
            .iter()
            .zip(&self.claimed)
            .filter(|(_, c)| !**c)
            .map(|(n, _)| n.as_str())
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("--map {ours}={theirs}: there is no column `{theirs}` (found: {found})")]
    NoSuchColumn {
        ours: &'static str,
        theirs: String,
        found: String,
    },
    #[error("no time column: name one ts_ms (UTC milliseconds), ts, time, create_time, timestamp, … or say which with --map ts=NAME (found: {found})")]
    NoTime { found: String },
}

/// Resolves `names` (another table's columns, in order) against the event table.
pub fn resolve(names: &[String], renames: &[(Column, String)]) -> Result<Resolved, ResolveError> {
    let clean: Vec<&str> = names
        .iter()
        .map(|n| n.trim_start_matches('\u{feff}').trim())
        .collect();
    let found = || clean.join(", ");
    let mut claimed = vec![false; names.len()];
    let take = |alias: &str, claimed: &mut Vec<bool>| {
        let i = clean
            .iter()
            .enumerate()
            .position(|(i, n)| !claimed[i] && n.eq_ignore_ascii_case(alias.trim()))?;
        claimed[i] = true;
        Some(i)
    };
    let mut sources: Vec<Option<Origin>> = vec![None; Column::ALL.len()];
    for (ours, theirs) in renames {
        let i = take(theirs, &mut claimed).ok_or_else(|| ResolveError::NoSuchColumn {
            ours: ours.name(),
            theirs: theirs.clone(),
            found: found(),
        })?;
        sources[*ours as usize] = Some(Origin::Col(i));
    }
    if sources[Column::Ts as usize].is_none() {
        let ms = TS_MS_ALIASES.iter().find_map(|a| take(a, &mut claimed));
        let time = Column::Ts
            .def()
            .aliases
            .iter()
            .find_map(|a| take(a, &mut claimed));
        sources[Column::Ts as usize] = ms.map(Origin::Ms).or(time.map(Origin::Col));
    }
    if sources[Column::Ts as usize].is_none() {
        return Err(ResolveError::NoTime { found: found() });
    }
    for c in &Column::ALL[1..] {
        if sources[*c as usize].is_none() {
            sources[*c as usize] = c
                .def()
                .aliases
                .iter()
                .find_map(|a| take(a, &mut claimed))
                .map(Origin::Col);
        }
    }
    if matches!(sources[Column::Ts as usize], Some(Origin::Ms(_))) {
        for (i, n) in clean.iter().enumerate() {
            claimed[i] |= Column::Ts
                .def()
                .aliases
                .iter()
                .any(|a| n.eq_ignore_ascii_case(a));
        }
    }
    Ok(Resolved { sources, claimed })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn renames_then_milliseconds_then_aliases_each_column_once() {
        let cols = names(&["\u{feff}Time", "ts_ms", "nickname", "弹幕内容", "extra"]);
        let r = resolve(&cols, &[(Column::Content, "弹幕内容".into())]).unwrap();
        assert_eq!(r.of(Column::Ts), Some(Origin::Ms(1)));
        assert_eq!(r.of(Column::UserName), Some(Origin::Col(2)));
        assert_eq!(r.of(Column::Content), Some(Origin::Col(3)));
        // `Time` is redundant beside exact milliseconds; `extra` is unused.
        assert_eq!(r.unused(&cols), ["extra"]);
        let e = resolve(&cols, &[(Column::Content, "nope".into())]).unwrap_err();
        assert!(e.to_string().contains("there is no column `nope`"), "{e}");
        assert!(matches!(
            resolve(&names(&["a", "b"]), &[]),
            Err(ResolveError::NoTime { .. })
        ));
    }
}

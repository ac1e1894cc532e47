//! What a table read needs besides the files: the zone of local times, `--map ours=theirs` and
//! the text encoding of CSV.

use std::str::FromStr;

use crate::columns::Column;
use crate::timefmt::Zone;

#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    /// The zone of times written without an offset (`export`'s CSV `ts`, a spider's
    /// `create_time`); `--tz`.
    pub zone: Zone,
    /// `--map`: columns the aliases do not find.
    pub map: Vec<ColumnMap>,
    /// `--encoding`: the text encoding of CSV input; `None` detects it per file.
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

/// `--map ours=theirs`: read event-table column `ours` from the file's column `theirs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    pub ours: Column,
    pub theirs: String,
}

impl FromStr for ColumnMap {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let names = || {
            let all: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
            all.join(", ")
        };
        let (ours, theirs) = s
            .split_once('=')
            .ok_or_else(|| format!("--map `{s}`: expected OURS=THEIRS, e.g. content=弹幕内容"))?;
        let (ours, theirs) = (ours.trim(), theirs.trim());
        let ours = Column::from_name(ours).ok_or_else(|| {
            format!(
                "--map `{s}`: `{ours}` is not a column; expected one of {}",
                names()
            )
        })?;
        if theirs.is_empty() {
            return Err(format!("--map `{s}`: no column name after `=`"));
        }
        Ok(ColumnMap {
            ours,
            theirs: theirs.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_parses_ours_equals_theirs() {
        let m: ColumnMap = "content = 弹幕内容".parse().unwrap();
        assert_eq!(m.ours, Column::Content);
        assert_eq!(m.theirs, "弹幕内容");
        assert!("words=x"
            .parse::<ColumnMap>()
            .unwrap_err()
            .contains("not a column"));
        assert!("content".parse::<ColumnMap>().is_err());
        assert!("content=".parse::<ColumnMap>().is_err());
    }
}

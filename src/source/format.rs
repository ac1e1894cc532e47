//! Which table format a file is, from its first bytes or as the user names it.

use std::fmt;
use std::str::FromStr;

pub use crate::input::TABLE_FORMATS as EXPECTED;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Parquet,
    Csv,
    Ndjson,
}

impl FromStr for TableFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "parquet" => TableFormat::Parquet,
            "csv" => TableFormat::Csv,
            "ndjson" | "jsonl" => TableFormat::Ndjson,
            _ => {
                return Err(format!(
                    "unknown table format `{s}`; expected parquet, csv or ndjson"
                ))
            }
        })
    }
}

impl fmt::Display for TableFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TableFormat::Parquet => "parquet",
            TableFormat::Csv => "csv",
            TableFormat::Ndjson => "ndjson",
        })
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The table format `head` (a file's first bytes) starts like, if any: the Parquet magic,
/// a `{` (NDJSON), or a CSV header line — at least two comma-separated names, none longer than
/// 64 bytes, not a `#` comment, so a hex or base64 frame dump (one long token per line, maybe a
/// trailing comma) is never taken for CSV.
pub fn detect(head: &[u8]) -> Option<TableFormat> {
    if head.starts_with(b"PAR1") {
        return Some(TableFormat::Parquet);
    }
    let text = head.strip_prefix(BOM).unwrap_or(head);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let text = &text[start..];
    if text[0] == b'{' {
        return Some(TableFormat::Ndjson);
    }
    let end = text.iter().position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(&text[..end])
        .ok()?
        .trim_end_matches('\r');
    if line.starts_with('#') {
        // A frame dump's comment, even one with commas in it.
        return None;
    }
    let fields: Vec<&str> = line
        .split(',')
        .map(|f| f.trim().trim_matches('"').trim())
        .collect();
    let names = fields.len() >= 2
        && fields
            .iter()
            .all(|f| !f.is_empty() && f.len() <= 64 && !f.chars().any(char::is_control));
    names.then_some(TableFormat::Csv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        assert_eq!(detect(b"PAR1\x15\x04"), Some(TableFormat::Parquet));
        assert_eq!(detect(b"{\"ts\":1}\n"), Some(TableFormat::Ndjson));
        assert_eq!(
            detect(b"\xEF\xBB\xBFts,ts_ms,room_id\n1,2,3\n"),
            Some(TableFormat::Csv)
        );
        assert_eq!(
            detect(b"id,room_id,user_name,content,create_time\r\n"),
            Some(TableFormat::Csv)
        );
        // Frame dumps and binary are not tables.
        assert_eq!(detect(b"\"3a026862\",\n\"3a026862\",\n"), None);
        assert_eq!(detect(b"# dump\nCAgQARoCaGI=\n"), None);
        assert_eq!(detect(b"# frames, from DevTools\nCAgQARoCaGI=\n"), None);
        assert_eq!(detect(b"\x08\x01\x10\x02"), None);
        assert_eq!(detect(b""), None);
        assert_eq!("jsonl".parse(), Ok(TableFormat::Ndjson));
        assert!("xlsx".parse::<TableFormat>().is_err());
    }
}

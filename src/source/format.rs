//! Which table format a file is, from its first bytes or as the user names it.

use std::fmt;
use std::str::FromStr;

use encoding_rs::Encoding;

use super::csv::delimiter;
use super::encoding::head_text;

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

/// The table format `head` (a file's first bytes) starts like, if any: the Parquet magic,
/// a `{` (NDJSON), or a CSV header line — at least two comma- or tab-separated names, none
/// longer than 64 bytes, not a `#` comment, so a hex or base64 frame dump (one long token per
/// line, maybe a trailing comma) is never taken for CSV. The text may be in any encoding
/// [`super::encoding`] detects (UTF-8, GB18030, UTF-16 with a BOM).
pub fn detect(head: &[u8]) -> Option<TableFormat> {
    detect_with(head, None)
}

/// [`detect`], the text read in `encoding` when given (`--encoding`).
pub fn detect_with(head: &[u8], encoding: Option<&'static Encoding>) -> Option<TableFormat> {
    if head.starts_with(b"PAR1") {
        return Some(TableFormat::Parquet);
    }
    let text = head_text(head, encoding);
    let text = text.trim_start();
    if text.starts_with('{') {
        return Some(TableFormat::Ndjson);
    }
    // A whole line: the head may end mid-header.
    let (line, _) = text.split_once('\n')?;
    let line = line.trim_end_matches('\r');
    if line.starts_with('#') {
        // A frame dump's comment, even one with commas in it.
        return None;
    }
    let sep = if delimiter(line) == b'\t' { '\t' } else { ',' };
    let fields: Vec<&str> = line
        .split(sep)
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
        // Chinese users' files: GBK and Excel's UTF-16 "Unicode text" (tab separated).
        assert_eq!(
            detect(b"\xca\xb1\xbc\xe4,\xc4\xda\xc8\xdd\r\n"), // 时间,内容 in GBK
            Some(TableFormat::Csv)
        );
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "时间\t内容\r\n1\t2".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        assert_eq!(detect(&utf16), Some(TableFormat::Csv));
        assert_eq!("jsonl".parse(), Ok(TableFormat::Ndjson));
        assert!("xlsx".parse::<TableFormat>().is_err());
    }
}

//! CSV, every column read as text: Excel id cells (`="123"`), local times and epoch numbers are
//! then read by `conform`, one rule for every tool's CSV. The file may be UTF-8 (a BOM is
//! skipped), GB18030/GBK or UTF-16 with a BOM (see [`super::encoding`]); comma or tab separated
//! (Excel's "Unicode text"), told by the header line. A row holding bytes the encoding cannot
//! decode is left out and named; the rest is read. A malformed file's error names its line.

use std::io::Cursor;

use encoding_rs::Encoding;
use polars::prelude::{CsvReadOptions, DataFrame, PolarsError, SerReader};

use super::encoding;

/// A CSV file's table and the rows left out of it.
#[derive(Debug)]
pub struct CsvRead {
    pub df: DataFrame,
    /// One line per skipped row: `line 7, column 3 (content): …`.
    pub skipped: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// Where the file stops being CSV, found by [`check`].
    #[error("line {line}: {message}")]
    Malformed { line: usize, message: String },
    #[error(transparent)]
    Polars(#[from] PolarsError),
}

/// The whole file's bytes, in `forced` encoding or the detected one.
pub fn read_bytes(bytes: Vec<u8>, forced: Option<&'static Encoding>) -> Result<CsvRead, CsvError> {
    let decoded = encoding::decode(&bytes, forced);
    if decoded.bad.is_empty() {
        if let std::borrow::Cow::Borrowed(s) = &decoded.text {
            // UTF-8 without a BOM: polars reads the bytes as they are.
            let delim = delimiter(s);
            let start = bytes.len() - s.len();
            drop(decoded);
            let mut bytes = bytes;
            bytes.drain(..start);
            return parse(bytes, delim).map(|df| CsvRead {
                df,
                skipped: Vec::new(),
            });
        }
    }
    let delim = delimiter(&decoded.text);
    let (text, skipped) = if decoded.bad.is_empty() {
        (decoded.text.into_owned(), Vec::new())
    } else {
        drop_bad_rows(&decoded.text, &decoded.bad, delim, decoded.encoding)?
    };
    parse(text.into_bytes(), delim).map(|df| CsvRead { df, skipped })
}

fn parse(text: Vec<u8>, delim: u8) -> Result<DataFrame, CsvError> {
    let result = CsvReadOptions::default()
        .with_has_header(true)
        // No inference: every column is String, so no id is rounded through a float.
        .with_infer_schema_length(Some(0))
        .map_parse_options(|p| p.with_separator(delim))
        .into_reader_with_file_handle(Cursor::new(&text))
        .finish();
    match result {
        Ok(df) => Ok(df),
        // polars' message quotes the field but not where it is: find the line.
        Err(e) => match check(std::str::from_utf8(&text).unwrap_or(""), delim) {
            Err(m) => Err(m),
            Ok(()) => Err(CsvError::Polars(e)),
        },
    }
}

/// Tab when the header line has more tabs than commas (Excel's "Unicode text"), else comma.
pub fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let count = |c: char| header.chars().filter(|&h| h == c).count();
    if count('\t') > count(',') {
        b'\t'
    } else {
        b','
    }
}

/// One record's bytes in the text: `start..end` (its line end included), starting on `line`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Record {
    start: usize,
    end: usize,
    line: usize,
    fields: usize,
}

/// The records of `text`, one after another, RFC 4180 quoting (`""` inside quotes); text after
/// a closing quote is taken as polars does, as part of the field. A quote never closed is the
/// one error.
struct Records<'a> {
    text: &'a [u8],
    delim: u8,
    pos: usize,
    line: usize,
}

impl<'a> Records<'a> {
    fn new(text: &'a str, delim: u8) -> Self {
        Records {
            text: text.as_bytes(),
            delim,
            pos: 0,
            line: 1,
        }
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Record, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        let t = self.text;
        if self.pos >= t.len() {
            return None;
        }
        let (start, line) = (self.pos, self.line);
        let mut fields = 1;
        let mut quoted = false;
        let mut quote_line = line;
        while self.pos < t.len() {
            let b = t[self.pos];
            self.pos += 1;
            match b {
                b'"' => {
                    if !quoted {
                        quote_line = self.line;
                    }
                    // `""` inside quotes toggles twice: it stays quoted.
                    quoted = !quoted;
                }
                b'\n' => {
                    self.line += 1;
                    if !quoted {
                        break;
                    }
                }
                d if d == self.delim && !quoted => fields += 1,
                _ => {}
            }
        }
        if quoted {
            self.pos = t.len();
            return Some(Err(CsvError::Malformed {
                line: quote_line,
                message: format!(
                    "a quoted field (column {fields}) opens here and is never closed; \
                     a \" inside a field is written \"\""
                ),
            }));
        }
        Some(Ok(Record {
            start,
            end: self.pos,
            line,
            fields,
        }))
    }
}

/// Where a file polars refused stops being CSV: a quote never closed, or a row with more fields
/// than the header.
fn check(text: &str, delim: u8) -> Result<(), CsvError> {
    let mut header_fields = None;
    for rec in Records::new(text, delim) {
        let rec = rec?;
        let expected = *header_fields.get_or_insert(rec.fields);
        if rec.fields > expected {
            return Err(CsvError::Malformed {
                line: rec.line,
                message: format!(
                    "{} fields, but the header has {expected}; a field holding the separator \
                     must be quoted",
                    rec.fields
                ),
            });
        }
    }
    Ok(())
}

/// `text` without the records that hold an offset of `bad`, and a line on each left out. The
/// header is kept (its damaged name will just not match a column).
fn drop_bad_rows(
    text: &str,
    bad: &[usize],
    delim: u8,
    enc: &'static Encoding,
) -> Result<(String, Vec<String>), CsvError> {
    let names = header_names(text, delim);
    let mut out = String::with_capacity(text.len());
    let mut skipped = Vec::new();
    let mut bad = bad.iter().copied().peekable();
    for (i, rec) in Records::new(text, delim).enumerate() {
        let rec = rec?;
        let mut first = None;
        while let Some(&b) = bad.peek() {
            if b >= rec.end {
                break;
            }
            first.get_or_insert(b);
            bad.next();
        }
        match first {
            Some(offset) if i > 0 => {
                let (line, column) = locate(text, rec, offset, delim);
                let name = names
                    .get(column - 1)
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                skipped.push(format!(
                    "line {line}, column {column}{name}: bytes that are not valid {}; \
                     the row was skipped (--encoding names another encoding)",
                    enc.name()
                ));
            }
            _ => out.push_str(&text[rec.start..rec.end]),
        }
    }
    Ok((out, skipped))
}

/// The line and 1-based column of `offset` inside `rec`.
fn locate(text: &str, rec: Record, offset: usize, delim: u8) -> (usize, usize) {
    let (mut line, mut column, mut quoted) = (rec.line, 1, false);
    for &b in &text.as_bytes()[rec.start..offset] {
        match b {
            b'"' => quoted = !quoted,
            b'\n' => line += 1,
            d if d == delim && !quoted => column += 1,
            _ => {}
        }
    }
    (line, column)
}

fn header_names(text: &str, delim: u8) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delim)
        .from_reader(text.as_bytes());
    r.records()
        .next()
        .and_then(|h| h.ok())
        .map(|h| h.iter().map(|n| n.trim().to_string()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(usize, usize)> {
        Records::new(text, b',')
            .map(|r| r.map(|r| (r.line, r.fields)).unwrap())
            .collect()
    }

    #[test]
    fn records_follow_quotes_across_lines() {
        assert_eq!(
            lines("a,b\n\"x\ny\",\"say \"\"hi\"\"\"\r\n3,4"),
            [(1, 2), (2, 2), (4, 2)]
        );
        let err = check("a,b\n1,2\n\"open,3\n4,5\n", b',').unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3: a quoted field (column 1) opens here and is never closed; \
             a \" inside a field is written \"\""
        );
        let err = check("a,b\n1,2,3\n", b',').unwrap_err().to_string();
        assert!(
            err.starts_with("line 2: 3 fields, but the header has 2"),
            "{err}"
        );
    }

    #[test]
    fn a_row_with_bad_bytes_is_left_out_and_named() {
        // Offsets of the U+FFFD the decoder put in: in the quoted 2-line field of row 3.
        let text = "user,content\n甲,你好\n乙,\"两\n行\u{FFFD}\"\n丙,再见\n";
        let bad = [text.find('\u{FFFD}').unwrap()];
        let (out, skipped) = drop_bad_rows(text, &bad, b',', encoding_rs::GB18030).unwrap();
        assert_eq!(out, "user,content\n甲,你好\n丙,再见\n");
        assert_eq!(
            skipped,
            ["line 4, column 2 (content): bytes that are not valid gb18030; the row was skipped \
              (--encoding names another encoding)"]
        );
        assert_eq!(delimiter("时间\t内容\t用户\n"), b'\t');
        assert_eq!(delimiter("a,b\tc,d\n"), b',');
    }

    #[test]
    fn polars_errors_name_the_line() {
        let err = read_bytes(b"a,b\n1,2\n\"unterminated,3\n".to_vec(), None).unwrap_err();
        assert!(err.to_string().starts_with("line 3: "), "{err}");
    }
}

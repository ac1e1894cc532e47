//! Inputs: capture files, text dumps (one frame per line, hex or base64), a single raw frame, or
//! stdin; detected from their first bytes unless the format is given.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use base64::Engine as _;

use crate::capture::{looks_like_capture, CaptureReader};
use crate::pipeline::{Issue, Position, RawFrame};

/// The event-table formats, for what a file that is none of the inputs is told was expected
/// (defined here, not in `source`, so builds without polars can name them too).
pub const TABLE_FORMATS: &str =
    "Parquet (starting with PAR1), CSV with a header line, or NDJSON (one JSON object per line)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Auto,
    Capture,
    Hex,
    Base64,
    Raw,
}

impl FromStr for InputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "auto" => InputFormat::Auto,
            "capture" | "dmcap" => InputFormat::Capture,
            "hex" => InputFormat::Hex,
            "base64" | "b64" => InputFormat::Base64,
            "raw" => InputFormat::Raw,
            _ => {
                return Err(format!(
                    "unknown input format `{s}`; expected auto, capture, hex, base64 or raw"
                ))
            }
        })
    }
}

/// An input named on the command line: a path, or `-` for stdin.
#[derive(Debug, Clone)]
pub struct InputSpec {
    pub path: PathBuf,
    pub format: InputFormat,
}

impl InputSpec {
    pub fn new(path: impl Into<PathBuf>, format: InputFormat) -> InputSpec {
        InputSpec {
            path: path.into(),
            format,
        }
    }

    fn is_stdin(&self) -> bool {
        self.path.as_os_str() == "-"
    }

    fn name(&self) -> Arc<str> {
        if self.is_stdin() {
            Arc::from("<stdin>")
        } else {
            Arc::from(self.path.display().to_string())
        }
    }
}

/// An input that could not be opened at all.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {source}")]
pub struct OpenError {
    pub path: String,
    pub source: io::Error,
}

type Frames = Box<dyn Iterator<Item = Result<RawFrame, Issue>> + Send>;

/// Opens an input and returns its frames. Problems inside the input are yielded as issues;
/// only an input that cannot be opened is an error.
pub fn open(spec: &InputSpec) -> Result<Frames, OpenError> {
    open_counted(spec, None)
}

/// A reader that adds what it reads to a shared count: how far reading has got, for a progress
/// bar on another thread.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// [`open`], adding every byte read to `read` when given.
pub fn open_counted(spec: &InputSpec, read: Option<&Arc<AtomicU64>>) -> Result<Frames, OpenError> {
    let name = spec.name();
    let open_err = |source| OpenError {
        path: name.to_string(),
        source,
    };
    let reader: Box<dyn Read + Send> = if spec.is_stdin() {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(&spec.path).map_err(open_err)?)
    };
    let reader: Box<dyn Read + Send> = match read {
        Some(read) => Box::new(Counting {
            inner: reader,
            read: read.clone(),
        }),
        None => reader,
    };
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    let format = match spec.format {
        InputFormat::Auto => detect(reader.fill_buf().map_err(open_err)?),
        f => f,
    };
    Ok(match format {
        InputFormat::Capture => capture_frames(reader, name),
        InputFormat::Hex | InputFormat::Base64 => text_frames(reader, name, format),
        InputFormat::Raw | InputFormat::Auto => raw_frame(reader, name),
    })
}

/// Opens several inputs as one stream of frames, in order.
pub fn open_all(specs: &[InputSpec]) -> Result<Frames, OpenError> {
    open_all_counted(specs, None)
}

/// [`open_all`], adding every byte read to `read` when given.
pub fn open_all_counted(
    specs: &[InputSpec],
    read: Option<&Arc<AtomicU64>>,
) -> Result<Frames, OpenError> {
    let mut all: Vec<Frames> = Vec::with_capacity(specs.len());
    for s in specs {
        all.push(open_counted(s, read)?);
    }
    Ok(Box::new(all.into_iter().flatten()))
}

/// Guesses the format from the first bytes: the capture magic, else text (every byte printable
/// ASCII or whitespace) is a dump, else one raw frame.
pub fn detect(head: &[u8]) -> InputFormat {
    if looks_like_capture(head) {
        return InputFormat::Capture;
    }
    let text = !head.is_empty()
        && head
            .iter()
            .all(|&b| b.is_ascii_graphic() || b.is_ascii_whitespace());
    if text {
        // Hex or base64 is decided per line; `Hex` here means "a text dump".
        InputFormat::Hex
    } else {
        InputFormat::Raw
    }
}

fn capture_frames(reader: BufReader<Box<dyn Read + Send>>, name: Arc<str>) -> Frames {
    let records = match CaptureReader::new(reader) {
        Ok(r) => r,
        Err(e) => {
            let issue = Issue {
                position: Position::file(name),
                message: e.to_string(),
            };
            return Box::new(std::iter::once(Err(issue)));
        }
    };
    Box::new(records.map(move |r| match r {
        Ok(r) => Ok(RawFrame {
            bytes: r.record.frame,
            received_at_ms: r.record.received_at_ms,
            room_id: r.record.room_id,
            position: Position {
                source: name.clone(),
                record: Some(r.index),
                offset: Some(r.offset),
                line: None,
            },
        }),
        Err(e) => Err(Issue {
            position: Position::file(name.clone()),
            message: e.to_string(),
        }),
    }))
}

fn text_frames(
    reader: BufReader<Box<dyn Read + Send>>,
    name: Arc<str>,
    format: InputFormat,
) -> Frames {
    let forced = (format == InputFormat::Base64).then_some(InputFormat::Base64);
    Box::new(reader.lines().enumerate().filter_map(move |(i, line)| {
        let position = Position {
            source: name.clone(),
            record: None,
            offset: None,
            line: Some(i as u64 + 1),
        };
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                return Some(Err(Issue {
                    position,
                    message: format!("not a text line: {e}"),
                }))
            }
        };
        let body = trim_dump_line(&line);
        if body.is_empty() || body.starts_with('#') {
            return None;
        }
        Some(
            decode_text_frame(body, forced)
                .map(|bytes| RawFrame {
                    bytes,
                    received_at_ms: 0,
                    room_id: 0,
                    position: position.clone(),
                })
                .map_err(|message| Issue { position, message }),
        )
    }))
}

/// Strips what copying out of DevTools or a script leaves around a frame: whitespace, quotes,
/// a trailing comma.
fn trim_dump_line(line: &str) -> &str {
    line.trim()
        .trim_end_matches(',')
        .trim_matches(|c| c == '"' || c == '\'')
        .trim()
}

/// One line of a dump: hex when it is all hex digits (spaces allowed), else base64 (standard or
/// URL-safe, padding optional).
pub fn decode_text_frame(body: &str, forced: Option<InputFormat>) -> Result<Vec<u8>, String> {
    let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let is_hex = compact.len() % 2 == 0 && compact.bytes().all(|b| b.is_ascii_hexdigit());
    if is_hex && forced != Some(InputFormat::Base64) {
        return hex_decode(&compact).ok_or_else(|| "bad hex".to_string());
    }
    let cleaned = compact.trim_end_matches('=');
    let engine = if cleaned.contains(['-', '_']) {
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
    } else {
        &base64::engine::general_purpose::STANDARD_NO_PAD
    };
    engine.decode(cleaned).map_err(|e| {
        format!("neither hex nor base64 ({e}); expected one frame per line as copied from DevTools (or an event table: {})", TABLE_FORMATS)
    })
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    let digit = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    s.as_bytes()
        .chunks_exact(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

fn raw_frame(mut reader: BufReader<Box<dyn Read + Send>>, name: Arc<str>) -> Frames {
    let mut bytes = Vec::new();
    let position = Position::file(name);
    let item = match reader.read_to_end(&mut bytes) {
        Ok(0) => Err(Issue {
            position,
            message: "empty input: no frame in it".into(),
        }),
        Ok(_) => Ok(RawFrame {
            bytes,
            received_at_ms: 0,
            room_id: 0,
            position,
        }),
        Err(e) => Err(Issue {
            position,
            message: format!("read failed: {e}"),
        }),
    };
    Box::new(std::iter::once(item))
}

/// Whether `path` names stdin.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

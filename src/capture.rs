//! The capture file (`.dmcap`): an 8-byte magic, then length-delimited `CaptureRecord`s.
//!
//! The reader streams record by record, so memory does not grow with the file, and a file cut off
//! mid-record still yields every complete record before the cut.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use prost::Message as _;

pub use crate::proto::capture::CaptureRecord;

/// `"DMCAP"`, 0, major version 1, minor version 0.
pub const MAGIC: [u8; 8] = [0x44, 0x4D, 0x43, 0x41, 0x50, 0x00, 0x01, 0x00];
/// No WebSocket message from Douyin comes near this; a larger length means the file is corrupt.
pub const MAX_RECORD_LEN: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("not a capture file: it does not start with the DMCAP magic")]
    BadMagic,
    #[error("capture format version {major}.{minor} is not supported (this build reads 1.x): upgrade danmu-analyze")]
    UnsupportedVersion { major: u8, minor: u8 },
    #[error("truncated record at byte {offset}: {needed} bytes expected, {available} present (the file was cut off; every record before it was read)")]
    Truncated {
        offset: u64,
        needed: u64,
        available: u64,
    },
    #[error("record at byte {offset} claims {len} bytes, over the {MAX_RECORD_LEN}-byte limit: the file is corrupt from here on")]
    TooLong { offset: u64, len: u64 },
    #[error("record at byte {offset} is not a valid CaptureRecord ({source}); skipped")]
    BadRecord {
        offset: u64,
        source: prost::DecodeError,
    },
    #[error("reading failed at byte {offset}: {source}")]
    Io { offset: u64, source: io::Error },
}

impl CaptureError {
    /// Whether reading can go on after this error (the record's extent was known).
    pub fn is_recoverable(&self) -> bool {
        matches!(self, CaptureError::BadRecord { .. })
    }
}

/// Appends records to a capture file, flushing each one so a crash loses at most the record
/// being written.
pub struct CaptureWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    records: u64,
}

impl CaptureWriter<File> {
    /// Opens `path` for appending, writing the magic when the file is new or empty and checking it
    /// otherwise, so records are never appended to a file of another kind.
    pub fn append(path: &Path) -> Result<Self, CaptureError> {
        let io_err = |source| CaptureError::Io { offset: 0, source };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io_err)?;
        let len = file.metadata().map_err(io_err)?.len();
        if len == 0 {
            file.write_all(&MAGIC).map_err(io_err)?;
            file.flush().map_err(io_err)?;
        } else {
            let mut head = [0u8; 8];
            file.seek(SeekFrom::Start(0)).map_err(io_err)?;
            file.read_exact(&mut head)
                .map_err(|_| CaptureError::BadMagic)?;
            check_magic(&head)?;
        }
        Ok(CaptureWriter::from_parts(file))
    }

    /// Flushes and asks the OS to put the bytes on disk (on rotation and exit).
    pub fn sync(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.out.sync_all()
    }
}

impl<W: Write> CaptureWriter<W> {
    /// Wraps a writer that already holds the magic (or will not need it).
    pub fn from_parts(out: W) -> Self {
        CaptureWriter {
            out,
            buf: Vec::with_capacity(4096),
            records: 0,
        }
    }

    /// Writes the magic and returns a writer for a new stream.
    pub fn new(mut out: W) -> io::Result<Self> {
        out.write_all(&MAGIC)?;
        Ok(CaptureWriter::from_parts(out))
    }

    /// Appends one record and flushes it.
    pub fn write(&mut self, record: &CaptureRecord) -> io::Result<()> {
        self.write_unflushed(record)?;
        self.out.flush()
    }

    /// Appends one record without flushing: for bulk writers (the simulator) that flush at the end.
    pub fn write_unflushed(&mut self, record: &CaptureRecord) -> io::Result<()> {
        self.buf.clear();
        record
            .encode_length_delimited(&mut self.buf)
            .expect("Vec<u8> grows as needed");
        self.out.write_all(&self.buf)?;
        self.records += 1;
        Ok(())
    }

    pub fn records_written(&self) -> u64 {
        self.records
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

pub fn check_magic(head: &[u8]) -> Result<(), CaptureError> {
    if head.len() < 8 || head[..6] != MAGIC[..6] {
        return Err(CaptureError::BadMagic);
    }
    if head[6] != MAGIC[6] {
        return Err(CaptureError::UnsupportedVersion {
            major: head[6],
            minor: head[7],
        });
    }
    Ok(())
}

/// Whether `head` (the first bytes of a file) is the capture magic of any version.
pub fn looks_like_capture(head: &[u8]) -> bool {
    head.len() >= 6 && head[..6] == MAGIC[..6]
}

/// A record and where it stood in the file.
#[derive(Debug, Clone)]
pub struct RecordAt {
    /// Index of the record in the file, from 0.
    pub index: u64,
    /// Byte offset of the record's length prefix.
    pub offset: u64,
    pub record: CaptureRecord,
}

/// Streams records out of a capture file.
pub struct CaptureReader<R: BufRead> {
    input: R,
    offset: u64,
    index: u64,
    done: bool,
    buf: Vec<u8>,
}

impl CaptureReader<BufReader<File>> {
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let file = File::open(path).map_err(|source| CaptureError::Io { offset: 0, source })?;
        CaptureReader::new(BufReader::with_capacity(1 << 20, file))
    }
}

impl<R: BufRead> CaptureReader<R> {
    /// Checks the magic and positions the reader at the first record.
    pub fn new(mut input: R) -> Result<Self, CaptureError> {
        let mut head = Vec::with_capacity(8);
        (&mut input)
            .take(8)
            .read_to_end(&mut head)
            .map_err(|source| CaptureError::Io { offset: 0, source })?;
        check_magic(&head)?;
        Ok(CaptureReader {
            input,
            offset: 8,
            index: 0,
            done: false,
            buf: Vec::new(),
        })
    }

    /// Reads a varint; `Ok(None)` at a clean end of file before its first byte.
    fn read_len(&mut self) -> Result<Option<(u64, u64)>, CaptureError> {
        let mut value = 0u64;
        let mut used = 0u64;
        loop {
            let byte = {
                let chunk = self.input.fill_buf().map_err(|source| CaptureError::Io {
                    offset: self.offset + used,
                    source,
                })?;
                match chunk.first() {
                    Some(b) => *b,
                    None if used == 0 => return Ok(None),
                    None => {
                        return Err(CaptureError::Truncated {
                            offset: self.offset,
                            needed: used + 1,
                            available: used,
                        })
                    }
                }
            };
            self.input.consume(1);
            if used == 9 && byte > 1 {
                return Err(CaptureError::TooLong {
                    offset: self.offset,
                    len: u64::MAX,
                });
            }
            value |= u64::from(byte & 0x7f) << (7 * used);
            used += 1;
            if byte < 0x80 {
                return Ok(Some((value, used)));
            }
        }
    }

    fn next_record(&mut self) -> Result<Option<RecordAt>, CaptureError> {
        let start = self.offset;
        let Some((len, prefix)) = self.read_len()? else {
            return Ok(None);
        };
        if len > MAX_RECORD_LEN {
            return Err(CaptureError::TooLong { offset: start, len });
        }
        self.buf.clear();
        let got = (&mut self.input)
            .take(len)
            .read_to_end(&mut self.buf)
            .map_err(|source| CaptureError::Io {
                offset: start,
                source,
            })? as u64;
        if got < len {
            return Err(CaptureError::Truncated {
                offset: start,
                needed: prefix + len,
                available: prefix + got,
            });
        }
        self.offset = start + prefix + len;
        let index = self.index;
        self.index += 1;
        // In place first (one copy of the frame, where prost's bytes field made two); what
        // that refuses goes through prost, for its error.
        let record = match read_record(&self.buf) {
            Ok(r) => r,
            Err(_) => CaptureRecord::decode(self.buf.as_slice()).map_err(|source| {
                CaptureError::BadRecord {
                    offset: start,
                    source,
                }
            })?,
        };
        Ok(Some(RecordAt {
            index,
            offset: start,
            record,
        }))
    }
}

/// A `CaptureRecord` read from its bytes with the checks prost's decoder makes (wire types,
/// lengths, UTF-8 of `source`).
fn read_record(buf: &[u8]) -> Result<CaptureRecord, crate::wire::WireError> {
    let (mut at, mut frame, mut room, mut source): (u64, &[u8], u64, &str) = (0, &[], 0, "");
    crate::wire::each(buf, |n, v| {
        match n {
            1 => at = v.varint(n)?,
            2 => frame = v.bytes(n)?,
            3 => room = v.varint(n)?,
            4 => source = v.str(n)?,
            _ => {}
        }
        Ok(())
    })?;
    Ok(CaptureRecord {
        received_at_ms: at,
        frame: frame.to_vec(),
        room_id: room,
        source: source.to_string(),
    })
}

impl<R: BufRead> Iterator for CaptureReader<R> {
    type Item = Result<RecordAt, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_record() {
            Ok(Some(r)) => Some(Ok(r)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = !e.is_recoverable();
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_in_place_as_prost_reads_them() {
        let rec = CaptureRecord {
            received_at_ms: 1_767_261_600_123,
            frame: vec![0x3a, 2, b'h', b'b'],
            room_id: 7_300_000_000_000_000_001,
            source: "simulate".into(),
        };
        let bytes = rec.encode_to_vec();
        assert_eq!(read_record(&bytes).unwrap(), rec);
        assert_eq!(CaptureRecord::decode(bytes.as_slice()).unwrap(), rec);
        // `source` not UTF-8, `frame` as a varint, cut short: both refuse.
        for bad in [&[0x22, 1, 0xff][..], &[0x10, 1], &bytes[..bytes.len() - 1]] {
            assert!(read_record(bad).is_err(), "{bad:?}");
            assert!(CaptureRecord::decode(bad).is_err(), "prost too: {bad:?}");
        }
    }
}

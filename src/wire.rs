//! A borrowing protobuf reader: the fields of a message, one at a time, as views into its bytes.
//!
//! The decoder reads the few fields the event table needs straight out of the inflated
//! `Response` with it, instead of building prost's owned structs (a `String` or `Vec` for every
//! nickname, avatar URL and badge of every message). It follows prost's rules where they decide
//! a result: a field read with the wrong wire type, a bad varint or length, or text that is not
//! UTF-8 fails the message; a field seen twice takes the last value (a message field merges);
//! fields nobody reads are skipped unchecked.

/// Why bytes are not the message they were read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("the buffer ends inside a field")]
    Truncated,
    #[error("invalid varint")]
    Varint,
    #[error("invalid field key {0}")]
    Key(u64),
    #[error("field {field} has wire type {got}, expected {want}")]
    WireType { field: u32, got: u8, want: u8 },
    #[error("field {0} is not UTF-8 text")]
    Utf8(u32),
    #[error("a group is not closed, or closed by the wrong field")]
    Group,
    #[error("groups nested too deeply")]
    Depth,
}

pub type Result<T> = std::result::Result<T, WireError>;

const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LEN: u8 = 2;
const START_GROUP: u8 = 3;
const END_GROUP: u8 = 4;
const FIXED32: u8 = 5;
/// prost's recursion limit.
const MAX_DEPTH: u32 = 100;

/// One field's value.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Varint(u64),
    Fixed64,
    Len(&'a [u8]),
    Fixed32,
    /// A group, skipped whole (proto2; nothing here reads one).
    Group,
}

impl<'a> Value<'a> {
    fn wire_type(&self) -> u8 {
        match self {
            Value::Varint(_) => VARINT,
            Value::Fixed64 => FIXED64,
            Value::Len(_) => LEN,
            Value::Fixed32 => FIXED32,
            Value::Group => START_GROUP,
        }
    }

    fn wrong(&self, field: u32, want: u8) -> WireError {
        WireError::WireType {
            field,
            got: self.wire_type(),
            want,
        }
    }

    /// An integer or bool field (`uint64`, `uint32` truncated as prost does, `bool` ≠ 0).
    pub fn varint(self, field: u32) -> Result<u64> {
        match self {
            Value::Varint(v) => Ok(v),
            v => Err(v.wrong(field, VARINT)),
        }
    }

    pub fn u32(self, field: u32) -> Result<u32> {
        self.varint(field).map(|v| v as u32)
    }

    /// A `bytes` field or an embedded message.
    pub fn bytes(self, field: u32) -> Result<&'a [u8]> {
        match self {
            Value::Len(b) => Ok(b),
            v => Err(v.wrong(field, LEN)),
        }
    }

    /// A `string` field.
    pub fn str(self, field: u32) -> Result<&'a str> {
        std::str::from_utf8(self.bytes(field)?).map_err(|_| WireError::Utf8(field))
    }
}

/// The fields of one message, in wire order.
pub struct Fields<'a> {
    buf: &'a [u8],
}

impl<'a> Fields<'a> {
    pub fn new(buf: &'a [u8]) -> Fields<'a> {
        Fields { buf }
    }

    /// The next (field number, value), or `None` at the end.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<(u32, Value<'a>)>> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        let (field, wire_type) = self.key()?;
        let value = match wire_type {
            VARINT => Value::Varint(self.varint()?),
            FIXED64 => {
                self.take(8)?;
                Value::Fixed64
            }
            LEN => {
                let n = self.varint()?;
                let n = usize::try_from(n).map_err(|_| WireError::Truncated)?;
                Value::Len(self.take(n)?)
            }
            START_GROUP => {
                self.skip_group(field, 1)?;
                Value::Group
            }
            FIXED32 => {
                self.take(4)?;
                Value::Fixed32
            }
            // An end-group here closes nothing; wire types 6 and 7 do not exist.
            END_GROUP => return Err(WireError::Group),
            t => return Err(WireError::Key(u64::from(field) << 3 | u64::from(t))),
        };
        Ok(Some((field, value)))
    }

    fn key(&mut self) -> Result<(u32, u8)> {
        let key = self.varint()?;
        let field = u32::try_from(key >> 3).map_err(|_| WireError::Key(key))?;
        if key > u64::from(u32::MAX) || field == 0 {
            return Err(WireError::Key(key));
        }
        Ok((field, (key & 7) as u8))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.buf.len() {
            return Err(WireError::Truncated);
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    fn varint(&mut self) -> Result<u64> {
        let mut v: u64 = 0;
        for (i, &b) in self.buf.iter().enumerate().take(10) {
            // The tenth byte holds bit 63 only (prost refuses more).
            if i == 9 && b > 1 {
                return Err(WireError::Varint);
            }
            v |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                self.buf = &self.buf[i + 1..];
                return Ok(v);
            }
        }
        Err(if self.buf.len() < 10 {
            WireError::Truncated
        } else {
            WireError::Varint
        })
    }

    fn skip_group(&mut self, field: u32, depth: u32) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(WireError::Depth);
        }
        loop {
            if self.buf.is_empty() {
                return Err(WireError::Group);
            }
            let (f, wire_type) = self.key()?;
            match wire_type {
                END_GROUP if f == field => return Ok(()),
                END_GROUP => return Err(WireError::Group),
                START_GROUP => self.skip_group(f, depth + 1)?,
                VARINT => {
                    self.varint()?;
                }
                FIXED64 => {
                    self.take(8)?;
                }
                LEN => {
                    let n = usize::try_from(self.varint()?).map_err(|_| WireError::Truncated)?;
                    self.take(n)?;
                }
                FIXED32 => {
                    self.take(4)?;
                }
                t => return Err(WireError::Key(u64::from(f) << 3 | u64::from(t))),
            }
        }
    }
}

/// Calls `f` with each field of `buf`; `f` reads the ones it knows and ignores the rest.
pub fn each<'a>(buf: &'a [u8], mut f: impl FnMut(u32, Value<'a>) -> Result<()>) -> Result<()> {
    let mut fields = Fields::new(buf);
    while let Some((n, v)) = fields.next()? {
        f(n, v)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use prost::Message as _;

    use super::*;
    use crate::proto::webcast::{Common, HeaderEntry, PushFrame};

    fn read_common(buf: &[u8]) -> Result<(u64, u64, u64)> {
        let mut c = (0, 0, 0);
        each(buf, |n, v| {
            match n {
                2 => c.0 = v.varint(n)?,
                3 => c.1 = v.varint(n)?,
                4 => c.2 = v.varint(n)?,
                _ => {}
            }
            Ok(())
        })?;
        Ok(c)
    }

    #[test]
    fn reads_what_prost_wrote() {
        let common = Common {
            method: "WebcastChatMessage".into(),
            msg_id: u64::MAX,
            room_id: 7_000_000_000_000_000_001,
            create_time: 1_700_000_000_123,
            describe: "说".into(),
        };
        let got = read_common(&common.encode_to_vec()).unwrap();
        assert_eq!(
            got,
            (u64::MAX, 7_000_000_000_000_000_001, 1_700_000_000_123)
        );
        let frame = PushFrame {
            headers: vec![HeaderEntry {
                key: "k".into(),
                value: "值".into(),
            }],
            payload_type: "msg".into(),
            ..PushFrame::default()
        };
        let mut seen = Vec::new();
        each(&frame.encode_to_vec(), |n, v| {
            if n == 7 {
                seen.push(v.str(n)?.to_string());
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, ["msg"]);
    }

    #[test]
    fn last_value_wins_and_bad_input_fails_like_prost() {
        // msg_id twice: prost keeps the last.
        let twice = [0x10, 1, 0x10, 2];
        assert_eq!(read_common(&twice).unwrap().0, 2);
        assert_eq!(Common::decode(&twice[..]).unwrap().msg_id, 2);
        let cases: [&[u8]; 6] = [
            &[0x10],       // varint cut off
            &[0x12, 1, 0], // msg_id (a varint) sent as bytes
            &[
                0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
            ], // 11th bit set
            &[0x0a, 5, 1], // length past the end
            &[0x00, 1],    // field 0
            &[0x1c],       // end-group with no group
        ];
        for bad in cases {
            assert!(read_common(bad).is_err(), "{bad:?}");
            assert!(Common::decode(bad).is_err(), "prost too: {bad:?}");
        }
        // Not UTF-8 where text is read.
        let mut r = Fields::new(&[0x0a, 1, 0xff]);
        let (n, v) = r.next().unwrap().unwrap();
        assert_eq!(v.str(n), Err(WireError::Utf8(1)));
        // Groups are skipped whole, unknown fields too.
        let grouped = [0x5b, 0x08, 1, 0x5c, 0x10, 9];
        assert_eq!(read_common(&grouped).unwrap().0, 9);
        assert_eq!(Common::decode(&grouped[..]).unwrap().msg_id, 9);
    }
}

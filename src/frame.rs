//! One WebSocket message: `PushFrame` → payload (inflated when gzip'd) → `Response`.

use std::io::Read;

use flate2::read::MultiGzDecoder;
use prost::Message as _;

use crate::decode::ResponseView;
use crate::deflate::{self, Inflated};
use crate::proto::webcast::{HeaderEntry, Message, PushFrame, Response};
use crate::wire::{self, WireError};

/// Inflated payloads larger than this are refused: no real Response comes near it, and a
/// hostile gzip bomb must not take the machine's memory.
pub const MAX_INFLATED: u64 = 64 * 1024 * 1024;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("not a PushFrame (nor a bare Response or Message): {0}")]
    NotPushFrame(prost::DecodeError),
    #[error("payload is not valid gzip: {0}")]
    BadGzip(std::io::Error),
    #[error("payload inflates to over {MAX_INFLATED} bytes; refused")]
    TooLarge,
    #[error("payload is not a Response{}: {source}", if *.gzipped { " (after gunzip)" } else { "" })]
    NotResponse {
        gzipped: bool,
        source: prost::DecodeError,
    },
    #[error("payload is not a Response{}: {source}", if *.gzipped { " (after gunzip)" } else { "" })]
    BadResponse {
        gzipped: bool,
        source: crate::wire::WireError,
    },
}

/// The frame's `payloadType`, with the types the protocol defines named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadType {
    Msg,
    Heartbeat,
    Ack,
    Close,
    Other,
}

impl PayloadType {
    pub fn of(frame: &PushFrame) -> PayloadType {
        PayloadType::named(&frame.payload_type)
    }

    pub fn named(payload_type: &str) -> PayloadType {
        match payload_type {
            "msg" => PayloadType::Msg,
            "hb" => PayloadType::Heartbeat,
            "ack" => PayloadType::Ack,
            "close" => PayloadType::Close,
            _ => PayloadType::Other,
        }
    }
}

pub fn decode_push_frame(bytes: &[u8]) -> Result<PushFrame, FrameError> {
    PushFrame::decode(bytes).map_err(FrameError::NotPushFrame)
}

/// What decoding reads of a `PushFrame`, borrowed: from the frame's bytes in place (no copy of
/// the payload, no `String` per header), or from a `PushFrame` already decoded.
#[derive(Debug, Clone, Copy)]
pub struct PushFrameView<'a> {
    pub log_id: u64,
    pub payload_type: &'a str,
    pub payload: &'a [u8],
    headers: Headers<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Headers<'a> {
    /// The frame's bytes: its headers are read again when asked for.
    Wire(&'a [u8]),
    Decoded(&'a [HeaderEntry]),
}

impl<'a> PushFrameView<'a> {
    /// Reads `bytes` as a `PushFrame`, checking every field prost's decoder checks (wire types,
    /// lengths, UTF-8 of the text fields, the headers' own fields), so bytes prost refuses are
    /// refused here too.
    pub fn read(bytes: &'a [u8]) -> Result<PushFrameView<'a>, WireError> {
        let mut v = PushFrameView {
            log_id: 0,
            payload_type: "",
            payload: &[],
            headers: Headers::Wire(bytes),
        };
        wire::each(bytes, |n, value| {
            match n {
                1 | 3 | 4 => {
                    value.varint(n)?;
                }
                2 => v.log_id = value.varint(n)?,
                5 => {
                    read_header(value.bytes(n)?)?;
                }
                6 => {
                    value.str(n)?;
                }
                7 => v.payload_type = value.str(n)?,
                8 => v.payload = value.bytes(n)?,
                _ => {}
            }
            Ok(())
        })?;
        Ok(v)
    }

    pub fn of(frame: &'a PushFrame) -> PushFrameView<'a> {
        PushFrameView {
            log_id: frame.log_id,
            payload_type: &frame.payload_type,
            payload: &frame.payload,
            headers: Headers::Decoded(&frame.headers),
        }
    }

    /// The headers, owned.
    pub fn headers(&self) -> Vec<HeaderEntry> {
        match self.headers {
            Headers::Decoded(h) => h.to_vec(),
            Headers::Wire(bytes) => {
                let mut out = Vec::new();
                // `read` checked these bytes already.
                let _ = wire::each(bytes, |n, value| {
                    if n == 5 {
                        let (key, value) = read_header(value.bytes(n)?)?;
                        out.push(HeaderEntry {
                            key: key.to_string(),
                            value: value.to_string(),
                        });
                    }
                    Ok(())
                });
                out
            }
        }
    }
}

/// A `HeaderEntry`'s key and value.
fn read_header(buf: &[u8]) -> Result<(&str, &str), WireError> {
    let (mut key, mut value) = ("", "");
    wire::each(buf, |n, v| {
        match n {
            1 => key = v.str(n)?,
            2 => value = v.str(n)?,
            _ => {}
        }
        Ok(())
    })?;
    Ok((key, value))
}

/// Bytes that are not a `PushFrame` but what other tools log instead: a bare `Response` (gzip'd
/// or inflated) or a single `Message`. Returned as the `msg` frame that would have carried them,
/// so they decode like any frame; `None` when the bytes are neither (every message must have a
/// method name, so random bytes that happen to parse are not taken).
pub fn bare_as_frame(bytes: &[u8], scratch: &mut Vec<u8>) -> Option<PushFrame> {
    let gzipped = bytes.starts_with(&GZIP_MAGIC);
    let body: &[u8] = if gzipped {
        inflate(bytes, scratch).ok()?;
        scratch.as_slice()
    } else {
        bytes
    };
    let msg_frame = |payload: Vec<u8>| PushFrame {
        payload_type: "msg".into(),
        payload,
        ..PushFrame::default()
    };
    if let Ok(r) = Response::decode(body) {
        if !r.messages.is_empty() && r.messages.iter().all(|m| is_method(&m.method)) {
            return Some(msg_frame(bytes.to_vec()));
        }
    }
    match Message::decode(body) {
        Ok(m) if is_method(&m.method) => {
            let response = Response {
                messages: vec![m],
                ..Response::default()
            };
            Some(msg_frame(response.encode_to_vec()))
        }
        _ => None,
    }
}

/// A push method's name: `WebcastChatMessage` and the like.
fn is_method(s: &str) -> bool {
    s.len() <= 128
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

/// The frame's `compress_type` header, if any.
pub fn compress_type(frame: &PushFrame) -> Option<&str> {
    frame
        .headers
        .iter()
        .find(|h| h.key == "compress_type")
        .map(|h| h.value.as_str())
}

/// Decodes the `Response` a `msg` frame carries into prost's owned struct (for the protocol's
/// tests and tools; the decoder reads it in place: [`response_view`]).
pub fn decode_response(frame: &PushFrame, scratch: &mut Vec<u8>) -> Result<Response, FrameError> {
    let (gzipped, body) = response_bytes(frame, scratch)?;
    Response::decode(body).map_err(|source| FrameError::NotResponse { gzipped, source })
}

/// The `Response` a `msg` frame carries, read in place from its (inflated) payload.
pub fn response_view<'a>(
    frame: &'a PushFrame,
    scratch: &'a mut Vec<u8>,
) -> Result<ResponseView<'a>, FrameError> {
    payload_response_view(&frame.payload, scratch)
}

/// [`response_view`] of a frame's payload.
pub fn payload_response_view<'a>(
    payload: &'a [u8],
    scratch: &'a mut Vec<u8>,
) -> Result<ResponseView<'a>, FrameError> {
    let (gzipped, body) = payload_bytes(payload, scratch)?;
    ResponseView::read(body).map_err(|source| FrameError::BadResponse { gzipped, source })
}

/// The payload's bytes, inflated when gzip'd. The gzip magic decides over the header: real
/// frames say `compress_type: gzip`, but payloads also come uncompressed or empty.
fn response_bytes<'a>(
    frame: &'a PushFrame,
    scratch: &'a mut Vec<u8>,
) -> Result<(bool, &'a [u8]), FrameError> {
    payload_bytes(&frame.payload, scratch)
}

fn payload_bytes<'a>(
    payload: &'a [u8],
    scratch: &'a mut Vec<u8>,
) -> Result<(bool, &'a [u8]), FrameError> {
    let gzipped = payload.starts_with(&GZIP_MAGIC);
    if !gzipped {
        return Ok((false, payload));
    }
    inflate(payload, scratch)?;
    Ok((true, scratch.as_slice()))
}

/// Inflates gzip `data` into `out` (cleared first), refusing output over [`MAX_INFLATED`].
///
/// A single-member gzip (what Douyin sends) is inflated by libdeflate in one call straight into a
/// buffer sized by the member's ISIZE trailer, with its CRC and length checked; anything else
/// (several members, odd headers, corrupt data) goes through flate2's streaming decoder.
pub fn inflate(data: &[u8], out: &mut Vec<u8>) -> Result<(), FrameError> {
    out.clear();
    if let Some(done) = inflate_single_member(data, out) {
        return done;
    }
    out.clear();
    let mut decoder = MultiGzDecoder::new(data).take(MAX_INFLATED + 1);
    decoder.read_to_end(out).map_err(FrameError::BadGzip)?;
    if out.len() as u64 > MAX_INFLATED {
        return Err(FrameError::TooLarge);
    }
    Ok(())
}

fn bad_gzip(what: &str) -> FrameError {
    FrameError::BadGzip(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        what.to_string(),
    ))
}

/// `None` when the data is not a plain single-member gzip, so the general path should try.
fn inflate_single_member(data: &[u8], out: &mut Vec<u8>) -> Option<Result<(), FrameError>> {
    const FHCRC: u8 = 0x02;
    const FEXTRA: u8 = 0x04;
    const FNAME: u8 = 0x08;
    const FCOMMENT: u8 = 0x10;
    const FRESERVED: u8 = 0xE0;
    if data.len() < 18 || data[..2] != GZIP_MAGIC || data[2] != 8 {
        return None;
    }
    let flags = data[3];
    // A header CRC (Douyin never sends one) or reserved bits: flate2 checks both, let it.
    if flags & (FHCRC | FRESERVED) != 0 {
        return None;
    }
    let mut pos = 10;
    if flags & FEXTRA != 0 {
        let xlen = usize::from(u16::from_le_bytes([*data.get(pos)?, *data.get(pos + 1)?]));
        pos += 2 + xlen;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            pos += data.get(pos..)?.iter().position(|&b| b == 0)? + 1;
        }
    }
    let trailer = data.len().checked_sub(8)?;
    let body = data.get(pos..trailer)?;
    let crc = u32::from_le_bytes(data[trailer..trailer + 4].try_into().ok()?);
    let isize = u32::from_le_bytes(data[trailer + 4..].try_into().ok()?) as usize;
    let limit = MAX_INFLATED as usize + 1;
    // libdeflate writes only into the room it is given: size it by ISIZE, within the limit.
    let mut room = isize.clamp(1, limit);
    loop {
        out.clear();
        out.shrink_to(limit);
        out.reserve_exact(room);
        match deflate::inflate_into(body, out)? {
            Inflated::Done { used } if used == body.len() => break,
            // Bytes after the first member: more members, let the general path handle them.
            Inflated::Done { .. } => return None,
            // Corrupt or cut short: the general path says how, in zlib's words.
            Inflated::Bad => return None,
            Inflated::NoRoom if room >= limit => return Some(Err(FrameError::TooLarge)),
            // ISIZE was short (it is the size mod 2^32, or a lie): more room, from the start.
            Inflated::NoRoom => room = room.saturating_mul(2).min(limit),
        }
    }
    if out.len() as u64 > MAX_INFLATED {
        return Some(Err(FrameError::TooLarge));
    }
    if crc32fast::hash(out) != crc || out.len() as u32 != isize as u32 {
        return Some(Err(bad_gzip(
            "gzip CRC or length check failed: the payload is corrupt",
        )));
    }
    Some(Ok(()))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::write::GzEncoder;
    use flate2::{Compression, GzBuilder};

    use super::*;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn text(n: usize) -> Vec<u8> {
        "danmu 弹幕 ".bytes().cycle().take(n).collect()
    }

    #[test]
    fn bare_responses_and_messages_become_msg_frames() {
        let msg = Message {
            method: "WebcastChatMessage".into(),
            payload: vec![1, 2, 3],
            ..Message::default()
        };
        let response = Response {
            messages: vec![msg.clone()],
            now: 5,
            ..Response::default()
        };
        let mut scratch = Vec::new();
        for bytes in [response.encode_to_vec(), gz(&response.encode_to_vec())] {
            let f = bare_as_frame(&bytes, &mut scratch).expect("a Response");
            assert_eq!(f.payload_type, "msg");
            assert_eq!(decode_response(&f, &mut scratch).unwrap(), response);
        }
        let f = bare_as_frame(&msg.encode_to_vec(), &mut scratch).expect("a Message");
        assert_eq!(decode_response(&f, &mut scratch).unwrap().messages, [msg]);
        // Neither: garbage, an empty Response, a message without a method name.
        assert!(bare_as_frame(b"\xff\xfe garbage", &mut scratch).is_none());
        assert!(bare_as_frame(&Response::default().encode_to_vec(), &mut scratch).is_none());
        let nameless = Message {
            method: "not a method!".into(),
            ..Message::default()
        };
        assert!(bare_as_frame(&nameless.encode_to_vec(), &mut scratch).is_none());
    }

    #[test]
    fn single_member_round_trips() {
        let mut out = Vec::new();
        for n in [0, 1, 1000, 300_000] {
            inflate(&gz(&text(n)), &mut out).unwrap();
            assert_eq!(out, text(n));
        }
    }

    #[test]
    fn header_with_name_and_comment() {
        let mut e = GzBuilder::new()
            .filename("x.pb")
            .comment("c")
            .extra(vec![1, 2, 3])
            .write(Vec::new(), Compression::fast());
        e.write_all(&text(5000)).unwrap();
        let mut out = Vec::new();
        inflate(&e.finish().unwrap(), &mut out).unwrap();
        assert_eq!(out, text(5000));
    }

    #[test]
    fn several_members_are_concatenated() {
        let mut data = gz(b"abc");
        data.extend(gz(b"def"));
        let mut out = Vec::new();
        inflate(&data, &mut out).unwrap();
        assert_eq!(out, b"abcdef");
    }

    #[test]
    fn corrupt_crc_truncation_and_lying_isize_are_errors_or_exact() {
        let good = gz(&text(10_000));
        let mut out = Vec::new();
        let mut bad_crc = good.clone();
        let n = bad_crc.len();
        bad_crc[n - 8] ^= 1;
        assert!(matches!(
            inflate(&bad_crc, &mut out),
            Err(FrameError::BadGzip(_))
        ));
        assert!(inflate(&good[..good.len() / 2], &mut out).is_err());
        // A short ISIZE only sizes the buffer; the length check then fails the payload.
        let mut short = good.clone();
        short[n - 4..].copy_from_slice(&10u32.to_le_bytes());
        assert!(inflate(&short, &mut out).is_err());
    }
}

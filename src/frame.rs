//! One WebSocket message: `PushFrame` → payload (inflated when gzip'd) → `Response`.

use std::io::Read;

use flate2::read::MultiGzDecoder;
use prost::Message as _;

use crate::proto::webcast::{PushFrame, Response};

/// Inflated payloads larger than this are refused: no real Response comes near it, and a
/// hostile gzip bomb must not take the machine's memory.
pub const MAX_INFLATED: u64 = 64 * 1024 * 1024;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("not a PushFrame: {0}")]
    NotPushFrame(prost::DecodeError),
    #[error("payload is not valid gzip: {0}")]
    BadGzip(std::io::Error),
    #[error("payload inflates to over {MAX_INFLATED} bytes; refused")]
    TooLarge,
    #[error("payload is not a Response{}: {source}", if *.gzipped { " (after gunzip)" } else { "" })]
    NotResponse { gzipped: bool, source: prost::DecodeError },
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
        match frame.payload_type.as_str() {
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

/// The frame's `compress_type` header, if any.
pub fn compress_type(frame: &PushFrame) -> Option<&str> {
    frame
        .headers
        .iter()
        .find(|h| h.key == "compress_type")
        .map(|h| h.value.as_str())
}

/// Decodes the `Response` a `msg` frame carries. The gzip magic decides over the header: real
/// frames say `compress_type: gzip`, but payloads also come uncompressed or empty.
pub fn decode_response(frame: &PushFrame, scratch: &mut Vec<u8>) -> Result<Response, FrameError> {
    let payload = frame.payload.as_slice();
    let gzipped = payload.starts_with(&GZIP_MAGIC);
    let body: &[u8] = if gzipped {
        inflate(payload, scratch)?;
        scratch.as_slice()
    } else {
        payload
    };
    Response::decode(body).map_err(|source| FrameError::NotResponse { gzipped, source })
}

/// Inflates gzip `data` into `out` (cleared first), refusing output over [`MAX_INFLATED`].
pub fn inflate(data: &[u8], out: &mut Vec<u8>) -> Result<(), FrameError> {
    out.clear();
    // Responses inflate to a few times their size; reserving avoids most regrowth.
    out.reserve(data.len() * 4);
    let mut decoder = MultiGzDecoder::new(data).take(MAX_INFLATED + 1);
    decoder.read_to_end(out).map_err(FrameError::BadGzip)?;
    if out.len() as u64 > MAX_INFLATED {
        return Err(FrameError::TooLarge);
    }
    Ok(())
}

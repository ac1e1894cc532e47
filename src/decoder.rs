//! The one frame decoder: a WebSocket message's bytes → its `PushFrame` header, its `Response`'s
//! protocol fields (ACK, cursor, heartbeat period) and its messages as events. The pipeline,
//! `capture`'s session (ACKs, resume, `--print`) and `replay`'s ACK check all read frames
//! through it, each asking for only as much as it needs.

use crate::decode::{view_message, FrameContext, MessageError};
use crate::event::{Event, EventRef};
use crate::frame::{
    bare_as_frame, decode_push_frame, payload_response_view, PayloadType, PushFrameView,
};
use crate::proto::webcast::{HeaderEntry, PushFrame};

/// How far to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Depth {
    /// The frame's header only.
    Frame,
    /// Also the Response's protocol fields (inflating the payload).
    Response,
    /// Also every message, as events.
    Events,
}

/// Where a frame was received: what its messages fall back on for room and time.
#[derive(Debug, Clone, Copy, Default)]
pub struct Received {
    /// Capture receive time in milliseconds; 0 when unknown.
    pub at_ms: u64,
    /// Room id of the capture or connection; 0 when unknown.
    pub room_id: u64,
}

/// The Response fields the protocol acts on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseHead {
    pub need_ack: bool,
    /// What an ACK carries back, as bytes.
    pub internal_ext: String,
    pub cursor: String,
    /// Seconds; 0 when the server does not say.
    pub heartbeat_duration: u64,
    /// Server time, ms; 0 when absent.
    pub now: u64,
    /// The push server the service names (`pushServer`); empty when it names none.
    pub push_server: String,
}

/// One frame, decoded as far as asked.
#[derive(Debug, Default)]
pub struct DecodedFrame {
    pub log_id: u64,
    pub payload_type: String,
    pub kind: Option<PayloadType>,
    pub headers: Vec<HeaderEntry>,
    /// For `msg` frames at [`Depth::Response`] and deeper.
    pub response: Option<ResponseHead>,
    pub events: Vec<Event>,
    /// Messages that did not decode (their methods still count as received).
    pub failed: Vec<(String, MessageError)>,
}

impl DecodedFrame {
    /// The frame's cursor: its `im-cursor` header, else its Response's.
    pub fn cursor(&self) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.key == "im-cursor")
            .map(|h| h.value.as_str())
            .or(self
                .response
                .as_ref()
                .map(|r| r.cursor.as_str())
                .filter(|c| !c.is_empty()))
    }
}

/// Why a frame could not be decoded, with what was read of it before that.
#[derive(Debug)]
pub struct Undecodable {
    /// The payload type, when the frame itself was readable and its payload was not.
    pub payload_type: Option<String>,
    pub message: String,
}

/// Decodes `bytes` down to `depth`, the events owned in [`DecodedFrame::events`]. A bare
/// `Response` or a single `Message`, as other tools log them, is taken as the `msg` frame that
/// carried it.
pub fn decode(
    bytes: &[u8],
    at: Received,
    depth: Depth,
    scratch: &mut Vec<u8>,
) -> Result<DecodedFrame, Undecodable> {
    let mut events = Vec::new();
    let mut out = decode_each(bytes, at, depth, scratch, |ev| events.push(ev.to_event()))?;
    out.events = events;
    Ok(out)
}

/// [`decode`], handing each event to `each` borrowed from the frame's bytes instead of keeping
/// it (`DecodedFrame::events` stays empty).
pub fn decode_each(
    bytes: &[u8],
    at: Received,
    depth: Depth,
    scratch: &mut Vec<u8>,
    each: impl FnMut(&EventRef<'_>),
) -> Result<DecodedFrame, Undecodable> {
    decode_with(bytes, at, depth, scratch, true, each)
}

/// [`decode_each`] for a consumer of events only (the pipeline): the frame's headers and the
/// Response's text fields (cursor, internal_ext, push_server) are left empty, which spares a
/// dozen allocations per frame.
pub fn decode_events(
    bytes: &[u8],
    at: Received,
    scratch: &mut Vec<u8>,
    each: impl FnMut(&EventRef<'_>),
) -> Result<DecodedFrame, Undecodable> {
    decode_with(bytes, at, Depth::Events, scratch, false, each)
}

fn decode_with(
    bytes: &[u8],
    at: Received,
    depth: Depth,
    scratch: &mut Vec<u8>,
    full: bool,
    mut each: impl FnMut(&EventRef<'_>),
) -> Result<DecodedFrame, Undecodable> {
    // In place first; what that refuses goes through prost (for its error) and the bare forms.
    let decoded: PushFrame;
    let frame = match PushFrameView::read(bytes) {
        Ok(v) => v,
        Err(_) => {
            decoded = match decode_push_frame(bytes) {
                Ok(f) => f,
                Err(e) => bare_as_frame(bytes, scratch).ok_or_else(|| Undecodable {
                    payload_type: None,
                    message: e.to_string(),
                })?,
            };
            PushFrameView::of(&decoded)
        }
    };
    let kind = PayloadType::named(frame.payload_type);
    let mut out = DecodedFrame {
        log_id: frame.log_id,
        payload_type: frame.payload_type.to_string(),
        kind: Some(kind),
        headers: if full { frame.headers() } else { Vec::new() },
        ..DecodedFrame::default()
    };
    if depth == Depth::Frame || kind != PayloadType::Msg {
        return Ok(out);
    }
    let response = payload_response_view(frame.payload, scratch).map_err(|e| Undecodable {
        payload_type: Some(out.payload_type.clone()),
        message: e.to_string(),
    })?;
    let text = |s: &str| if full { s.to_string() } else { String::new() };
    out.response = Some(ResponseHead {
        need_ack: response.need_ack,
        internal_ext: text(response.internal_ext),
        cursor: text(response.cursor),
        heartbeat_duration: response.heartbeat_duration,
        now: response.now,
        push_server: text(response.push_server),
    });
    if depth < Depth::Events {
        return Ok(out);
    }
    let ctx = FrameContext {
        now_ms: response.now,
        received_at_ms: at.at_ms,
        room_id: at.room_id,
    };
    for msg in &response.messages {
        if let Err(e) = view_message(msg, &ctx, &mut each) {
            out.failed.push((msg.method.to_string(), e));
        }
    }
    Ok(out)
}

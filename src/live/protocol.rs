//! The client's side of the push protocol: heartbeat and ACK frames, and recognising them.

use prost::Message as _;

use crate::proto::webcast::PushFrame;

/// `PushFrame{payload_type: "hb"}`: field 7, length 2, "hb". What the web client sends.
pub const HEARTBEAT: [u8; 4] = [0x3A, 0x02, 0x68, 0x62];

/// The heartbeat frame, encoded.
pub fn heartbeat_frame() -> Vec<u8> {
    PushFrame {
        payload_type: "hb".into(),
        ..PushFrame::default()
    }
    .encode_to_vec()
}

/// The ACK for a frame whose `Response.need_ack` was set: the frame's `log_id` and, as the
/// payload, the UTF-8 bytes of `Response.internal_ext` themselves (no protobuf around them).
pub fn ack_frame(log_id: u64, internal_ext: &str) -> Vec<u8> {
    PushFrame {
        log_id,
        payload_type: "ack".into(),
        payload: internal_ext.as_bytes().to_vec(),
        ..PushFrame::default()
    }
    .encode_to_vec()
}

/// What a client sent to a push server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientFrame {
    /// Exactly [`HEARTBEAT`].
    Heartbeat,
    /// An ACK frame: its log_id and payload.
    Ack { log_id: u64, payload: Vec<u8> },
    /// Anything else, said in words.
    Other(String),
}

/// Classifies a binary message a client sent. A heartbeat must be byte-exact; an ACK must carry
/// nothing but its log_id, payload type and payload.
pub fn classify_client_frame(bytes: &[u8]) -> ClientFrame {
    if bytes == HEARTBEAT {
        return ClientFrame::Heartbeat;
    }
    let frame = match PushFrame::decode(bytes) {
        Ok(f) => f,
        Err(e) => return ClientFrame::Other(format!("not a PushFrame ({e})")),
    };
    match frame.payload_type.as_str() {
        "ack" if ack_frame_bytes_match(&frame, bytes) => ClientFrame::Ack {
            log_id: frame.log_id,
            payload: frame.payload,
        },
        "ack" => ClientFrame::Other(format!(
            "ACK for log_id {} with unexpected fields ({} bytes)",
            frame.log_id,
            bytes.len()
        )),
        "hb" => ClientFrame::Other(format!(
            "heartbeat that is not exactly 3A 02 68 62 ({} bytes: {})",
            bytes.len(),
            hex(bytes, 32)
        )),
        other => ClientFrame::Other(format!("frame of payload type `{other}`")),
    }
}

fn ack_frame_bytes_match(frame: &PushFrame, bytes: &[u8]) -> bool {
    let payload = String::from_utf8_lossy(&frame.payload);
    ack_frame(frame.log_id, &payload) == bytes
}

/// The first `max` bytes as spaced hex, for messages.
pub fn hex(bytes: &[u8], max: usize) -> String {
    let mut s: Vec<String> = bytes.iter().take(max).map(|b| format!("{b:02X}")).collect();
    if bytes.len() > max {
        s.push("…".into());
    }
    s.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heartbeat_is_the_four_known_bytes() {
        assert_eq!(heartbeat_frame(), HEARTBEAT);
        assert_eq!(classify_client_frame(&HEARTBEAT), ClientFrame::Heartbeat);
    }

    #[test]
    fn ack_carries_log_id_and_the_raw_internal_ext() {
        let ext = "internal_src:dim|wss_push_room_id:7181|first_req_ms:1";
        let bytes = ack_frame(7_000_000_000_123, ext);
        let f = PushFrame::decode(bytes.as_slice()).unwrap();
        assert_eq!(f.log_id, 7_000_000_000_123);
        assert_eq!(f.payload_type, "ack");
        assert_eq!(f.payload, ext.as_bytes());
        assert_eq!(
            classify_client_frame(&bytes),
            ClientFrame::Ack {
                log_id: 7_000_000_000_123,
                payload: ext.as_bytes().to_vec()
            }
        );
    }

    #[test]
    fn odd_frames_are_named() {
        let hb_with_extra = PushFrame {
            seq_id: 1,
            payload_type: "hb".into(),
            ..PushFrame::default()
        }
        .encode_to_vec();
        assert!(matches!(
            classify_client_frame(&hb_with_extra),
            ClientFrame::Other(m) if m.contains("not exactly")
        ));
        assert!(matches!(
            classify_client_frame(&[0xff, 0xff]),
            ClientFrame::Other(_)
        ));
    }
}

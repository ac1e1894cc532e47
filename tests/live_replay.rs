//! `replay` and a client slower than the sender: it must get to read every frame (a close
//! handshake behind the last one, no reset with data in flight), and its heartbeats sent as
//! WebSocket pings count as heartbeats.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use tungstenite::{Bytes, Message};

use danmu_analyze::frame::{decode_push_frame, decode_response, PayloadType};
use danmu_analyze::live::protocol::{ack_frame, HEARTBEAT};

use crate::live::{acks_owed, frames_in, simulated_capture, start_replay};

/// The client stalls for twice `--linger` before reading anything (everything is sent by then,
/// sitting in the socket buffers), pinging its heartbeat meanwhile, then reads slowly, ACKing
/// every frame that asks. Before the fix replay hung up a linger after its last send and the
/// client lost what was still in flight.
#[test]
fn replay_lets_a_slow_client_read_to_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulated_capture(dir.path());
    let original = frames_in(&sim);
    let need_ack = acks_owed(&original);
    let (mut replay, addr) = start_replay(&sim, &["--linger", "1s"]);
    let tcp = TcpStream::connect(&addr).unwrap();
    let (mut ws, _) = tungstenite::client(format!("ws://{addr}/push?room_id=1"), tcp).unwrap();
    ws.get_ref()
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();

    let ping = || Message::Ping(Bytes::from_static(&HEARTBEAT));
    let stall_until = Instant::now() + Duration::from_millis(2000);
    let mut pings = 0;
    while Instant::now() < stall_until {
        ws.send(ping()).unwrap();
        pings += 1;
        std::thread::sleep(Duration::from_millis(250));
    }
    let mut got = Vec::new();
    let mut closed_by_server = false;
    let mut last_ping = Instant::now();
    loop {
        match ws.read() {
            Ok(Message::Binary(b)) => {
                let f = decode_push_frame(&b).unwrap();
                if PayloadType::of(&f) == PayloadType::Msg {
                    let r = decode_response(&f, &mut Vec::new()).unwrap();
                    if r.need_ack {
                        ws.send(Message::binary(ack_frame(f.log_id, &r.internal_ext)))
                            .unwrap();
                    }
                }
                got.push(b.to_vec());
                if last_ping.elapsed() > Duration::from_millis(250) {
                    ws.send(ping()).unwrap();
                    pings += 1;
                    last_ping = Instant::now();
                }
                // Slower than the sender.
                std::thread::sleep(Duration::from_millis(2));
            }
            Ok(Message::Close(_)) => closed_by_server = true,
            Ok(_) => {}
            Err(tungstenite::Error::ConnectionClosed) => break,
            Err(e) => panic!("the connection broke after {} frames: {e}", got.len()),
        }
    }
    let status = replay.wait();
    let stderr = replay.stderr();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(closed_by_server, "a close handshake, not a hang-up");
    assert_eq!(got.len(), original.len(), "every frame read:\n{stderr}");
    assert!(got == original, "in order, byte for byte");
    assert!(
        stderr.contains(&format!(
            "ACKs: {need_ack} ok, 0 wrong, 0 missing; heartbeats: {pings} ok ({pings} as WebSocket pings), 0 malformed; 0 other messages"
        )),
        "{pings} pings, {need_ack} ACKs:\n{stderr}"
    );
    assert!(!stderr.contains("no progress"), "{stderr}");
}

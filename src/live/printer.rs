//! What a running capture tells: counters for the status line, and `--print`'s live view of
//! chat, gifts and joins, each message once although the server re-sends history on connect.

use std::collections::BTreeMap;

use rustc_hash::FxHashSet;

use super::spec::human_bytes;
use crate::event::{Event, Kind};
use crate::output::text::detail;

/// Running totals of a capture.
#[derive(Debug, Clone, Default)]
pub struct Counters {
    pub frames: u64,
    /// WebSocket payload bytes received.
    pub bytes: u64,
    pub frames_by_type: BTreeMap<String, u64>,
    /// New messages by kind (re-deliveries not counted again).
    pub messages: BTreeMap<Kind, u64>,
    pub redelivered: u64,
    pub acks_sent: u64,
    pub heartbeats_sent: u64,
    pub connections: u64,
    pub reconnects: u64,
    /// Frames or messages that did not decode (they are recorded all the same).
    pub undecodable: u64,
}

impl Counters {
    pub fn messages_total(&self) -> u64 {
        self.messages.values().sum()
    }

    /// `1234 frames (1.2 MB), 5678 messages (chat 100, gift 20, …), 3 re-delivered, 2 reconnects`.
    pub fn line(&self) -> String {
        let kinds: Vec<String> = self
            .messages
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let mut s = format!(
            "{} frames ({}), {} messages",
            self.frames,
            human_bytes(self.bytes),
            self.messages_total()
        );
        if !kinds.is_empty() {
            s.push_str(&format!(" ({})", kinds.join(", ")));
        }
        s.push_str(&format!(
            ", {} re-delivered, {} ACKs, {} heartbeats, {} reconnects",
            self.redelivered, self.acks_sent, self.heartbeats_sent, self.reconnects
        ));
        if self.undecodable > 0 {
            s.push_str(&format!(", {} undecodable", self.undecodable));
        }
        s
    }
}

/// (room, msgId) pairs seen lately. Two generations bound the memory of a days-long capture;
/// re-deliveries come within seconds, far inside one generation.
#[derive(Default)]
pub struct Seen {
    current: FxHashSet<(u64, u64)>,
    previous: FxHashSet<(u64, u64)>,
}

const GENERATION: usize = 500_000;

impl Seen {
    /// Whether this message is new; messages without an id always are.
    pub fn first_time(&mut self, room_id: u64, msg_id: u64) -> bool {
        if msg_id == 0 {
            return true;
        }
        let key = (room_id, msg_id);
        if self.previous.contains(&key) || !self.current.insert(key) {
            return false;
        }
        if self.current.len() >= GENERATION {
            self.previous = std::mem::take(&mut self.current);
        }
        true
    }
}

/// The `--print` line for an event, for the kinds it shows (chat, gifts, joins).
pub fn print_line(ev: &Event) -> Option<String> {
    let user = ev.user_name.as_deref().unwrap_or("?");
    match ev.kind {
        Kind::Chat | Kind::EmojiChat => Some(format!(
            "chat   {user}: {}",
            ev.content.as_deref().unwrap_or("").replace('\n', " ")
        )),
        Kind::Gift => {
            let combo = match ev.combo {
                Some(c) if c.repeat_end => " (combo ended)",
                Some(c) if c.group_id != 0 => " (combo)",
                _ => "",
            };
            Some(format!("gift   {user} sent {}{combo}", detail(ev)))
        }
        Kind::Member => Some(format!("join   {user} {}", detail(ev))),
        _ => None,
    }
}

//! Frames: Responses in PushFrames, heartbeats, the close, and the reconnect that replays the
//! last seconds again.

use std::io::Write;

use super::super::wire::{header, Body, Frame};
use super::{Session, FRAME_GAP_MS, GIFT, RECENT_MS};
use crate::proto::webcast::{HeaderEntry, Message, Response};
use std::io;

impl<W: Write> Session<'_, W> {
    /// A frame time `lo..=hi` ms after `base`, as `slot` allows.
    pub(super) fn slot_after(&mut self, base: u64, lo: u64, hi: u64) -> u64 {
        let d = self.rng.range(lo, hi);
        self.slot(base + d)
    }

    /// Takes the next frame time: at least `want`, and `FRAME_GAP_MS` after the previous frame.
    pub(super) fn slot(&mut self, want: u64) -> u64 {
        let t = want.max(self.last_frame_at + FRAME_GAP_MS);
        self.last_frame_at = t;
        t
    }

    /// Sends everything due before `t1` in one frame stamped `t1`.
    pub(super) fn deliver(&mut self, t1: u64) -> io::Result<()> {
        let due = self.pop_due(t1);
        if !due.is_empty() {
            let now = self.slot(t1);
            self.send(now, due)?;
        }
        Ok(())
    }

    pub(super) fn headers_and_response(
        &mut self,
        now: u64,
        messages: Vec<Message>,
    ) -> (Vec<HeaderEntry>, Response) {
        let cursor = format!("t-{now}_r-{}_d-1_u-1", self.next_id(now));
        let wrds = self.next_id(now);
        let internal_ext = format!(
            "internal_src:pushserver|first_req_ms:{}|wss_msg_type:r|wrds_v:{wrds}",
            self.first_req_ms
        );
        let headers = vec![
            header("compress_type", "gzip".into()),
            header("im-internal_ext", internal_ext.clone()),
            header("im-cursor", cursor.clone()),
            header("im-now", now.to_string()),
            header("im-live_cursor", "d-1_u-1".into()),
        ];
        let response = Response {
            messages,
            cursor,
            fetch_interval: 0,
            now,
            internal_ext,
            heartbeat_duration: 15,
            need_ack: true,
            push_server: String::new(),
        };
        (headers, response)
    }

    pub(super) fn push_frame(
        &mut self,
        now: u64,
        headers: Vec<HeaderEntry>,
        body: Body,
    ) -> io::Result<()> {
        self.seq_id += 1;
        let frame = Frame {
            seq_id: self.seq_id,
            log_id: self.rng.next_u64() >> 1,
            received_at_ms: now + self.rng.range(5, 80),
            headers,
            body,
        };
        self.sink.push(frame)
    }

    /// Sends first deliveries in one "msg" frame stamped `now`.
    pub(super) fn send(&mut self, now: u64, items: Vec<(Message, Option<u64>)>) -> io::Result<()> {
        let retain = self
            .reconnects
            .front()
            .is_some_and(|r| now + RECENT_MS >= *r);
        let mut messages = Vec::with_capacity(items.len());
        for (m, time) in items {
            let t = time.unwrap_or(now);
            self.tally.event_time(t);
            if m.method != GIFT {
                self.tally.other_time(t);
            }
            if retain {
                self.recent.push_back((now, m.clone()));
            }
            messages.push(m);
        }
        while self
            .recent
            .front()
            .is_some_and(|(t, _)| t + RECENT_MS < now)
        {
            self.recent.pop_front();
        }
        self.tally.frame("msg", messages.len() as u64, 0);
        let (headers, response) = self.headers_and_response(now, messages);
        self.push_frame(now, headers, Body::Msg(response))
    }

    pub(super) fn bare(&mut self, kind: &'static str, at: u64) -> io::Result<()> {
        self.tally.frame(kind, 0, 0);
        self.push_frame(at, Vec::new(), Body::Bare(kind))
    }

    pub(super) fn heartbeats(&mut self, upto: u64) -> io::Result<()> {
        while self.next_hb <= upto {
            let at = self.slot(self.next_hb);
            self.bare("hb", at)?;
            self.next_hb = at + self.rng.range(9_500, 10_500);
        }
        Ok(())
    }

    /// The connection drops at `t0`; the new one first gets the last 5–10 s again.
    pub(super) fn reconnect(&mut self, t0: u64) -> io::Result<()> {
        self.reconnects.pop_front();
        let gap = self.rng.range(1_000, 3_000);
        let cutoff = t0.saturating_sub(self.rng.range(5_000, 10_000));
        let mut replay: Vec<Message> = self
            .recent
            .iter()
            .filter(|(t, _)| *t >= cutoff)
            .map(|(_, m)| m.clone())
            .collect();
        if replay.len() < 3 {
            // A quiet room still gets its last few messages back.
            let skip = self.recent.len().saturating_sub(3);
            replay = self
                .recent
                .iter()
                .skip(skip)
                .map(|(_, m)| m.clone())
                .collect();
        }
        self.recent.clear();
        let connected = t0 + gap;
        self.first_req_ms = connected.saturating_sub(self.rng.range(100, 400));
        let mut now = self.slot(connected);
        while !replay.is_empty() {
            let rest = replay.split_off(replay.len().min(50));
            let n = replay.len() as u64;
            self.tally.frame("msg", n, n);
            let (headers, response) = self.headers_and_response(now, replay);
            self.push_frame(now, headers, Body::Msg(response))?;
            replay = rest;
            if !replay.is_empty() {
                now = self.slot_after(now, 10, 60);
            }
        }
        self.next_hb = now + self.rng.range(9_500, 10_500);
        Ok(())
    }
}

//! Several rooms live at once, recorded into one capture file in receive order: the shape of a
//! real multi-room capture. A real room sends a few messages per frame (a measured 3 h 16 min
//! session: 9,707 frames, 26,040 messages), where one busy simulated room sends hundreds, so
//! per-frame costs that a busy room hides show here.

use std::io::{self, Write};

use super::rng::mix;
use super::{simulate, SimConfig, Truth};
use crate::capture::{CaptureReader, CaptureRecord, CaptureWriter};

/// What to simulate: `rooms` sessions like `one` (each with its own seed, room id `one.room_id +
/// r`, and start `stagger_ms × r` later), their frames interleaved by receive time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomsConfig {
    pub rooms: u32,
    pub one: SimConfig,
    pub stagger_ms: u64,
}

impl RoomsConfig {
    /// The real-shaped bench capture: ten rooms, each like the measured session in frames and
    /// messages (~9.9 k frames, ~25 k messages, ~2.7 per frame: 112 minutes of 190 viewers,
    /// since the simulator sends a frame every 0.2–1 s where the real room sent one every
    /// 1.2 s); about 99 k frames and 250 k messages in all.
    pub fn real_shaped(seed: u64) -> RoomsConfig {
        RoomsConfig {
            rooms: 10,
            one: SimConfig {
                minutes: 112,
                viewers: 190,
                seed,
                ..SimConfig::default()
            },
            stagger_ms: 5 * 60_000,
        }
    }

    /// The session of room `r` (from 0).
    pub fn room(&self, r: u32) -> SimConfig {
        let r64 = u64::from(r);
        SimConfig {
            // Room 0 is the session `one` alone would be.
            seed: if r == 0 {
                self.one.seed
            } else {
                mix(self.one.seed, r64)
            },
            room_id: self.one.room_id.wrapping_add(r64),
            start_ms: self
                .one
                .start_ms
                .saturating_add(self.stagger_ms.saturating_mul(r64)),
            ..self.one.clone()
        }
    }
}

/// Writes one capture file (magic and records) of all the rooms' sessions, each record in
/// receive-time order (a room's own records keep their order), and returns each room's truth.
///
/// Every session is generated in memory first (a real-shaped room is a few MB).
pub fn simulate_rooms<W: Write>(cfg: &RoomsConfig, out: W) -> io::Result<Vec<Truth>> {
    let mut truths = Vec::with_capacity(cfg.rooms as usize);
    let mut records: Vec<CaptureRecord> = Vec::new();
    for r in 0..cfg.rooms {
        let mut bytes = Vec::new();
        truths.push(simulate(&cfg.room(r), &mut bytes)?);
        let reader = CaptureReader::new(bytes.as_slice()).map_err(io::Error::other)?;
        for rec in reader {
            records.push(rec.map_err(io::Error::other)?.record);
        }
    }
    // Stable: equal times keep room order, and a room's records are already in time order.
    records.sort_by_key(|r| r.received_at_ms);
    let mut writer = CaptureWriter::new(io::BufWriter::with_capacity(1 << 20, out))?;
    for r in &records {
        writer.write_unflushed(r)?;
    }
    writer.flush()?;
    Ok(truths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_interleave_by_receive_time_and_keep_each_session() {
        let cfg = RoomsConfig {
            rooms: 3,
            one: SimConfig {
                minutes: 3,
                viewers: 40,
                ..SimConfig::default()
            },
            stagger_ms: 60_000,
        };
        let mut bytes = Vec::new();
        let truths = simulate_rooms(&cfg, &mut bytes).unwrap();
        assert_eq!(truths.len(), 3);
        let records: Vec<CaptureRecord> = CaptureReader::new(bytes.as_slice())
            .unwrap()
            .map(|r| r.unwrap().record)
            .collect();
        assert_eq!(
            records.len() as u64,
            truths.iter().map(|t| t.records).sum::<u64>()
        );
        assert!(records
            .windows(2)
            .all(|w| w[0].received_at_ms <= w[1].received_at_ms));
        // Room 0 is the session `one` would be alone, byte for byte.
        let mut alone = Vec::new();
        let truth0 = simulate(&cfg.one, &mut alone).unwrap();
        assert_eq!(truth0, truths[0]);
        let room0: Vec<Vec<u8>> = records
            .iter()
            .filter(|r| r.room_id == cfg.one.room_id)
            .map(|r| r.frame.clone())
            .collect();
        let alone: Vec<Vec<u8>> = CaptureReader::new(alone.as_slice())
            .unwrap()
            .map(|r| r.unwrap().record.frame)
            .collect();
        assert_eq!(room0, alone);
        // Each room its own id, and the rooms overlap in time.
        for r in 0..3u64 {
            assert!(records.iter().any(|x| x.room_id == cfg.one.room_id + r));
        }
        let first_of = |id: u64| records.iter().position(|x| x.room_id == id).unwrap();
        let last_of = |id: u64| records.iter().rposition(|x| x.room_id == id).unwrap();
        assert!(first_of(cfg.one.room_id + 1) < last_of(cfg.one.room_id));
    }
}

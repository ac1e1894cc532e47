//! A deterministic simulated Douyin live session, written as protocol-faithful capture records,
//! together with the [`Truth`] a correct decoder must report for it.

mod people;
mod phrases;
mod rng;
mod rooms;
mod series;
mod session;
mod truth;
mod wire;

#[cfg(test)]
mod tests;

use std::io::{self, Write};

pub use people::Audience;
pub use rooms::{simulate_rooms, RoomsConfig};
pub use series::{series, LoyalTruth, RetainedTruth, SeriesConfig, SeriesTruth, SessionTruth};
pub use truth::{
    BattleTruth, BurstTruth, FunnelTruth, RevenueTruth, StatsOnlyTruth, TopChatter, TopGifter,
    Truth, WhaleTruth,
};

/// What to simulate.
///
/// Volume scales linearly with `minutes × viewers`: 0.5 chat messages per viewer-minute on
/// average (bursts included; the rates are calibrated per session), plus ~0.25 like, ~0.2 member
/// and ~0.2 gift-update messages, about 1.15 messages per viewer-minute in all, and 10 s of
/// replayed history on top. So `minutes: 120, viewers: 20_000` gives about 1.2 million chat
/// messages (2.76 million messages, a 540 MB capture); `minutes: 10, viewers: 300` about 1,500.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    /// Length of the live session after the capture starts.
    pub minutes: u32,
    /// Typical number of viewers online at once.
    pub viewers: u32,
    /// Same seed and settings give byte-identical output.
    pub seed: u64,
    pub room_id: u64,
    /// Capture start, ms since the Unix epoch (at most 2^60); the history replayed on connecting
    /// is earlier.
    pub start_ms: u64,
    /// Who the viewers are when sessions share a room's audience (see [`series`]); `None`: a
    /// population of this session's own, from `seed`.
    pub audience: Option<Audience>,
    /// How the session ends.
    pub end: SessionEnd,
    /// Stretches of a few minutes without RoomUserSeqMessage, only RoomStatsMessage (every
    /// 5–15 s, some showing viewers since the start, `N人看过`), as rooms sent in 2026-07;
    /// listed in `Truth::stats_only`. Off: the session is byte for byte what it was without.
    pub stats_only: bool,
}

/// How a simulated session ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionEnd {
    /// The stream-end control message (status 3), then the server closes the connection.
    #[default]
    StreamEnd,
    /// The capture just stops: no control message, no close.
    Stop,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            minutes: 10,
            viewers: 300,
            seed: 1,
            room_id: 7_300_000_000_000_000_001,
            // 2026-01-01 18:00 +08:00.
            start_ms: 1_767_261_600_000,
            audience: None,
            end: SessionEnd::StreamEnd,
            stats_only: false,
        }
    }
}

/// Writes a whole capture file (magic and records) of the simulated session to `out` and returns
/// what was generated. Output goes through an internal buffer; pass the writer itself.
///
/// The same config gives the same bytes within one build. The gzip bytes follow flate2's backend
/// (zlib-rs when the `table` feature pulls it in, miniz_oxide without it); what they decode to,
/// and the `Truth`, do not.
pub fn simulate<W: Write>(cfg: &SimConfig, out: W) -> io::Result<Truth> {
    Ok(session::Session::new(cfg, out)?.run()?.0)
}

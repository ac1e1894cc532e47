//! Timestamped log lines on stderr (or any writer), shared by the threads of a capture or replay.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use crate::timefmt::Zone;

/// A cheap-to-clone line logger; every line starts with the local time in its zone.
#[derive(Clone)]
pub struct Log {
    zone: Zone,
    out: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl Log {
    pub fn stderr(zone: Zone) -> Log {
        Log::to(zone, Box::new(io::stderr()))
    }

    pub fn to(zone: Zone, out: Box<dyn Write + Send>) -> Log {
        Log {
            zone,
            out: Arc::new(Mutex::new(out)),
        }
    }

    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// Writes `2026-01-01 18:00:00.123 <msg>`. Logging never fails the caller: a closed stderr
    /// must not stop a recording.
    pub fn line(&self, msg: impl AsRef<str>) {
        let ts = self
            .zone
            .at(now_ms() as i64)
            .format("%Y-%m-%d %H:%M:%S%.3f");
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(out, "{ts} {}", msg.as_ref());
        let _ = out.flush();
    }
}

/// Wall-clock milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

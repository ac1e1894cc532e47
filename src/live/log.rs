//! Timestamped log lines on stderr (or any writer), shared by the threads of a capture or replay.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use crate::timefmt::Zone;

/// A cheap-to-clone line logger; every line starts with the local time in its zone, then the
/// prefix (which room, when several are recorded). Secrets (cookie values) given to
/// [`Log::hiding`] are scrubbed from every line, whatever put them there (an error a server
/// echoed, a page).
#[derive(Clone)]
pub struct Log {
    zone: Zone,
    out: Arc<Mutex<Box<dyn Write + Send>>>,
    prefix: Arc<str>,
    secrets: Arc<[String]>,
}

impl Log {
    pub fn stderr(zone: Zone) -> Log {
        Log::to(zone, Box::new(io::stderr()))
    }

    pub fn to(zone: Zone, out: Box<dyn Write + Send>) -> Log {
        Log {
            zone,
            out: Arc::new(Mutex::new(out)),
            prefix: "".into(),
            secrets: Arc::new([]),
        }
    }

    /// The same log, every line starting with `prefix` (e.g. `[80017709309] `).
    pub fn with_prefix(&self, prefix: &str) -> Log {
        Log {
            prefix: prefix.into(),
            ..self.clone()
        }
    }

    /// The same log, with these values scrubbed from every line.
    pub fn hiding(&self, secrets: Vec<String>) -> Log {
        let mut all = self.secrets.to_vec();
        all.extend(secrets);
        Log {
            secrets: all.into(),
            ..self.clone()
        }
    }

    pub fn secrets(&self) -> &[String] {
        &self.secrets
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
        let msg = super::cookies::scrub(msg.as_ref(), &self.secrets);
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(out, "{ts} {}{msg}", self.prefix);
        let _ = out.flush();
    }
}

/// Wall-clock milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

//! Durations (`200ms`, `10s`, `1.5m`, `1h`) and sizes (`256MB`, `1GiB`) given on the command line.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

// The one duration parser, shared with `--bucket` and the other commands' durations.
pub use crate::timefmt::parse_duration;

/// `256MB` (10^6), `1GiB` (2^30), `512KB`, `100B`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size: write e.g. 256MB or 1GiB"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        u => {
            return Err(format!(
                "unknown size unit `{u}` in `{s}`: use B, KB, MB, GB, KiB, MiB or GiB"
            ))
        }
    };
    let bytes = value * mult as f64;
    if !(1.0..=u64::MAX as f64).contains(&bytes) {
        return Err(format!("`{s}` is not a usable size"));
    }
    Ok(bytes as u64)
}

/// When `capture` starts a new file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotate {
    /// After the file has been open this long.
    Every(Duration),
    /// Once the file holds this many bytes.
    Size(u64),
}

impl FromStr for Rotate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().to_ascii_lowercase().ends_with('b') {
            return parse_size(s).map(Rotate::Size);
        }
        let d = parse_duration(s)?;
        if d < Duration::from_secs(1) {
            return Err(format!(
                "`{s}` is too short to rotate by: give at least 1s, or a size like 256MB"
            ));
        }
        Ok(Rotate::Every(d))
    }
}

impl fmt::Display for Rotate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rotate::Every(d) => write!(f, "every {}", human_duration(*d)),
            Rotate::Size(n) => write!(f, "at {}", human_bytes(*n)),
        }
    }
}

/// `1.5 MB`, `120 KB`, `12 B`.
pub fn human_bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} KB", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.2} GB", n as f64 / 1e9),
    }
}

/// `250ms`, `1.5s`, `2m30s`, `1h05m`.
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    let s = d.as_secs();
    if ms < 1000 {
        format!("{ms}ms")
    } else if s < 60 {
        format!("{:.1}s", d.as_secs_f64())
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}h{:02}m", s / 3600, s % 3600 / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_rotation() {
        assert_eq!(parse_size("256MB").unwrap(), 256_000_000);
        assert_eq!(parse_size("1GiB").unwrap(), 1 << 30);
        assert_eq!(parse_size("2kb").unwrap(), 2000);
        assert!(parse_size("0B").is_err());
        assert!(parse_size("12 furlongs").is_err());
        assert_eq!(
            "256MB".parse::<Rotate>().unwrap(),
            Rotate::Size(256_000_000)
        );
        assert_eq!(
            "1h".parse::<Rotate>().unwrap(),
            Rotate::Every(Duration::from_secs(3600))
        );
        assert!("10ms".parse::<Rotate>().is_err());
        assert_eq!(human_bytes(1_500_000), "1.5 MB");
        assert_eq!(human_duration(Duration::from_secs(3900)), "1h05m");
    }
}

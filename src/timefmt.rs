//! Showing UTC milliseconds in a time zone (Asia/Shanghai unless `--tz` says otherwise), and
//! reading times and durations given on the command line.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone as _, Utc};
use chrono_tz::Tz;

pub const DEFAULT_TZ: &str = "Asia/Shanghai";

/// A time zone given by IANA name (`Asia/Shanghai`, `UTC`) or fixed offset (`+08:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Named(Tz),
    Fixed(FixedOffset),
}

impl Default for Zone {
    fn default() -> Self {
        Zone::Named(chrono_tz::Asia::Shanghai)
    }
}

impl FromStr for Zone {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Ok(tz) = s.parse::<Tz>() {
            return Ok(Zone::Named(tz));
        }
        FixedOffset::from_str(s).map(Zone::Fixed).map_err(|_| {
            format!("unknown time zone `{s}`: give an IANA name such as Asia/Shanghai or UTC, or an offset such as +08:00")
        })
    }
}

impl Zone {
    /// The instant in this zone, as a fixed-offset time.
    pub fn at(&self, ts_ms: i64) -> DateTime<FixedOffset> {
        let utc = DateTime::<Utc>::from_timestamp_millis(ts_ms).unwrap_or_default();
        match self {
            Zone::Named(tz) => tz.from_utc_datetime(&utc.naive_utc()).fixed_offset(),
            Zone::Fixed(off) => off.from_utc_datetime(&utc.naive_utc()),
        }
    }

    /// ISO-8601 with offset and milliseconds: `2022-12-27T23:24:41.841+08:00`.
    pub fn iso(&self, ts_ms: i64) -> String {
        self.at(ts_ms).to_rfc3339_opts(SecondsFormat::Millis, false)
    }

    /// ISO-8601 to the second: `2022-12-27T23:24:41+08:00`.
    pub fn iso_secs(&self, ts_ms: i64) -> String {
        self.at(ts_ms).to_rfc3339_opts(SecondsFormat::Secs, false)
    }

    /// For people: `2022-12-27 23:24:41`.
    pub fn human(&self, ts_ms: i64) -> String {
        self.at(ts_ms).format("%Y-%m-%d %H:%M:%S").to_string()
    }

    /// The zone's name as polars wants it (IANA name or `+08:00`).
    pub fn name(&self) -> String {
        match self {
            Zone::Named(tz) => tz.name().to_string(),
            Zone::Fixed(off) => off.to_string(),
        }
    }
}

/// Parses a time given on the command line: RFC 3339 (`2026-01-01T18:00:00+08:00`), or a local
/// `2026-01-01 18:00[:00]` read in `zone`, or epoch milliseconds.
pub fn parse_time(s: &str, zone: &Zone) -> Result<i64, String> {
    if let Ok(ms) = s.parse::<i64>() {
        return Ok(ms);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
            let local = match zone {
                Zone::Named(tz) => tz
                    .from_local_datetime(&naive)
                    .earliest()
                    .map(|t| t.timestamp_millis()),
                Zone::Fixed(off) => off
                    .from_local_datetime(&naive)
                    .earliest()
                    .map(|t| t.timestamp_millis()),
            };
            if let Some(ms) = local {
                return Ok(ms);
            }
        }
    }
    Err(format!("cannot read time `{s}`: use 2026-01-01 18:00:00 (in --tz), RFC 3339, or epoch milliseconds"))
}

impl Zone {
    /// A wall-clock time in this zone as UTC milliseconds (the earlier one when a DST change
    /// repeats it); `None` when the zone skips it.
    pub fn local_ms(&self, naive: NaiveDateTime) -> Option<i64> {
        match self {
            Zone::Named(tz) => tz
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.timestamp_millis()),
            Zone::Fixed(off) => off
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.timestamp_millis()),
        }
    }
}

/// Epoch seconds, milliseconds, microseconds or nanoseconds → milliseconds. 1e11 s is the year
/// 5138 and 1e11 ms is 1973, so magnitudes tell them apart for any live stream's time.
pub fn epoch_ms(v: f64) -> i64 {
    let a = v.abs();
    let ms = if a < 1e11 {
        v * 1e3
    } else if a < 1e14 {
        v
    } else if a < 1e17 {
        v / 1e3
    } else {
        v / 1e6
    };
    // `as` saturates; the round keeps fractional seconds (Python's time.time()) to the ms.
    ms.round() as i64
}

/// Text that [`parse_stored_time`] cannot read as a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotATime;

/// A time another tool stored as text, as UTC milliseconds: a number (epoch seconds, ms, µs or
/// ns by magnitude), RFC 3339, or `2026-01-01 18:00:00[.fff]` (also with `T` or `/`) or a date,
/// read in `naive_zone` (UTC when `None`). Empty text is no time; anything else is an error.
pub fn parse_stored_time(s: &str, naive_zone: Option<&Zone>) -> Result<Option<i64>, NotATime> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Ok(f) = s.parse::<f64>() {
        return if f.is_finite() {
            Ok(Some(epoch_ms(f)))
        } else {
            Err(NotATime)
        };
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.timestamp_millis()));
    }
    let naive = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y/%m/%d %H:%M:%S%.f",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })
    .ok_or(NotATime)?;
    match naive_zone {
        None => Ok(Some(naive.and_utc().timestamp_millis())),
        Some(z) => z.local_ms(naive).map(Some).ok_or(NotATime),
    }
}

#[cfg(test)]
mod stored_time_tests {
    use super::*;

    #[test]
    fn epoch_magnitudes() {
        assert_eq!(epoch_ms(1_767_261_600.0), 1_767_261_600_000);
        assert_eq!(epoch_ms(1_767_261_600.123_4), 1_767_261_600_123);
        assert_eq!(epoch_ms(1_767_261_600_123.0), 1_767_261_600_123);
        assert_eq!(epoch_ms(1_767_261_600_123_456.0), 1_767_261_600_123);
        assert_eq!(epoch_ms(1.767_261_600_123_456_7e18), 1_767_261_600_123);
        assert_eq!(epoch_ms(0.0), 0);
    }

    #[test]
    fn stored_text_times() {
        let sh: Zone = "Asia/Shanghai".parse().unwrap();
        let at = |s: &str| parse_stored_time(s, Some(&sh));
        assert_eq!(at("2026-01-01 18:00:00"), Ok(Some(1_767_261_600_000)));
        assert_eq!(at("2026/01/01 18:00:00.5"), Ok(Some(1_767_261_600_500)));
        assert_eq!(at("2026-01-01T10:00:00Z"), Ok(Some(1_767_261_600_000)));
        assert_eq!(at("1767261600000"), Ok(Some(1_767_261_600_000)));
        assert_eq!(at(" "), Ok(None));
        assert_eq!(at("NaN"), Err(NotATime));
        assert_eq!(at("soon"), Err(NotATime));
        let utc = parse_stored_time("2026-01-01 10:00:00", None);
        assert_eq!(utc, Ok(Some(1_767_261_600_000)));
    }
}

/// `200ms`, `10s`, `1.5m`, `2h`, `1d`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration: write e.g. 200ms, 10s, 5m, 1h"))?;
    let secs = match unit.trim() {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        "d" => value * 86_400.0,
        u => {
            return Err(format!(
                "unknown time unit `{u}` in `{s}`: use ms, s, m, h or d"
            ))
        }
    };
    Duration::try_from_secs_f64(secs)
        .map_err(|_| format!("`{s}` is not a duration: write e.g. 200ms, 10s, 5m, 1h"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let ms = Duration::from_millis;
        assert_eq!(parse_duration("200ms").unwrap(), ms(200));
        assert_eq!(parse_duration("10s").unwrap(), ms(10_000));
        assert_eq!(parse_duration("10").unwrap(), ms(10_000));
        assert_eq!(parse_duration("1.5m").unwrap(), ms(90_000));
        assert_eq!(parse_duration("1h").unwrap(), ms(3_600_000));
        assert!(parse_duration("10 parsecs").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("1e400s").is_err());
    }
}

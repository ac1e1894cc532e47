//! Result columns → event fields, matched by name. Serves `t_danmu` (`--mysql`) and other tools'
//! tables (`--mysql-query`), whose columns are found by the rules every reader of other tools'
//! tables shares ([`crate::resolve`]: `--map`, then the column table's aliases).

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveDateTime};
use mysql::consts::ColumnType as SqlType;
use mysql::{Column as SqlColumn, Value};

use crate::columns::{Column, ColumnType, TS_MS_ALIASES};
use crate::event::{Event, Kind, TimeSource};
use crate::resolve::{resolve, Origin, ResolveError};
use crate::timefmt::{epoch_ms, parse_stored_time, Zone};

use super::schema::TABLE;
use super::time_source::time_source;
use super::DbError;

/// An event field a result column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// UTC milliseconds, taken exactly.
    TsMs,
    /// A DATETIME / TIMESTAMP, or epoch seconds / milliseconds told apart by magnitude.
    Time,
    TsSource,
    /// Any other event-table column.
    Col(Column),
}

/// Maps rows of one result to events.
pub struct Mapper {
    /// The field each result column fills, by position.
    targets: Vec<Option<Field>>,
    /// Time columns beside exact milliseconds: not read, but not unused either.
    redundant: Vec<bool>,
    /// The result column holding the row order (`t_danmu.id`), when ties are broken by it.
    order: Option<usize>,
    /// The time column holds UTC (TIMESTAMP, or t_danmu's `ts`) rather than local time.
    time_is_utc: bool,
    zone: Zone,
    names: Vec<String>,
    /// Values that could not be read, per result column.
    bad: Vec<u64>,
    rows: u64,
}

/// A row as an event plus its order key (ties of equal `ts` are kept in this order).
pub struct Mapped {
    pub event: Event,
    pub order: u64,
}

impl Mapper {
    /// `order_by_id`: break ties by an `id` column (t_danmu's load order) instead of row order.
    /// Fails when no column gives the time.
    pub fn new(
        columns: &[SqlColumn],
        zone: Zone,
        order_by_id: bool,
        renames: &[(Column, String)],
    ) -> Result<Mapper, DbError> {
        let names: Vec<String> = columns.iter().map(|c| c.name_str().into_owned()).collect();
        let find = |alias: &str| names.iter().position(|n| n.eq_ignore_ascii_case(alias));
        let resolved = resolve(&names, renames).map_err(|e| match e {
            ResolveError::NoTime { .. } => DbError::QueryLacks {
                needed: format!(
                    "time ({}, {})",
                    TS_MS_ALIASES[0],
                    Column::Ts.def().aliases.join(", ")
                ),
                found: names.join(", "),
            },
            e => DbError::Map(e.to_string()),
        })?;
        let mut targets = vec![None; names.len()];
        for c in Column::ALL {
            match (c, resolved.of(c)) {
                (Column::Ts, Some(Origin::Ms(i))) => targets[i] = Some(Field::TsMs),
                (Column::Ts, Some(Origin::Col(i))) => targets[i] = Some(Field::Time),
                (c, Some(o)) => targets[o.index()] = Some(Field::Col(c)),
                (_, None) => {}
            }
        }
        // t_danmu's own column for how `ts` was found; not an event-table column.
        if let Some(i) = find("ts_source").filter(|i| !resolved.claimed[*i]) {
            targets[i] = Some(Field::TsSource);
        }
        let redundant: Vec<bool> = (0..names.len())
            .map(|i| resolved.claimed[i] && targets[i].is_none())
            .collect();
        let time_is_utc = targets
            .iter()
            .position(|t| *t == Some(Field::Time))
            .is_some_and(|i| {
                let c = &columns[i];
                matches!(
                    c.column_type(),
                    SqlType::MYSQL_TYPE_TIMESTAMP | SqlType::MYSQL_TYPE_TIMESTAMP2
                ) || (c.org_table_str().eq_ignore_ascii_case(TABLE)
                    && c.org_name_str().eq_ignore_ascii_case("ts"))
            });
        let order = order_by_id
            .then(|| find("id"))
            .flatten()
            .filter(|i| targets[*i].is_none() || targets[*i] == Some(Field::Col(Column::MsgId)));
        let bad = vec![0; names.len()];
        Ok(Mapper {
            redundant,
            targets,
            order,
            time_is_utc,
            zone,
            names,
            bad,
            rows: 0,
        })
    }

    /// Result columns no field reads (a note for users of --mysql-query).
    pub fn unused_columns(&self) -> Vec<&str> {
        self.names
            .iter()
            .zip(&self.targets)
            .enumerate()
            .filter(|(i, (_, t))| t.is_none() && !self.redundant[*i] && Some(*i) != self.order)
            .map(|(_, (n, _))| n.as_str())
            .collect()
    }

    /// One row (values by result column position) as an event.
    pub fn map(&mut self, row: Vec<Option<Value>>) -> Mapped {
        let mut ev = Event::new(Kind::Chat, Cow::Borrowed(Kind::Chat.method()));
        let mut order = self.rows;
        self.rows += 1;
        let mut kind_text: Option<String> = None;
        let mut method: Option<String> = None;
        let mut ts: Option<i64> = None;
        let mut ts_source: Option<TimeSource> = None;
        for (i, v) in row.into_iter().enumerate() {
            let v = v.unwrap_or(Value::NULL);
            if Some(i) == self.order {
                match number(&v) {
                    Ok(Some(n)) => order = n,
                    _ => self.bad[i] += 1,
                }
            }
            let Some(field) = self.targets.get(i).copied().flatten() else {
                continue;
            };
            let ok = match field {
                Field::TsMs => int(&v).map(|t| ts = t.or(ts)).is_ok(),
                Field::Time => self.time(v).map(|t| ts = t.or(ts)).is_ok(),
                Field::TsSource => {
                    ts_source = text(v).as_deref().and_then(time_source);
                    true
                }
                Field::Col(Column::Kind) => {
                    kind_text = text(v);
                    true
                }
                Field::Col(Column::Method) => {
                    method = text(v);
                    true
                }
                Field::Col(c) if c.ty() == ColumnType::Text => c.set_text(&mut ev, text(v)),
                Field::Col(c) => match number(&v) {
                    Ok(n) => c.set_number(&mut ev, n),
                    Err(()) => false,
                },
            };
            if !ok {
                self.bad[i] += 1;
            }
        }
        let kind = kind_text.as_deref().map_or(Kind::Chat, parse_kind);
        ev.kind = kind;
        ev.method = match (method, kind) {
            (Some(m), k) if m == k.method() => Cow::Borrowed(k.method()),
            (Some(m), _) => Cow::Owned(m),
            (None, Kind::Other) => Cow::Owned(kind_text.unwrap_or_default()),
            (None, k) => Cow::Borrowed(k.method()),
        };
        ev.ts = ts.unwrap_or(0);
        ev.time_source = match (ts, ts_source) {
            (_, Some(s)) => s,
            (Some(_), None) => TimeSource::CreateTime,
            (None, None) => TimeSource::Unknown,
        };
        Mapped { event: ev, order }
    }

    /// A time value as UTC milliseconds: DATETIME in the zone (spiders store local time),
    /// TIMESTAMP in UTC (the session's time zone), numbers as epoch s / ms / µs by magnitude.
    fn time(&self, v: Value) -> Result<Option<i64>, ()> {
        match v {
            Value::NULL => Ok(None),
            Value::Int(n) => Ok(Some(epoch_ms(n as f64))),
            Value::UInt(n) => Ok(Some(epoch_ms(n as f64))),
            Value::Float(f) => finite(f64::from(f)).map(|f| Some(epoch_ms(f))),
            Value::Double(f) => finite(f).map(|f| Some(epoch_ms(f))),
            Value::Date(y, mo, d, h, mi, s, us) => {
                let naive = NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d))
                    .and_then(|date| date.and_hms_micro_opt(h.into(), mi.into(), s.into(), us))
                    .ok_or(())?;
                self.naive_ms(naive).map(Some)
            }
            Value::Bytes(b) => {
                let zone = (!self.time_is_utc).then_some(&self.zone);
                parse_stored_time(&String::from_utf8_lossy(&b), zone).map_err(|_| ())
            }
            Value::Time(..) => Err(()),
        }
    }

    fn naive_ms(&self, naive: NaiveDateTime) -> Result<i64, ()> {
        if self.time_is_utc {
            return Ok(naive.and_utc().timestamp_millis());
        }
        self.zone.local_ms(naive).ok_or(())
    }

    /// What could not be read, one line per column, for the run's warnings.
    pub fn problems(&self) -> Vec<String> {
        (0..self.names.len())
            .filter(|&i| self.bad[i] > 0)
            .map(|i| {
                let what = match self.targets[i] {
                    Some(Field::TsMs | Field::Time) => "times; those rows have ts 0",
                    _ if Some(i) == self.order => "row numbers; their order may differ",
                    _ => "numbers in range; left empty",
                };
                format!(
                    "column `{}`: {} value(s) are not {what}",
                    self.names[i], self.bad[i]
                )
            })
            .collect()
    }
}

fn finite(f: f64) -> Result<f64, ()> {
    if f.is_finite() {
        Ok(f)
    } else {
        Err(())
    }
}

fn text(v: Value) -> Option<String> {
    match v {
        Value::NULL => None,
        Value::Bytes(b) => Some(
            String::from_utf8(b)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
        Value::Int(n) => Some(n.to_string()),
        Value::UInt(n) => Some(n.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Double(f) => Some(f.to_string()),
        Value::Date(y, mo, d, h, mi, s, _) => {
            Some(format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"))
        }
        Value::Time(neg, d, h, mi, s, _) => Some(format!(
            "{}{}:{mi:02}:{s:02}",
            if neg { "-" } else { "" },
            u64::from(d) * 24 + u64::from(h)
        )),
    }
}

/// A non-negative integer (ids, counts), from any numeric or digit-string value.
fn number(v: &Value) -> Result<Option<u64>, ()> {
    match v {
        Value::NULL => Ok(None),
        Value::UInt(n) => Ok(Some(*n)),
        Value::Int(n) => u64::try_from(*n).map(Some).map_err(|_| ()),
        Value::Double(f) if f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19 => Ok(Some(*f as u64)),
        Value::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19 => Ok(Some(*f as u64)),
        Value::Bytes(b) => {
            let s = std::str::from_utf8(b).map_err(|_| ())?.trim();
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse().map(Some).map_err(|_| ())
            }
        }
        _ => Err(()),
    }
}

/// A signed integer (t_danmu's `ts_ms`).
fn int(v: &Value) -> Result<Option<i64>, ()> {
    match v {
        Value::NULL => Ok(None),
        Value::Int(n) => Ok(Some(*n)),
        Value::UInt(n) => i64::try_from(*n).map(Some).map_err(|_| ()),
        Value::Bytes(b) => std::str::from_utf8(b)
            .map_err(|_| ())?
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| ()),
        _ => Err(()),
    }
}

/// A kind name (`gift`), a push method (`WebcastGiftMessage`), or anything else (→ other).
fn parse_kind(s: &str) -> Kind {
    s.parse::<Kind>().unwrap_or_else(|_| Kind::from_method(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_kinds() {
        assert_eq!(number(&Value::Bytes(b" 42 ".to_vec())), Ok(Some(42)));
        assert_eq!(number(&Value::Int(-1)), Err(()));
        assert_eq!(number(&Value::Double(3.0)), Ok(Some(3)));
        assert_eq!(number(&Value::Bytes(b"MS4wLjAB".to_vec())), Err(()));
        assert_eq!(parse_kind("gift"), Kind::Gift);
        assert_eq!(parse_kind("WebcastLikeMessage"), Kind::Like);
        assert_eq!(parse_kind("3"), Kind::Other);
    }

    #[test]
    fn text_times_in_the_zone() {
        let m = Mapper {
            targets: vec![Some(Field::Time)],
            redundant: vec![false],
            order: None,
            time_is_utc: false,
            zone: "Asia/Shanghai".parse().unwrap(),
            names: vec!["create_time".into()],
            bad: vec![0],
            rows: 0,
        };
        let at = |s: &str| m.time(Value::Bytes(s.as_bytes().to_vec()));
        // 2026-01-01 18:00 +08:00.
        assert_eq!(at("2026-01-01 18:00:00"), Ok(Some(1_767_261_600_000)));
        assert_eq!(at("2026-01-01 18:00:00.250"), Ok(Some(1_767_261_600_250)));
        assert_eq!(at("2026-01-01T10:00:00Z"), Ok(Some(1_767_261_600_000)));
        assert_eq!(at("1767261600"), Ok(Some(1_767_261_600_000)));
        assert_eq!(at(""), Ok(None));
        assert_eq!(at("yesterday"), Err(()));
        let d = m.time(Value::Date(2026, 1, 1, 18, 0, 0, 0));
        assert_eq!(d, Ok(Some(1_767_261_600_000)));
    }
}

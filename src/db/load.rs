//! Loading events into `t_danmu`: prepared multi-row INSERTs (values only as parameters), one
//! transaction per batch, and a no-op `ON DUPLICATE KEY UPDATE`, so re-running a load, or a
//! killed load, leaves every event exactly once. Batches go to several connections at once: the
//! server's per-row work, not the client, is what limits a load.

use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Timelike, Utc};
use mysql::prelude::Queryable;
use mysql::{Conn, Params, Value};

use crate::columns::{Cell, Column};
use crate::event::Event;

use super::error::Context as _;
use super::schema::{written_columns, TABLE};
use super::time_source::time_source_name;
use super::{connect, ident, DbError, DbUrl};

/// A prepared statement takes at most this many parameters (the protocol's 16-bit count).
const MAX_PARAMS: usize = 65_535;

#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    /// Rows per transaction: a killed load loses at most the batches being written, which a
    /// re-run adds. A batch ends where the time changes, so events of one millisecond share a
    /// batch and keep their order (up to 4 × this many rows).
    pub batch_rows: usize,
    /// Rows per INSERT statement (at most 65,535 parameters, and at most half the server's
    /// `max_allowed_packet` of data). About 100 costs the server least: its work per row grows
    /// with the statement's size.
    pub statement_rows: usize,
    /// Connections writing batches at once.
    pub connections: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            batch_rows: 10_000,
            statement_rows: 100,
            connections: 2,
        }
    }
}

/// What a load did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LoadStats {
    /// Rows sent and committed.
    pub sent: u64,
    /// Rows that were new.
    pub inserted: u64,
    pub elapsed: Duration,
}

impl LoadStats {
    /// Rows whose (room_id, msg_id) was in the table already.
    pub fn already_present(&self) -> u64 {
        self.sent - self.inserted
    }

    pub fn rows_per_sec(&self) -> f64 {
        self.sent as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Inserts `events` (in time order, as decoding gives them) into `url`'s `t_danmu`, which must
/// exist (see [`super::schema::ensure_table`]). `progress` is called after each commit.
pub fn load<'a>(
    url: &DbUrl,
    events: impl IntoIterator<Item = &'a Event>,
    opts: &LoadOptions,
    mut progress: impl FnMut(&LoadStats),
) -> Result<LoadStats, DbError> {
    let start = Instant::now();
    let batch_rows = opts.batch_rows.max(1);
    let workers = opts.connections.max(1);
    let mut stats = LoadStats::default();
    let mut first_error: Option<DbError> = None;
    thread::scope(|scope| {
        // Bounded: batches are cut only as fast as the connections take them.
        let (to_workers, batches) = mpsc::sync_channel::<Vec<&Event>>(workers);
        let batches = Arc::new(Mutex::new(batches));
        let (done_tx, done) = mpsc::channel::<Result<(u64, u64), DbError>>();
        for _ in 0..workers {
            let batches = Arc::clone(&batches);
            let done_tx = done_tx.clone();
            scope.spawn(move || worker(url, opts, batches, done_tx));
        }
        // Only workers hold the receiver: when they have all stopped, sending fails.
        drop(batches);
        drop(done_tx);
        let mut absorb = |r: Result<(u64, u64), DbError>| match r {
            Ok((sent, inserted)) => {
                stats.sent += sent;
                stats.inserted += inserted;
                stats.elapsed = start.elapsed();
                progress(&stats);
                true
            }
            Err(e) => {
                first_error.get_or_insert(e);
                false
            }
        };
        let mut batch: Vec<&Event> = Vec::with_capacity(batch_rows);
        let mut ok = true;
        for ev in events {
            let full = batch.len() >= batch_rows
                && (batch.last().is_some_and(|l| l.ts != ev.ts) || batch.len() >= 4 * batch_rows);
            if full {
                ok = send(&to_workers, &mut batch, batch_rows) && done.try_iter().all(&mut absorb);
                if !ok {
                    break;
                }
            }
            batch.push(ev);
        }
        if ok && !batch.is_empty() {
            send(&to_workers, &mut batch, batch_rows);
        }
        drop(to_workers);
        for r in done {
            absorb(r);
        }
    });
    match first_error {
        Some(e) => Err(e),
        None => {
            stats.elapsed = start.elapsed();
            Ok(stats)
        }
    }
}

/// Hands the batch to a connection; false when none is left to take it.
fn send<'a>(to: &SyncSender<Vec<&'a Event>>, batch: &mut Vec<&'a Event>, cap: usize) -> bool {
    to.send(std::mem::replace(batch, Vec::with_capacity(cap)))
        .is_ok()
}

/// One connection: writes and commits batches until there are none, reporting each commit.
fn worker(
    url: &DbUrl,
    opts: &LoadOptions,
    batches: Arc<Mutex<Receiver<Vec<&Event>>>>,
    done: mpsc::Sender<Result<(u64, u64), DbError>>,
) {
    let mut writer = match Writer::open(url, opts) {
        Ok(w) => w,
        Err(e) => {
            let _ = done.send(Err(e));
            return;
        }
    };
    loop {
        // The lock is held only to take a batch (a poisoned lock: another worker panicked).
        let next = match batches.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(batch) = next else { return };
        let result = writer.write(&batch);
        let failed = result.is_err();
        if done.send(result).is_err() || failed {
            return;
        }
    }
}

struct Writer<'u> {
    conn: Conn,
    url: &'u DbUrl,
    /// The SQL for a full `stmt_rows` rows, built once. Statements themselves are not kept
    /// here: the connection's statement cache may evict and close them (a kept handle then
    /// fails with "Unknown prepared statement handler"); preparing cached SQL again is a
    /// cache hit without a round trip.
    full_sql: String,
    stmt_rows: usize,
    byte_budget: usize,
    params: Vec<Value>,
}

impl<'u> Writer<'u> {
    fn open(url: &'u DbUrl, opts: &LoadOptions) -> Result<Writer<'u>, DbError> {
        let mut conn = connect(url)?;
        // Strict mode: a value that does not fit is an error, never silently cut. Autocommit
        // off: each batch is one transaction, ended by our COMMIT.
        conn.query_drop(
            "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_ALL_TABLES'), \
             autocommit = 0",
        )
        .db(url, "setting up the session")?;
        let max_packet: Option<u64> = conn
            .query_first("SELECT @@max_allowed_packet")
            .db(url, "reading max_allowed_packet")?;
        let byte_budget = (max_packet.unwrap_or(4 << 20) / 2).max(64 << 10) as usize;
        let ncols = written_columns().len();
        let stmt_rows = opts
            .statement_rows
            .min(opts.batch_rows)
            .clamp(1, MAX_PARAMS / ncols);
        Ok(Writer {
            conn,
            url,
            full_sql: insert_sql(stmt_rows),
            stmt_rows,
            byte_budget,
            params: Vec::with_capacity(stmt_rows * ncols),
        })
    }

    /// Inserts one batch in one transaction; returns (rows sent, rows inserted).
    fn write(&mut self, batch: &[&Event]) -> Result<(u64, u64), DbError> {
        let mut inserted = 0;
        let mut rows = 0;
        let mut bytes = 0;
        for ev in batch {
            bytes += push_row(&mut self.params, ev);
            rows += 1;
            if rows == self.stmt_rows || bytes >= self.byte_budget {
                inserted += self.execute(rows)?;
                rows = 0;
                bytes = 0;
            }
        }
        if rows > 0 {
            inserted += self.execute(rows)?;
        }
        self.conn
            .query_drop("COMMIT")
            .db(self.url, "committing a batch")?;
        Ok((batch.len() as u64, inserted))
    }

    /// Sends the `rows` rows in `params` as one statement; returns how many were new.
    fn execute(&mut self, rows: usize) -> Result<u64, DbError> {
        let what = "inserting rows into t_danmu";
        let stmt = if rows == self.stmt_rows {
            self.conn.prep(&self.full_sql)
        } else {
            self.conn.prep(insert_sql(rows))
        }
        .db(self.url, what)?;
        let capacity = self.params.capacity();
        let params = std::mem::replace(&mut self.params, Vec::with_capacity(capacity));
        self.conn
            .exec_drop(&stmt, Params::Positional(params))
            .db(self.url, what)?;
        // With the no-op update, a row already present counts 0 and a new row 1.
        Ok(self.conn.affected_rows())
    }
}

/// `INSERT INTO t_danmu (…) VALUES (?, …), … ON DUPLICATE KEY UPDATE msg_id = msg_id` for `rows`
/// rows. The update changes nothing: it only makes a known (room_id, msg_id) a no-op, where
/// INSERT IGNORE would also turn real errors (a value too long) into warnings.
fn insert_sql(rows: usize) -> String {
    let cols = written_columns();
    let names: Vec<String> = cols.iter().map(|c| ident(c)).collect();
    let one = format!("({})", vec!["?"; cols.len()].join(","));
    let mut sql = format!("INSERT INTO {} ({}) VALUES ", ident(TABLE), names.join(","));
    sql.reserve(rows * (one.len() + 1) + 64);
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&one);
    }
    sql.push_str(" ON DUPLICATE KEY UPDATE `msg_id` = `msg_id`");
    sql
}

/// Appends one event's values in [`written_columns`] order; returns about how many bytes they
/// take on the wire.
fn push_row(params: &mut Vec<Value>, ev: &Event) -> usize {
    let mut bytes = 26 * 9;
    let mut text = |s: &str| {
        bytes += s.len();
        Value::Bytes(s.as_bytes().to_vec())
    };
    params.push(Value::Int(ev.ts));
    params.push(datetime(ev.ts));
    params.push(text(time_source_name(ev.time_source)));
    // The rest in column-table order, which is how `written_columns` lists them.
    for col in &Column::ALL[1..] {
        params.push(match col.cell(&ev.view()) {
            Cell::Null => Value::NULL,
            Cell::Id(v) | Cell::Count(v) => Value::UInt(v),
            Cell::Time(ms) => Value::Int(ms),
            Cell::Text(s) => text(s),
        });
    }
    bytes
}

/// UTC milliseconds as a DATETIME(3) value; NULL outside DATETIME's years 1000–9999.
fn datetime(ms: i64) -> Value {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(t) if (1000..=9999).contains(&t.year()) => Value::Date(
            t.year() as u16,
            t.month() as u8,
            t.day() as u8,
            t.hour() as u8,
            t.minute() as u8,
            t.second() as u8,
            t.nanosecond() / 1000 % 1_000_000,
        ),
        _ => Value::NULL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Kind;

    #[test]
    fn a_row_fills_every_written_column() {
        let mut params = Vec::new();
        let mut ev = Event::new(Kind::Chat, Kind::Chat.method().into());
        ev.ts = 1_767_261_600_123;
        ev.content = Some("hi".into());
        push_row(&mut params, &ev);
        assert_eq!(params.len(), written_columns().len());
        assert_eq!(params[1], Value::Date(2026, 1, 1, 10, 0, 0, 123_000));
        assert_eq!(datetime(i64::MAX), Value::NULL);
        assert_eq!(datetime(-62_000_000_000_000), Value::NULL);
    }

    #[test]
    fn row_values_sit_under_their_column_names() {
        let mut params = Vec::new();
        let mut ev = Event::new(Kind::Gift, Kind::Gift.method().into());
        ev.room_id = 7;
        ev.gift_name = Some("小心心".into());
        ev.diamond_count = Some(9);
        push_row(&mut params, &ev);
        let at = |name: &str| &params[written_columns().iter().position(|c| *c == name).unwrap()];
        assert_eq!(at("room_id"), &Value::UInt(7));
        assert_eq!(at("kind"), &Value::Bytes(b"gift".to_vec()));
        assert_eq!(at("gift_name"), &Value::Bytes("小心心".as_bytes().to_vec()));
        assert_eq!(at("diamond_count"), &Value::UInt(9));
        assert_eq!(at("like_count"), &Value::NULL);
        assert_eq!(at("ts_source"), &Value::Bytes(b"unknown".to_vec()));
    }

    #[test]
    fn insert_has_one_placeholder_per_value() {
        let sql = insert_sql(3);
        assert_eq!(sql.matches('?').count(), 3 * written_columns().len());
        assert!(sql.starts_with("INSERT INTO `t_danmu` (`ts_ms`,`ts`,"));
    }
}

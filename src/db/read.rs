//! Reading events out of MySQL into the [`Decoded`] that files give, streamed row by row over the
//! binary protocol: `t_danmu` with the filters as the query's WHERE, or any SELECT mapped by
//! column names. Rows were de-duplicated and combo-resolved when loaded: they are used as they are.

use std::sync::Arc;

use mysql::prelude::Queryable;
use mysql::{Conn, Params, Value};

use crate::event::{Event, Kind};
use crate::pipeline::{Decoded, Issue, Position, Stats};
use crate::timefmt::Zone;

use super::error::Context as _;
use super::mapping::Mapper;
use super::schema::{self, COLUMNS, TABLE};
use super::{ident, DbError, DbUrl};

pub use super::Filter;

impl Filter {
    /// ` WHERE …` (or nothing) and its parameters.
    fn clause(&self) -> (String, Vec<Value>) {
        let mut conds: Vec<String> = Vec::new();
        let mut params = Vec::new();
        if let Some(room) = self.room {
            conds.push("`room_id` = ?".into());
            params.push(Value::UInt(room));
        }
        if let Some(t) = self.since {
            conds.push("`ts_ms` >= ?".into());
            params.push(Value::Int(t));
        }
        if let Some(t) = self.until {
            conds.push("`ts_ms` < ?".into());
            params.push(Value::Int(t));
        }
        let mut kinds = self.kinds.clone();
        kinds.sort();
        kinds.dedup();
        if !kinds.is_empty() {
            conds.push(format!("`kind` IN ({})", vec!["?"; kinds.len()].join(", ")));
            params.extend(kinds.iter().map(|k| Value::Bytes(k.name().into())));
        }
        if conds.is_empty() {
            (String::new(), params)
        } else {
            (format!(" WHERE {}", conds.join(" AND ")), params)
        }
    }
}

/// A read's events, plus the result columns nothing was read from (for `--mysql-query`).
pub struct Read {
    pub decoded: Decoded,
    pub unused_columns: Vec<String>,
}

/// The events of `t_danmu` the filter keeps, in time order (load order among equal times).
pub fn read_table(conn: &mut Conn, url: &DbUrl, filter: &Filter) -> Result<Decoded, DbError> {
    schema::check_table(conn, url)?;
    let columns: Vec<String> = COLUMNS.iter().map(|c| ident(c)).collect();
    let (clause, params) = filter.clause();
    let sql = format!(
        "SELECT {} FROM {}{clause}",
        columns.join(", "),
        ident(TABLE)
    );
    // The zone matters only for local DATETIME columns, which t_danmu has none of.
    Ok(read(conn, url, &sql, params, Zone::default(), true)?.decoded)
}

/// The rows of any SELECT as events, columns matched by name (see [`super::mapping::ALIASES`]);
/// DATETIME values are read in `zone`. In time order, query order among equal times.
pub fn read_query(conn: &mut Conn, url: &DbUrl, sql: &str, zone: Zone) -> Result<Read, DbError> {
    read(conn, url, sql, Vec::new(), zone, false)
}

fn read(
    conn: &mut Conn,
    url: &DbUrl,
    sql: &str,
    params: Vec<Value>,
    zone: Zone,
    order_by_id: bool,
) -> Result<Read, DbError> {
    let stmt = conn.prep(sql).db(url, "preparing the query")?;
    if usize::from(stmt.num_params()) != params.len() {
        return Err(DbError::QueryPlaceholders(stmt.num_params()));
    }
    if stmt.num_columns() == 0 {
        return Err(DbError::NotSelect);
    }
    let mut mapper = Mapper::new(&stmt.columns(), zone, order_by_id)?;
    let unused_columns = mapper
        .unused_columns()
        .into_iter()
        .map(String::from)
        .collect();
    // Read only: a query that would change data fails instead. A consistent snapshot, too.
    conn.query_drop("START TRANSACTION READ ONLY")
        .db(url, "starting a read-only transaction")?;
    let params = if params.is_empty() {
        Params::Empty
    } else {
        Params::Positional(params)
    };
    let mut events = Vec::new();
    let mut order = Vec::new();
    for row in conn.exec_iter(&stmt, params).db(url, "running the query")? {
        let mapped = mapper.map(row.db(url, "reading rows")?.unwrap_raw());
        events.push(mapped.event);
        order.push(mapped.order);
    }
    conn.query_drop("COMMIT")
        .db(url, "ending the transaction")?;
    let source: Arc<str> = Arc::from(url.to_string());
    let issues = mapper.problems().into_iter().map(|message| Issue {
        position: Position::file(source.clone()),
        message,
    });
    Ok(Read {
        decoded: finish(events, &order, issues),
        unused_columns,
    })
}

/// Time order (ties by `order`) and the statistics `inspect` shows.
fn finish(mut events: Vec<Event>, order: &[u64], issues: impl Iterator<Item = Issue>) -> Decoded {
    let sorted = events
        .iter()
        .zip(order)
        .map(|(e, o)| (e.ts, *o))
        .is_sorted();
    if !sorted {
        let mut perm: Vec<usize> = (0..events.len()).collect();
        perm.sort_unstable_by_key(|&i| (events[i].ts, order[i], i));
        permute(&mut events, perm);
    }
    let mut stats = Stats::default();
    let n = events.len() as u64;
    stats.records = n;
    stats.messages = n;
    stats.events = n;
    for ev in &events {
        match stats.methods.get_mut(ev.method.as_ref()) {
            Some(c) => *c += 1,
            None => {
                stats.methods.insert(ev.method.to_string(), 1);
            }
        }
        if ev.room_id != 0 {
            stats.rooms.insert(ev.room_id);
        }
        if ev.kind == Kind::Gift {
            stats.combos += 1;
        }
    }
    stats.gift_updates = stats.combos;
    stats.first_ts = events.iter().map(|e| e.ts).filter(|t| *t != 0).min();
    stats.last_ts = events.iter().map(|e| e.ts).max().filter(|t| *t != 0);
    for issue in issues {
        stats.add_issue(issue);
    }
    Decoded { events, stats }
}

/// Reorders in place so that position `j` holds what was at `perm[j]`, swapping along cycles
/// (events are large: no second copy).
fn permute<T>(items: &mut [T], mut perm: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..items.len() {
        let mut j = start;
        while perm[j] != DONE {
            let k = perm[j];
            perm[j] = DONE;
            if k == start {
                break;
            }
            items.swap(j, k);
            j = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_follows_cycles() {
        let mut v = vec!['a', 'b', 'c', 'd', 'e'];
        permute(&mut v, vec![3, 0, 4, 1, 2]);
        assert_eq!(v, vec!['d', 'a', 'e', 'b', 'c']);
    }

    #[test]
    fn filter_is_parameters() {
        let f = Filter {
            room: Some(7),
            since: Some(10),
            until: None,
            kinds: vec![Kind::Gift, Kind::Chat, Kind::Gift],
        };
        let (sql, params) = f.clause();
        assert_eq!(
            sql,
            " WHERE `room_id` = ? AND `ts_ms` >= ? AND `kind` IN (?, ?)"
        );
        assert_eq!(params.len(), 4);
        assert_eq!(Filter::default().clause().0, "");
    }
}

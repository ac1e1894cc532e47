//! The `t_danmu` schema (`t_danmu.sql`): creating it, and checking a table has its columns.

use mysql::prelude::Queryable;
use mysql::Conn;

use super::error::Context as _;
use super::{connect_server, ident, DbError, DbUrl};

pub const TABLE: &str = "t_danmu";

/// `t_danmu.sql`, applied by `db init` and by `load` when the table is missing.
pub const SCHEMA_SQL: &str = include_str!("../../t_danmu.sql");

/// The columns `load` writes and `--mysql` reads, in that order: the event table's columns
/// (`ts` as exact `ts_ms` plus a readable `ts`) and where the time came from. `id` is left out:
/// the server numbers rows in load order.
pub const COLUMNS: [&str; 26] = [
    "ts_ms",
    "ts",
    "ts_source",
    "room_id",
    "msg_id",
    "kind",
    "method",
    "user_id",
    "user_name",
    "user_level",
    "fans_club_level",
    "gender",
    "content",
    "gift_id",
    "gift_name",
    "gift_count",
    "diamond_count",
    "like_count",
    "like_total",
    "member_count",
    "follow_count",
    "action",
    "online",
    "total_viewers",
    "control_status",
    "id",
];

/// The columns `load` writes (all but `id`).
pub fn written_columns() -> &'static [&'static str] {
    &COLUMNS[..COLUMNS.len() - 1]
}

/// What `db init` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InitOutcome {
    pub database_created: bool,
    pub table_created: bool,
}

/// Creates the URL's database (utf8mb4) if missing and `t_danmu` in it if missing. Re-running
/// changes nothing; an existing `t_danmu` without our columns is an error naming them.
pub fn init(url: &DbUrl) -> Result<InitOutcome, DbError> {
    let database = url.database().ok_or_else(|| DbError::NoDatabase {
        url: url.to_string(),
    })?;
    let mut conn = connect_server(url)?;
    let existing: Option<String> = conn
        .exec_first(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
            (database,),
        )
        .db(url, "looking for the database")?;
    if existing.is_none() {
        conn.query_drop(format!(
            "CREATE DATABASE IF NOT EXISTS {} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
            ident(database)
        ))
        .db(url, "creating the database")?;
    }
    conn.query_drop(format!("USE {}", ident(database)))
        .db(url, "selecting the database")?;
    let table_created = ensure_table(&mut conn, url)?;
    Ok(InitOutcome {
        database_created: existing.is_none(),
        table_created,
    })
}

/// Creates `t_danmu` if it is missing (true when it did); checks its columns otherwise.
pub fn ensure_table(conn: &mut Conn, url: &DbUrl) -> Result<bool, DbError> {
    if table_columns(conn, url)?.is_empty() {
        conn.query_drop(SCHEMA_SQL)
            .db(url, "creating table t_danmu")?;
        return Ok(true);
    }
    check_table(conn, url)?;
    Ok(false)
}

/// Fails unless `t_danmu` exists with every column in [`COLUMNS`].
pub fn check_table(conn: &mut Conn, url: &DbUrl) -> Result<(), DbError> {
    let database = url.database().ok_or_else(|| DbError::NoDatabase {
        url: url.to_string(),
    })?;
    let have = table_columns(conn, url)?;
    if have.is_empty() {
        return Err(DbError::NoTable {
            server: url.server(),
            database: database.to_string(),
            table: TABLE.to_string(),
        });
    }
    let missing: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| !have.iter().any(|h| h.eq_ignore_ascii_case(c)))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(DbError::MissingColumns {
            database: database.to_string(),
            table: TABLE.to_string(),
            missing: missing.join(", "),
        })
    }
}

/// The columns of `t_danmu` in the current database; empty when there is no such table.
fn table_columns(conn: &mut Conn, url: &DbUrl) -> Result<Vec<String>, DbError> {
    conn.exec(
        "SELECT COLUMN_NAME FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
        (TABLE,),
    )
    .db(url, "reading the columns of t_danmu")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::Column;

    #[test]
    fn columns_are_the_event_table_plus_time_and_order() {
        let mut expected = vec!["ts_ms".to_string(), "ts".into(), "ts_source".into()];
        expected.extend(Column::ALL[1..].iter().map(|c| c.name().to_string()));
        expected.push("id".into());
        assert_eq!(COLUMNS.to_vec(), expected);
        for c in COLUMNS {
            assert!(
                SCHEMA_SQL.contains(&format!("`{c}`")),
                "{c} not in t_danmu.sql"
            );
        }
    }
}

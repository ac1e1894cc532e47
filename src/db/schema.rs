//! The `t_danmu` schema (`t_danmu.sql`): creating it, and checking a table has its columns.

use mysql::prelude::Queryable;
use mysql::Conn;

use crate::columns::Column;

use super::error::Context as _;
use super::time_source::{time_source_name, TIME_SOURCES};
use super::{connect_server, ident, DbError, DbUrl};

pub const TABLE: &str = "t_danmu";

/// `t_danmu.sql`, applied by `db init` and by `load` when the table is missing. It is
/// [`create_table_sql`]'s text (a test fails when they differ).
pub const SCHEMA_SQL: &str = include_str!("../../t_danmu.sql");

/// The columns `load` writes and `--mysql` reads, in that order: the event table's columns
/// (`ts` as exact `ts_ms` plus a readable `ts`) and where the time came from. `id` is left out:
/// the server numbers rows in load order.
pub const COLUMNS: [&str; 34] = {
    let mut out = [""; 34];
    out[0] = "ts_ms";
    out[1] = "ts";
    out[2] = "ts_source";
    let mut i = 1;
    while i < Column::ALL.len() {
        out[i + 2] = Column::ALL[i].name();
        i += 1;
    }
    out[33] = "id";
    out
};

/// Columns added to the event table after the first `t_danmu`: a table made before them lacks
/// only these, and `db init` adds them (see [`init`]).
pub const ADDED_LATER: [Column; 8] = [
    Column::ChatBy,
    Column::BattleId,
    Column::BattleStartMs,
    Column::BattleEndMs,
    Column::Anchor1Id,
    Column::Anchor1Score,
    Column::Anchor2Id,
    Column::Anchor2Score,
];

/// One column of `t_danmu`'s DDL.
struct SqlColumn {
    name: &'static str,
    ty: String,
    not_null: bool,
    /// `AUTO_INCREMENT`, `DEFAULT …`.
    extra: &'static str,
    comment: &'static str,
}

impl SqlColumn {
    fn line(&self) -> String {
        let mut s = format!(
            "  {:<18}{:<15} {}",
            format!("`{}`", self.name),
            self.ty,
            if self.not_null { "NOT NULL" } else { "NULL" }
        );
        if !self.extra.is_empty() {
            s.push(' ');
            s.push_str(self.extra);
        }
        if !self.comment.is_empty() {
            s.push_str(&format!(" COMMENT '{}'", self.comment.replace('\'', "''")));
        }
        s
    }
}

const HEADER: &str = "\
-- t_danmu: danmu-analyze's event table in MySQL / MariaDB. One row per event, every kind in one
-- table (`kind` says which; a column that does not apply to a kind is NULL), the same columns as
-- the event table in README.md. `danmu-analyze db init --mysql URL` applies this file (and creates
-- the database if missing); re-running it changes nothing. Generated from src/columns.rs (see
-- src/db/schema.rs): edit those, not this file.
--
-- Text is utf8mb4 (nicknames and chat carry emoji and characters beyond the BMP) with the binary
-- collation: stored and compared byte for byte, so names differing only in case or width stay
-- apart. Time is `ts_ms` (UTC milliseconds, exact); `ts` is the same instant as a readable UTC
-- DATETIME(3), NULL outside DATETIME's range. Ids are BIGINT UNSIGNED (Douyin ids use all 64 bits).
";

const KEYS: &str = "  PRIMARY KEY (`id`),
  -- A message is stored once: loading the same events again inserts nothing.
  UNIQUE KEY `uk_room_msg` (`room_id`, `msg_id`),
  -- --room / --since / --until reads.
  KEY `ix_room_ts` (`room_id`, `ts_ms`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin
  COMMENT = 'danmu-analyze events (see t_danmu.sql and README.md)';";

/// `t_danmu.sql`, generated from the column table: `id` (load order), `ts` as `ts_ms` plus a
/// readable DATETIME, `ts_source`, then every other event-table column.
pub fn create_table_sql() -> String {
    let mut sql = String::from(HEADER);
    sql.push_str(&format!("CREATE TABLE IF NOT EXISTS {} (\n", ident(TABLE)));
    for c in &sql_columns() {
        sql.push_str(&c.line());
        sql.push_str(",\n");
    }
    sql.push_str(KEYS);
    sql.push('\n');
    sql
}

/// The `ALTER TABLE` that adds `missing` (names of [`ADDED_LATER`] columns) to an older
/// `t_danmu`, each where `t_danmu.sql` has it. Adding nullable columns keeps every row.
fn add_columns_sql(missing: &[&str]) -> String {
    let cols = sql_columns();
    let adds: Vec<String> = cols
        .iter()
        .enumerate()
        .filter(|(_, c)| missing.contains(&c.name))
        .map(|(i, c)| {
            let after = cols[i.saturating_sub(1)].name;
            format!(
                "ADD COLUMN {} AFTER {}",
                c.line().trim_start(),
                ident(after)
            )
        })
        .collect();
    format!("ALTER TABLE {} {}", ident(TABLE), adds.join(", "))
}

/// `t_danmu`'s columns, in table order.
fn sql_columns() -> Vec<SqlColumn> {
    let ts = Column::Ts.def();
    let sources: Vec<String> = TIME_SOURCES
        .iter()
        .map(|t| format!("'{}'", time_source_name(*t)))
        .collect();
    let mut cols = vec![
        SqlColumn {
            name: "id",
            ty: "BIGINT UNSIGNED".into(),
            not_null: true,
            extra: "AUTO_INCREMENT",
            comment: "load order: breaks ties of equal ts_ms",
        },
        SqlColumn {
            name: COLUMNS[0],
            ty: ts.sql.into(),
            not_null: true,
            extra: "",
            comment: ts.sql_comment,
        },
        SqlColumn {
            name: COLUMNS[1],
            ty: "DATETIME(3)".into(),
            not_null: false,
            extra: "",
            comment: "ts_ms as UTC, for people",
        },
        SqlColumn {
            name: COLUMNS[2],
            ty: format!("ENUM({})", sources.join(", ")),
            not_null: true,
            extra: "DEFAULT 'unknown'",
            comment: "where ts came from",
        },
    ];
    cols.extend(Column::ALL[1..].iter().map(|c| SqlColumn {
        name: c.name(),
        ty: c.def().sql.into(),
        not_null: c.always(),
        extra: "",
        comment: c.def().sql_comment,
    }));
    cols
}

/// The columns `load` writes (all but `id`).
pub fn written_columns() -> &'static [&'static str] {
    &COLUMNS[..COLUMNS.len() - 1]
}

/// What `db init` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InitOutcome {
    pub database_created: bool,
    pub table_created: bool,
    /// Columns added to a `t_danmu` made before them ([`ADDED_LATER`]).
    pub columns_added: usize,
}

/// Creates the URL's database (utf8mb4) if missing and `t_danmu` in it if missing, and adds to
/// an older `t_danmu` the columns added since ([`ADDED_LATER`]). Re-running changes nothing; an
/// existing `t_danmu` without our other columns is an error naming them.
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
    let columns_added = match missing_columns(&mut conn, url)? {
        Some(missing) if !missing.is_empty() && upgradable(&missing) => {
            conn.query_drop(add_columns_sql(&missing))
                .db(url, "adding the new columns to t_danmu")?;
            missing.len()
        }
        _ => 0,
    };
    let table_created = ensure_table(&mut conn, url)?;
    Ok(InitOutcome {
        database_created: existing.is_none(),
        table_created,
        columns_added,
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
    let Some(missing) = missing_columns(conn, url)? else {
        return Err(DbError::NoTable {
            server: url.server(),
            database: database.to_string(),
            table: TABLE.to_string(),
        });
    };
    if missing.is_empty() {
        Ok(())
    } else if upgradable(&missing) {
        Err(DbError::OldTable {
            database: database.to_string(),
            table: TABLE.to_string(),
            missing: missing.join(", "),
        })
    } else {
        Err(DbError::MissingColumns {
            database: database.to_string(),
            table: TABLE.to_string(),
            missing: missing.join(", "),
        })
    }
}

/// The [`COLUMNS`] `t_danmu` lacks; none when there is no such table.
fn missing_columns(conn: &mut Conn, url: &DbUrl) -> Result<Option<Vec<&'static str>>, DbError> {
    let have = table_columns(conn, url)?;
    if have.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        COLUMNS
            .iter()
            .copied()
            .filter(|c| !have.iter().any(|h| h.eq_ignore_ascii_case(c)))
            .collect(),
    ))
}

/// Whether a table lacking `missing` is ours from before those columns.
fn upgradable(missing: &[&str]) -> bool {
    missing
        .iter()
        .all(|m| ADDED_LATER.iter().any(|c| c.name() == *m))
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

    #[test]
    fn the_upgrade_adds_each_new_column_where_the_schema_has_it() {
        let sql = add_columns_sql(&["chat_by", "anchor2_score"]);
        assert!(
            sql.starts_with("ALTER TABLE `t_danmu` ADD COLUMN `chat_by`"),
            "{sql}"
        );
        assert!(
            sql.contains(
                "INT UNSIGNED    NULL COMMENT '9: a lucky-bag passphrase' AFTER `control_status`"
            ),
            "{sql}"
        );
        assert!(
            sql.ends_with("`anchor2_score`   BIGINT UNSIGNED NULL AFTER `anchor2_id`"),
            "{sql}"
        );
        let names: Vec<&str> = ADDED_LATER.iter().map(|c| c.name()).collect();
        assert!(upgradable(&names));
        assert!(!upgradable(&["ts_ms", "chat_by"]));
        assert_eq!(
            &COLUMNS[COLUMNS.len() - 1 - ADDED_LATER.len()..COLUMNS.len() - 1],
            &names[..]
        );
    }

    #[test]
    fn t_danmu_sql_is_generated_from_the_column_table() {
        let generated = create_table_sql();
        assert!(
            SCHEMA_SQL == generated,
            "t_danmu.sql differs from what src/columns.rs generates; put this in it:\n{generated}"
        );
    }
}

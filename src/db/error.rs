//! What can go wrong talking to MySQL, each case saying what to do. No message carries the
//! password: driver and server text goes through [`DbUrl::redact`].

use mysql::{DriverError, Error as MyError};

use super::DbUrl;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("bad MySQL URL: {0}; expected mysql://USER:PASSWORD@HOST:PORT/DATABASE")]
    BadUrl(String),
    #[error("no MySQL URL: give --mysql mysql://USER:PASSWORD@HOST:PORT/DATABASE or set DANMU_MYSQL_URL")]
    NoUrl,
    #[error("the MySQL URL {url} names no database: add one, e.g. mysql://USER@HOST:3306/danmu")]
    NoDatabase { url: String },
    #[error("cannot reach the MySQL server at {server} ({reason}): check that it is running and that the URL's host and port are right")]
    Unreachable { server: String, reason: String },
    #[error("the MySQL server at {server} denied access to user `{user}` ({reason}): check the user and password in the URL (or DANMU_MYSQL_URL) and the user's grants")]
    AccessDenied {
        server: String,
        user: String,
        reason: String,
    },
    #[error("database `{database}` does not exist on {server}: create it with `danmu-analyze db init --mysql URL` (or CREATE DATABASE `{database}` CHARACTER SET utf8mb4)")]
    UnknownDatabase { server: String, database: String },
    #[error("no table `{table}` in database `{database}` on {server}: create it with `danmu-analyze db init --mysql URL` (or `danmu-analyze load`), or read another table with --mysql-query")]
    NoTable {
        server: String,
        database: String,
        table: String,
    },
    #[error("table `{table}` in database `{database}` lacks column(s) {missing}: it was not made by danmu-analyze; read it with --mysql-query 'SELECT * FROM {table}' (columns are mapped by name), or use another database")]
    MissingColumns {
        database: String,
        table: String,
        missing: String,
    },
    #[error("table `{table}` in database `{database}` predates column(s) {missing}: run `danmu-analyze db init --mysql URL` once to add them (its rows are kept as they are)")]
    OldTable {
        database: String,
        table: String,
        missing: String,
    },
    #[error("the query's result has no {needed} column (it has: {found}); rename one with AS, e.g. SELECT created AS create_time, …")]
    QueryLacks { needed: String, found: String },
    /// A `--map` that names no column of the result.
    #[error("{0}")]
    Map(String),
    #[error("the query returns no columns: --mysql-query takes a SELECT")]
    NotSelect,
    #[error("the query has {0} `?` placeholder(s): write the values into it (--room, --since, --until and --kind filter its rows)")]
    QueryPlaceholders(u16),
    #[error("{what} failed on {server}: {reason}")]
    Sql {
        what: String,
        server: String,
        reason: String,
    },
}

/// MySQL / MariaDB error codes met here.
const ER_DBACCESS_DENIED: u16 = 1044;
const ER_ACCESS_DENIED: u16 = 1045;
const ER_BAD_DB: u16 = 1049;
const ER_ACCESS_DENIED_NO_PASSWORD: u16 = 1698;

/// A failure to connect: unreachable, refused credentials, unknown database, or other.
pub(crate) fn connecting(err: MyError, url: &DbUrl) -> DbError {
    match &err {
        MyError::IoError(e) => DbError::Unreachable {
            server: url.server(),
            reason: url.redact(&e.to_string()),
        },
        MyError::DriverError(
            d @ (DriverError::CouldNotConnect(_)
            | DriverError::ConnectTimeout
            | DriverError::SetupError),
        ) => DbError::Unreachable {
            server: url.server(),
            reason: url.redact(&d.to_string()),
        },
        _ => failed(err, url, "connecting"),
    }
}

/// Any other failure, classified where a specific remedy exists.
pub(crate) fn failed(err: MyError, url: &DbUrl, what: &str) -> DbError {
    if let MyError::MySqlError(e) = &err {
        match e.code {
            ER_ACCESS_DENIED | ER_ACCESS_DENIED_NO_PASSWORD | ER_DBACCESS_DENIED => {
                return DbError::AccessDenied {
                    server: url.server(),
                    user: url.user().to_string(),
                    reason: url.redact(&e.message),
                }
            }
            ER_BAD_DB => {
                return DbError::UnknownDatabase {
                    server: url.server(),
                    database: url.database().unwrap_or("").to_string(),
                }
            }
            _ => {}
        }
    }
    let reason = match &err {
        MyError::MySqlError(e) => format!("ERROR {} ({}): {}", e.code, e.state, e.message),
        MyError::IoError(e) => format!("connection lost: {e}"),
        other => other.to_string(),
    };
    DbError::Sql {
        what: what.to_string(),
        server: url.server(),
        reason: url.redact(&reason),
    }
}

/// `Result` adapter: `conn.query_drop(q).db(url, "creating the table")?`.
pub(crate) trait Context<T> {
    fn db(self, url: &DbUrl, what: &str) -> Result<T, DbError>;
}

impl<T> Context<T> for Result<T, MyError> {
    fn db(self, url: &DbUrl, what: &str) -> Result<T, DbError> {
        self.map_err(|e| failed(e, url, what))
    }
}

//! MySQL / MariaDB: the `t_danmu` event table ([`schema`], `t_danmu.sql`), loading events into
//! it ([`load`]) and reading events, or another tool's rows, back out ([`read`], [`mapping`]).
//! All of it but [`Filter`] is behind the cargo feature `mysql` (on by default).

#[cfg(feature = "mysql")]
mod error;
#[cfg(feature = "mysql")]
pub mod load;
#[cfg(feature = "mysql")]
pub mod mapping;
#[cfg(feature = "mysql")]
pub mod read;
#[cfg(feature = "mysql")]
pub mod schema;
#[cfg(feature = "mysql")]
mod time_source;
#[cfg(feature = "mysql")]
mod url;

#[cfg(feature = "mysql")]
use std::time::Duration;

#[cfg(feature = "mysql")]
use mysql::{Conn, OptsBuilder};

#[cfg(feature = "mysql")]
pub use error::DbError;
#[cfg(feature = "mysql")]
pub use url::{DbUrl, URL_ENV};

use crate::event::Kind;

/// What to read: of `t_danmu`, each part a condition with a parameter; of files and datasets,
/// the same filter as a polars predicate and partition pruning. Not MySQL's alone, so it is here
/// without the `mysql` feature too.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub room: Option<u64>,
    /// UTC ms, inclusive.
    pub since: Option<i64>,
    /// UTC ms, exclusive.
    pub until: Option<i64>,
    /// Empty: every kind.
    pub kinds: Vec<Kind>,
}

/// How long to wait for a TCP connection before calling the server unreachable.
#[cfg(feature = "mysql")]
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens a connection to `url`'s database: utf8mb4 both ways, and TIMESTAMP values in UTC.
#[cfg(feature = "mysql")]
pub fn connect(url: &DbUrl) -> Result<Conn, DbError> {
    open(url, OptsBuilder::from_opts(url.opts()))
}

/// Opens a connection to `url`'s server with no database selected (to create one).
#[cfg(feature = "mysql")]
pub fn connect_server(url: &DbUrl) -> Result<Conn, DbError> {
    open(url, OptsBuilder::from_opts(url.opts_without_database()))
}

#[cfg(feature = "mysql")]
fn open(url: &DbUrl, opts: OptsBuilder) -> Result<Conn, DbError> {
    let opts = opts
        .tcp_connect_timeout(Some(CONNECT_TIMEOUT))
        .init(vec!["SET NAMES utf8mb4", "SET time_zone = '+00:00'"]);
    Conn::new(opts).map_err(|e| error::connecting(e, url))
}

/// `name` as a quoted identifier.
#[cfg(feature = "mysql")]
pub(crate) fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

//! MySQL / MariaDB: the `t_danmu` event table ([`schema`], `t_danmu.sql`), loading events into
//! it ([`load`]) and reading events, or another tool's rows, back out ([`read`], [`mapping`]).

mod error;
pub mod load;
pub mod mapping;
pub mod read;
pub mod schema;
mod url;

use std::time::Duration;

use mysql::{Conn, OptsBuilder};

pub use error::DbError;
pub use url::{DbUrl, URL_ENV};

/// How long to wait for a TCP connection before calling the server unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens a connection to `url`'s database: utf8mb4 both ways, and TIMESTAMP values in UTC.
pub fn connect(url: &DbUrl) -> Result<Conn, DbError> {
    open(url, OptsBuilder::from_opts(url.opts()))
}

/// Opens a connection to `url`'s server with no database selected (to create one).
pub fn connect_server(url: &DbUrl) -> Result<Conn, DbError> {
    open(url, OptsBuilder::from_opts(url.opts_without_database()))
}

fn open(url: &DbUrl, opts: OptsBuilder) -> Result<Conn, DbError> {
    let opts = opts
        .tcp_connect_timeout(Some(CONNECT_TIMEOUT))
        .init(vec!["SET NAMES utf8mb4", "SET time_zone = '+00:00'"]);
    Conn::new(opts).map_err(|e| error::connecting(e, url))
}

/// `name` as a quoted identifier.
pub(crate) fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

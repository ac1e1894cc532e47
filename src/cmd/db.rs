//! `db`: MySQL's event table (`db init`, `db schema`), and reading events from MySQL for every
//! command that takes `--mysql` / `--mysql-query`.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use danmu_analyze::db::read::{self, Filter};
use danmu_analyze::db::{self as mysql_db, schema, DbUrl};
use danmu_analyze::pipeline::Decoded;
use danmu_analyze::timefmt::Zone;

use super::Outcome;

/// MySQL: create the event table t_danmu, or print its schema.
#[derive(Args, Debug)]
pub struct DbArgs {
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(Subcommand, Debug)]
enum DbCommand {
    /// Create the URL's database (utf8mb4) if missing and table t_danmu in it if missing; safe
    /// to re-run.
    #[command(
        after_help = "Examples:\n  danmu-analyze db init --mysql mysql://root@127.0.0.1:3306/danmu\n  DANMU_MYSQL_URL=mysql://user:PASSWORD@db.lan/danmu danmu-analyze db init"
    )]
    Init(InitArgs),
    /// Print the schema (t_danmu.sql), to apply by hand.
    Schema,
}

#[derive(Args, Debug)]
struct InitArgs {
    /// mysql://USER:PASSWORD@HOST:PORT/DATABASE (default: $DANMU_MYSQL_URL; prefer it, a
    /// password on the command line shows in `ps`).
    #[arg(long, value_name = "URL")]
    mysql: Option<String>,
}

pub fn run(args: DbArgs) -> Result<Outcome> {
    match args.command {
        DbCommand::Init(a) => {
            let url = DbUrl::from_arg_or_env(a.mysql.as_deref())?;
            let done = schema::init(&url).with_context(|| format!("db init on {url} failed"))?;
            let what = |created: bool| if created { "created" } else { "already there" };
            let added = match done.columns_added {
                0 => String::new(),
                n => format!(", {n} new column(s) added"),
            };
            eprintln!(
                "{url}: database {}, table t_danmu {}{added}",
                what(done.database_created),
                what(done.table_created)
            );
        }
        DbCommand::Schema => print!("{}", schema::SCHEMA_SQL),
    }
    Ok(Outcome::Clean)
}

/// Events from MySQL: `t_danmu` filtered on the server, or the rows of `query`. Returns them with
/// the (password-free) URL they came from.
pub(super) fn read_events(
    url: Option<&str>,
    query: Option<&str>,
    filter: &Filter,
    zone: Zone,
) -> Result<(Decoded, String)> {
    let url = DbUrl::from_arg_or_env(url)?;
    let reading = || format!("reading events from {url} failed");
    let mut conn = mysql_db::connect(&url).with_context(reading)?;
    let decoded = match query {
        None => read::read_table(&mut conn, &url, filter).with_context(reading)?,
        Some(sql) => {
            let read = read::read_query(&mut conn, &url, sql, zone).with_context(reading)?;
            if !read.unused_columns.is_empty() {
                eprintln!(
                    "note: --mysql-query: column(s) {} match no event field (README lists the names read)",
                    read.unused_columns.join(", ")
                );
            }
            read.decoded
        }
    };
    Ok((decoded, url.to_string()))
}

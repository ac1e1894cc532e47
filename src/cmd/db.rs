//! `db`: MySQL's event table (`db init`, `db schema`).

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use danmu_analyze::db::{schema, DbUrl};

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

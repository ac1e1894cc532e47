//! `load`: decoded events into MySQL's `t_danmu`, a transaction per batch; re-running adds
//! nothing, and a killed load re-run ends with every event once.

use std::io::{self, IsTerminal, Write};

use anyhow::{bail, Context, Result};
use clap::Args;

use danmu_analyze::db::load::{self, LoadOptions, LoadStats};
use danmu_analyze::db::{self as mysql_db, schema, DbUrl};
use danmu_analyze::table::rows::Rows;

use super::{InputArgs, Outcome};

/// Load decoded events into MySQL (table t_danmu, created if missing); re-running adds nothing.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  danmu-analyze load session.dmcap --mysql mysql://root@127.0.0.1:3306/danmu\n  DANMU_MYSQL_URL=mysql://user:PASSWORD@db.lan/danmu danmu-analyze load *.dmcap --kind chat\n\nThe decode filters (--kind, --room, --since, --until, …) choose what is loaded.",
    mut_arg("mysql", |a| a.help(
        "Where to load: mysql://USER:PASSWORD@HOST:PORT/DATABASE (default: $DANMU_MYSQL_URL; prefer it, a password on the command line shows in `ps`)"
    )),
    mut_arg("mysql_query", |a| a.hide(true))
)]
pub struct LoadArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Rows per transaction: a killed load loses at most the batches in flight, which a re-run
    /// adds.
    #[arg(long, default_value_t = LoadOptions::default().batch_rows, value_name = "ROWS")]
    batch_rows: usize,
    /// Connections inserting at once (the server's per-row work is what limits a load).
    #[arg(long, default_value_t = LoadOptions::default().connections, value_name = "N")]
    connections: usize,
}

pub fn run(args: LoadArgs) -> Result<Outcome> {
    if args.input.mysql_query().is_some() {
        bail!("load reads INPUT files into MySQL; --mysql-query is for reading commands");
    }
    if !args.input.has_files() {
        bail!("load needs INPUT files (captures, dumps, event tables, or - for stdin)");
    }
    let url = DbUrl::from_arg_or_env(args.input.mysql_url())?;
    let failed = || format!("loading into {url} failed");
    // Connect before decoding: a wrong URL should not wait for a large capture to decode.
    let mut conn = mysql_db::connect(&url).with_context(failed)?;
    if schema::ensure_table(&mut conn, &url).with_context(failed)? {
        super::verbosity::note!("created table t_danmu in {url}");
    }
    let loaded = args.input.load_files()?;
    super::verbosity::note!("{}", loaded.summary());
    loaded.require_events()?;
    let table = loaded.frame()?;
    let rows = Rows::new(&table)?;
    let events: Vec<_> = (0..rows.len()).map(|i| rows.event(i)).collect();
    let total = events.len();
    let tty = io::stderr().is_terminal();
    drop(conn);
    let opts = LoadOptions {
        batch_rows: args.batch_rows,
        connections: args.connections,
        ..LoadOptions::default()
    };
    let show = |s: &LoadStats| {
        if tty && !super::verbosity::quiet() {
            eprint!(
                "\r{} / {total} rows, {} new, {:.0} rows/s   ",
                s.sent,
                s.inserted,
                s.rows_per_sec()
            );
            let _ = io::stderr().flush();
        }
    };
    let result = load::load(&url, events.iter(), &opts, show);
    if tty && !super::verbosity::quiet() {
        eprintln!();
    }
    let stats = result.with_context(|| {
        format!(
            "{} (committed batches stay; re-run the same load to finish it)",
            failed()
        )
    })?;
    super::verbosity::note!(
        "loaded into t_danmu at {url}: {} rows sent, {} inserted, {} already present, {:.0} rows/s ({:.1} s)",
        stats.sent,
        stats.inserted,
        stats.already_present(),
        stats.rows_per_sec(),
        stats.elapsed.as_secs_f64()
    );
    Ok(loaded.outcome())
}

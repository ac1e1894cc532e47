//! MySQL throughput: `load` of about a million events (a simulated capture) into `t_danmu`, and
//! reading them back (`--mysql`), in rows/s each way. Needs a server:
//! `cargo bench --bench mysql --no-default-features --features mysql` (no polars to build) against
//! $DANMU_BENCH_MYSQL_URL, default `mysql://root@127.0.0.1:3306/danmu_test_bench` (the database is
//! dropped and made anew; $DANMU_BENCH_KEEP keeps it afterwards). $DANMU_BENCH_BATCH_ROWS,
//! $DANMU_BENCH_STATEMENT_ROWS and $DANMU_BENCH_CONNECTIONS tune the load.
//!
//! The capture is generated once and kept in the target directory (`bench-data/`).

use std::time::Instant;

mod common;

use common::capture;
use danmu_analyze::db::load::{self, LoadOptions};
use danmu_analyze::db::read::{self, Filter};
use danmu_analyze::db::{self, schema, DbUrl};
use danmu_analyze::input::{self, InputFormat, InputSpec};
use danmu_analyze::pipeline::{self, Options};
use danmu_analyze::simulate::SimConfig;
use mysql::prelude::Queryable;

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Waits (up to 30 s) while InnoDB writes out the load's dirty pages, until few are left or
/// their number stops falling: that background flushing takes a core for seconds after a big
/// load, and is not the read's cost.
fn settle(conn: &mut mysql::Conn) {
    let t = Instant::now();
    let dirty = |c: &mut mysql::Conn| -> u64 {
        c.query_first::<(String, u64), _>(
            "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'",
        )
        .unwrap()
        .map_or(0, |(_, n)| n)
    };
    let mut last = dirty(conn);
    while last > 100 && t.elapsed().as_secs() < 30 {
        std::thread::sleep(std::time::Duration::from_secs(2));
        let now = dirty(conn);
        if now * 10 > last * 9 {
            break;
        }
        last = now;
    }
    println!("server settled in {:.1?} ({last} dirty pages)", t.elapsed());
}

fn main() {
    // ≈ 0.99 events per viewer-minute after dedup and combos: 64 × 17,000 ≈ 1.08 million events.
    let cfg = SimConfig {
        minutes: 64,
        viewers: 17_000,
        seed: 1,
        ..SimConfig::default()
    };
    let path = capture(&cfg);
    let t = Instant::now();
    let frames = input::open(&InputSpec::new(&path, InputFormat::Auto)).unwrap();
    let decoded = pipeline::decode_all(frames, Options::default());
    let n = decoded.events.len();
    println!("decoded {n} events in {:.2?}", t.elapsed());

    let url = std::env::var("DANMU_BENCH_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/danmu_test_bench".into());
    let url = DbUrl::parse(&url).unwrap();
    let database = url
        .database()
        .expect("the URL names a database")
        .to_string();
    {
        let mut c = db::connect_server(&url).unwrap_or_else(|e| panic!("{e}"));
        c.query_drop(format!("DROP DATABASE IF EXISTS `{database}`"))
            .unwrap();
    }
    schema::init(&url).unwrap();
    let defaults = LoadOptions::default();
    let opts = LoadOptions {
        batch_rows: env_usize("DANMU_BENCH_BATCH_ROWS").unwrap_or(defaults.batch_rows),
        statement_rows: env_usize("DANMU_BENCH_STATEMENT_ROWS").unwrap_or(defaults.statement_rows),
        connections: env_usize("DANMU_BENCH_CONNECTIONS").unwrap_or(defaults.connections),
    };
    let stats = load::load(&url, &decoded.events, &opts, |_| {}).unwrap();
    assert_eq!(stats.inserted as usize, n);
    println!(
        "load: {} rows in {:.2?} = {:.0} rows/s (batches of {} rows, statements of {} rows, {} connections)",
        stats.sent,
        stats.elapsed,
        stats.rows_per_sec(),
        opts.batch_rows,
        opts.statement_rows,
        opts.connections
    );
    let mut conn = db::connect(&url).unwrap();
    settle(&mut conn);

    // Best of 3: the first read also warms the buffer pool.
    let mut secs = f64::MAX;
    let mut back = None;
    for _ in 0..3 {
        let t = Instant::now();
        back = Some(read::read_table(&mut conn, &url, &Filter::default()).unwrap());
        secs = secs.min(t.elapsed().as_secs_f64());
    }
    let back = back.unwrap();
    assert_eq!(back.events.len(), n);
    // Everything but the combo bookkeeping (not a column) comes back, in the same order.
    if let Some(i) = (0..n).find(|&i| {
        let mut e = decoded.events[i].clone();
        e.combo = None;
        back.events[i] != e
    }) {
        panic!(
            "event {i} read back differs:\n{:?}\n{:?}",
            back.events[i], decoded.events[i]
        );
    }
    println!(
        "read: {n} rows in {secs:.2} s = {:.0} rows/s (t_danmu, streamed, binary protocol)",
        n as f64 / secs
    );

    let room = decoded.events[0].room_id;
    let since = decoded.events[n / 2].ts;
    let t = Instant::now();
    let half = read::read_table(
        &mut conn,
        &url,
        &Filter {
            room: Some(room),
            since: Some(since),
            ..Filter::default()
        },
    )
    .unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "read with --room and --since: {} rows in {secs:.2} s = {:.0} rows/s",
        half.events.len(),
        half.events.len() as f64 / secs
    );
    if std::env::var_os("DANMU_BENCH_KEEP").is_none() {
        conn.query_drop(format!("DROP DATABASE `{database}`"))
            .unwrap();
    }
}

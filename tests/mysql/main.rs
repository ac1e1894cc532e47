//! The MySQL tests, a test target of their own with a `libtest-mimic` harness: libtest cannot
//! mark a test ignored at run time, and a test that returns early when no server answers is
//! reported "ok" without having tested anything. Here, with no server the tests that need one
//! are reported **ignored** by the runner (with a note on stderr saying how to start one); with
//! `CI` set they run anyway and fail saying why, as `--include-ignored` makes them do.
//!
//! `cargo test --test mysql [FILTER]` runs them alone; the usual libtest flags work.

#[path = "../common/mod.rs"]
mod common;
mod db;
mod report;

use libtest_mimic::{Arguments, Trial};

/// A trial running `f`; `ignored`: reported ignored unless --include-ignored.
fn trial(name: &str, f: fn(), ignored: bool) -> Trial {
    Trial::test(name, move || {
        f();
        Ok(())
    })
    .with_ignored_flag(ignored)
}

fn main() {
    let args = Arguments::from_args();
    let ci = std::env::var_os("CI").is_some();
    let ignored = match db::server() {
        Ok(_) => false,
        Err(why) => {
            if !ci {
                eprintln!(
                    "\nno MySQL server answered ({why}): the tests that need one are ignored.\n\
                     Start one with `sudo bash .ci/mariadb` (installs and starts MariaDB), or set \
                     DANMU_TEST_MYSQL_URL=mysql://USER:PASSWORD@HOST:PORT/\n"
                );
            }
            !ci
        }
    };
    let server_tests: [(&str, fn()); 13] = [
        (
            "db::export_from_mysql_equals_export_from_the_capture",
            db::export_from_mysql_equals_export_from_the_capture,
        ),
        (
            "db::filters_run_on_the_server_and_match_file_filters",
            db::filters_run_on_the_server_and_match_file_filters,
        ),
        ("db::reloading_adds_nothing", db::reloading_adds_nothing),
        (
            "db::a_killed_load_rerun_has_every_event_once",
            db::a_killed_load_rerun_has_every_event_once,
        ),
        (
            "db::text_round_trips_byte_exact",
            db::text_round_trips_byte_exact,
        ),
        (
            "db::mysql_query_reads_a_spider_table",
            db::mysql_query_reads_a_spider_table,
        ),
        ("db::mysql_query_takes_map", db::mysql_query_takes_map),
        ("db::library_load_reads_mysql", db::library_load_reads_mysql),
        (
            "db::missing_columns_are_named",
            db::missing_columns_are_named,
        ),
        (
            "db::db_init_creates_the_database_and_can_rerun",
            db::db_init_creates_the_database_and_can_rerun,
        ),
        (
            "db::db_init_upgrades_an_older_table",
            db::db_init_upgrades_an_older_table,
        ),
        (
            "db::server_errors_say_what_to_do_and_hide_the_password",
            db::server_errors_say_what_to_do_and_hide_the_password,
        ),
        (
            "report::report_from_mysql_equals_report_from_the_capture",
            report::report_from_mysql_equals_report_from_the_capture,
        ),
    ];
    let mut trials: Vec<Trial> = server_tests
        .into_iter()
        .map(|(name, f)| trial(name, f, ignored))
        .collect();
    // Needs no server: a closed port is what it tests.
    trials.push(trial(
        "db::connection_errors_say_what_to_do_and_hide_the_password",
        db::connection_errors_say_what_to_do_and_hide_the_password,
        false,
    ));
    libtest_mimic::run(&args, trials).exit();
}

//! The column table (src/columns.rs) is the one definition of the event table: README.md's
//! event-table section, its `--mysql-query` alias list, `t_danmu.sql` and the polars schema must
//! agree with it.

use danmu_analyze::columns::{Column, TS_MS_ALIASES};
#[cfg(feature = "mysql")]
use danmu_analyze::db::schema::{create_table_sql, SCHEMA_SQL};
use danmu_analyze::table::schema::schema;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// The lines of the first Markdown table after `heading`.
fn table_after(text: &str, heading: &str) -> Vec<String> {
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("README has {heading}"));
    text[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .map(String::from)
        .collect()
}

#[test]
fn readme_event_table_is_the_column_table() {
    let mut expected = vec![
        "| column | type | meaning |".to_string(),
        "|---|---|---|".to_string(),
    ];
    expected.extend(Column::ALL.iter().map(|c| {
        let d = c.def();
        format!("| `{}` | {} | {} |", d.name, d.ty.name(), d.doc)
    }));
    let found = table_after(&readme(), "## The event table");
    assert_eq!(
        found,
        expected,
        "README.md's event table differs from src/columns.rs; it should read:\n{}",
        expected.join("\n")
    );
}

#[test]
fn readme_lists_every_alias_mysql_query_reads() {
    let rows = table_after(&readme(), "`--mysql-query \"SELECT …\"` reads any table").join("\n");
    let mut aliases: Vec<&str> = TS_MS_ALIASES[..1].to_vec();
    for c in Column::ALL {
        aliases.extend(c.def().aliases);
    }
    for a in aliases {
        assert!(
            rows.contains(&format!("`{a}`")),
            "README's --mysql-query table lacks `{a}`"
        );
    }
}

#[cfg(feature = "mysql")]
#[test]
fn t_danmu_sql_has_every_column_with_its_type() {
    assert_eq!(SCHEMA_SQL, create_table_sql());
    for c in &Column::ALL[1..] {
        let line = SCHEMA_SQL
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("`{}`", c.name())))
            .unwrap_or_else(|| panic!("{} in t_danmu.sql", c.name()));
        assert!(line.contains(c.def().sql), "{line}");
        assert_eq!(line.contains("NOT NULL"), c.always(), "{line}");
    }
}

#[test]
fn polars_schema_has_every_column_in_order() {
    let s = schema();
    let names: Vec<&str> = s.iter_names().map(|n| n.as_str()).collect();
    let expected: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(names, expected);
}

#[cfg(feature = "mysql")]
#[test]
fn db_schema_prints_the_generated_ddl() {
    let out = crate::common::bin()
        .args(["db", "schema"])
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stdout),
        create_table_sql()
    );
}

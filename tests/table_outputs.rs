//! `--csv` and `--json` of the analysis commands, through the binary: the JSON holds exactly
//! the CSV's cells (numbers as numbers, ids and text as strings), and `-` writes either to
//! stdout with nothing else on it.

use crate::common::bin;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/session.dmcap");

/// A CSV cell as its value: the BOM gone, Excel's `="…"` id cells unwrapped.
fn cell(s: &str) -> String {
    let s = s.trim_start_matches('\u{feff}');
    match s.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        Some(id) => id.to_string(),
        None => s.to_string(),
    }
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn json_equals_csv_and_dash_is_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let commands: [&[&str]; 6] = [
        &["words"],
        &["timeline"],
        &["users"],
        &["users", "--by", "gifters"],
        &["gifts"],
        &["sessions"],
    ];
    for (i, cmd) in commands.iter().enumerate() {
        let csv = dir.path().join(format!("{i}.csv"));
        let json = dir.path().join(format!("{i}.json"));
        bin()
            .args(*cmd)
            .arg(SAMPLE)
            .arg("--csv")
            .arg(&csv)
            .arg("--json")
            .arg(&json)
            .assert()
            .success();
        let text = std::fs::read_to_string(&csv).unwrap();
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(cell).collect();
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(cell).collect())
            .collect();
        let v: Vec<serde_json::Map<String, serde_json::Value>> =
            serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        assert_eq!(v.len(), rows.len(), "{cmd:?}");
        assert!(!rows.is_empty(), "{cmd:?}");
        for (row, obj) in rows.iter().zip(&v) {
            let keys: Vec<&String> = obj.keys().collect();
            let mut expected: Vec<&String> = header.iter().collect();
            let mut got = keys.clone();
            expected.sort();
            got.sort();
            assert_eq!(got, expected, "{cmd:?}");
            for (name, value) in header.iter().zip(row) {
                match &obj[name] {
                    // A JSON number has no trailing zeros: the same number as the CSV's cell.
                    serde_json::Value::Number(n) => assert_eq!(
                        n.as_f64(),
                        value.parse::<f64>().ok(),
                        "{cmd:?} column {name}"
                    ),
                    v => assert_eq!(&json_text(v), value, "{cmd:?} column {name}"),
                }
            }
        }
        // `--csv -`: the same bytes on stdout, and nothing else there.
        let out = bin()
            .args(*cmd)
            .arg(SAMPLE)
            .args(["--csv", "-"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{cmd:?}");
        assert_eq!(String::from_utf8(out.stdout).unwrap(), text, "{cmd:?}");
        let out = bin()
            .args(*cmd)
            .arg(SAMPLE)
            .args(["--json", "-"])
            .output()
            .unwrap();
        assert_eq!(out.stdout, std::fs::read(&json).unwrap(), "{cmd:?}");
    }
}

//! `report --mysql` after `load` gives the same summary.json as `report` on the capture file.

use serde_json::Value;

use crate::db::{loaded_session, stdout_of};

fn summary(source: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let mut args = vec!["report"];
    args.extend_from_slice(source);
    let out_s = out.to_str().unwrap().to_string();
    args.extend_from_slice(&["--out", &out_s]);
    stdout_of(&args);
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
}

pub fn report_from_mysql_equals_report_from_the_capture() {
    let (db, _dir, cap) = loaded_session("report");
    let mut from_file = summary(&[cap.to_str().unwrap()]);
    let mut from_db = summary(&["--mysql", &db.url()]);
    // What decoding frames saw (re-deliveries dropped, combo updates merged) happened at load
    // time; rows read back from MySQL carry the result, not the frames.
    for v in [&mut from_file, &mut from_db] {
        let obj = v.as_object_mut().unwrap();
        for key in ["duplicates_dropped", "gift_updates"] {
            obj.remove(key);
        }
    }
    assert_eq!(from_file, from_db);
}

//! The operator's numbers through the binary: the audience funnel, revenue and its whales,
//! PK battles, against the simulator's truth, from a capture and from its Parquet export; a
//! room without entry messages or viewer counts still gets a funnel that says what it is
//! measured against.

use std::path::{Path, PathBuf};

use danmu_analyze::output::csv::parse_id;
use danmu_analyze::simulate::Truth;
use serde_json::Value;

use crate::common::{bin, csv_rows};

struct Sim {
    dir: tempfile::TempDir,
    cap: PathBuf,
    truth: Truth,
}

fn simulate(minutes: &str, viewers: &str, seed: &str) -> Sim {
    let dir = tempfile::tempdir().unwrap();
    let cap = dir.path().join("s.dmcap");
    bin()
        .args(["simulate", "--minutes", minutes, "--viewers", viewers])
        .args(["--seed", seed, "--out"])
        .arg(&cap)
        .assert()
        .success();
    let truth =
        serde_json::from_slice(&std::fs::read(dir.path().join("s.dmcap.truth.json")).unwrap())
            .unwrap();
    Sim { dir, cap, truth }
}

fn report(input: &Path, out: &Path) -> Value {
    bin()
        .arg("report")
        .arg(input)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
}

/// `v` as serde_json reads it back from the text it writes: its reader may round the last
/// bit, on both sides of a comparison alike.
fn as_read(v: f64) -> f64 {
    serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap()
}

/// summary.json's (or `funnel --json`'s) `funnel` and `revenue` against the truth, exactly.
fn assert_matches_truth(got: &Value, t: &Truth) {
    let f = &got["funnel"];
    let n = |k: &str| f[k].as_u64().unwrap_or_else(|| panic!("funnel.{k}: {f}"));
    let want = &t.funnel;
    assert_eq!(
        [
            n("viewers"),
            n("entered"),
            n("interacted"),
            n("chatted"),
            n("liked"),
            n("followed"),
            n("joined_fans_club"),
            n("gifted"),
        ],
        [
            want.viewers,
            want.entered,
            want.interacted,
            want.chatted,
            want.liked,
            want.followed,
            want.joined_fans_club,
            want.gifted,
        ],
        "{f}"
    );
    assert_eq!(f["viewers_source"], want.viewers_source.as_str());
    let r = &got["revenue"];
    let want = &t.revenue;
    assert_eq!(r["diamonds"].as_u64(), Some(want.diamonds));
    assert_eq!(r["gifters"].as_u64(), Some(want.gifters));
    for (k, v) in [
        ("top1_share", want.share(want.top1_diamonds)),
        ("top10_share", want.share(want.top10_diamonds)),
        ("top1pct_share", want.share(want.top1pct_diamonds)),
        ("gini", want.gini()),
    ] {
        assert_eq!(r[k].as_f64(), Some(as_read(v)), "revenue.{k}");
    }
    let whales: Vec<(String, String, u64, f64)> = r["whales"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["user_id"].as_str().unwrap().to_string(),
                w["user_name"].as_str().unwrap().to_string(),
                w["diamonds"].as_u64().unwrap(),
                w["share"].as_f64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, String, u64, f64)> = want
        .whales
        .iter()
        .map(|w| {
            let share = as_read(want.share(w.diamonds));
            (w.user_id.clone(), w.user_name.clone(), w.diamonds, share)
        })
        .collect();
    assert_eq!(whales, want);
}

#[test]
fn funnel_revenue_and_battles_match_the_truth_from_a_capture_and_its_parquet_export() {
    let sim = simulate("60", "300", "24");
    let t = &sim.truth;
    // The simulation has what each step needs, or the test would prove little.
    let f = &t.funnel;
    assert!(f.entered > 100 && f.joined_fans_club > 0 && f.followed > 0 && f.gifted > 10);
    assert!(
        t.revenue.gifters > 100 && !t.revenue.whales.is_empty(),
        "{:?}",
        t.revenue
    );
    assert_eq!(t.battles.len(), 2);

    let out = sim.dir.path().join("report");
    let summary = report(&sim.cap, &out);
    assert_matches_truth(&summary, t);

    // funnel.csv: a row per step, each share within its base.
    let rows = csv_rows(&out.join("funnel.csv"));
    let steps: Vec<&str> = rows.iter().map(|r| r["step"].as_str()).collect();
    assert_eq!(
        steps,
        [
            "viewers",
            "entered",
            "interacted",
            "chatted",
            "liked",
            "followed",
            "joined_fans_club",
            "gifted"
        ]
    );
    for r in &rows {
        for k in ["of_viewers", "of_base"] {
            if let Ok(v) = r[k].parse::<f64>() {
                assert!((0.0..=1.0).contains(&v), "{k} {v} in {r:?}");
            }
        }
    }
    let whales = csv_rows(&out.join("whales.csv"));
    assert_eq!(whales.len(), t.revenue.whales.len());
    let id = |cell: &str| parse_id(cell).map(|v| v.to_string()).unwrap_or_default();
    assert_eq!(id(&whales[0]["user_id"]), t.revenue.whales[0].user_id);

    // battles.csv: each battle as the truth has it; the room's anchor is in both, the rival
    // is the opponent, and the result is the final score's.
    let battles = csv_rows(&out.join("battles.csv"));
    assert_eq!(battles.len(), t.battles.len());
    for (row, b) in battles.iter().zip(&t.battles) {
        assert_eq!(id(&row["battle_id"]), b.battle_id);
        assert_eq!(id(&row["room_anchor"]), b.anchors[0]);
        assert_eq!(id(&row["opponent"]), b.anchors[1]);
        let (lead, other) = (&b.final_scores[0], &b.final_scores[1]);
        assert_eq!(
            (id(&row["anchor1_id"]), row["anchor1_score"].clone()),
            (lead.0.clone(), lead.1.to_string())
        );
        assert_eq!(id(&row["anchor2_id"]), other.0);
        let ours = b
            .final_scores
            .iter()
            .find(|s| s.0 == b.anchors[0])
            .unwrap()
            .1;
        let theirs = b
            .final_scores
            .iter()
            .find(|s| s.0 == b.anchors[1])
            .unwrap()
            .1;
        let result = match ours.cmp(&theirs) {
            std::cmp::Ordering::Greater => "win",
            std::cmp::Ordering::Less => "loss",
            std::cmp::Ordering::Equal => "draw",
        };
        assert_eq!(row["result"], result);
        let minutes: f64 = row["minutes"].parse().unwrap();
        assert_eq!(minutes, (b.end_ms - b.start_ms) as f64 / 60_000.0);
    }
    assert_eq!(summary["battles"].as_u64(), Some(2));

    // The page has the section, the denominators said.
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    for text in [
        "观众漏斗",
        "funnel.png",
        "revenue.png",
        "whales.csv",
        "PK 对战",
        "累计观看人数",
    ] {
        assert!(page.contains(text), "index.html lacks {text}");
    }

    // The same numbers from the Parquet export of the capture.
    let pq = sim.dir.path().join("pq");
    bin()
        .arg("export")
        .arg(&sim.cap)
        .args(["--format", "parquet", "--wide", "--out"])
        .arg(&pq)
        .assert()
        .success();
    let again = report(
        &pq.join("events.parquet"),
        &sim.dir.path().join("from-parquet"),
    );
    assert_matches_truth(&again, t);
    assert_eq!(again["funnel"], summary["funnel"]);
    assert_eq!(again["revenue"], summary["revenue"]);
}

#[test]
fn the_funnel_command_prints_both_tables_and_writes_what_summary_json_has() {
    let sim = simulate("8", "120", "5");
    let out = bin()
        .arg("funnel")
        .arg(&sim.cap)
        .args(["--json", "-"])
        .assert()
        .success();
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_matches_truth(&json, &sim.truth);

    let csv = sim.dir.path().join("f.csv");
    let rev = sim.dir.path().join("r.csv");
    let out = bin()
        .arg("funnel")
        .arg(&sim.cap)
        .arg("--csv")
        .arg(&csv)
        .arg("--revenue-csv")
        .arg(&rev)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.contains("joined_fans_club") && text.contains("GINI"),
        "{text}"
    );
    assert_eq!(csv_rows(&csv).len(), 8);
    let rev = csv_rows(&rev);
    assert_eq!(rev.len(), 1);
    // The CSV shows shares to 4 places; the JSON above has them whole.
    let gini: f64 = rev[0]["gini"].parse().unwrap();
    assert!((gini - sim.truth.revenue.gini()).abs() <= 5e-5, "{gini}");
    assert_eq!(rev[0]["diamonds"], sim.truth.revenue.diamonds.to_string());
}

#[test]
fn a_room_without_entry_messages_or_viewer_counts_is_measured_against_the_users_seen() {
    let dir = tempfile::tempdir().unwrap();
    // A spider's table: chat only, nicknames without ids.
    let path = dir.path().join("t_danmu.csv");
    std::fs::write(
        &path,
        "id,room_id,user_name,content,create_time\n\
         1,7181823408362015540,渴死的鱼.,主播好,2026-01-01 18:00:00\n\
         2,7181823408362015540,丽***,666,2026-01-01 18:00:30\n\
         3,7181823408362015540,渴死的鱼.,再来一首,2026-01-01 18:01:00\n\
         4,7181823408362015540,小明,来了,2026-01-01 18:02:00\n",
    )
    .unwrap();
    let out = bin()
        .arg("funnel")
        .arg(&path)
        .args(["--json", "-"])
        .assert()
        .success();
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let f = &json["funnel"];
    assert_eq!(f["viewers"], 3);
    assert_eq!(f["viewers_source"], "users_seen");
    assert_eq!(f["viewers_lower_bound"], true);
    assert_eq!(
        (f["entered"].as_u64(), f["chatted"].as_u64()),
        (Some(0), Some(3))
    );

    let report = dir.path().join("report");
    bin()
        .arg("report")
        .arg(&path)
        .arg("--out")
        .arg(&report)
        .assert()
        .success();
    let page = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(
        page.contains("看到的不同观众数"),
        "the page says what viewers are"
    );
    assert!(report.join("funnel.png").is_file());
    // No gifts: no revenue chart, and the page says so with zeros rather than failing.
    assert!(!report.join("revenue.png").exists());
}

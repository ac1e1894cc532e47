//! Peaks against an oracle: the simulator writes the bursts it made into its truth file, and the
//! peaks `timeline` finds must be those bursts (precision and recall at least 0.9 over sessions
//! of 20 minutes to 4 hours), each explained first by the words the burst injected.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{NaiveDateTime, TimeZone as _};
use danmu_analyze::analysis::words::{split_emotes, Segmenter, WordOptions};
use danmu_analyze::simulate::{BurstTruth, Truth};

use crate::common::bin;

/// A found peak: its span (ms) and distinctive words, from `--peaks-csv`.
#[derive(Debug)]
struct Found {
    start: u64,
    end: u64,
    words: Vec<String>,
    emotes: Vec<String>,
}

fn local_ms(s: &str) -> u64 {
    let t = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("a local time");
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&t)
        .unwrap()
        .timestamp_millis() as u64
}

/// The simulated session's truth, the peaks found, and the timeline's busiest bucket (its start
/// in ms, after the first minute's history replay).
fn simulate_and_find(
    dir: &Path,
    minutes: u32,
    viewers: u32,
    seed: u64,
) -> (Truth, Vec<Found>, u64) {
    let cap = dir.join(format!("s{minutes}-{seed}.dmcap"));
    bin()
        .arg("simulate")
        .arg("--out")
        .arg(&cap)
        .args(["--minutes", &minutes.to_string()])
        .args(["--viewers", &viewers.to_string()])
        .args(["--seed", &seed.to_string()])
        .assert()
        .success();
    let truth: Truth = serde_json::from_slice(
        &std::fs::read(dir.join(format!("s{minutes}-{seed}.dmcap.truth.json"))).unwrap(),
    )
    .unwrap();
    let csv = dir.join(format!("p{minutes}-{seed}.csv"));
    let timeline = dir.join(format!("t{minutes}-{seed}.csv"));
    bin()
        .arg("timeline")
        .arg(&cap)
        .arg("--peaks-csv")
        .arg(&csv)
        .arg("--csv")
        .arg(&timeline)
        .args(["--no-bom", "--tz", "Asia/Shanghai"])
        .assert()
        .success();
    let mut rdr = csv::Reader::from_path(&csv).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let found = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            let row: BTreeMap<&str, &str> = headers.iter().zip(r.iter()).collect();
            let list = |k: &str| row[k].split_whitespace().map(String::from).collect();
            Found {
                start: local_ms(row["start"]),
                end: local_ms(row["end"]),
                words: list("distinctive_words"),
                emotes: list("distinctive_emotes"),
            }
        })
        .collect();
    let busiest = csv::Reader::from_path(&timeline)
        .unwrap()
        .deserialize::<BTreeMap<String, String>>()
        .skip(1)
        .map(|r| {
            let r = r.unwrap();
            (r["chat"].parse::<u64>().unwrap(), local_ms(&r["time"]))
        })
        .max()
        .unwrap()
        .1;
    (truth, found, busiest)
}

fn overlaps(p: &Found, b: &BurstTruth) -> bool {
    p.start < b.end_ms && b.start_ms < p.end
}

/// The words and stickers of a burst's topic lines, as the analysis segments them.
fn topic_words(seg: &Segmenter, b: &BurstTruth) -> Vec<String> {
    let mut out = Vec::new();
    for line in &b.topic {
        let (stickers, rest) = split_emotes(line);
        out.extend(stickers.into_iter().map(String::from));
        out.extend(
            seg.words(&rest, &WordOptions::default())
                .into_iter()
                .map(String::from),
        );
    }
    out
}

#[test]
fn peaks_are_the_simulated_bursts_and_their_topic_words_lead() {
    let dir = tempfile::tempdir().unwrap();
    let seg = Segmenter::new(None, None).unwrap();
    // (minutes, viewers, seed): a 4-hour session with few viewers is still ~20 chats a minute;
    // 20 minutes × 60 viewers has 4 bursts in 20 buckets, which a symmetric MAD missed one of.
    let sessions = [
        (20, 150, 2026),
        (20, 60, 5),
        (45, 100, 7),
        (90, 60, 8),
        (240, 40, 9),
    ];
    let (mut found_n, mut true_pos, mut bursts_n, mut recalled) = (0, 0, 0, 0);
    let mut report = String::new();
    // Two at a time: the 4-hour session takes longest.
    let root = dir.path();
    let runs: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = sessions
            .iter()
            .map(|&(m, v, seed)| s.spawn(move || simulate_and_find(root, m, v, seed)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ((minutes, viewers, _), (truth, found, busiest)) in sessions.into_iter().zip(runs) {
        assert!(
            found.iter().any(|p| p.start <= busiest && busiest < p.end),
            "{minutes} min: the busiest minute is in no peak: {found:?}"
        );
        assert!(
            !truth.bursts.is_empty(),
            "{minutes} min: the truth lists its bursts"
        );
        let tp = found
            .iter()
            .filter(|p| truth.bursts.iter().any(|b| overlaps(p, b)))
            .count();
        let hit = truth
            .bursts
            .iter()
            .filter(|b| found.iter().any(|p| overlaps(p, b)))
            .count();
        report += &format!(
            "{minutes} min × {viewers}: {} peaks, {tp} on a burst; {} bursts, {hit} found\n",
            found.len(),
            truth.bursts.len()
        );
        for b in &truth.bursts {
            let Some(p) = found.iter().find(|p| overlaps(p, b)) else {
                continue;
            };
            let topic = topic_words(&seg, b);
            let lead = p.words.first().or(p.emotes.first());
            assert!(
                lead.is_some_and(|w| topic.contains(w)),
                "{minutes} min, {} burst at {}: peak words {:?} / {:?}, topic {:?}",
                b.kind,
                b.start_ms,
                p.words,
                p.emotes,
                b.topic
            );
        }
        found_n += found.len();
        true_pos += tp;
        bursts_n += truth.bursts.len();
        recalled += hit;
    }
    let precision = true_pos as f64 / found_n.max(1) as f64;
    let recall = recalled as f64 / bursts_n as f64;
    eprintln!("{report}precision {precision:.3}, recall {recall:.3}");
    assert!(precision >= 0.9, "precision {precision:.3}\n{report}");
    assert!(recall >= 0.9, "recall {recall:.3}\n{report}");
}

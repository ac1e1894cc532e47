//! simulate → capture → decode through the binary reproduces the simulator's truth exactly.

use std::collections::{BTreeMap, HashMap, HashSet};

use danmu_analyze::simulate::Truth;
use serde_json::Value;

use crate::common::{bin, ndjson};

fn simulated(
    minutes: &str,
    viewers: &str,
    seed: &str,
) -> (tempfile::TempDir, std::path::PathBuf, Truth) {
    let dir = tempfile::tempdir().unwrap();
    let cap = dir.path().join("sim.dmcap");
    bin()
        .args([
            "simulate",
            "--minutes",
            minutes,
            "--viewers",
            viewers,
            "--seed",
            seed,
            "--out",
        ])
        .arg(&cap)
        .assert()
        .success();
    let truth_path = dir.path().join("sim.dmcap.truth.json");
    let truth: Truth = serde_json::from_slice(&std::fs::read(truth_path).unwrap()).unwrap();
    (dir, cap, truth)
}

fn u(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or(0)
}

#[test]
fn inspect_matches_truth() {
    let (_dir, cap, truth) = simulated("6", "200", "11");
    let out = bin()
        .args(["inspect", "--json"])
        .arg(&cap)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let stats = &v["stats"];
    assert_eq!(u(stats, "records"), truth.records);
    assert_eq!(u(stats, "messages"), truth.messages_sent);
    assert_eq!(u(stats, "duplicates_dropped"), truth.duplicates);
    assert_eq!(u(stats, "gift_updates"), truth.gift_updates);
    assert_eq!(u(stats, "combos"), truth.combos);
    assert_eq!(u(stats, "error_count"), 0);
    let frames: BTreeMap<String, u64> = serde_json::from_value(stats["frames"].clone()).unwrap();
    assert_eq!(frames, truth.frames);
    let kinds: BTreeMap<String, u64> = serde_json::from_value(v["events_by_kind"].clone()).unwrap();
    assert_eq!(kinds, truth.counts);
    assert!(
        truth.duplicates > 0 && truth.gift_updates > truth.combos,
        "the session exercises both"
    );
}

#[test]
fn decoded_events_reproduce_every_total() {
    let (_dir, cap, truth) = simulated("5", "250", "3");
    let out = bin()
        .args(["decode", "--format", "ndjson"])
        .arg(&cap)
        .assert()
        .success();
    let rows = ndjson(&out.get_output().stdout);
    let of = |k: &'static str| rows.iter().filter(move |r| r["kind"] == k);

    let diamonds: u64 = of("gift").map(|r| u(r, "diamond_count")).sum();
    assert_eq!(
        diamonds, truth.diamonds_total,
        "combos counted once at their final count"
    );
    let units: u64 = of("gift").map(|r| u(r, "gift_count")).sum();
    assert_eq!(units, truth.gift_units_total);
    assert_eq!(
        of("like").map(|r| u(r, "like_count")).sum::<u64>(),
        truth.likes_total
    );
    assert_eq!(
        of("social").filter(|r| u(r, "action") == 1).count() as u64,
        truth.follows
    );
    assert_eq!(
        of("social").filter(|r| u(r, "action") == 3).count() as u64,
        truth.shares
    );
    let chatters: HashSet<u64> = of("chat").map(|r| u(r, "user_id")).collect();
    assert_eq!(chatters.len() as u64, truth.distinct_chatters);
    assert_eq!(
        of("room_user_seq").map(|r| u(r, "online")).max().unwrap(),
        truth.online_max
    );
    let ts: Vec<u64> = rows.iter().map(|r| u(r, "ts_ms")).collect();
    assert_eq!(*ts.iter().min().unwrap(), truth.start_ms);
    assert_eq!(*ts.iter().max().unwrap(), truth.end_ms);

    // Top chatters and gifters, with the truth's tie-break (user id ascending).
    let mut chats: HashMap<u64, (String, u64)> = HashMap::new();
    for r in of("chat") {
        let e = chats
            .entry(u(r, "user_id"))
            .or_insert((r["user_name"].as_str().unwrap().into(), 0));
        e.1 += 1;
    }
    let mut top: Vec<(u64, String, u64)> =
        chats.into_iter().map(|(id, (n, c))| (id, n, c)).collect();
    top.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let got: Vec<(String, String, u64)> = top
        .into_iter()
        .take(10)
        .map(|(id, n, c)| (id.to_string(), n, c))
        .collect();
    let want: Vec<(String, String, u64)> = truth
        .top_chatters
        .iter()
        .map(|t| (t.user_id.clone(), t.user_name.clone(), t.messages))
        .collect();
    assert_eq!(got, want);

    let mut gifts: HashMap<u64, (String, u64)> = HashMap::new();
    for r in of("gift") {
        let e = gifts
            .entry(u(r, "user_id"))
            .or_insert((r["user_name"].as_str().unwrap().into(), 0));
        e.1 += u(r, "diamond_count");
    }
    let mut top: Vec<(u64, String, u64)> =
        gifts.into_iter().map(|(id, (n, c))| (id, n, c)).collect();
    top.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let got: Vec<(String, String, u64)> = top
        .into_iter()
        .take(10)
        .map(|(id, n, c)| (id.to_string(), n, c))
        .collect();
    let want: Vec<(String, String, u64)> = truth
        .top_gifters
        .iter()
        .map(|t| (t.user_id.clone(), t.user_name.clone(), t.diamonds))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn without_combo_resolution_every_update_is_summed() {
    // The bug peer tools have: summing every update over-counts. --raw-gifts shows it.
    let (_dir, cap, truth) = simulated("4", "200", "5");
    let out = bin()
        .args([
            "decode",
            "--format",
            "ndjson",
            "--kind",
            "gift",
            "--raw-gifts",
        ])
        .arg(&cap)
        .assert()
        .success();
    let rows = ndjson(&out.get_output().stdout);
    assert_eq!(rows.len() as u64, truth.gift_updates);
    let summed: u64 = rows.iter().map(|r| u(r, "diamond_count")).sum();
    assert!(
        summed > truth.diamonds_total,
        "{summed} vs {}",
        truth.diamonds_total
    );
}

#[test]
fn keeping_duplicates_keeps_every_message() {
    let (_dir, cap, truth) = simulated("3", "150", "9");
    let out = bin()
        .args(["inspect", "--json", "--keep-duplicates", "--raw-gifts"])
        .arg(&cap)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(u(&v["stats"], "events"), truth.messages_sent);
    assert_eq!(u(&v["stats"], "duplicates_dropped"), 0);
}

#[test]
fn same_seed_same_bytes() {
    let (_a, cap_a, _) = simulated("2", "100", "4");
    let (_b, cap_b, _) = simulated("2", "100", "4");
    assert_eq!(std::fs::read(cap_a).unwrap(), std::fs::read(cap_b).unwrap());
}

/// Rooms that send no RoomUserSeqMessage for minutes, only RoomStatsMessage: the timeline's
/// viewers there are the room-stats online counts, exactly; the cumulative displays (`N人看过`)
/// never count as online; `online_max` and the sessions' viewers follow the same rule.
#[test]
fn room_stats_only_stretches_give_the_viewers() {
    let dir = tempfile::tempdir().unwrap();
    let cap = dir.path().join("sim.dmcap");
    bin()
        .args([
            "simulate",
            "--minutes",
            "25",
            "--viewers",
            "200",
            "--seed",
            "7",
        ])
        .arg("--stats-only")
        .arg("--out")
        .arg(&cap)
        .assert()
        .success();
    let truth: Truth =
        serde_json::from_slice(&std::fs::read(dir.path().join("sim.dmcap.truth.json")).unwrap())
            .unwrap();
    assert_eq!(truth.stats_only.len(), 2, "one stretch per 10 minutes");

    // The timeline, per minute: a minute inside a stretch shows its last room-stats count.
    let csv = dir.path().join("t.csv");
    bin()
        .args(["timeline", "--tz", "UTC", "--csv"])
        .arg(&csv)
        .arg(&cap)
        .assert()
        .success();
    let online: HashMap<u64, String> = crate::common::csv_rows(&csv)
        .into_iter()
        .map(|r| {
            let t = chrono::NaiveDateTime::parse_from_str(&r["time"], "%Y-%m-%d %H:%M:%S")
                .unwrap()
                .and_utc()
                .timestamp_millis() as u64;
            (t, r["online"].clone())
        })
        .collect();
    let mut checked = 0;
    for s in &truth.stats_only {
        assert!(
            s.cumulative > 0,
            "the stretch shows viewers since the start too"
        );
        let mut minute = s.start_ms.div_ceil(60_000) * 60_000;
        while minute + 60_000 <= s.end_ms {
            let last = s
                .online
                .iter()
                .filter(|(t, _)| (minute..minute + 60_000).contains(t))
                .map(|(_, n)| n.to_string())
                .next_back()
                .unwrap_or_default();
            assert_eq!(online[&minute], last, "minute {minute}");
            checked += usize::from(!last.is_empty());
            minute += 60_000;
        }
    }
    assert!(checked >= 5, "{checked} minutes of room stats only");

    // Decoded: cumulative displays give total viewers, never online.
    let out = bin()
        .args(["decode", "--format", "ndjson"])
        .arg(&cap)
        .assert()
        .success();
    let rows = ndjson(&out.get_output().stdout);
    let cumulative: Vec<&Value> = rows
        .iter()
        .filter(|r| r["kind"] == "room_stats" && r["online"].is_null())
        .collect();
    let sent: u64 = truth.stats_only.iter().map(|s| s.cumulative).sum();
    assert_eq!(cumulative.len() as u64, sent);
    for r in &cumulative {
        assert!(r["content"].as_str().unwrap().ends_with("人看过"), "{r}");
        assert!(u(r, "total_viewers") > 0, "{r}");
    }

    // The rule, from the decoded rows: room_user_seq counts, and room_stats online counts of
    // minutes without one.
    let minute = |r: &Value| u(r, "ts_ms") / 60_000;
    let seq_minutes: HashSet<u64> = rows
        .iter()
        .filter(|r| r["kind"] == "room_user_seq")
        .map(minute)
        .collect();
    let kept: Vec<u64> = rows
        .iter()
        .filter(|r| {
            r["kind"] == "room_user_seq"
                || (r["kind"] == "room_stats"
                    && !r["online"].is_null()
                    && !seq_minutes.contains(&minute(r)))
        })
        .map(|r| u(r, "online"))
        .collect();
    let seq = rows.iter().filter(|r| r["kind"] == "room_user_seq").count();
    assert!(
        kept.len() >= seq + 20,
        "the stretches' room-stats counts are kept"
    );
    let peak = *kept.iter().max().unwrap();
    assert_eq!(peak, truth.online_max);
    let sessions = dir.path().join("s.csv");
    bin()
        .args(["sessions", "--csv"])
        .arg(&sessions)
        .arg(&cap)
        .assert()
        .success();
    let s = &crate::common::csv_rows(&sessions)[0];
    assert_eq!(s["viewers_peak"], peak.to_string());
    let mean = kept.iter().sum::<u64>() as f64 / kept.len() as f64;
    assert_eq!(s["viewers_mean"], format!("{mean:.1}"));
}

/// Battles and lucky-bag passphrases through the binary: every battle's start, score updates,
/// contributor lists and end as the truth has them, and exactly the passphrase chat marked.
#[test]
fn battles_and_passphrases_are_the_truth() {
    let (_dir, cap, truth) = simulated("40", "150", "21");
    assert_eq!(truth.battles.len(), 1, "one battle per half hour");
    assert!(truth.passphrases > 0, "the session has a lottery");
    let out = bin()
        .args(["decode", "--format", "ndjson"])
        .arg(&cap)
        .assert()
        .success();
    let rows = ndjson(&out.get_output().stdout);
    let of = |k: &'static str| rows.iter().filter(move |r| r["kind"] == k);
    assert_eq!(
        of("chat").filter(|r| u(r, "chat_by") == 9).count() as u64,
        truth.passphrases
    );
    assert_eq!(of("battle").count() as u64, truth.counts["battle"]);
    // inspect counts the battle messages by their own method names (re-deliveries included).
    let out = bin()
        .args(["inspect", "--json"])
        .arg(&cap)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let methods = &v["stats"]["methods"];
    let b = &truth.battles[0];
    assert_eq!(u(methods, "WebcastLinkMicBattleMethod"), 1);
    assert!(u(methods, "LinkMicMethod") + u(methods, "WebcastLinkMicMethod") >= b.score_updates);
    assert!(u(methods, "LinkMicMethod") > 0);
    let id = |r: &Value, k: &str| r[k].as_u64().map(|v| v.to_string());
    for b in &truth.battles {
        assert!(b.score_updates > 10 && b.contributor_lists > 3, "{b:?}");
        let mine: Vec<&Value> = of("battle")
            .filter(|r| {
                id(r, "battle_id").as_deref() == Some(b.battle_id.as_str())
                    || r["method"] == "WebcastLinkMicArmiesMethod"
            })
            .collect();
        let method = |m: &'static str| {
            mine.iter()
                .copied()
                .filter(move |r| r["method"].as_str() == Some(m))
        };
        let start: Vec<_> = method("WebcastLinkMicBattleMethod").collect();
        assert_eq!(start.len(), 1);
        assert_eq!(u(start[0], "battle_start_ms"), b.start_ms);
        assert_eq!(u(start[0], "battle_end_ms"), b.end_ms);
        assert_eq!(
            (u(start[0], "action"), u(start[0], "ts_ms")),
            (1, b.start_ms)
        );
        let finish: Vec<_> = method("WebcastLinkMicBattleFinishMethod").collect();
        assert_eq!(finish.len(), 1);
        let f = finish[0];
        assert_eq!((u(f, "action"), u(f, "ts_ms")), (2, b.end_ms));
        let sides = [
            (id(f, "anchor1_id").unwrap(), u(f, "anchor1_score")),
            (id(f, "anchor2_id").unwrap(), u(f, "anchor2_score")),
        ];
        assert_eq!(sides.to_vec(), b.final_scores);
        let updates = mine
            .iter()
            .filter(|r| {
                u(r, "action") == 202 && r["method"].as_str().unwrap().contains("LinkMicMethod")
            })
            .count() as u64;
        assert_eq!(updates, b.score_updates);
        assert!(
            method("LinkMicMethod").count() > 0 && method("WebcastLinkMicMethod").count() > 0,
            "both names of the link-mic method"
        );
        let armies: Vec<_> = method("WebcastLinkMicArmiesMethod")
            .filter(|r| u(r, "ts_ms") >= b.start_ms && u(r, "ts_ms") <= b.end_ms)
            .collect();
        assert_eq!(armies.len() as u64, b.contributor_lists);
        for a in armies {
            let anchors = [id(a, "anchor1_id"), id(a, "anchor2_id")];
            assert_eq!(anchors.map(Option::unwrap).to_vec(), b.anchors);
            assert!(a.get("battle_id").is_none_or(Value::is_null));
        }
    }
}

/// `words` leaves the passphrase chat out unless `--passphrases`.
#[test]
fn words_leave_passphrases_out_unless_asked() {
    let (dir, cap, truth) = simulated("20", "150", "4");
    assert!(truth.passphrases > 0);
    let run = |extra: &[&str], name: &str| -> BTreeMap<String, u64> {
        let csv = dir.path().join(name);
        bin()
            .arg("words")
            .arg(&cap)
            .args(["--top", "100000", "--csv"])
            .arg(&csv)
            .args(extra)
            .assert()
            .success();
        crate::common::csv_rows(&csv)
            .into_iter()
            .map(|r| (r["word"].clone(), r["count"].parse().unwrap()))
            .collect()
    };
    let hot = run(&[], "hot.csv");
    let all = run(&["--passphrases"], "all.csv");
    let lottery = truth
        .bursts
        .iter()
        .find(|b| b.kind == "lottery")
        .expect("a lottery burst");
    let seg = danmu_analyze::analysis::words::Segmenter::new(None, None).unwrap();
    let words = seg.words(&lottery.topic[0], &Default::default());
    assert!(!words.is_empty());
    for w in words {
        let (h, a) = (hot.get(w).copied().unwrap_or(0), all[w]);
        assert!(a > h, "{w}: {h} without passphrases, {a} with");
    }
    let more: u64 = all.values().sum::<u64>() - hot.values().sum::<u64>();
    assert!(more > 0);
}

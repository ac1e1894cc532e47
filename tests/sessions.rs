//! `simulate --out-dir` (a multi-day, multi-room series) → `sessions` and `report` through the
//! binary: the sessions table, retention and loyal viewers equal what the simulator generated.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use danmu_analyze::output::csv::parse_id;
use danmu_analyze::simulate::SeriesTruth;
use danmu_analyze::timefmt::Zone;

use crate::common::{bin, csv_rows, file_names};

pub struct Series {
    pub dir: tempfile::TempDir,
    pub captures: Vec<PathBuf>,
    pub truth: SeriesTruth,
}

/// 3 rooms × 3 days of short sessions.
pub fn series() -> Series {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("series");
    bin()
        .args([
            "simulate",
            "--rooms",
            "3",
            "--days",
            "3",
            "--minutes",
            "4",
            "--viewers",
            "60",
            "--seed",
            "5",
            "--out-dir",
        ])
        .arg(&out)
        .assert()
        .success();
    let truth: SeriesTruth =
        serde_json::from_slice(&std::fs::read(out.join("series.truth.json")).unwrap()).unwrap();
    let mut captures: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "dmcap"))
        .collect();
    captures.sort();
    Series {
        dir,
        captures,
        truth,
    }
}

fn utc(ms: u64) -> String {
    let zone: Zone = "UTC".parse().unwrap();
    zone.human(ms as i64)
}

/// The sessions CSV's rows against the truth, matched by (room, session of the room).
pub fn assert_sessions_match(rows: &[BTreeMap<String, String>], truth: &SeriesTruth) {
    assert_eq!(rows.len(), truth.sessions.len());
    let by_key: BTreeMap<(u64, u32), &BTreeMap<String, String>> = rows
        .iter()
        .map(|r| {
            (
                (
                    parse_id(&r["room_id"]).unwrap(),
                    r["room_session"].parse().unwrap(),
                ),
                r,
            )
        })
        .collect();
    for t in &truth.sessions {
        let key = (t.room_id.parse::<u64>().unwrap(), t.room_session);
        let r = by_key
            .get(&key)
            .unwrap_or_else(|| panic!("no row for {key:?}"));
        let n = |k: &str| -> u64 { r[k].parse().unwrap_or_else(|_| panic!("{k}: {}", r[k])) };
        let what = &t.file;
        assert_eq!(r["start"], utc(t.start_ms), "{what}");
        assert_eq!(r["end"], utc(t.end_ms), "{what}");
        assert_eq!(r["stream_end"], t.stream_end.to_string(), "{what}");
        assert_eq!(n("chat"), t.chat, "{what}");
        assert_eq!(n("chatters"), t.chatters, "{what}");
        assert_eq!(n("returning_chatters"), t.returning_chatters, "{what}");
        assert_eq!(
            n("new_chatters"),
            t.chatters - t.returning_chatters,
            "{what}"
        );
        assert_eq!(n("gifts"), t.gifts, "{what}");
        assert_eq!(n("gifters"), t.gifters, "{what}");
        assert_eq!(n("returning_gifters"), t.returning_gifters, "{what}");
        assert_eq!(n("diamonds"), t.diamonds, "{what}");
        assert_eq!(
            r["rmb"],
            format!("{:.2}", t.diamonds as f64 * 0.1),
            "{what}"
        );
        assert_eq!(n("follows"), t.follows, "{what}");
        assert_eq!(n("viewers_peak"), t.viewers_peak, "{what}");
        assert_eq!(
            r["viewers_mean"],
            format!("{:.1}", t.viewers_mean),
            "{what}"
        );
        assert!(!r["top_words"].is_empty(), "{what}");
        // The session's funnel: its own viewers, its distinct users, the rates over them.
        let f = &t.funnel;
        assert_eq!(n("viewers"), f.viewers, "{what}");
        assert_eq!(r["viewers_source"], f.viewers_source, "{what}");
        assert_eq!(n("entered"), f.entered, "{what}");
        assert_eq!(n("interacted"), f.interacted, "{what}");
        for (column, step) in [
            ("interacted_rate", f.interacted),
            ("chat_rate", f.chatted),
            ("follow_rate", f.followed),
            ("fans_club_rate", f.joined_fans_club),
            ("gift_rate", f.gifted),
        ] {
            let want = format!("{:.4}", step as f64 / f.viewers as f64);
            assert_eq!(r[column], want, "{what} {column}");
        }
    }
    // Numbered by start time across rooms.
    let starts: Vec<&String> = rows.iter().map(|r| &r["start"]).collect();
    assert!(starts.is_sorted());
    let numbers: Vec<String> = rows.iter().map(|r| r["session"].clone()).collect();
    let want: Vec<String> = (1..=rows.len()).map(|i| i.to_string()).collect();
    assert_eq!(numbers, want);
}

/// Sessions closer than the default gap that only the stream-end message separates, and
/// sessions that just stop: the series exercises both rules.
fn restarts_and_stops(truth: &SeriesTruth) -> (usize, usize) {
    let restarts = truth
        .sessions
        .windows(2)
        .filter(|w| w[0].room_id == w[1].room_id && w[1].start_ms - w[0].end_ms < 30 * 60_000)
        .count();
    let stops = truth.sessions.iter().filter(|s| !s.stream_end).count();
    (restarts, stops)
}

#[test]
fn sessions_table_equals_the_series_truth() {
    let s = series();
    let (restarts, stops) = restarts_and_stops(&s.truth);
    assert!(
        restarts > 0 && stops > 0,
        "{restarts} restarts, {stops} stops"
    );
    assert!(s.truth.sessions.iter().any(|t| t.returning_chatters > 0));
    assert!(s.truth.sessions.iter().any(|t| t.returning_gifters > 0));
    let csv = s.dir.path().join("sessions.csv");
    let out = bin()
        .args(["sessions", "--tz", "UTC", "--csv"])
        .arg(&csv)
        .args(&s.captures)
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(stdout.starts_with("SESSION  ROOM_ID"), "{stdout}");
    assert_eq!(stdout.lines().count(), s.truth.sessions.len() + 1);
    assert_sessions_match(&csv_rows(&csv), &s.truth);
}

#[test]
fn a_longer_gap_merges_only_the_sessions_that_just_stopped() {
    let s = series();
    // 25 hours: a session that stopped runs into the room's next day; stream ends still split.
    let merged = s
        .truth
        .sessions
        .windows(2)
        .filter(|w| w[0].room_id == w[1].room_id && !w[0].stream_end)
        .count();
    assert!(merged > 0);
    let csv = s.dir.path().join("long.csv");
    bin()
        .args(["sessions", "--gap", "1500", "--csv"])
        .arg(&csv)
        .args(&s.captures)
        .assert()
        .success();
    let rows = csv_rows(&csv);
    assert_eq!(rows.len(), s.truth.sessions.len() - merged);
    let chat: u64 = rows.iter().map(|r| r["chat"].parse::<u64>().unwrap()).sum();
    assert_eq!(chat, s.truth.sessions.iter().map(|t| t.chat).sum::<u64>());
}

#[test]
fn sessions_of_a_parquet_export_equal_those_of_the_captures() {
    let s = series();
    let parquet = s.dir.path().join("pq");
    bin()
        .args(["export", "--format", "parquet", "--wide", "--out"])
        .arg(&parquet)
        .args(&s.captures)
        .assert()
        .success();
    let csv = s.dir.path().join("from_parquet.csv");
    bin()
        .args(["sessions", "--tz", "UTC", "--csv"])
        .arg(&csv)
        .arg(parquet.join("events.parquet"))
        .assert()
        .success();
    assert_sessions_match(&csv_rows(&csv), &s.truth);
}

#[test]
fn sessions_png_writes_trend_charts_that_decode() {
    let s = series();
    let dir = s.dir.path().join("charts");
    bin()
        .args(["sessions", "--png"])
        .arg(&dir)
        .args(&s.captures)
        .assert()
        .success();
    let names = file_names(&dir);
    assert_eq!(
        names,
        [
            "sessions_chat.png",
            "sessions_chatters.png",
            "sessions_diamonds.png",
            "sessions_viewers.png"
        ]
    );
    for n in names {
        assert_png(&dir.join(n));
    }
}

fn page_has(out: &Path, text: &str) -> bool {
    std::fs::read_to_string(out.join("sessions.html"))
        .unwrap()
        .contains(text)
}

/// Decodes a trend chart: its size, and ink in the caption band (the Chinese title).
pub fn assert_png(path: &Path) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(
        (info.width, info.height),
        danmu_analyze::charts::trend::SIZE,
        "{}",
        path.display()
    );
    let channels = info.line_size / info.width as usize;
    let dark = (0..50usize)
        .flat_map(|y| (0..info.width as usize).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let p = &buf[y * info.line_size + x * channels..][..3];
            p.iter().map(|&c| c as u32).sum::<u32>() < 200
        })
        .count();
    assert!(
        dark > 100,
        "{}: caption band has {dark} dark pixels",
        path.display()
    );
}

#[test]
fn report_over_a_series_writes_the_comparison_page() {
    let s = series();
    let out = s.dir.path().join("report");
    bin()
        .args(["report", "--tz", "UTC", "--out"])
        .arg(&out)
        .args(&s.captures)
        .assert()
        .success();
    let t = &s.truth;
    assert_sessions_match(&csv_rows(&out.join("sessions.csv")), t);

    let session = |room: &str, n: u32| {
        t.sessions
            .iter()
            .find(|x| x.room_id == room && x.room_session == n)
            .unwrap()
    };
    let retention = csv_rows(&out.join("retention.csv"));
    assert_eq!(retention.len(), 2 * t.retention.len());
    for want in &t.retention {
        for (role, retained, size) in [
            (
                "chatters",
                want.chatters,
                session(&want.room_id, want.cohort).chatters,
            ),
            (
                "gifters",
                want.gifters,
                session(&want.room_id, want.cohort).gifters,
            ),
        ] {
            let row = retention
                .iter()
                .find(|r| {
                    parse_id(&r["room_id"]).map(|i| i.to_string()).as_deref()
                        == Some(want.room_id.as_str())
                        && r["role"] == role
                        && r["cohort"] == want.cohort.to_string()
                        && r["later"] == want.later.to_string()
                })
                .unwrap_or_else(|| panic!("no {role} row for {want:?}"));
            assert_eq!(row["retained"], retained.to_string(), "{role} {want:?}");
            assert_eq!(row["cohort_size"], size.to_string(), "{role} {want:?}");
            assert_eq!(row["offset"], (want.later - want.cohort).to_string());
        }
    }
    assert!(t.retention.iter().any(|r| r.chatters > 0 && r.gifters > 0));

    let loyal = csv_rows(&out.join("loyal_viewers.csv"));
    let got: Vec<(u64, String, String, String)> = loyal
        .iter()
        .map(|r| {
            (
                parse_id(&r["user_id"]).unwrap(),
                r["user_name"].clone(),
                r["sessions"].clone(),
                r["messages"].clone(),
            )
        })
        .collect();
    let want: Vec<(u64, String, String, String)> = t
        .loyal
        .iter()
        .map(|l| {
            (
                l.user_id.parse().unwrap(),
                l.user_name.clone(),
                l.sessions.to_string(),
                l.messages.to_string(),
            )
        })
        .collect();
    assert_eq!(got, want);

    let rooms = csv_rows(&out.join("rooms.csv"));
    assert_eq!(rooms.len(), 3);
    for r in &rooms {
        let id = parse_id(&r["room_id"]).unwrap().to_string();
        let of_room: Vec<_> = t.sessions.iter().filter(|x| x.room_id == id).collect();
        assert_eq!(r["sessions"], of_room.len().to_string());
        let sum = |f: fn(&&danmu_analyze::simulate::SessionTruth) -> u64| {
            of_room.iter().map(f).sum::<u64>().to_string()
        };
        assert_eq!(r["chat"], sum(|x| x.chat));
        assert_eq!(r["diamonds"], sum(|x| x.diamonds));
        assert_eq!(r["gifts"], sum(|x| x.gifts));
    }

    // Rooms side by side: each room's viewers are its sessions' summed, every rate within 1.
    let side = csv_rows(&out.join("rooms_funnel.csv"));
    assert_eq!(side.len(), 3);
    for r in &side {
        let id = parse_id(&r["room_id"]).unwrap().to_string();
        let viewers: u64 = t
            .sessions
            .iter()
            .filter(|x| x.room_id == id)
            .map(|x| x.funnel.viewers)
            .sum();
        assert_eq!(r["viewers"], viewers.to_string(), "room {id}");
        for k in [
            "interacted_rate",
            "chat_rate",
            "gift_rate",
            "top1_share",
            "gini",
        ] {
            let v: f64 = r[k].parse().unwrap_or_else(|_| panic!("{k}: {}", r[k]));
            assert!((0.0..=1.0).contains(&v), "room {id} {k} {v}");
        }
    }
    let decoder = png::Decoder::new(std::fs::File::open(out.join("rooms_funnel.png")).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert!(buf.iter().any(|&b| b < 128), "the chart has ink");
    assert_eq!(
        (info.width, info.height),
        danmu_analyze::charts::rates::size(3, 5)
    );
    assert!(page_has(&out, "rooms_funnel.png"));
    // A room's anchor is the side in all its battles, across its sessions: every battle's
    // room side is known, and so is its result.
    let battles = csv_rows(&out.join("battles.csv"));
    assert!(battles.len() >= 3);
    for b in &battles {
        assert!(parse_id(&b["room_anchor"]).is_some(), "{b:?}");
        assert!(
            ["win", "loss", "draw"].contains(&b["result"].as_str()),
            "{b:?}"
        );
    }
    for r in &side {
        let n = |k: &str| r[k].parse::<u64>().unwrap();
        assert!(
            n("battles_won") + n("battles_lost") <= n("battles"),
            "{r:?}"
        );
    }
    let decided: u64 = side
        .iter()
        .map(|r| {
            r["battles_won"].parse::<u64>().unwrap() + r["battles_lost"].parse::<u64>().unwrap()
        })
        .sum();
    assert!(decided > 0);
    // Whales over several sessions: in how many each gifted (more than one: returning).
    let whales = csv_rows(&out.join("whales.csv"));
    assert!(!whales.is_empty());
    for w in &whales {
        let n: u32 = w["sessions_gifted"].parse().unwrap();
        assert!(n >= 1 && n as usize <= t.sessions.len(), "{w:?}");
    }
    assert!(
        whales.iter().any(|w| w["sessions_gifted"] != "1"),
        "a returning whale"
    );
    // The overview's viewers: every session's own, summed.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let all: u64 = t.sessions.iter().map(|x| x.funnel.viewers).sum();
    assert_eq!(summary["funnel"]["viewers"].as_u64(), Some(all));

    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("href=\"sessions.html\""));
    let page = std::fs::read_to_string(out.join("sessions.html")).unwrap();
    // Every link and image of the page is a file of the folder.
    let mut refs = 0;
    for attr in ["href=\"", "src=\""] {
        for part in page.split(attr).skip(1) {
            let target = &part[..part.find('"').unwrap()];
            assert!(out.join(target).is_file(), "{target}");
            refs += 1;
        }
    }
    assert!(refs >= 9, "{refs}");
    for png in [
        "sessions_chat.png",
        "sessions_chatters.png",
        "sessions_diamonds.png",
        "sessions_viewers.png",
    ] {
        assert!(page.contains(&format!("src=\"{png}\"")), "{png}");
        assert_png(&out.join(png));
    }
}

#[test]
fn a_single_session_report_has_no_comparison_page() {
    let s = series();
    let out = s.dir.path().join("one");
    bin()
        .arg("report")
        .arg(&s.captures[0])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("index.html").is_file());
    assert!(!out.join("sessions.html").exists());
    assert!(!out.join("sessions.csv").exists());
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(!index.contains("sessions.html"));
}

#[test]
fn rooms_and_days_without_out_dir_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cap = dir.path().join("x.dmcap");
    let out = bin()
        .args(["simulate", "--days", "2", "--out"])
        .arg(&cap)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("--out-dir"), "{stderr}");
    assert!(!cap.exists());
}

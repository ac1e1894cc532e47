//! Datasets (`export --dataset`, `capture --dataset`, `simulate --dataset`) through the binary:
//! exporting twice adds nothing, reading one gives exactly the table of its captures decoded at
//! once (same rows, order and dtypes; the same summary.json), --room and --since prune
//! partitions, a crash's `.tmp` is never read, and re-deliveries and gift combos across a
//! rotation boundary count once.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use polars::prelude::{DataFrame, IntoLazy};
use serde_json::Value;

use danmu_analyze::capture::{CaptureReader, CaptureRecord, CaptureWriter};
use danmu_analyze::dataset;
use danmu_analyze::event::Kind;
use danmu_analyze::input::{self, InputFormat, InputSpec};
use danmu_analyze::pipeline::{self, Options, Position, RawFrame};
use danmu_analyze::simulate::{simulate, SimConfig};
use danmu_analyze::table::build::TableBuilder;
use danmu_analyze::table::filter::Filter;

use crate::common::bin;
use crate::sessions::series;

/// The event table of `files` decoded as one input, as every reading command gets it.
fn decoded(files: &[PathBuf]) -> DataFrame {
    let specs: Vec<InputSpec> = files
        .iter()
        .map(|f| InputSpec::new(f, InputFormat::Auto))
        .collect();
    let frames = input::open_all(&specs).unwrap();
    pipeline::decode_into(frames, Options::default(), TableBuilder::new())
        .events
        .unwrap()
}

/// The dataset read back, as every reading command gets it.
fn read_back(dir: &Path) -> DataFrame {
    dataset::scan(dir, &Filter::default())
        .unwrap()
        .collect()
        .unwrap()
}

fn assert_same_table(got: &DataFrame, want: &DataFrame, what: &str) {
    assert_eq!(
        got.schema(),
        want.schema(),
        "{what}: same columns and dtypes"
    );
    assert_eq!(got.height(), want.height(), "{what}: same number of rows");
    assert!(
        got.equals_missing(want),
        "{what}: same rows in the same order"
    );
}

fn export_dataset(dir: &Path, inputs: &[PathBuf]) -> String {
    let out = bin()
        .arg("export")
        .args(inputs)
        .arg("--dataset")
        .arg(dir)
        .assert()
        .success();
    let o = out.get_output();
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout)
    )
}

/// Every file under `dir` (relative path → bytes).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// summary.json of `report ARGS…`, without what only decoding frames can know.
fn summary(args: &[&std::ffi::OsStr]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    bin()
        .arg("report")
        .args(args)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let mut v: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    for key in ["duplicates_dropped", "gift_updates"] {
        v.as_object_mut().unwrap().remove(key);
    }
    v
}

fn os<P: AsRef<std::ffi::OsStr> + ?Sized>(p: &P) -> &std::ffi::OsStr {
    p.as_ref()
}

#[test]
fn exporting_twice_adds_nothing_and_reads_back_the_captures_table() {
    let s = series();
    let ds = s.dir.path().join("ds");
    let first = export_dataset(&ds, &s.captures);
    assert!(
        first.contains(&format!("{} events in", want_events(&s.captures[0]))),
        "{first}"
    );
    let want = decoded(&s.captures);
    assert!(want.height() > 1000);
    let got = read_back(&ds);
    assert_same_table(&got, &want, "dataset vs captures");
    // One part per room and day at least, all under room_id=…/date=….
    let files = snapshot(&ds);
    let parts: Vec<&String> = files.keys().filter(|k| k.ends_with(".parquet")).collect();
    assert!(parts.len() >= 3, "{parts:?}");
    for p in &parts {
        assert!(
            p.starts_with("room_id=") && p.contains("/date=") && p.contains("/part-"),
            "{p}"
        );
    }
    assert!(files.contains_key("_dataset.json"));

    let again = export_dataset(&ds, &s.captures);
    assert!(again.contains("0 source(s) added"), "{again}");
    assert_eq!(snapshot(&ds), files, "the second export wrote nothing");
    assert_same_table(&read_back(&ds), &want, "after the second export");

    // And through the binary: report on the dataset is report on the captures.
    let cap_args: Vec<&std::ffi::OsStr> = s.captures.iter().map(os).collect();
    let from_captures = summary(&cap_args);
    assert_eq!(from_captures["rooms"].as_array().unwrap().len(), 3);
    assert_eq!(summary(&[os(&ds)]), from_captures);

    // Every reading command takes the directory and prints what it prints for the captures.
    for cmd in [
        &["timeline", "--bucket", "5m"][..],
        &["words", "--top", "15"],
        &["users", "--by", "gifters"],
        &["gifts"],
        &["sessions"],
        &["decode", "--kind", "gift"],
    ] {
        let run = |inputs: &[&std::ffi::OsStr], room: Option<&str>| {
            let mut c = bin();
            c.arg(cmd[0]).args(inputs).args(&cmd[1..]);
            if let Some(r) = room {
                c.args(["--room", r]);
            }
            let out = c.assert().success();
            String::from_utf8_lossy(&out.get_output().stdout).into_owned()
        };
        let room = s.truth.sessions[0].room_id.as_str();
        for r in [None, Some(room)] {
            let want = run(&cap_args, r);
            assert!(want.lines().count() > 2, "{cmd:?}: {want}");
            assert_eq!(run(&[os(&ds)], r), want, "{cmd:?} --room {r:?}");
        }
    }
}

/// Events of one capture decoded alone (the first input has no file before it).
fn want_events(cap: &Path) -> usize {
    decoded(&[cap.to_path_buf()]).height()
}

#[test]
fn room_and_time_filters_prune_partitions_and_temporary_files_are_never_read() {
    let s = series();
    let ds = s.dir.path().join("ds");
    export_dataset(&ds, &s.captures);
    let rooms: Vec<String> = {
        let mut r: Vec<String> = s.truth.sessions.iter().map(|t| t.room_id.clone()).collect();
        r.dedup();
        r
    };
    let (room, other) = (&rooms[0], &rooms[1]);
    let first_day = s
        .truth
        .sessions
        .iter()
        .filter(|t| &t.room_id == room)
        .map(|t| t.start_ms)
        .min()
        .unwrap();
    let want_room = summary(
        &[
            s.captures.iter().map(os).collect::<Vec<_>>().as_slice(),
            &[os("--room"), os(room)],
        ]
        .concat(),
    );
    assert!(want_room["events"].as_u64().unwrap() > 100);

    // Not Parquet at all: any reader that opens these fails.
    let garbage = b"not a parquet file";
    let other_part = ds.join(format!(
        "room_id={other}/date=2026-01-01/part-0000000000000-x.parquet"
    ));
    std::fs::write(&other_part, garbage).unwrap();
    let old_part = ds.join(format!(
        "room_id={room}/date=2025-12-01/part-0000000000000-y.parquet"
    ));
    std::fs::create_dir_all(old_part.parent().unwrap()).unwrap();
    std::fs::write(&old_part, garbage).unwrap();
    // What a crash mid-write leaves: never a part.
    let day_dir = ds
        .read_dir()
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.ends_with(format!("room_id={room}")))
        .unwrap()
        .read_dir()
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| !p.ends_with("date=2025-12-01"))
        .unwrap();
    std::fs::write(day_dir.join("part-9999999999999-z.parquet.tmp"), garbage).unwrap();

    // The whole dataset reads the corrupt parts, so it fails: the files are real traps.
    bin()
        .args(["report", ds.to_str().unwrap(), "--out"])
        .arg(s.dir.path().join("r-all"))
        .assert()
        .failure();
    // --room R never opens another room's partition; the .tmp is never opened at all.
    let since = danmu_analyze::timefmt::Zone::default().human(first_day as i64 - 3_600_000);
    let got = summary(&[os(&ds), os("--room"), os(room), os("--since"), os(&since)]);
    assert_eq!(got, want_room);
    // Without --since the old date of room R is read, and fails.
    bin()
        .args(["report", ds.to_str().unwrap(), "--room", room, "--out"])
        .arg(s.dir.path().join("r-room"))
        .assert()
        .failure();
    std::fs::remove_file(&old_part).unwrap();
    std::fs::remove_file(&other_part).unwrap();
    let table = read_back(&ds);
    let want = decoded(&s.captures);
    assert_same_table(&table, &want, "a .tmp beside the parts changes nothing");
    assert!(day_dir.join("part-9999999999999-z.parquet.tmp").exists());
}

#[test]
fn another_time_zone_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cap = dir.path().join("sim.dmcap");
    simulate(
        &SimConfig {
            minutes: 1,
            viewers: 20,
            ..SimConfig::default()
        },
        File::create(&cap).unwrap(),
    )
    .unwrap();
    let ds = dir.path().join("ds");
    export_dataset(&ds, std::slice::from_ref(&cap));
    let out = bin()
        .arg("export")
        .arg(&cap)
        .args(["--tz", "UTC", "--dataset"])
        .arg(&ds)
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("was created with --tz Asia/Shanghai, not UTC"),
        "{err}"
    );
    // Filters would make the dataset hold a part of its sources: refused, with what to do.
    let out = bin()
        .arg("export")
        .arg(&cap)
        .args(["--kind", "chat", "--dataset"])
        .arg(&ds)
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("filter when reading"), "{err}");
}

/// A capture of a busy short session, and where in it a combo and a re-delivery straddle.
struct Straddles {
    records: Vec<CaptureRecord>,
    /// Record indices to split at: each splits a combo's updates (its highest after the split)
    /// or a message from its re-delivery, and no combo or re-delivery spans two of them (one file
    /// of context is what the dataset assumes: rotations are longer than a combo or a replay).
    splits: Vec<usize>,
    /// The split between a message and its re-delivery.
    dup_cut: Option<usize>,
}

/// (room, user, gift, group): a combo, as the decoder keys it.
type ComboKey = (u64, u64, u64, u64);
/// Records of a combo's first, highest and last update, and its highest count.
type ComboSeen = (usize, usize, usize, u64);

fn straddles(path: &Path) -> Straddles {
    let records: Vec<CaptureRecord> = CaptureReader::open(path)
        .unwrap()
        .map(|r| r.unwrap().record)
        .collect();
    let mut combos: BTreeMap<ComboKey, ComboSeen> = BTreeMap::new();
    let mut seen: HashMap<(u64, u64), usize> = HashMap::new();
    // (first, re-delivered) record pairs
    let mut dups: Vec<(usize, usize)> = Vec::new();
    let mut scratch = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let raw = RawFrame {
            bytes: r.frame.clone(),
            received_at_ms: r.received_at_ms,
            room_id: r.room_id,
            position: Position::file(Arc::from("t")),
        };
        for e in pipeline::decode_frame(&raw, &mut scratch).events {
            match seen.get(&(e.room_id, e.msg_id)) {
                Some(&first) => dups.push((first, i)),
                None => {
                    seen.insert((e.room_id, e.msg_id), i);
                }
            }
            let Some(c) = e.combo.filter(|c| e.kind == Kind::Gift && c.group_id != 0) else {
                continue;
            };
            let key = (
                e.room_id,
                e.user_id.unwrap_or(0),
                e.gift_id.unwrap_or(0),
                c.group_id,
            );
            let entry = combos.entry(key).or_insert((i, i, i, c.repeat_count));
            entry.2 = i;
            if c.repeat_count > entry.3 {
                entry.1 = i;
                entry.3 = c.repeat_count;
            }
        }
    }
    // Everything that must not span two splits: each combo, each re-delivery.
    let spans: Vec<(usize, usize)> = combos
        .values()
        .map(|&(first, _, last, _)| (first, last))
        .chain(dups.iter().copied())
        .collect();
    let combo_cuts = combos
        .values()
        .filter(|&&(first, best, _, _)| best > first)
        .map(|&(_, best, _, _)| best);
    let dup_cuts = dups.iter().map(|&(_, second)| second);
    let mut splits: Vec<usize> = Vec::new();
    let dup_cut = dup_cuts.clone().find(|&c| c >= 5 && c + 5 <= records.len());
    for cut in dup_cut.into_iter().chain(combo_cuts.take(50)) {
        if cut < 5 || cut + 5 > records.len() || splits.iter().any(|s| s.abs_diff(cut) < 5) {
            continue;
        }
        let mut with = splits.clone();
        with.push(cut);
        let ok = spans
            .iter()
            .all(|&(a, b)| with.iter().filter(|&&s| a < s && s <= b).count() <= 1);
        if ok {
            splits = with;
        }
        if splits.len() >= 4 {
            break;
        }
    }
    splits.sort();
    Straddles {
        records,
        splits,
        dup_cut,
    }
}

fn busy_capture(dir: &Path) -> PathBuf {
    let cap = dir.join("busy.dmcap");
    simulate(
        &SimConfig {
            minutes: 3,
            viewers: 300,
            seed: 11,
            ..SimConfig::default()
        },
        File::create(&cap).unwrap(),
    )
    .unwrap();
    cap
}

/// The capture cut into files at `splits`, as a rotation would.
fn pieces(dir: &Path, records: &[CaptureRecord], splits: &[usize]) -> Vec<PathBuf> {
    let mut bounds = vec![0];
    bounds.extend_from_slice(splits);
    bounds.push(records.len());
    bounds
        .windows(2)
        .enumerate()
        .map(|(n, w)| {
            let path = dir.join(format!("piece-{n}.dmcap"));
            let mut out = CaptureWriter::new(File::create(&path).unwrap()).unwrap();
            for r in &records[w[0]..w[1]] {
                out.write(r).unwrap();
            }
            path
        })
        .collect()
}

/// Gift events when each file is decoded alone: what a naive per-file export would store.
fn gifts_alone(files: &[PathBuf]) -> usize {
    files
        .iter()
        .map(|f| {
            let t = decoded(std::slice::from_ref(f));
            t.lazy()
                .filter(polars::prelude::col("kind").eq(polars::prelude::lit("gift")))
                .collect()
                .unwrap()
                .height()
        })
        .sum()
}

fn gifts_in(t: &DataFrame) -> usize {
    t.column("kind")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .filter(|k| *k == Some("gift"))
        .count()
}

#[test]
fn combos_and_redeliveries_across_a_rotation_count_once() {
    let dir = tempfile::tempdir().unwrap();
    let cap = busy_capture(dir.path());
    let st = straddles(&cap);
    assert!(
        st.splits.len() >= 3,
        "the capture has straddles to cut at: {:?}",
        st.splits
    );
    let dup_cut = st.dup_cut.expect("the capture has re-deliveries");
    assert!(st.splits.contains(&dup_cut), "{:?}", st.splits);
    let files = pieces(dir.path(), &st.records, &st.splits);
    let whole = decoded(std::slice::from_ref(&cap));
    assert_same_table(&decoded(&files), &whole, "the pieces decoded together");
    assert!(
        gifts_alone(&files) > gifts_in(&whole),
        "decoding each piece alone counts a straddling combo twice (else this test tests nothing)"
    );

    // All pieces in one export.
    let ds = dir.path().join("ds");
    let err = export_dataset(&ds, &files);
    assert_same_table(&read_back(&ds), &whole, "one export of every piece");
    assert!(err.contains("moved here from the file before"), "{err}");

    // Piece by piece, each export starting with the last file already in: the combo moves out
    // of the earlier piece's part when the later piece comes.
    let ds2 = dir.path().join("ds2");
    export_dataset(&ds2, &files[..1]);
    for w in files.windows(2) {
        export_dataset(&ds2, w);
    }
    assert_same_table(&read_back(&ds2), &whole, "one export per piece");
    // And running it all again changes nothing.
    let before = snapshot(&ds2);
    export_dataset(&ds2, &files);
    assert_eq!(snapshot(&ds2), before);
}

#[cfg(feature = "live")]
#[test]
fn capture_with_a_dataset_appends_every_rotated_file_as_decoding_them_together_would() {
    use crate::live::{capture_args, start_replay, Running};

    let dir = tempfile::tempdir().unwrap();
    let cap = busy_capture(dir.path());
    let (mut replay, addr) = start_replay(&cap, &[]);
    let rec = dir.path().join("rec");
    std::fs::create_dir(&rec).unwrap();
    let out = rec.join("room.dmcap");
    let ds = dir.path().join("ds");
    let url = format!("ws://{addr}/");
    let rotate = format!("{}B", std::fs::metadata(&cap).unwrap().len() / 6);
    let mut args = capture_args(&url, out.to_str().unwrap());
    args.extend(["--rotate", &rotate, "--dataset", ds.to_str().unwrap()]);
    let mut running = Running::start(&args);
    assert_eq!(running.wait().code(), Some(0), "{}", running.stderr());
    replay.wait();
    let stderr = running.stderr();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&rec)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 4, "{files:?}");
    assert_eq!(
        stderr.matches("dataset: appended").count(),
        files.len(),
        "every file, the last one at exit:\n{stderr}"
    );
    let together = decoded(&files);
    assert!(
        gifts_alone(&files) > gifts_in(&together),
        "a combo straddles a rotation (else this test tests nothing)"
    );
    assert_same_table(&read_back(&ds), &together, "capture --dataset");
    // The dataset knows the files: exporting them again adds nothing.
    let before = snapshot(&ds);
    let again = export_dataset(&ds, &files);
    assert!(again.contains("0 source(s) added"), "{again}");
    assert_eq!(snapshot(&ds), before);
}

#[test]
fn simulate_writes_a_series_into_a_dataset_with_or_without_the_captures() {
    let dir = tempfile::tempdir().unwrap();
    let sim = |extra: &[&std::ffi::OsStr]| {
        bin()
            .args([
                "simulate",
                "--rooms",
                "2",
                "--days",
                "2",
                "--minutes",
                "3",
                "--viewers",
                "50",
                "--seed",
                "9",
            ])
            .args(extra)
            .assert()
            .success();
    };
    let caps = dir.path().join("caps");
    let both = dir.path().join("both");
    sim(&[os("--out-dir"), os(&caps), os("--dataset"), os(&both)]);
    let mut captures: Vec<PathBuf> = std::fs::read_dir(&caps)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "dmcap"))
        .collect();
    captures.sort();
    assert!(captures.len() >= 4, "{captures:?}");
    let want = decoded(&captures);
    assert_same_table(&read_back(&both), &want, "simulate --out-dir --dataset");

    let only = dir.path().join("only");
    sim(&[os("--dataset"), os(&only)]);
    assert_same_table(&read_back(&only), &want, "simulate --dataset alone");
    let left: Vec<String> = crate::common::file_names(&only);
    assert!(
        left.iter().all(|n| n == "_dataset.json"
            || n == "_sources"
            || n == "series.truth.json"
            || n.starts_with("room_id=")),
        "no temporary captures left: {left:?}"
    );
}

/// Several rooms recorded at once into one dataset: each room's rotated files go in with their
/// own file before them as context, and the dataset is every file decoded together.
#[cfg(feature = "live")]
#[test]
fn capture_of_several_rooms_shares_one_dataset() {
    use crate::live::{start_replay, Running};

    let dir = tempfile::tempdir().unwrap();
    let rooms = [7_300_000_000_000_000_001u64, 7_300_000_000_000_000_002];
    let mut replays = Vec::new();
    let mut urls = Vec::new();
    let mut size = 0;
    for (i, room) in rooms.iter().enumerate() {
        let cap = dir.path().join(format!("sim{i}.dmcap"));
        simulate(
            &SimConfig {
                minutes: 2,
                viewers: 150,
                seed: 21 + i as u64,
                room_id: *room,
                ..SimConfig::default()
            },
            File::create(&cap).unwrap(),
        )
        .unwrap();
        size = std::fs::metadata(&cap).unwrap().len();
        let (replay, addr) = start_replay(&cap, &[]);
        replays.push(replay);
        urls.push(format!("ws://{addr}/push?room_id={room}"));
    }
    let rec = dir.path().join("rec");
    let ds = dir.path().join("ds");
    let rotate = format!("{}B", size / 4);
    let mut cap = Running::start(&[
        "capture",
        &urls[0],
        &urls[1],
        "--out-dir",
        rec.to_str().unwrap(),
        "--heartbeat",
        "200ms",
        "--rotate",
        &rotate,
        "--dataset",
        ds.to_str().unwrap(),
    ]);
    assert_eq!(cap.wait().code(), Some(0), "{}", cap.stderr());
    for r in &mut replays {
        r.wait();
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&rec)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 6, "{files:?}");
    let stderr = cap.stderr();
    assert_eq!(
        stderr.matches("dataset: appended").count(),
        files.len(),
        "{stderr}"
    );
    assert_same_table(&read_back(&ds), &decoded(&files), "two rooms, one dataset");
    for room in rooms {
        assert!(ds.join(format!("room_id={room}")).is_dir());
    }
}

/// An export killed after writing a source's parts but before its record (and with a `.tmp`
/// of a part half written): running it again writes the same parts over, adds no row twice.
#[test]
fn an_interrupted_export_is_completed_by_running_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let cap = busy_capture(dir.path());
    let st = straddles(&cap);
    let files = pieces(dir.path(), &st.records, &st.splits);
    let ds = dir.path().join("ds");
    export_dataset(&ds, &files);
    let complete = snapshot(&ds);
    // Undo the last source's commit, and leave the wreck of a part being written.
    let sources = ds.join("_sources");
    let last: Value = {
        let key = dataset::write::file_key(files.last().unwrap()).unwrap().0;
        let path = sources.join(format!("{key}.json"));
        let v = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        std::fs::remove_file(&path).unwrap();
        v
    };
    let part = ds.join(last["parts"][0].as_str().unwrap());
    let mut tmp = part.clone().into_os_string();
    tmp.push(".tmp");
    std::fs::write(&tmp, b"PAR1 half").unwrap();
    assert_same_table(
        &read_back(&ds),
        &decoded(std::slice::from_ref(&cap)),
        "parts in, record not",
    );
    let again = export_dataset(&ds, &files);
    assert!(again.contains("1 source(s) added"), "{again}");
    assert_same_table(&read_back(&ds), &decoded(&[cap]), "after the re-run");
    assert_eq!(
        snapshot(&ds),
        complete,
        "the same files as an export that was never interrupted"
    );
}

/// A recording restarted after a crash: the last two files of the run before were never
/// appended (one being decoded, one queued). The new run appends them first, after the one
/// before them, and decodes its own first file after the newest, so the history the server
/// replays on reconnecting is not stored twice.
#[cfg(feature = "live")]
#[test]
fn capture_catches_up_on_the_files_a_crash_left_out() {
    use crate::live::{capture_args, start_replay, Running};

    let dir = tempfile::tempdir().unwrap();
    let cap = busy_capture(dir.path());
    let st = straddles(&cap);
    // Three cuts, the last between a message and its re-delivery: the replayed rest starts
    // with the history it repeats.
    let dup = st.dup_cut.expect("re-deliveries to split at");
    let at = st.splits.iter().position(|&c| c == dup).unwrap();
    assert!(at >= 2, "{:?}", st.splits);
    let parts = pieces(dir.path(), &st.records, &st.splits[at - 2..=at]);
    let rec = dir.path().join("rec");
    std::fs::create_dir(&rec).unwrap();
    // What the crashed run left: three files, the first of them in the dataset.
    let crashed: Vec<PathBuf> = (0..3)
        .map(|h| {
            let f = rec.join(format!("room-20000101T0{h}0000.dmcap"));
            std::fs::copy(&parts[h], &f).unwrap();
            f
        })
        .collect();
    let ds = dir.path().join("ds");
    export_dataset(&ds, &crashed[..1]);
    let (mut replay, addr) = start_replay(&parts[3], &[]);
    let url = format!("ws://{addr}/");
    let rotate = format!("{}B", std::fs::metadata(&cap).unwrap().len() / 4);
    let out = rec.join("room.dmcap");
    let mut args = capture_args(&url, out.to_str().unwrap());
    args.extend(["--rotate", &rotate, "--dataset", ds.to_str().unwrap()]);
    let mut running = Running::start(&args);
    assert_eq!(running.wait().code(), Some(0), "{}", running.stderr());
    replay.wait();
    let stderr = running.stderr();
    for f in &crashed[1..] {
        assert!(
            stderr.contains(&format!("dataset: appended {}", f.display())),
            "{stderr}"
        );
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&rec)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files[..3], crashed[..]);
    let together = decoded(&files);
    assert!(
        gifts_alone(&files) > gifts_in(&together),
        "combos straddle the files (else this tests nothing)"
    );
    assert_same_table(&read_back(&ds), &together, "after catching up");
}

/// A dataset copied without its manifest still reads (the partitions say what it is), pruned by
/// room; appending to it is refused, since the zone of its dates is unknown.
#[test]
fn partitions_without_the_manifest_still_read() {
    let s = series();
    let ds = s.dir.path().join("ds");
    export_dataset(&ds, &s.captures);
    std::fs::remove_file(ds.join("_dataset.json")).unwrap();
    assert_same_table(&read_back(&ds), &decoded(&s.captures), "no manifest");
    let room = s.truth.sessions.last().unwrap().room_id.clone();
    let caps: Vec<&std::ffi::OsStr> = s.captures.iter().map(os).collect();
    assert_eq!(
        summary(&[os(&ds), os("--room"), os(&room)]),
        summary(&[caps.as_slice(), &[os("--room"), os(&room)]].concat())
    );
    let out = bin()
        .arg("export")
        .arg(&s.captures[0])
        .arg("--dataset")
        .arg(&ds)
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("holds no _dataset.json"), "{err}");
}

//! What the benches share: where generated captures live, and generating one once.

use std::path::{Path, PathBuf};
use std::time::Instant;

use danmu_analyze::simulate::{simulate, simulate_rooms, RoomsConfig, SimConfig};

/// `bench-data/` in the target directory (or `$DANMU_BENCH_DATA`, to share captures between two
/// builds being compared): generated captures survive between runs.
pub fn bench_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("DANMU_BENCH_DATA") {
        return PathBuf::from(d);
    }
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("bench-data")
}

/// The simulated capture for `cfg`, generated on first use.
pub fn capture(cfg: &SimConfig) -> PathBuf {
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!(
        "sim-{}m-{}v-s{}.dmcap",
        cfg.minutes, cfg.viewers, cfg.seed
    ));
    if !path.exists() {
        let t = Instant::now();
        let tmp = path.with_extension("partial");
        let out = std::io::BufWriter::new(std::fs::File::create(&tmp).unwrap());
        let truth = simulate(cfg, out).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        eprintln!(
            "generated {} ({} messages) in {:.1?}",
            path.display(),
            truth.messages_sent,
            t.elapsed()
        );
    }
    path
}

/// The capture the benches run on: `DANMU_BENCH_SHAPE=real` gives the real-shaped one (ten rooms
/// of a few messages per frame, [`RoomsConfig::real_shaped`]); otherwise one busy room of
/// `DANMU_BENCH_MINUTES` × `DANMU_BENCH_VIEWERS` (defaults given).
#[allow(dead_code)] // not every bench takes the shape
pub fn shaped_capture(minutes: u32, viewers: u32) -> PathBuf {
    if std::env::var("DANMU_BENCH_SHAPE").as_deref() == Ok("real") {
        return rooms_capture(&RoomsConfig::real_shaped(1));
    }
    capture(&SimConfig {
        minutes: env("DANMU_BENCH_MINUTES", minutes),
        viewers: env("DANMU_BENCH_VIEWERS", viewers),
        seed: 1,
        ..SimConfig::default()
    })
}

/// The multi-room capture for `cfg`, generated on first use (the name `vs_python.sh` gives it).
#[allow(dead_code)]
pub fn rooms_capture(cfg: &RoomsConfig) -> PathBuf {
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!(
        "rooms-{}r-{}m-{}v-s{}.dmcap",
        cfg.rooms, cfg.one.minutes, cfg.one.viewers, cfg.one.seed
    ));
    if !path.exists() {
        let t = Instant::now();
        let tmp = path.with_extension("partial");
        let truths = simulate_rooms(cfg, std::fs::File::create(&tmp).unwrap()).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        eprintln!(
            "generated {} ({} messages) in {:.1?}",
            path.display(),
            truths.iter().map(|t| t.messages_sent).sum::<u64>(),
            t.elapsed()
        );
    }
    path
}

/// A number from the environment, or `default`.
#[allow(dead_code)] // not every bench sizes its session
pub fn env(k: &str, default: u32) -> u32 {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

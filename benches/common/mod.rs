//! What the benches share: where generated captures live, and generating one once.

use std::path::{Path, PathBuf};
use std::time::Instant;

use danmu_analyze::simulate::{simulate, SimConfig};

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

/// A number from the environment, or `default`.
#[allow(dead_code)] // not every bench sizes its session
pub fn env(k: &str, default: u32) -> u32 {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

//! Capturing a room, as a program does it: a `replay` server on loopback plays the sample
//! capture back as Douyin's push server would, and `live::recording` records it into a new
//! capture file, heartbeats and ACKs included.
//!
//! `cargo run --example capture_replay -- OUT.dmcap`

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::Duration;

use danmu_analyze::live::log::Log;
use danmu_analyze::live::recording::{self, Plan, RoomPlan};
use danmu_analyze::live::replay::{serve, ReplaySettings};
use danmu_analyze::live::rooms::Target;
use danmu_analyze::live::session::Settings;
use danmu_analyze::timefmt::Zone;

/// Records what a replay of `capture` sends into `out`; the number of records written.
fn record_a_replay(capture: &Path, out: &Path) -> Result<u64, Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!(
        "ws://{}/webcast/im/push/v2/?room_id=1",
        listener.local_addr()?
    );
    let log = Log::stderr(Zone::default());
    let settings = ReplaySettings {
        speed: 0.0,
        once: true,
        ..ReplaySettings::default()
    };
    let server = {
        let (capture, log) = (capture.to_path_buf(), log.clone());
        std::thread::spawn(move || serve(listener, &capture, &settings, Arc::default(), &log))
    };
    let mut plan = Plan::new(vec![RoomPlan::new(Target::parse(&url)?, out.to_path_buf())]);
    plan.settings = Settings {
        heartbeat: Duration::from_millis(200),
        ..Settings::default()
    };
    recording::check(&plan)?;
    let outcome = recording::record(&plan, &AtomicUsize::new(0), &log);
    server.join().expect("the replay thread")?;
    if outcome.exit_code() != 0 {
        return Err(format!("the recording ended with {:?}", outcome.rooms).into());
    }
    Ok(danmu_analyze::capture::CaptureReader::open(out)?.count() as u64)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "copy.dmcap".into()),
    );
    let n = record_a_replay(Path::new("sample-data/session.dmcap"), &out)?;
    println!("{n} records in {}", out.display());
    Ok(())
}

#[test]
fn a_replay_is_recorded_whole() {
    let sample = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sample-data/session.dmcap"
    ));
    let out = std::env::temp_dir().join(format!("danmu-example-{}.dmcap", std::process::id()));
    let n = record_a_replay(sample, &out).unwrap();
    std::fs::remove_file(&out).ok();
    let sent = danmu_analyze::capture::CaptureReader::open(sample)
        .unwrap()
        .count() as u64;
    assert_eq!(n, sent);
}

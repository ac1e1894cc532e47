//! The Chinese guide (README.zh-CN.md) as a user would follow it: every command of its ```sh
//! blocks runs, in order, through `sh` in a fresh folder holding the sample data, with the
//! binary on PATH; each must succeed. (```text blocks are templates: a real room, cookies, a
//! database.)

use std::path::Path;
use std::process::Command;

use crate::live::BIN;

fn sh_lines(guide: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_sh = false;
    for line in guide.lines() {
        let t = line.trim_start();
        if t.starts_with("```") {
            in_sh = !in_sh && t.trim_end() == "```sh";
            continue;
        }
        if in_sh && !t.is_empty() && !t.starts_with('#') {
            lines.push(line.to_string());
        }
    }
    lines
}

#[test]
fn every_command_of_the_chinese_guide_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let guide = std::fs::read_to_string(root.join("README.zh-CN.md")).unwrap();
    let lines = sh_lines(&guide);
    assert!(lines.len() >= 15, "{lines:?}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sample-data")).unwrap();
    std::fs::copy(
        root.join("sample-data/session.dmcap"),
        dir.path().join("sample-data/session.dmcap"),
    )
    .unwrap();
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for line in &lines {
        let out = Command::new("sh")
            .arg("-c")
            .arg(line)
            .current_dir(dir.path())
            .env("PATH", &path)
            .env_remove("DANMU_COOKIES")
            .env_remove("DANMU_PROXY")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "`{line}` failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // What the guide says it makes is there.
    for made in [
        "报告/index.html",
        "练习/副本.dmcap",
        "导出宽表/events.csv",
        "场次.csv",
        "一周报告/sessions.html",
    ] {
        assert!(dir.path().join(made).exists(), "{made}");
    }
}

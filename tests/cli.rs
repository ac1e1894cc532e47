//! The command line around the commands: shell completions, the manual page, -q and -v.

use std::process::Command;

use crate::common::bin;

const SESSION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/session.dmcap");

fn stdout_of(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn bash_completion_completes_a_subcommand_in_a_real_bash() {
    let script = stdout_of(&["completions", "bash"]);
    // The function `complete -F` registers, called as bash calls it: command, word, previous.
    let function = script
        .lines()
        .find_map(|l| l.trim().strip_prefix("complete -F "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the script registers a function")
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("danmu-analyze.bash");
    std::fs::write(&path, &script).unwrap();
    let complete = |words: &str, cword: usize| {
        let list: Vec<&str> = words.split(' ').collect();
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source {}; COMP_WORDS=({words}); COMP_CWORD={cword}; COMP_LINE='{words}'; \
                 COMP_POINT=${{#COMP_LINE}}; {function} danmu-analyze '{}' '{}'; \
                 echo \"${{COMPREPLY[@]}}\"",
                path.display(),
                list[cword],
                list[cword - 1]
            ))
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut got: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .split_whitespace()
            .map(String::from)
            .collect();
        got.sort();
        got
    };
    assert_eq!(complete("danmu-analyze rep", 1), ["replay", "report"]);
    assert_eq!(complete("danmu-analyze exp", 1), ["export"]);
    assert_eq!(complete("danmu-analyze report --enc", 2), ["--encoding"]);
}

#[test]
fn other_shells_and_the_manual_page() {
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains("report"), "{shell}");
    }
    let man = stdout_of(&["man"]);
    assert!(
        man.starts_with(".ie") || man.contains(".TH danmu-analyze"),
        "{}",
        &man[..200]
    );
    assert!(man.contains("completions") && man.contains("report"));
    let err = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(err.status.code(), Some(2));
}

#[test]
fn quiet_leaves_stderr_to_warnings_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        bin()
            .args(["export", SESSION, "--wide", "--out"])
            .arg(dir.path())
            .args(extra)
            .output()
            .unwrap()
    };
    let loud = run(&[]);
    assert!(loud.status.success());
    assert!(String::from_utf8_lossy(&loud.stderr).contains("events"));
    let quiet = run(&["-q"]);
    assert!(quiet.status.success());
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
    // A global flag: before the command too; errors still show.
    let out = bin()
        .args(["-q", "export", "/nonexistent.dmcap", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent.dmcap"));
    let both = bin().args(["-q", "-v", "man"]).output().unwrap();
    assert_eq!(both.status.code(), Some(2), "-q and -v conflict");
}

/// -vv shows ureq's log (here: a connect to a local proxy that refuses), never the proxy's
/// credentials. Nothing leaves the machine: the proxy is 127.0.0.1:9.
#[cfg(feature = "live")]
#[test]
fn verbose_shows_the_network_log_without_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let run = |verbose: &[&str]| {
        let out = bin()
            .args(verbose)
            .args(["capture", "123456789", "--max-reconnects", "0", "--proxy"])
            .arg("http://alice:s3cret-pass@127.0.0.1:9")
            .arg("--out")
            .arg(dir.path().join("x.dmcap"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let plain = run(&[]);
    assert!(!plain.contains("[DEBUG"), "{plain}");
    let verbose = run(&["-vv"]);
    assert!(verbose.contains("[DEBUG ureq"), "{verbose}");
    assert!(
        !verbose.contains("s3cret-pass") && !verbose.contains("alice"),
        "{verbose}"
    );
}

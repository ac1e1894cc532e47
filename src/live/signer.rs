//! `--signer CMD`: an external command gets the X-MS-STUB and prints the push URL's signature,
//! for when Douyin changes its algorithm and the built-in one ([`super::signature`]) no longer
//! matches.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::LiveError;

/// Runs `cmd` through `sh -c` with the stub as its last argument and on stdin, and returns the
/// first non-empty line it prints. A signer that takes longer than `timeout` is killed.
pub fn run_signer(cmd: &str, stub: &str, timeout: Duration) -> Result<String, LiveError> {
    let fail = |detail: String| LiveError::Signer {
        cmd: cmd.to_string(),
        detail,
    };
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("{cmd} \"$1\""))
        .arg("sh")
        .arg(stub)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot start sh: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A signer that reads only its argument may exit before reading: not an error.
        let _ = stdin.write_all(format!("{stub}\n").as_bytes());
    }
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = (&mut stderr).take(4096).read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!("no answer within {timeout:?}; killed")));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(fail(e.to_string())),
        }
    };
    let out = out.join().unwrap_or_default();
    let err = String::from_utf8_lossy(&err.join().unwrap_or_default())
        .trim()
        .to_string();
    if !status.success() {
        return Err(fail(format!(
            "it exited with {status}{}",
            if err.is_empty() {
                String::new()
            } else {
                format!(": {err}")
            }
        )));
    }
    String::from_utf8_lossy(&out)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
        .ok_or_else(|| fail("it printed nothing; it should print the signature".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(10);

    #[test]
    fn signer_gets_the_stub_as_argument_and_on_stdin() {
        assert_eq!(run_signer("echo sig-", "abc", T).unwrap(), "sig- abc");
        assert_eq!(
            run_signer("read s; echo \"in-$s\"; true", "abc", T).unwrap(),
            "in-abc"
        );
    }

    #[test]
    fn signer_failures_say_what_happened() {
        let e = run_signer("echo oops >&2; exit 3; true", "x", T)
            .unwrap_err()
            .to_string();
        assert!(e.contains("oops") && e.contains("exit"), "{e}");
        let e = run_signer("true", "x", T).unwrap_err().to_string();
        assert!(e.contains("printed nothing"), "{e}");
        let e = run_signer("exec sleep 5;", "x", Duration::from_millis(100))
            .unwrap_err()
            .to_string();
        assert!(e.contains("killed"), "{e}");
    }
}

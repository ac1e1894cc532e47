//! The files a list of inputs names: files as given, a folder's files (an `export` without
//! `--wide` writes one per kind), and `*` / `?` patterns in a file name (for shells that do not
//! expand them, or a quoted pattern).

use std::path::{Path, PathBuf};

use super::SourceError;

/// Every file `paths` names, in order (a folder's and a pattern's files sorted by name).
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, SourceError> {
    let mut out = Vec::new();
    for p in paths {
        let name = p.display().to_string();
        let is_pattern = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains(['*', '?']));
        if is_pattern {
            let pattern = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let dir = match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let found = files_in(dir, |n| wildcard(pattern, n))?;
            if found.is_empty() {
                return Err(SourceError::NoMatch { path: name });
            }
            out.extend(found);
        } else if p.is_dir() {
            let found = files_in(p, |n| !n.starts_with('.'))?;
            if found.is_empty() {
                return Err(SourceError::EmptyFolder { path: name });
            }
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    if out.is_empty() {
        return Err(SourceError::NoInput);
    }
    Ok(out)
}

/// The regular files in `dir` whose names `keep`, sorted.
fn files_in(dir: &Path, keep: impl Fn(&str) -> bool) -> Result<Vec<PathBuf>, SourceError> {
    let io_err = |source| SourceError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_err)? {
        let entry = entry.map_err(io_err)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if keep(name) && entry.path().is_file() {
            found.push(entry.path());
        }
    }
    found.sort();
    Ok(found)
}

/// `*` any run of characters, `?` one character.
fn wildcard(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative match with backtracking to the last `*`.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("*.csv", "chat.csv"));
        assert!(wildcard("*.csv", ".csv"));
        assert!(!wildcard("*.csv", "chat.csv.bak"));
        assert!(wildcard("ch?t.*", "chat.parquet"));
        assert!(wildcard("*a*b", "xaxxb"));
        assert!(!wildcard("*a*b", "xaxxbc"));
    }
}

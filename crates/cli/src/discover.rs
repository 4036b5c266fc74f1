//! Turning the paths on the command line into the documents to check.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The files to check: files as given, folders searched (recursively, in name order) for YAML
/// and JSON files that start like an Arazzo document.
pub(crate) fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for path in paths {
        let text = path.to_string_lossy();
        if text.starts_with("http://") || text.starts_with("https://") {
            out.push(path.clone());
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("{} does not exist", path.display()),
            _ => format!("cannot read {}: {e}", path.display()),
        })?;
        if meta.is_dir() {
            let before = out.len();
            walk(path, &mut out).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if out.len() == before {
                return Err(format!("{} holds no Arazzo documents", path.display()));
            }
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if !entry.file_name().to_string_lossy().starts_with('.') {
                walk(&path, out)?;
            }
        } else if kind.is_file() && looks_like_arazzo(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// A cheap sniff: a YAML/JSON file whose first 4 KiB has a top-level `arazzo` key.
fn looks_like_arazzo(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    if !matches!(ext, "yaml" | "yml" | "json") {
        return false;
    }
    let mut head = [0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..n]);
    head.lines()
        .any(|l| l.starts_with("arazzo:") || l.trim_start().starts_with("\"arazzo\""))
}

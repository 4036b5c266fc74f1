//! Finding the Arazzo documents in a folder: every YAML or JSON file below it (hidden folders
//! and symbolic links to folders skipped, links to files followed) whose first lines have a top-level `arazzo` key. `telaio validate DIR` and
//! `telaio catalog DIR` both walk this way, so they agree on what a folder holds.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The Arazzo documents below `dir`, at any depth, in name order.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("a.arazzo.yaml"), "arazzo: 1.0.1\n").unwrap();
/// std::fs::write(dir.path().join("openapi.yaml"), "openapi: 3.1.0\n").unwrap();
/// let found = telaio_model::arazzo_files(dir.path()).unwrap();
/// assert_eq!(found.len(), 1);
/// ```
pub fn arazzo_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    walk(dir, &mut out)?;
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let kind = entry.file_type()?;
        // Linked files count; linked folders are not followed (a link to a parent would
        // never end).
        if kind.is_dir() {
            if !entry.file_name().to_string_lossy().starts_with('.') {
                walk(&path, out)?;
            }
        } else if path.is_file() && looks_like_arazzo(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// A cheap sniff: a YAML/JSON file whose first 4 KiB has a top-level `arazzo` key.
pub fn looks_like_arazzo(path: &Path) -> bool {
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

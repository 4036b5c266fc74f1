//! Finding the Arazzo documents in a folder: every YAML or JSON file below it (hidden folders
//! and symbolic links to folders skipped, links to files followed) whose top level is a
//! mapping with an `arazzo` key. `telaio validate DIR` and
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

/// Whether a file is an Arazzo document: a YAML or JSON file whose top level is a mapping
/// with an `arazzo` key. A `package.json` that depends on a package named `arazzo`, or a JSON
/// list of documents, is not one.
///
/// Cheap on the files a folder mostly holds: a file that does not contain the word `arazzo`
/// at all is passed over without parsing, and the parse stops at the answer. A file larger
/// than [`MAX_SNIFFED`], or one that does not parse before the answer is known, counts when
/// one of its first lines starts with `arazzo:` or `"arazzo"`, so that `validate` can say
/// what is wrong with it.
pub fn looks_like_arazzo(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    if !matches!(ext, "yaml" | "yml" | "json") {
        return false;
    }
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut bytes = Vec::new();
    if file.take(MAX_SNIFFED + 1).read_to_end(&mut bytes).is_err() {
        return false;
    }
    if bytes.len() as u64 > MAX_SNIFFED {
        return first_lines_say_arazzo(&bytes);
    }
    let Ok(text) = crate::decode_text(&bytes) else {
        return first_lines_say_arazzo(&bytes);
    };
    if !text.contains("arazzo") {
        return false;
    }
    crate::top_level_has_key(&text, "arazzo").unwrap_or_else(|| first_lines_say_arazzo(&bytes))
}

/// The largest file whose top level is parsed to find its keys.
pub const MAX_SNIFFED: u64 = 20 * 1024 * 1024;

fn first_lines_say_arazzo(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    head.lines()
        .any(|l| l.starts_with("arazzo:") || l.trim_start().starts_with("\"arazzo\""))
}

//! Turning the paths on the command line into the documents to check.

use std::path::PathBuf;

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
            out.extend(
                telaio_model::arazzo_files(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
            );
            if out.len() == before {
                return Err(format!("{} holds no Arazzo documents", path.display()));
            }
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

//! Writing and removing the catalog's files without following symbolic links inside the
//! output folder: a link planted there (`site/index.html` → `~/.bashrc`, `site/docs` → `/etc`)
//! is refused or replaced, never written or deleted through.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// `out/relative`, after checking that no folder on the way inside `out` is a symbolic link.
fn inside(out: &Path, relative: &Path) -> std::io::Result<PathBuf> {
    let mut at = out.to_path_buf();
    let parts: Vec<Component<'_>> = relative.components().collect();
    for (i, part) in parts.iter().enumerate() {
        match part {
            Component::Normal(name) => at.push(name),
            _ => {
                return Err(std::io::Error::other(format!(
                    "{} is not a path inside the output folder",
                    relative.display()
                )));
            }
        }
        let last = i + 1 == parts.len();
        if !last
            && let Ok(meta) = std::fs::symlink_metadata(&at)
            && meta.file_type().is_symlink()
        {
            return Err(std::io::Error::other(format!(
                "{} is a symbolic link; the catalog does not write through links",
                at.display()
            )));
        }
    }
    Ok(at)
}

/// Writes `bytes` to `out/relative`: to a new file beside it, then renamed into place, so a
/// link at that name is replaced rather than followed, and no page is ever half written.
pub(crate) fn write(out: &Path, relative: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let target = inside(out, relative)?;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        // `create_new` fails on anything already there, a link included.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        std::fs::rename(&temp, &target)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.map(|()| target)
}

/// Removes `out/relative` (a link there is removed itself; nothing is removed through one).
pub(crate) fn remove(out: &Path, relative: &Path) -> std::io::Result<()> {
    std::fs::remove_file(inside(out, relative)?)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn links_inside_the_output_folder_are_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let (out, outside) = (dir.path().join("site"), dir.path().join("outside"));
        std::fs::create_dir_all(&out).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        let victim = outside.join("victim.txt");
        std::fs::write(&victim, "keep me").unwrap();
        // A page that is a link to a file outside: replaced, the file untouched.
        std::os::unix::fs::symlink(&victim, out.join("index.html")).unwrap();
        write(&out, Path::new("index.html"), b"<html>").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "<html>"
        );
        // A folder that is a link: refused for writing and for removing.
        std::os::unix::fs::symlink(&outside, out.join("docs")).unwrap();
        assert!(write(&out, Path::new("docs/victim.txt"), b"x").is_err());
        assert!(remove(&out, Path::new("docs/victim.txt")).is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert!(write(&out, Path::new("../escape.html"), b"x").is_err());
    }
}

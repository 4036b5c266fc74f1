//! The text of a loaded file, kept so that messages can quote the offending line.

use url::Url;

/// A file's name, location and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceText {
    /// Where the file was read from (a `file:` URL for local files).
    pub url: Url,
    /// How to name the file to a person: a path relative to the working directory when it
    /// is below it, else the absolute path or the URL.
    pub name: String,
    /// The text.
    pub text: String,
}

impl SourceText {
    /// Line `n` (1-based) of the text, without its line break.
    pub fn line(&self, n: u32) -> Option<&str> {
        let n = usize::try_from(n).ok()?.checked_sub(1)?;
        self.text
            .split('\n')
            .nth(n)
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
    }
}

/// How to show a URL to a person (see [`SourceText::name`]).
pub fn display_name(url: &Url) -> String {
    if url.scheme() != "file" {
        return url.to_string();
    }
    let Ok(path) = url.to_file_path() else {
        return url.to_string();
    };
    if let Ok(cwd) = std::env::current_dir() {
        if let Ok(rel) = path.strip_prefix(&cwd) {
            let rel = rel.display().to_string();
            return if rel.is_empty() { ".".to_owned() } else { rel };
        }
        if let Some(rel) = relative_to(&path, &cwd) {
            return rel;
        }
    }
    path.display().to_string()
}

/// `../x/y` style path from `base` to `path`, when they share a prefix.
fn relative_to(path: &std::path::Path, base: &std::path::Path) -> Option<String> {
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    // Only the root in common: an absolute path reads better.
    if common <= 1 || b.len() - common > 3 {
        return None;
    }
    let mut out = std::path::PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    Some(out.display().to_string())
}

//! The text of a loaded file, kept so that messages can quote the offending line.

use std::sync::OnceLock;

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
    /// Where each line starts and how characters map to bytes, found on first use: a
    /// document with 40,000 findings must not be split 40,000 times, nor a one-line JSON
    /// document of 5 MB be counted from its start for each.
    index: OnceLock<LineIndex>,
}

/// Byte offsets of lines and characters.
#[derive(Clone, Debug, PartialEq, Eq)]
struct LineIndex {
    /// The byte where each line starts.
    line_starts: Vec<usize>,
    /// For text that is not all ASCII: the character index at which each line starts, and
    /// the byte of every [`CHECKPOINT`]th character (ASCII text needs neither: a character
    /// is a byte).
    chars: Option<(Vec<usize>, Vec<usize>)>,
}

/// Characters between two remembered byte offsets.
const CHECKPOINT: usize = 256;

impl LineIndex {
    fn new(text: &str) -> Self {
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let chars = (!text.is_ascii()).then(|| {
            let mut line_chars = Vec::with_capacity(line_starts.len());
            let mut checkpoints = Vec::with_capacity(text.len() / CHECKPOINT + 1);
            for (k, (byte, c)) in text.char_indices().enumerate() {
                if k % CHECKPOINT == 0 {
                    checkpoints.push(byte);
                }
                if byte == 0 {
                    line_chars.push(0);
                }
                if c == '\n' {
                    line_chars.push(k + 1);
                }
            }
            if line_chars.is_empty() {
                line_chars.push(0);
            }
            (line_chars, checkpoints)
        });
        LineIndex { line_starts, chars }
    }
}

/// A piece of one line, to quote under a message: at most a given number of characters
/// around a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Excerpt<'t> {
    /// The characters shown.
    pub text: &'t str,
    /// Where the column falls in `text`, in characters.
    pub caret: usize,
    /// Whether the line goes on before `text`.
    pub cut_before: bool,
    /// Whether the line goes on after `text`.
    pub cut_after: bool,
}

impl SourceText {
    /// A file's text under its name.
    ///
    /// ```
    /// let url = telaio_model::Url::parse("file:///tmp/a.yaml").unwrap();
    /// let source = telaio_model::SourceText::new(url, "a.yaml".into(), "a: 1\r\nb: 2\n".into());
    /// assert_eq!(source.line(2), Some("b: 2"));
    /// assert_eq!(source.line(1), Some("a: 1"));
    /// assert_eq!(source.line(4), None);
    /// ```
    pub fn new(url: Url, name: String, text: String) -> Self {
        SourceText {
            url,
            name,
            text,
            index: OnceLock::new(),
        }
    }

    fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text))
    }

    /// The byte range of line `n` (1-based), without its line break.
    fn line_range(&self, n: u32) -> Option<(usize, usize)> {
        let n = usize::try_from(n).ok()?.checked_sub(1)?;
        let starts = &self.index().line_starts;
        let start = *starts.get(n)?;
        let mut end = starts.get(n + 1).map_or(self.text.len(), |next| next - 1);
        if self.text[start..end].ends_with('\r') {
            end -= 1;
        }
        Some((start, end))
    }

    /// Line `n` (1-based) of the text, without its line break.
    pub fn line(&self, n: u32) -> Option<&str> {
        self.line_range(n)
            .map(|(start, end)| &self.text[start..end])
    }

    /// The byte offset in the text of the character at `column` (1-based) of line `n`, or of
    /// the line's end when the line is shorter; found without counting from the line's start.
    ///
    /// ```
    /// let url = telaio_model::Url::parse("file:///tmp/a.yaml").unwrap();
    /// let source = telaio_model::SourceText::new(url, "a.yaml".into(), "a: 1\né: ü\n".into());
    /// assert_eq!(source.byte_at(2, 4), Some(9));
    /// assert_eq!(&source.text[9..], "ü\n");
    /// ```
    pub fn byte_at(&self, n: u32, column: u32) -> Option<usize> {
        let (start, end) = self.line_range(n)?;
        let column = usize::try_from(column).ok()?.checked_sub(1)?;
        let Some((line_chars, checkpoints)) = &self.index().chars else {
            return Some((start + column).min(end));
        };
        let k = line_chars.get(usize::try_from(n).ok()? - 1)? + column;
        let Some(&from) = checkpoints.get(k / CHECKPOINT) else {
            return Some(end);
        };
        let byte = self.text[from..]
            .char_indices()
            .nth(k % CHECKPOINT)
            .map_or(self.text.len(), |(i, _)| from + i);
        Some(byte.min(end))
    }

    /// At most `max` characters of line `n` around `column` (1-based), the column a third of
    /// the way in when the line is cut.
    ///
    /// ```
    /// let url = telaio_model::Url::parse("file:///tmp/a.json").unwrap();
    /// let text = format!("[{}\"x\", {}1]", "1, ".repeat(1000), "1, ".repeat(1000));
    /// let column = text.find('"').unwrap() as u32 + 1;
    /// let source = telaio_model::SourceText::new(url, "a.json".into(), text);
    /// let excerpt = source.excerpt(1, column, 30).unwrap();
    /// assert_eq!(excerpt.text.chars().count(), 30);
    /// assert_eq!(&excerpt.text[excerpt.caret..excerpt.caret + 3], "\"x\"");
    /// assert!(excerpt.cut_before && excerpt.cut_after);
    /// ```
    pub fn excerpt(&self, n: u32, column: u32, max: usize) -> Option<Excerpt<'_>> {
        let (line_start, line_end) = self.line_range(n)?;
        let column = column.max(1);
        let first = column
            .saturating_sub(u32::try_from(max / 3).unwrap_or(u32::MAX))
            .max(1);
        let start = self.byte_at(n, first)?;
        let stop = self.byte_at(
            n,
            first.saturating_add(u32::try_from(max).unwrap_or(u32::MAX)),
        )?;
        let at = self.byte_at(n, column)?;
        // Short lines are shown whole, however far the column.
        let (start, stop) = if self.text[line_start..line_end].len() <= max {
            (line_start, line_end)
        } else {
            (start, stop)
        };
        let text = &self.text[start..stop];
        Some(Excerpt {
            text,
            caret: self.text[start..at.clamp(start, stop)].chars().count(),
            cut_before: start > line_start,
            cut_after: stop < line_end,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte of a column, counted the slow way.
    fn naive(text: &str, n: u32, column: u32) -> Option<usize> {
        let start: usize = text
            .split('\n')
            .take(n as usize - 1)
            .map(|l| l.len() + 1)
            .sum();
        let line = text.split('\n').nth(n as usize - 1)?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        Some(
            start
                + line
                    .char_indices()
                    .nth(column as usize - 1)
                    .map_or(line.len(), |(i, _)| i),
        )
    }

    #[test]
    fn columns_map_to_bytes_across_checkpoints() {
        // Long lines of mixed widths, short ones, CRLF, an empty last line.
        let long: String = (0..3000).map(|i| ['a', 'é', '€', '𝄞'][i % 4]).collect();
        let text = format!("{long}\r\nab\n\nü{long}x\n");
        let source = SourceText::new(
            Url::parse("file:///t.yaml").unwrap(),
            "t.yaml".into(),
            text.clone(),
        );
        for n in 1..=5 {
            for column in [1, 2, 3, 255, 256, 257, 1000, 2999, 3000, 3001, 3002, 9000] {
                assert_eq!(
                    source.byte_at(n, column),
                    naive(&text, n, column),
                    "line {n} column {column}"
                );
            }
        }
        assert_eq!(source.line(2), Some("ab"));
        assert_eq!(source.line(6), None);
    }
}

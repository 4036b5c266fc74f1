//! The way out to the user: text that came from documents or servers shown with its control
//! characters escaped, and a closed stdout ending the command quietly.
//!
//! A server's error message, a document's step id or a line of its source may hold escape
//! sequences that would retitle the terminal, move the cursor over a line already printed
//! ("succeeded") or write the clipboard (OSC 52). Every such field goes through [`clean`]
//! (one line) or [`clean_lines`] (line breaks kept) before it is written; Telaio's own styling
//! is added around the cleaned text, never inside it. JSON printed by the commands goes through
//! [`safe_json`], which escapes what JSON itself leaves raw.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;

use serde_json::Value;
use telaio_model::Excerpt;

/// Whether `c` must not reach a terminal as itself: C0 controls (but tab), DEL, C1 controls,
/// and the bidirectional overrides that make text read other than it is.
fn dangerous(c: char, keep_newlines: bool) -> bool {
    match c {
        '\t' => false,
        '\n' => !keep_newlines,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            true
        }
        _ => false,
    }
}

fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| dangerous(c, keep_newlines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !dangerous(c, keep_newlines) {
            out.push(c);
            continue;
        }
        let _ = match c {
            '\n' => write!(out, "\\n"),
            '\r' => write!(out, "\\r"),
            c if (c as u32) < 0x80 => write!(out, "\\x{:02x}", c as u32),
            c => write!(out, "\\u{{{:x}}}", c as u32),
        };
    }
    Cow::Owned(out)
}

/// One line of outside text, safe for a terminal: control characters (line breaks too) and
/// bidirectional overrides written as escapes (`\x1b`, `\n`, `\u{202e}`).
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// Outside text that may span lines: as [`clean`], but line breaks are kept.
pub(crate) fn clean_lines(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// JSON text as Telaio prints it: `serde_json` escapes C0 controls inside strings, but leaves
/// DEL, C1 controls and bidirectional overrides raw; they are written as `\uXXXX` here, which
/// is the same JSON. (Outside strings, JSON text is ASCII, so every such character is inside
/// one.)
pub(crate) fn safe_json(value: &Value) -> String {
    // Serialising a `Value` cannot fail.
    safe_json_text(serde_json::to_string_pretty(value).unwrap_or_default())
}

/// JSON text made safe as [`safe_json`] does.
pub(crate) fn safe_json_text(text: String) -> String {
    if !text.chars().any(|c| dangerous(c, true)) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if dangerous(c, true) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// An excerpt of outside text ready to print with a caret under it: cut with `…`, tabs as
/// spaces, escapes cleaned. Returns the text, where the caret goes in it, and how many
/// characters the caret may cover.
pub(crate) fn show(excerpt: Excerpt<'_>) -> (String, usize, usize) {
    let mut shown = String::with_capacity(excerpt.text.len() + 8);
    let mut caret_at = None;
    if excerpt.cut_before {
        shown.push('…');
    }
    let mut width = usize::from(excerpt.cut_before);
    for (i, c) in excerpt.text.chars().enumerate() {
        if i == excerpt.caret {
            caret_at = Some(width);
        }
        let piece = match c {
            '\t' => Cow::Borrowed(" "),
            c => clean(c.encode_utf8(&mut [0; 4])).into_owned().into(),
        };
        width += piece.chars().count();
        shown.push_str(&piece);
    }
    let caret_at = caret_at.unwrap_or(width);
    if excerpt.cut_after {
        shown.push('…');
    }
    (shown, caret_at, width - caret_at)
}

/// The excerpt of a short text (a condition on the command line) around character `column`
/// (0-based), at most `max` characters.
pub(crate) fn excerpt(text: &str, column: usize, max: usize) -> Excerpt<'_> {
    let count = text.chars().count();
    let first = if count <= max {
        0
    } else {
        column.saturating_sub(max / 3)
    };
    let byte = |k: usize| text.char_indices().nth(k).map_or(text.len(), |(b, _)| b);
    let (start, stop) = (byte(first), byte(first + max));
    Excerpt {
        text: &text[start..stop],
        caret: column.saturating_sub(first),
        cut_before: start > 0,
        cut_after: stop < text.len(),
    }
}

/// Settles a write to stdout. A reader that closed the pipe (`| head -c1`) wanted no more:
/// nothing is said and the command goes on to end with its own status (a failed run still
/// exits 1, for `set -o pipefail`); any other failure to write is reported and ends it with
/// the usage status.
pub(crate) fn finish_stdout(result: std::io::Result<()>) {
    let result = result.and_then(|()| std::io::stdout().flush());
    match result {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            crate::render::usage_error(&format!("cannot write the output: {e}"));
            std::process::exit(i32::from(crate::exit::USAGE))
        }
    }
}

/// Prints a line of text to stdout (see [`finish_stdout`]).
pub(crate) fn println(text: &str) {
    let mut out = std::io::stdout().lock();
    finish_stdout(writeln!(out, "{text}"));
}

/// Prints JSON to stdout (see [`safe_json`] and [`finish_stdout`]).
pub(crate) fn print_json(value: &Value) {
    println(&safe_json(value));
}

/// Prints a page (HTML, Markdown) to stdout as it is, unless stdout is a terminal: then its
/// control characters are escaped, since a page may quote anything a document holds.
pub(crate) fn print_page(page: &str) {
    use std::io::IsTerminal;
    let mut out = std::io::stdout().lock();
    let page = if out.is_terminal() {
        clean_lines(page)
    } else {
        Cow::Borrowed(page)
    };
    finish_stdout(out.write_all(page.as_bytes()));
}

/// Writes a line to stderr; a closed stderr is no reason to fail.
pub(crate) fn eprintln(text: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_would_obey() {
        assert_eq!(clean("plain text"), "plain text");
        assert_eq!(clean("a\x1b]0;title\x07b"), "a\\x1b]0;title\\x07b");
        assert_eq!(clean("\rsucceeded\n"), "\\rsucceeded\\n");
        assert_eq!(clean("x\u{9b}31m"), "x\\u{9b}31m");
        assert_eq!(clean("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(clean_lines("one\ntwo\x1b[2J"), "one\ntwo\\x1b[2J");
        assert_eq!(clean("tab\tkept"), "tab\tkept");
    }

    #[test]
    fn json_stays_json() {
        let v = serde_json::json!({"m": "a\u{9b}b\u{7f}\u{202e}\x1b"});
        let text = safe_json(&v);
        assert!(text.is_ascii() || !text.chars().any(|c| dangerous(c, true)));
        assert!(text.contains("\\u009b") && text.contains("\\u007f") && text.contains("\\u202e"));
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), v);
    }
}

//! The raw document on the page: every line numbered and linkable (`#L12`), YAML or JSON
//! highlighted (keys, strings, numbers, comments, runtime expressions), and each diagnostic of
//! the validator shown right under the line it concerns.
//!
//! The highlighter is a small line scanner rather than a grammar engine: a catalog renders
//! thousands of documents, and keys, scalars, comments and block scalars are all a reader
//! needs to find their way.

use std::fmt::Write;

use telaio_lint::{Diagnostic, Severity};

use crate::html::markup::{esc, inline_code};

/// Lines listed in full; past them only lines with findings are (a page must stay a page:
/// a 19 MB document would otherwise make a gigabyte of HTML).
const FULL_LINES: usize = 5_000;
/// Bytes of source listed in full, whichever of the two comes first.
const FULL_BYTES: usize = 512 * 1024;
/// The most characters of one line shown (a minified JSON document is one line).
const LINE_CHARS: usize = 2_000;
/// The most findings shown in the listing (and in the page's list of them).
pub(crate) const NOTES: usize = 2_000;

/// The listing of `text`, with the diagnostics whose spans fall in it.
/// `name` is how the page names the file in the findings' locations. A long document is
/// folded: its first lines in full, then only the lines that carry findings, and the page
/// says so.
pub(crate) fn listing(out: &mut String, name: &str, text: &str, diagnostics: &[&Diagnostic]) {
    let mut by_line: Vec<Vec<&Diagnostic>> = vec![Vec::new()];
    let lines: Vec<&str> = text.split('\n').collect();
    by_line.resize(lines.len() + 1, Vec::new());
    let mut unplaced = Vec::new();
    for d in diagnostics {
        match d.span.map(|s| s.start.line as usize) {
            Some(l) if (1..=lines.len()).contains(&l) => by_line[l].push(d),
            _ => unplaced.push(*d),
        }
    }
    // How many lines are listed in full.
    let mut bytes = 0;
    let full = lines
        .iter()
        .take(FULL_LINES)
        .take_while(|l| {
            bytes += l.len() + 1;
            bytes <= FULL_BYTES
        })
        .count()
        .max(1);
    if full < lines.len() {
        let _ = write!(
            out,
            "<p class=\"fold-note\">The listing shows the first {full} of {} lines in full; after them, only the lines with findings.</p>",
            lines.len()
        );
    }
    out.push_str("<pre class=\"source\" id=\"source-text\"><code>");
    let mut notes = 0;
    for d in unplaced {
        note(out, name, d, &mut notes);
    }
    let mut block: Option<usize> = None;
    let mut skipped = 0usize;
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        // Past the full lines, a line is listed for its findings, while they are shown.
        if i >= full && (by_line[n].is_empty() || notes >= NOTES) {
            skipped += 1;
            notes += by_line[n].len();
            continue;
        }
        if skipped > 0 {
            fold(out, skipped);
            skipped = 0;
            // The highlighter's state is lost across the gap.
            block = None;
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mark = match by_line[n].iter().map(|d| d.severity).max() {
            Some(Severity::Error) => " has-error",
            Some(Severity::Warning) => " has-warning",
            None => "",
        };
        let _ = write!(
            out,
            "<span class=\"line{mark}\" id=\"L{n}\"><a class=\"ln\" href=\"#L{n}\" data-n=\"{n}\" aria-label=\"line {n}\"></a><span class=\"code\">"
        );
        match line.char_indices().nth(LINE_CHARS) {
            Some((cut, _)) => {
                highlight(out, &line[..cut], &mut block);
                let _ = write!(
                    out,
                    "<span class=\"fold\"> … {} more characters</span>",
                    line[cut..].chars().count()
                );
            }
            None => highlight(out, line, &mut block),
        }
        // The line break inside the block keeps copied text in lines without doubling them.
        out.push_str("</span>\n</span>");
        for d in &by_line[n] {
            note(out, name, d, &mut notes);
        }
    }
    if skipped > 0 {
        fold(out, skipped);
    }
    if notes > NOTES {
        let _ = write!(
            out,
            "<span class=\"fold\">{} more findings are not shown here; `telaio validate` lists them all\n</span>",
            notes - NOTES
        );
    }
    out.push_str("</code></pre>");
}

/// The mark of lines left out.
fn fold(out: &mut String, lines: usize) {
    let _ = write!(
        out,
        "<span class=\"fold\">… {lines} line{} not shown\n</span>",
        if lines == 1 { "" } else { "s" }
    );
}

/// A finding under its line, while fewer than [`NOTES`] have been shown (`shown` counts all).
fn note(out: &mut String, name: &str, d: &Diagnostic, shown: &mut usize) {
    *shown += 1;
    if *shown <= NOTES {
        diagnostic(out, name, d);
    }
}

fn diagnostic(out: &mut String, name: &str, d: &Diagnostic) {
    let at = d
        .span
        .map(|s| format!("{name}:{}:{} ", s.start.line, s.start.column))
        .unwrap_or_else(|| format!("{name} "));
    let _ = write!(
        out,
        "<span class=\"diag {sev}\" role=\"note\"><span class=\"where\">{}</span><strong>{sev}[{}]</strong> {}",
        esc(&at),
        esc(d.rule),
        inline_code(&d.message),
        sev = d.severity.as_str()
    );
    if let Some(h) = &d.hint_with(telaio_lint::Remedy::neutral) {
        let _ = write!(out, "<span class=\"hint\"> hint: {}</span>", inline_code(h));
    }
    out.push_str("\n</span>");
}

/// One line of YAML (or JSON, whose lines look like flow YAML). `block` is the indentation of
/// the key that opened a block scalar (`|`, `>`): deeper lines are its text.
fn highlight(out: &mut String, line: &str, block: &mut Option<usize>) {
    let indent = line.len() - line.trim_start().len();
    if let Some(key_indent) = *block {
        if line.trim().is_empty() || indent > key_indent {
            span(out, "str", line);
            return;
        }
        *block = None;
    }
    let (lead, mut rest) = line.split_at(indent);
    out.push_str(lead);
    if rest.starts_with('#') {
        span(out, "comment", rest);
        return;
    }
    while let Some(after) = rest.strip_prefix("- ") {
        span(out, "punct", "-");
        out.push(' ');
        rest = after;
    }
    let key_indent = line.len() - rest.len();
    if let Some((key, after)) = split_key(rest) {
        span(out, "key", key);
        span(out, "punct", ":");
        rest = after;
        let value = rest.trim_start();
        out.push_str(&rest[..rest.len() - value.len()]);
        rest = value;
        if value.starts_with(['|', '>']) {
            *block = Some(key_indent);
        }
    }
    scalar(out, rest);
}

/// `key` and what follows its `:` when the text starts with a mapping key.
fn split_key(s: &str) -> Option<(&str, &str)> {
    let end = if let Some(q @ ('"' | '\'')) = s.chars().next() {
        let close = s[1..].find(q)? + 2;
        if !s[close..].starts_with(':') {
            return None;
        }
        close
    } else {
        if s.starts_with(['{', '[', '&', '*', '!', '|', '>']) {
            return None;
        }
        let colon = s.find(": ").or_else(|| s.strip_suffix(':').map(str::len))?;
        if s[..colon].contains(" #") {
            return None;
        }
        colon
    };
    Some((&s[..end], &s[end + 1..]))
}

fn scalar(out: &mut String, value: &str) {
    if value.is_empty() {
        return;
    }
    let (body, comment) = match value.find(" #") {
        Some(i) if !value.starts_with(['"', '\'']) => value.split_at(i),
        _ => (value, ""),
    };
    let trimmed = body.trim_end_matches([',', ' ']);
    let class = if trimmed.starts_with(['"', '\'']) {
        let inner = trimmed.trim_matches(['"', '\'']);
        if inner.starts_with('$') || inner.starts_with("{$") {
            "expr"
        } else {
            "str"
        }
    } else if trimmed.starts_with('$') {
        "expr"
    } else if matches!(trimmed, "true" | "false" | "null" | "~") || trimmed.parse::<f64>().is_ok() {
        "lit"
    } else if trimmed.starts_with(['|', '>', '{', '[', '}', ']']) {
        "punct"
    } else {
        "str"
    };
    span(out, class, trimmed);
    out.push_str(&esc(&body[trimmed.len()..]));
    if !comment.is_empty() {
        span(out, "comment", comment);
    }
}

fn span(out: &mut String, class: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    let _ = write!(out, "<span class=\"{class}\">{}</span>", esc(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(line: &str) -> String {
        let mut out = String::new();
        highlight(&mut out, line, &mut None);
        out
    }

    #[test]
    fn keys_values_and_expressions() {
        assert_eq!(
            lit("  - stepId: poll # again"),
            "  <span class=\"punct\">-</span> <span class=\"key\">stepId</span><span class=\"punct\">:</span> <span class=\"str\">poll</span><span class=\"comment\"> # again</span>"
        );
        assert!(
            lit("  condition: $statusCode == 200")
                .contains("<span class=\"expr\">$statusCode == 200</span>")
        );
        assert!(lit("retryLimit: 3").contains("<span class=\"lit\">3</span>"));
        assert!(lit("  \"name\": \"x\",").contains("<span class=\"key\">&quot;name&quot;</span>"));
        assert!(lit("url: https://x.example/a#b").contains("https://x.example/a#b"));
    }

    #[test]
    fn block_scalars_are_text() {
        let mut block = None;
        let mut out = String::new();
        for l in ["  description: >-", "    a key: like text", "  next: 1"] {
            highlight(&mut out, l, &mut block);
            out.push('\n');
        }
        assert!(
            out.contains("<span class=\"str\">    a key: like text</span>"),
            "{out}"
        );
        assert!(out.contains("<span class=\"key\">next</span>"), "{out}");
    }
}

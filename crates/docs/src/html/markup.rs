//! Text made safe for HTML: escaping, and CommonMark rendered without what a document must not
//! bring into a page (raw HTML, scripts in links, images that would fetch from the network).

use std::borrow::Cow;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

/// Text with `& < > " '` escaped, for element content and quoted attributes.
pub(crate) fn esc(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A message of the validator, escaped, with its `backticked` parts as code (an unpaired
/// last backtick stays a character).
pub(crate) fn inline_code(s: &str) -> String {
    let mut parts: Vec<&str> = s.split('`').collect();
    let mut tail = None;
    if parts.len().is_multiple_of(2) {
        tail = parts.pop();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(&esc(part));
            out.push_str("</code>");
        } else {
            out.push_str(&esc(part));
        }
    }
    if let Some(t) = tail {
        out.push('`');
        out.push_str(&esc(t));
    }
    out
}

/// A fragment id made of the letters, digits (any script), `-` and `_` of `s`; every other
/// character becomes `-`, so a slug never holds a `.` (which joins slugs unambiguously).
pub(crate) fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// CommonMark as HTML. Raw HTML shows as text; links keep only `http`, `https`, `mailto` and
/// relative targets; images become links, so that opening the page fetches nothing.
pub(crate) fn commonmark(text: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(text, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            dest_url, title, ..
        }) => Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: safe_url(dest_url),
            title,
            id: CowStr::Borrowed(""),
        }),
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        // A description sits under the page's own headings: its `#` is an `h4`.
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: demoted(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demoted(level))),
        other => other,
    });
    let mut out = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

fn demoted(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H4,
        HeadingLevel::H2 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim_start().to_ascii_lowercase();
    let scheme = lower
        .split_once(':')
        .map(|(s, _)| s)
        .filter(|s| !s.contains(['/', '?', '#']));
    match scheme {
        None | Some("http" | "https" | "mailto") => url,
        Some(_) => CowStr::Borrowed("#"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert!(matches!(esc("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn commonmark_is_sanitised() {
        let html = commonmark(
            "**Bold** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://a.example/) ![i](https://b.example/i.png)",
        );
        assert!(html.contains("<strong>Bold</strong>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://a.example/\""), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("href=\"https://b.example/i.png\""), "{html}");
    }

    #[test]
    fn backticks_become_code() {
        assert_eq!(
            inline_code("step `a<b>` goes to `c`"),
            "step <code>a&lt;b&gt;</code> goes to <code>c</code>"
        );
        assert_eq!(inline_code("one ` tick"), "one ` tick");
        assert_eq!(inline_code("`a` and `"), "<code>a</code> and `");
    }

    #[test]
    fn headings_sit_under_the_page_s_own() {
        let html = commonmark("# Title\n\n## Part\n\n### Detail");
        assert_eq!(html, "<h4>Title</h4>\n<h5>Part</h5>\n<h6>Detail</h6>\n");
    }

    #[test]
    fn html_blocks_show_as_text() {
        let html = commonmark("<div onclick=\"x()\">hi</div>\n\ntext");
        assert!(!html.contains("<div"), "{html}");
    }
}

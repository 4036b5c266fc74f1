//! The HTML page of a document: one self-contained file (styles and scripts inline, nothing
//! fetched), readable without JavaScript, in the system's light or dark theme. It shows what
//! the catalog page shows (provider, tags, counts, each workflow's inputs, outputs and numbered
//! steps) and more: a flow diagram per workflow, the operations' summaries, criteria and
//! actions, and the raw document with the validator's findings beside its lines.

mod diagram;
pub(crate) mod markup;
mod source;
mod workflow;

use std::fmt::Write;

use serde_json::Value;
use telaio_lint::{Diagnostic, Severity};
use telaio_model::Bundle;

use crate::facts::Facts;
use crate::page::{source_rows, text};
use crate::prose::count;
use markup::{commonmark, esc, inline_code, slug};

pub(crate) const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// What one HTML page shows.
#[derive(Clone, Copy, Debug)]
pub struct Page<'a> {
    /// The document as loaded, or `None` when it could not be loaded at all.
    pub bundle: Option<&'a Bundle>,
    /// The file, as a person names it.
    pub name: &'a str,
    /// The file's text, when it could be read.
    pub text: Option<&'a str>,
    /// What the validator found (in this document and in its sources).
    pub diagnostics: &'a [Diagnostic],
    /// The catalog's index, relative to the page, for a link back to it.
    pub index: Option<&'a str>,
}

impl<'a> Page<'a> {
    /// The page of a loaded document and what the validator found in it.
    pub fn of(bundle: &'a Bundle, diagnostics: &'a [Diagnostic]) -> Page<'a> {
        Page {
            bundle: Some(bundle),
            name: &bundle.document.source.name,
            text: Some(&bundle.document.source.text),
            diagnostics,
            index: None,
        }
    }
}

/// The page as one self-contained HTML file.
///
/// ```
/// use std::sync::Arc;
/// use telaio_model::{ArazzoDocument, Bundle, LoadOptions, Url};
///
/// let text = "arazzo: 1.0.1\ninfo: {title: Pets, version: '1'}\nsourceDescriptions: []\nworkflows: []\n";
/// let url = Url::parse("file:///tmp/pets.arazzo.yaml").unwrap();
/// let document = Arc::new(ArazzoDocument::from_text(url, text.into(), &LoadOptions::default()).unwrap());
/// let bundle = Bundle { document, sources: Vec::new(), linked: Vec::new() };
/// let page = telaio_docs::html(&telaio_docs::Page::of(&bundle, &[]));
/// assert!(page.starts_with("<!doctype html>") && page.contains("<h1>Pets</h1>"));
/// ```
pub fn html(page: &Page) -> String {
    let graph = page.bundle.and_then(telaio_graph::Graph::of);
    let facts = page.bundle.map(|b| Facts::read(b, graph.as_ref()));
    render(page, facts.as_ref(), graph.as_ref())
}

/// The page, with the facts and the graph of its document already read (`None` when it did
/// not load).
pub(crate) fn render(
    page: &Page,
    facts: Option<&Facts>,
    graph: Option<&telaio_graph::Graph<'_>>,
) -> String {
    let title = facts.map_or(page.name, |f| f.title.as_str());
    let mut out = String::with_capacity(32 * 1024 + page.text.map_or(0, str::len) * 4);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"color-scheme\" content=\"light dark\">\
<meta name=\"generator\" content=\"telaio {}\"><title>{} · Arazzo workflow</title><style>{STYLE}</style></head>\n\
<body><a class=\"skip\" href=\"#main\">Skip to content</a>\n<header class=\"top\">",
        env!("CARGO_PKG_VERSION"),
        esc(title)
    );
    if let Some(index) = page.index {
        let _ = write!(
            out,
            "<nav aria-label=\"Catalog\"><a href=\"{}\">← All workflows</a></nav>",
            esc(index)
        );
    }
    match (facts, page.bundle) {
        (Some(facts), Some(bundle)) => header(&mut out, facts, bundle, page.diagnostics),
        _ => {
            let _ = write!(
                out,
                "<p class=\"kicker\">Arazzo document</p><h1>{}</h1><p class=\"summary\">This document could not be loaded; what the validator says is below.</p>",
                esc(page.name)
            );
        }
    }
    out.push_str("</header>\n<main id=\"main\">");
    if page.bundle.is_none() {
        validation(&mut out, page);
    }
    if let Some(bundle) = page.bundle {
        let doc = &bundle.document.json;
        let workflows = graph.map_or(&[][..], |g| &g.workflows[..]);
        let _ = write!(
            out,
            "<section id=\"workflows\" aria-labelledby=\"workflows-h\"><div class=\"section-head\"><h2 id=\"workflows-h\">Workflows</h2><button type=\"button\" class=\"js-only\" data-toggle-all hidden>Collapse all</button></div>"
        );
        if workflows.is_empty() {
            out.push_str("<p>This document has no workflows.</p>");
        }
        let mut budget = workflow::Budget::default();
        for (n, w) in workflows.iter().enumerate() {
            workflow::article(&mut out, w, n, &mut budget);
        }
        out.push_str("</section>");
        sources(&mut out, doc);
        validation(&mut out, page);
    }
    raw(&mut out, page);
    let _ = write!(
        out,
        "</main>\n<footer><p>Rendered by Telaio {} from <code>{}</code>.</p></footer><script>{SCRIPT}</script></body></html>",
        env!("CARGO_PKG_VERSION"),
        esc(page.name)
    );
    out.push('\n');
    out
}

fn header(out: &mut String, facts: &Facts, bundle: &Bundle, diagnostics: &[Diagnostic]) {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let verdict = match (errors, diagnostics.len() - errors) {
        (0, 0) => ("valid", "valid".to_owned()),
        (0, w) => ("warned", count(w, "warning")),
        (e, _) => ("invalid", count(e, "error")),
    };
    let doc = &bundle.document.json;
    let provider = if facts.providers.is_empty() {
        String::new()
    } else {
        format!("{} · ", facts.providers.join(", "))
    };
    let _ = write!(
        out,
        "<p class=\"kicker\">{}Arazzo workflow</p><h1>{}</h1>",
        esc(&provider),
        esc(&facts.title)
    );
    if let Some(s) = &facts.summary {
        let _ = write!(out, "<p class=\"summary\">{}</p>", esc(s));
    }
    let mut line = Vec::new();
    if let Some(v) = &facts.version {
        line.push(format!("Version {}", esc(v)));
    }
    if let Some(v) = &facts.arazzo {
        line.push(format!("Arazzo {}", esc(v)));
    }
    out.push_str("<ul class=\"facts\">");
    for item in line {
        let _ = write!(out, "<li>{item}</li>");
    }
    let _ = write!(
        out,
        "<li><strong>{}</strong></li><li><strong>{}</strong></li><li><strong>{}</strong></li><li><a href=\"#validation\" class=\"verdict-{}\">{}</a></li></ul>",
        count(facts.workflows.len(), "workflow"),
        count(facts.api_count, "source API"),
        count(facts.providers.len(), "provider"),
        verdict.0,
        verdict.1
    );
    if !facts.tags.is_empty() {
        // An API with dozens of tags would bury the page under them: the rest fold away.
        let (shown, more) = facts.tags.split_at(facts.tags.len().min(SHOWN_TAGS));
        tag_list(out, shown);
        if !more.is_empty() {
            let _ = write!(
                out,
                "<details class=\"more-tags\"><summary>{} more tags</summary>",
                more.len()
            );
            tag_list(out, more);
            out.push_str("</details>");
        }
    }
    if let Some(d) = doc.get("info").and_then(|i| text(i, "description")) {
        let _ = write!(out, "<div class=\"prose\">{}</div>", commonmark(d));
    }
}

/// Tags shown before the rest fold away.
const SHOWN_TAGS: usize = 12;

fn tag_list(out: &mut String, tags: &[String]) {
    out.push_str("<ul class=\"tags\" aria-label=\"Tags\">");
    for t in tags {
        let _ = write!(out, "<li>{}</li>", esc(t));
    }
    out.push_str("</ul>");
}

fn validation(out: &mut String, page: &Page) {
    let errors = page
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = page.diagnostics.len() - errors;
    let _ = write!(
        out,
        "<section id=\"validation\" aria-labelledby=\"validation-h\" class=\"{}\"><h2 id=\"validation-h\">Validation</h2>",
        if errors > 0 {
            "invalid"
        } else if warnings > 0 {
            "warned"
        } else {
            "valid"
        }
    );
    if page.diagnostics.is_empty() {
        out.push_str("<p class=\"verdict\">Valid: <code>telaio validate</code> found nothing to report.</p></section>");
        return;
    }
    let _ = write!(
        out,
        "<p class=\"verdict\">{}, {} from <code>telaio validate</code>. Each is also shown under its line in the document below.</p><ol class=\"diagnostics\">",
        count(errors, "error"),
        count(warnings, "warning")
    );
    for d in page.diagnostics.iter().take(source::NOTES) {
        let here = in_this_document(page, d);
        let at = d.span.map(|s| (s.start.line, s.start.column));
        // The page's own name for its document: the linter's is relative to where it ran.
        let file = if here { page.name } else { d.file.as_str() };
        let location = match at {
            Some((l, c)) => format!("{file}:{l}:{c}"),
            None => file.to_owned(),
        };
        let _ = write!(out, "<li class=\"{}\">", d.severity.as_str());
        match (here, at) {
            (true, Some((l, _))) => {
                let _ = write!(out, "<a href=\"#L{l}\">{}</a>", esc(&location));
            }
            _ => {
                let _ = write!(out, "<span>{}</span>", esc(&location));
            }
        }
        let _ = write!(
            out,
            " <strong>{}[{}]</strong> {}",
            d.severity.as_str(),
            esc(d.rule),
            inline_code(&d.message)
        );
        if let Some(h) = &d.hint_with(telaio_lint::Remedy::neutral) {
            let _ = write!(out, " <span class=\"hint\">hint: {}</span>", inline_code(h));
        }
        out.push_str("</li>");
    }
    out.push_str("</ol>");
    if page.diagnostics.len() > source::NOTES {
        let _ = write!(
            out,
            "<p class=\"fold-note\">{} more are not shown; <code>telaio validate</code> lists them all.</p>",
            page.diagnostics.len() - source::NOTES
        );
    }
    out.push_str("</section>");
}

fn in_this_document(page: &Page, d: &Diagnostic) -> bool {
    match (page.bundle, &d.source) {
        (Some(b), Some(source)) => source.url == b.document.source.url,
        _ => d.file == page.name,
    }
}

fn sources(out: &mut String, doc: &Value) {
    let mut rows = source_rows(doc).peekable();
    if rows.peek().is_none() {
        return;
    }
    out.push_str("<section id=\"sources\" aria-labelledby=\"sources-h\"><h2 id=\"sources-h\">Source descriptions</h2><table><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Type</th><th scope=\"col\">URL</th></tr></thead><tbody>");
    for [name, kind, url] in rows {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td></tr>",
            esc(name),
            esc(kind),
            esc(url)
        );
    }
    out.push_str("</tbody></table></section>");
}

fn raw(out: &mut String, page: &Page) {
    let Some(text) = page.text else {
        return;
    };
    let file = page.name.rsplit(['/', '\\']).next().unwrap_or(page.name);
    let _ = write!(
        out,
        "<section id=\"document\" aria-labelledby=\"document-h\"><div class=\"section-head\"><h2 id=\"document-h\">Arazzo document <code>{}</code></h2><button type=\"button\" class=\"js-only\" data-copy=\"source-text\" hidden>Copy</button></div>",
        esc(file)
    );
    let here: Vec<&Diagnostic> = page
        .diagnostics
        .iter()
        .filter(|d| in_this_document(page, d))
        .collect();
    source::listing(out, page.name, text, &here);
    out.push_str("</section>");
}

/// The fragment id of a workflow's article (the catalog's index links to it).
pub(crate) fn workflow_anchor(id: &str) -> String {
    format!("workflow-{}", slug(id))
}

/// The fragment id of a step: `step-<workflow>.<step>`.
pub(crate) fn step_anchor(workflow: &str, step: &str) -> String {
    format!("step-{}.{}", slug(workflow), slug(step))
}

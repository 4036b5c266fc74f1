//! The catalog's `index.html`: totals, then a row per workflow (document, provider, tags,
//! summary, steps, validity). Without JavaScript it is a plain table; with it, a search box and
//! provider and tag filters narrow the rows, offline, and `?q=&provider=&tag=` in the address
//! preset them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::catalog::Entry;
use crate::facts::Facts;
use crate::html::STYLE;
use crate::html::markup::esc;
use crate::prose::count;

const SCRIPT: &str = include_str!("index.js");
const INDEX_STYLE: &str = "header.top,main,footer{max-width:1400px}.filters{display:flex;flex-wrap:wrap;gap:10px 18px;align-items:end;margin:18px 0}\
.filters label{display:flex;flex-direction:column;font-size:.85em;color:var(--muted);gap:2px}\
.filters input,.filters select{font:inherit;font-size:1rem;padding:5px 8px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}\
.filters input{min-width:22em}#shown{color:var(--muted);padding-bottom:6px}\
td .summary{margin:.2em 0 0;font-size:.92em}td.steps{text-align:right}\
td ul.tags{margin:0;gap:4px}td ul.tags li{padding:0;border:0;background:none}\
td ul.tags button{font-size:.78em;border-radius:999px;padding:1px 9px;background:var(--panel);border:1px solid var(--line)}\
.status-error{color:var(--bad);font-weight:600}.status-warning{color:var(--warn)}.status-ok{color:var(--ok)}\
.totals{font-size:1.1em}.totals strong{font-size:1.15em}";

/// What the header of the index counts.
pub(crate) struct Totals {
    pub documents: usize,
    pub workflows: usize,
    pub source_apis: usize,
    pub providers: usize,
    pub unloadable: usize,
    pub invalid: usize,
}

impl Totals {
    pub fn of(entries: &[&Entry]) -> Totals {
        let facts = || entries.iter().filter_map(|e| e.facts.as_ref());
        Totals {
            documents: entries.len(),
            workflows: facts().map(|f| f.workflows.len()).sum(),
            source_apis: entries
                .iter()
                .flat_map(|e| &e.apis)
                .collect::<BTreeSet<_>>()
                .len(),
            providers: facts()
                .flat_map(|f| &f.providers)
                .collect::<BTreeSet<_>>()
                .len(),
            unloadable: entries.iter().filter(|e| e.facts.is_none()).count(),
            invalid: entries.iter().filter(|e| e.errors > 0).count(),
        }
    }
}

pub(crate) fn index(entries: &[&Entry], totals: &Totals) -> String {
    let mut out = String::with_capacity(entries.len() * 2048 + 16 * 1024);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"color-scheme\" content=\"light dark\"><meta name=\"generator\" content=\"telaio {}\">\
<title>Arazzo workflow catalog</title><style>{STYLE}{INDEX_STYLE}</style></head>\n\
<body><a class=\"skip\" href=\"#main\">Skip to content</a><header class=\"top\"><p class=\"kicker\">Arazzo workflow catalog</p><h1>Workflows</h1>\
<p class=\"totals\"><strong>{}</strong> · <strong>{}</strong> · <strong>{}</strong> · {}</p>",
        env!("CARGO_PKG_VERSION"),
        count(totals.workflows, "workflow"),
        count(totals.source_apis, "source API"),
        count(totals.providers, "provider"),
        count(totals.documents, "document")
    );
    if totals.invalid > 0 {
        let _ = write!(
            out,
            "<p class=\"status-error\">{} with errors{}: their pages say why.</p>",
            count(totals.invalid, "document"),
            if totals.unloadable > 0 {
                format!(" ({} could not be loaded)", totals.unloadable)
            } else {
                String::new()
            }
        );
    }
    out.push_str("</header><main id=\"main\">");
    filters(&mut out, entries, totals);
    out.push_str("<table id=\"catalog\"><caption class=\"skip\">Every workflow of the catalog</caption><thead><tr><th scope=\"col\">Workflow</th><th scope=\"col\">Document</th><th scope=\"col\">Provider</th><th scope=\"col\">Tags</th><th scope=\"col\">Steps</th><th scope=\"col\">Validation</th></tr></thead><tbody>");
    for entry in entries {
        rows(&mut out, entry);
    }
    let _ = write!(
        out,
        "</tbody></table><p id=\"no-match\" hidden>No workflow matches. Clear the search or the filters to see all {}.</p></main>\
<footer><p>Rendered by Telaio {}.</p></footer><script>{SCRIPT}</script></body></html>",
        totals.workflows,
        env!("CARGO_PKG_VERSION")
    );
    out.push('\n');
    out
}

fn filters(out: &mut String, entries: &[&Entry], totals: &Totals) {
    let mut providers: BTreeMap<&str, usize> = BTreeMap::new();
    let mut tags: BTreeMap<&str, usize> = BTreeMap::new();
    for f in entries.iter().filter_map(|e| e.facts.as_ref()) {
        for p in &f.providers {
            *providers.entry(p).or_default() += f.workflows.len();
        }
        for t in &f.tags {
            *tags.entry(t).or_default() += f.workflows.len();
        }
    }
    out.push_str(
        "<form class=\"filters\" role=\"search\" hidden onsubmit=\"return false\">\
<label for=\"q\">Search<input type=\"search\" id=\"q\" name=\"q\" placeholder=\"workflow, operation, provider, tag…\" autocomplete=\"off\"></label>",
    );
    select(out, "provider", "Provider", "providers", &providers);
    select(out, "tag", "Tag", "tags", &tags);
    let _ = write!(
        out,
        "<output id=\"shown\" for=\"q provider tag\" aria-live=\"polite\">{} shown</output></form>",
        count(totals.workflows, "workflow")
    );
}

/// A filter: every value with the number of workflows it has, the value as the rows carry it.
fn select(out: &mut String, id: &str, label: &str, plural: &str, values: &BTreeMap<&str, usize>) {
    let _ = write!(
        out,
        "<label for=\"{id}\">{label}<select id=\"{id}\" name=\"{id}\"><option value=\"\">All {plural} ({})</option>",
        values.len()
    );
    for (v, n) in values {
        let _ = write!(
            out,
            "<option value=\"{}\">{} ({n})</option>",
            esc(&filter_value(v)),
            esc(v)
        );
    }
    out.push_str("</select></label>");
}

fn rows(out: &mut String, entry: &Entry) {
    let Some(facts) = &entry.facts else {
        let text =
            format!("{} {}", entry.file, entry.problem.as_deref().unwrap_or("")).to_lowercase();
        let _ = write!(
            out,
            "<tr class=\"broken\" data-providers=\"\" data-tags=\"\" data-text=\"{}\"><td>—</td><td><a href=\"{}\">{}</a></td><td></td><td></td><td></td><td class=\"status-error\">could not be loaded: {}</td></tr>",
            esc(&text),
            esc(&href(&entry.page)),
            esc(&entry.file),
            esc(entry.problem.as_deref().unwrap_or("unknown error"))
        );
        return;
    };
    let providers = facts
        .providers
        .iter()
        .map(|p| filter_value(p))
        .collect::<Vec<_>>()
        .join("|");
    let tags: Vec<String> = facts.tags.iter().map(|t| filter_value(t)).collect();
    let status = status(entry);
    if facts.workflows.is_empty() {
        let _ = write!(
            out,
            "<tr data-providers=\"{}\" data-tags=\"{}\" data-text=\"{}\"><td>—</td>",
            esc(&providers),
            esc(&tags.join("|")),
            esc(&search_text(facts, None, &entry.file))
        );
        document_cells(out, entry, facts, &tags, 0, &status);
        return;
    }
    for w in &facts.workflows {
        let _ = write!(
            out,
            "<tr class=\"workflow\" data-providers=\"{}\" data-tags=\"{}\" data-text=\"{}\"><td><a href=\"{}#{}\"><code>{}</code></a>",
            esc(&providers),
            esc(&tags.join("|")),
            esc(&search_text(facts, Some(w), &entry.file)),
            esc(&href(&entry.page)),
            esc(&crate::html::workflow_anchor(&w.id)),
            esc(&w.id)
        );
        if let Some(s) = &w.summary {
            let _ = write!(out, "<p class=\"summary\">{}</p>", esc(s));
        }
        out.push_str("</td>");
        document_cells(out, entry, facts, &tags, w.steps, &status);
    }
}

fn document_cells(
    out: &mut String,
    entry: &Entry,
    facts: &Facts,
    tags: &[String],
    steps: usize,
    status: &(&str, String),
) {
    let _ = write!(
        out,
        "<td><a href=\"{}\">{}</a></td><td>{}</td><td><ul class=\"tags\">",
        esc(&href(&entry.page)),
        esc(&facts.title),
        esc(&facts.providers.join(", "))
    );
    for t in tags.iter().take(6) {
        let _ = write!(
            out,
            "<li><button type=\"button\" data-tag=\"{0}\" title=\"Show the workflows tagged {0}\">{0}</button></li>",
            esc(t)
        );
    }
    if tags.len() > 6 {
        let _ = write!(
            out,
            "<li title=\"{}\">+{}</li>",
            esc(&tags[6..].join(", ")),
            tags.len() - 6
        );
    }
    let _ = write!(
        out,
        "</ul></td><td class=\"steps\">{steps}</td><td class=\"{}\">{}</td></tr>",
        status.0,
        esc(&status.1)
    );
}

fn status(entry: &Entry) -> (&'static str, String) {
    match (entry.errors, entry.warnings) {
        (0, 0) => ("status-ok", "valid".to_owned()),
        (0, w) => ("status-warning", count(w, "warning")),
        (e, _) => ("status-error", count(e, "error")),
    }
}

/// A provider or tag as the filters compare it: `|` separates them in the rows' attributes.
fn filter_value(s: &str) -> String {
    s.replace('|', "/")
}

/// What the search box matches, lower case.
fn search_text(facts: &Facts, w: Option<&crate::facts::WorkflowFacts>, file: &str) -> String {
    let mut parts: Vec<&str> = vec![&facts.title, file];
    parts.extend(facts.summary.as_deref());
    parts.extend(facts.providers.iter().map(String::as_str));
    parts.extend(facts.tags.iter().map(String::as_str));
    if let Some(w) = w {
        parts.push(&w.id);
        parts.extend(w.summary.as_deref());
        parts.extend(w.calls.iter().map(String::as_str));
    }
    parts.join(" ").to_lowercase()
}

/// A relative link to a page: each path segment percent-encoded where it must be.
fn href(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    for b in page.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char);
            }
            other => {
                let _ = write!(out, "%{other:02X}");
            }
        }
    }
    out
}

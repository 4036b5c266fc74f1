//! The Markdown page of a document, for READMEs and developer portals, with one Mermaid
//! flowchart per workflow.
//!
//! A document's text is written as text, as the HTML page does: titles, summaries, tags and
//! ids cannot open a tag, a link or a table cell ([`md_text`], [`md_code`]); descriptions stay
//! CommonMark (the spec says they are) but their raw HTML shows as text ([`md_description`]);
//! control characters are shown escaped, never written.

use std::fmt::Write;

use serde_json::Value;
use telaio_graph::{Graph, Output, StepNode, WorkflowNode};
use telaio_model::Bundle;

use crate::facts::Facts;
use crate::flow::{EdgeKind, Flow, Node};
use crate::page::{
    ActionText, CriterionText, actions, criteria, input_rows, parameter_rows, source_rows, target,
    text, valuable,
};
use crate::prose::one_line;

/// The Markdown page of a loaded document (a document whose model did not load gets a page
/// that says so).
pub fn markdown(bundle: &Bundle) -> String {
    let doc = &bundle.document.json;
    let graph = Graph::of(bundle);
    let facts = Facts::read(bundle, graph.as_ref());
    let mut out = String::new();
    let info = doc.get("info").unwrap_or(&Value::Null);
    let _ = writeln!(out, "# {}\n", md_text(&facts.title));
    if let Some(summary) = &facts.summary {
        let _ = writeln!(out, "{}\n", md_text(summary));
    }
    let mut line = Vec::new();
    if let Some(v) = &facts.version {
        line.push(format!("Version {}", md_text(v)));
    }
    if let Some(v) = &facts.arazzo {
        line.push(format!("Arazzo {}", md_text(v)));
    }
    line.push(facts.counts());
    let _ = writeln!(out, "{}\n", line.join(" · "));
    let joined = |items: &[String]| {
        items
            .iter()
            .map(|i| md_text(i))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !facts.providers.is_empty() {
        let _ = writeln!(out, "Providers: {}\n", joined(&facts.providers));
    }
    if !facts.tags.is_empty() {
        let _ = writeln!(out, "Tags: {}\n", joined(&facts.tags));
    }
    if let Some(d) = text(info, "description") {
        let _ = writeln!(out, "{}\n", md_description(d));
    }
    let mut sources = source_rows(doc).peekable();
    if sources.peek().is_some() {
        let _ = writeln!(
            out,
            "## Source descriptions\n\n| Name | Type | URL |\n|---|---|---|"
        );
        for [name, kind, url] in sources {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&md_code(name)),
                md_text(kind),
                md_text(url)
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## Workflows\n");
    for w in graph.iter().flat_map(|g| &g.workflows) {
        workflow(&mut out, w);
    }
    out
}

fn workflow(out: &mut String, w: &WorkflowNode<'_>) {
    let id = w.id.unwrap_or("?");
    let _ = writeln!(out, "### {}\n", md_code(id));
    if let Some(s) = &w.workflow.summary {
        let _ = writeln!(out, "{}\n", md_text(s));
    }
    if let Some(d) = &w.workflow.description {
        let _ = writeln!(out, "{}\n", md_description(d));
    }
    if !w.depends_on.is_empty() {
        let names: Vec<String> = w.depends_on.iter().map(|d| md_code(d.written)).collect();
        let _ = writeln!(out, "Runs first: {}\n", names.join(", "));
    }
    inputs(out, w);
    if !w.workflow.outputs.is_empty() {
        let _ = writeln!(out, "**Outputs**\n\n| Name | Value |\n|---|---|");
        for o in &w.outputs {
            let _ = writeln!(out, "| {} | {} |", cell(&md_code(o.name)), output(o));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "**Flow**\n\n```mermaid\n{}```\n",
        mermaid(&Flow::of(w))
    );
    let _ = writeln!(out, "**Steps**\n");
    for (i, step) in w.steps.iter().enumerate() {
        step_md(out, w, i + 1, step);
    }
}

/// An output's value as code.
fn output(o: &Output<'_>) -> String {
    cell(&md_code(&valuable(o.value)))
}

fn inputs(out: &mut String, w: &WorkflowNode<'_>) {
    let rows = input_rows(w);
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "**Inputs**\n\n| Name | Type | Required | Description | Default |\n|---|---|---|---|---|"
    );
    for row in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&md_code(row.name)),
            md_text(&row.kind),
            if row.required { "yes" } else { "no" },
            cell(&md_description(&one_line(row.description.unwrap_or("")))),
            row.default.map(code).unwrap_or_default()
        );
    }
    out.push('\n');
}

fn step_md(out: &mut String, w: &WorkflowNode<'_>, n: usize, step: &StepNode<'_>) {
    let id = step.id.unwrap_or("?");
    let t = target(step);
    let callee = if t.workflow.is_some() {
        format!("workflow {}", md_code(&t.written))
    } else {
        md_code(&t.written)
    };
    let mut head = format!("{n}. **{}** — {callee}", md_code(id));
    if let Some(mp) = &t.method_path {
        let _ = write!(head, " ({})", md_code(mp));
    }
    if let Some(s) = &t.summary {
        let _ = write!(head, ": {}", md_text(s));
    }
    let _ = writeln!(out, "{head}");
    let indent = "   ";
    if let Some(d) = &step.step.description {
        let _ = writeln!(out, "{indent}{}", md_description(&one_line(d)));
    }
    let mut lines = Vec::new();
    let params: Vec<String> = parameter_rows(step)
        .iter()
        .map(|p| {
            let place = p.place.map(|i| format!(" ({i})")).unwrap_or_default();
            let value = p.value.as_deref().map(|v| cell(&md_code(v)));
            format!("{}{place} = {}", md_code(p.name), value.unwrap_or_default())
        })
        .collect();
    if !params.is_empty() {
        lines.push(format!("Parameters: {}", params.join("; ")));
    }
    if let Some(body) = &step.step.request_body {
        let ct = body
            .content_type
            .as_deref()
            .map(|c| format!(" ({})", md_code(c)))
            .unwrap_or_default();
        lines.push(format!(
            "Request body{ct}: {}",
            body.payload.as_ref().map(code).unwrap_or_default()
        ));
    }
    let criteria = criteria_list(&criteria(&step.success_criteria));
    if !criteria.is_empty() {
        lines.push(format!("Success criteria: {criteria}"));
    }
    for (list, words) in [
        (&step.on_success, "On success"),
        (&step.on_failure, "On failure"),
    ] {
        let actions: Vec<String> = actions(w, list).iter().map(action).collect();
        if !actions.is_empty() {
            lines.push(format!("{words}: {}", actions.join("; ")));
        }
    }
    if !step.outputs.is_empty() {
        let shown: Vec<String> = step
            .outputs
            .iter()
            .map(|o| format!("{} = {}", md_code(o.name), output(o)))
            .collect();
        lines.push(format!("Outputs: {}", shown.join("; ")));
    }
    for l in lines {
        let _ = writeln!(out, "{indent}- {l}");
    }
    out.push('\n');
}

fn action(a: &ActionText) -> String {
    let what = match &a.target {
        Some(t) => format!("{} {}", md_text(&a.verb), md_code(t)),
        None => md_text(&a.verb),
    };
    let when = criteria_list(&a.criteria);
    let from = if a.inherited { " (the workflow's)" } else { "" };
    let name = md_code(&a.name);
    if when.is_empty() {
        format!("{name}{from}: {what}")
    } else {
        format!("{name}{from}: {what} when {when}")
    }
}

fn criteria_list(criteria: &[CriterionText]) -> String {
    criteria
        .iter()
        .map(|c| {
            let kind = c
                .kind
                .as_ref()
                .map(|t| format!(" ({})", md_text(t)))
                .unwrap_or_default();
            format!("{}{kind}", cell(&md_code(&c.condition)))
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The Mermaid flowchart of a workflow's graph.
fn mermaid(flow: &Flow) -> String {
    let mut out = String::from("flowchart TD\n");
    let id = |n: &Node| match n {
        Node::Step(i, _) => format!("s{i}"),
        Node::Succeeded => "succeeded".to_owned(),
        Node::Failed => "failed".to_owned(),
        Node::Workflow(w) => format!("w_{}", w.replace(|c: char| !c.is_ascii_alphanumeric(), "_")),
    };
    let _ = writeln!(
        out,
        "  start((start)) --> {}",
        flow.steps.first().map_or("succeeded".to_owned(), id)
    );
    for s in &flow.steps {
        if let Node::Step(_, name) = s {
            let _ = writeln!(out, "  {}[\"{}\"]", id(s), label(name));
        }
    }
    let mut ends = Vec::new();
    for e in &flow.edges {
        for n in [&e.from, &e.to] {
            if !matches!(n, Node::Step(..)) && !ends.contains(n) {
                ends.push(n.clone());
            }
        }
        let arrow = match e.kind {
            EdgeKind::Next | EdgeKind::OnSuccess => "-->",
            EdgeKind::OnFailure | EdgeKind::Retry => "-.->",
            EdgeKind::Call => "==>",
        };
        if e.label.is_empty() {
            let _ = writeln!(out, "  {} {arrow} {}", id(&e.from), id(&e.to));
        } else {
            let _ = writeln!(
                out,
                "  {} {arrow}|\"{}\"| {}",
                id(&e.from),
                label(&e.label),
                id(&e.to)
            );
        }
    }
    for n in ends {
        let _ = match &n {
            Node::Succeeded => writeln!(out, "  succeeded([succeeded])"),
            Node::Failed => writeln!(out, "  failed([failed])"),
            Node::Workflow(w) => writeln!(out, "  {}[[\"workflow {}\"]]", id(&n), label(w)),
            Node::Step(..) => Ok(()),
        };
    }
    out
}

/// Text safe inside a quoted Mermaid label: `#` and `"` as Mermaid's entity codes (a bare
/// `#` could start one, as in `$response.body#/id`), `<` and `>` as theirs (Mermaid renders
/// labels as HTML).
fn label(s: &str) -> String {
    visible_controls(&one_line(s))
        .replace('#', "#35;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// A value as inline code: a string as itself, anything else as compact JSON.
fn code(v: &Value) -> String {
    let shown = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    cell(&md_code(&shown))
}

/// Inline code in a table cell: GitHub's tables split at `|` even inside code, unless it is
/// written `\|`.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Control characters (and bidirectional overrides) as visible escapes such as `\u{1b}`: a
/// page may be printed to a terminal or pasted anywhere.
fn visible_controls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let hidden = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if hidden {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// Text from the document as Markdown text on one line: every character that Markdown or
/// HTML could read as markup is backslash-escaped (CommonMark allows it before any ASCII
/// punctuation), so a title shows as written and opens no tag, link, emphasis or cell.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in visible_controls(&one_line(s)).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text from the document as inline code, fenced with one backtick more than its longest run
/// of them (and padded when it starts or ends with one), so no id can close its code span.
fn md_code(s: &str) -> String {
    let text = visible_controls(&one_line(s));
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if text.starts_with('`') || text.ends_with('`') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A description: CommonMark as the author wrote it, but raw HTML shown as text (`<` as
/// `&lt;`, as the HTML page shows it) and control characters escaped.
fn md_description(s: &str) -> String {
    visible_controls(s.trim()).replace('<', "&lt;")
}

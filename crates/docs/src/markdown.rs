//! The Markdown page of a document, for READMEs and developer portals, with one Mermaid
//! flowchart per workflow.

use std::fmt::Write;

use serde_json::Value;
use telaio_model::Bundle;

use crate::flow::{EdgeKind, Flow, Node};
use crate::page::{list, object, resolve, target, text};

/// The Markdown page of a loaded document (a document whose model did not load gets a page
/// that says so).
pub fn markdown(bundle: &Bundle) -> String {
    let doc = &bundle.document.json;
    let mut out = String::new();
    let info = doc.get("info").unwrap_or(&Value::Null);
    let title = text(info, "title").unwrap_or("Untitled Arazzo document");
    let _ = writeln!(out, "# {}\n", one_line(title));
    if let Some(summary) = text(info, "summary") {
        let _ = writeln!(out, "{}\n", summary.trim());
    }
    let mut facts = Vec::new();
    if let Some(v) = text(info, "version") {
        facts.push(format!("Version {v}"));
    }
    if let Some(v) = text(doc, "arazzo") {
        facts.push(format!("Arazzo {v}"));
    }
    let workflows = list(doc, "workflows");
    let apis = bundle
        .sources
        .iter()
        .filter(|s| s.arazzo().is_none())
        .count();
    let providers = providers(bundle);
    facts.push(format!(
        "{} · {} · {}",
        count(workflows.len(), "workflow"),
        count(apis, "source API"),
        count(providers.len(), "provider")
    ));
    let _ = writeln!(out, "{}\n", facts.join(" · "));
    if !providers.is_empty() {
        let _ = writeln!(out, "Providers: {}\n", providers.join(", "));
    }
    if let Some(d) = text(info, "description") {
        let _ = writeln!(out, "{}\n", d.trim());
    }
    let sources = list(doc, "sourceDescriptions");
    if !sources.is_empty() {
        let _ = writeln!(
            out,
            "## Source descriptions\n\n| Name | Type | URL |\n|---|---|---|"
        );
        for s in sources {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                cell(text(s, "name").unwrap_or("?")),
                cell(text(s, "type").unwrap_or("openapi")),
                cell(text(s, "url").unwrap_or(""))
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## Workflows\n");
    for w in workflows {
        workflow(&mut out, bundle, doc, w);
    }
    out
}

fn workflow(out: &mut String, bundle: &Bundle, doc: &Value, w: &Value) {
    let id = text(w, "workflowId").unwrap_or("?");
    let _ = writeln!(out, "### `{id}`\n");
    if let Some(s) = text(w, "summary") {
        let _ = writeln!(out, "{}\n", s.trim());
    }
    if let Some(d) = text(w, "description") {
        let _ = writeln!(out, "{}\n", d.trim());
    }
    let depends = list(w, "dependsOn");
    if !depends.is_empty() {
        let names: Vec<String> = depends
            .iter()
            .filter_map(Value::as_str)
            .map(|d| format!("`{d}`"))
            .collect();
        let _ = writeln!(out, "Runs first: {}\n", names.join(", "));
    }
    inputs(out, doc, w);
    if let Some(outputs) = object(w, "outputs") {
        let _ = writeln!(out, "**Outputs**\n\n| Name | Value |\n|---|---|");
        for (name, v) in outputs {
            let _ = writeln!(out, "| `{}` | {} |", cell(name), code(v));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "**Flow**\n\n```mermaid\n{}```\n",
        mermaid(&Flow::of(doc, w))
    );
    let _ = writeln!(out, "**Steps**\n");
    for (i, step) in list(w, "steps").iter().enumerate() {
        step_md(out, bundle, doc, i + 1, step);
    }
}

fn inputs(out: &mut String, doc: &Value, w: &Value) {
    let Some(schema) = w.get("inputs") else {
        return;
    };
    let schema = resolve_schema(doc, schema);
    let Some(props) = object(schema, "properties") else {
        return;
    };
    let required: Vec<&str> = list(schema, "required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let _ = writeln!(
        out,
        "**Inputs**\n\n| Name | Type | Required | Description | Default |\n|---|---|---|---|---|"
    );
    for (name, p) in props {
        let p = resolve_schema(doc, p);
        let kind = match p.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" \\| "),
            _ => String::new(),
        };
        let kind = match text(p, "format") {
            Some(f) => format!("{kind} ({f})"),
            None => kind,
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            cell(name),
            cell(&kind),
            if required.contains(&name.as_str()) {
                "yes"
            } else {
                "no"
            },
            cell(text(p, "description").unwrap_or("")),
            p.get("default").map(code).unwrap_or_default()
        );
    }
    out.push('\n');
}

/// A schema with a `$ref` into the document's `components.inputs` followed.
fn resolve_schema<'v>(doc: &'v Value, schema: &'v Value) -> &'v Value {
    text(schema, "$ref")
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| doc.pointer(p))
        .unwrap_or(schema)
}

fn step_md(out: &mut String, bundle: &Bundle, doc: &Value, n: usize, step: &Value) {
    let id = text(step, "stepId").unwrap_or("?");
    let t = target(bundle, step);
    let mut head = format!("{n}. **`{id}`** — {}", t.label);
    if let Some(mp) = &t.method_path {
        let _ = write!(head, " (`{mp}`)");
    }
    if let Some(s) = &t.summary {
        let _ = write!(head, ": {}", one_line(s));
    }
    let _ = writeln!(out, "{head}");
    let indent = "   ";
    if let Some(d) = text(step, "description") {
        let _ = writeln!(out, "{indent}{}", one_line(d));
    }
    let mut lines = Vec::new();
    let params: Vec<String> = list(step, "parameters")
        .iter()
        .map(|p| resolve(doc, p, "parameters"))
        .map(|p| {
            let place = text(p, "in").map(|i| format!(" ({i})")).unwrap_or_default();
            format!(
                "`{}`{place} = {}",
                text(p, "name").unwrap_or("?"),
                p.get("value").map(code).unwrap_or_default()
            )
        })
        .collect();
    if !params.is_empty() {
        lines.push(format!("Parameters: {}", params.join("; ")));
    }
    if let Some(body) = step.get("requestBody") {
        let ct = text(body, "contentType")
            .map(|c| format!(" (`{c}`)"))
            .unwrap_or_default();
        lines.push(format!(
            "Request body{ct}: {}",
            body.get("payload").map(code).unwrap_or_default()
        ));
    }
    let criteria = criteria_list(list(step, "successCriteria"));
    if !criteria.is_empty() {
        lines.push(format!("Success criteria: {criteria}"));
    }
    for (key, kind, words) in [
        ("onSuccess", "successActions", "On success"),
        ("onFailure", "failureActions", "On failure"),
    ] {
        let actions: Vec<String> = list(step, key)
            .iter()
            .map(|a| action(resolve(doc, a, kind)))
            .collect();
        if !actions.is_empty() {
            lines.push(format!("{words}: {}", actions.join("; ")));
        }
    }
    if let Some(outputs) = object(step, "outputs") {
        let shown: Vec<String> = outputs
            .iter()
            .map(|(k, v)| format!("`{k}` = {}", code(v)))
            .collect();
        lines.push(format!("Outputs: {}", shown.join("; ")));
    }
    for l in lines {
        let _ = writeln!(out, "{indent}- {l}");
    }
    out.push('\n');
}

fn action(a: &Value) -> String {
    let name = text(a, "name").unwrap_or("?");
    let what = match text(a, "type") {
        Some("goto") => match (text(a, "stepId"), text(a, "workflowId")) {
            (Some(s), _) => format!("goto step `{s}`"),
            (None, Some(w)) => format!("goto workflow `{w}`"),
            _ => "goto".to_owned(),
        },
        Some("retry") => format!(
            "retry (after {} s, at most {} times)",
            a.get("retryAfter").and_then(Value::as_f64).unwrap_or(0.0),
            a.get("retryLimit").and_then(Value::as_u64).unwrap_or(1)
        ),
        Some(other) => other.to_owned(),
        None => "?".to_owned(),
    };
    let when = criteria_list(list(a, "criteria"));
    if when.is_empty() {
        format!("`{name}`: {what}")
    } else {
        format!("`{name}`: {what} when {when}")
    }
}

fn criteria_list(criteria: &[Value]) -> String {
    criteria
        .iter()
        .map(|c| {
            let cond = text(c, "condition").unwrap_or("?");
            let kind = c
                .get("type")
                .and_then(|t| t.as_str().or_else(|| text(t, "type")))
                .map(|t| format!(" ({t})"))
                .unwrap_or_default();
            format!("`{}`{kind}", cell(&one_line(cond)))
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
/// `#` could start one, as in `$response.body#/id`).
fn label(s: &str) -> String {
    one_line(s).replace('#', "#35;").replace('"', "#quot;")
}

/// A value as inline code: a string as itself, anything else as compact JSON.
fn code(v: &Value) -> String {
    let shown = match v {
        Value::String(s) => one_line(s),
        other => other.to_string(),
    };
    format!("`{}`", cell(&shown).replace('`', "'"))
}

/// Text safe in a table cell.
fn cell(s: &str) -> String {
    one_line(s).replace('|', "\\|")
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The providers of a document's APIs: `x-providerName` (the APIs.guru convention), else the
/// domain of the first server, else the description's title.
fn providers(bundle: &Bundle) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for api in bundle.sources.iter().filter_map(|s| s.api()) {
        let d = &api.document;
        let info = d.get("info").unwrap_or(&Value::Null);
        let host = d
            .pointer("/servers/0/url")
            .and_then(Value::as_str)
            .map(|u| u.split_once("://").map_or(u, |(_, r)| r))
            .or_else(|| text(d, "host"))
            .and_then(|h| h.split(['/', ':']).next())
            .map(|h| {
                let labels: Vec<&str> = h.split('.').collect();
                labels[labels.len().saturating_sub(2)..].join(".")
            })
            .filter(|h| h.contains('.'));
        let name = text(info, "x-providerName")
            .map(str::to_owned)
            .or(host)
            .or_else(|| text(info, "title").map(str::to_owned));
        if let Some(name) = name
            && !out.contains(&name)
        {
            out.push(name);
        }
    }
    out
}

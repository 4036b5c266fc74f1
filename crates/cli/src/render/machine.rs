//! Diagnostics for tools: a JSON report and SARIF 2.1.0.

use serde_json::{Value, json};
use telaio_lint::{Diagnostic, Severity};

use super::DocumentReport;

fn location(d: &Diagnostic) -> Value {
    match d.span {
        Some(s) => json!({
            "line": s.start.line,
            "column": s.start.column,
            "endLine": s.end.line,
            "endColumn": s.end.column,
        }),
        None => Value::Null,
    }
}

pub(crate) fn json(reports: &[DocumentReport]) {
    print_json(&json_value(reports));
}

/// What `telaio validate --output json` prints of `reports`.
pub(crate) fn json_value(reports: &[DocumentReport]) -> Value {
    let documents: Vec<Value> = reports
        .iter()
        .map(|r| {
            let errors = r
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            json!({
                "file": r.file,
                "valid": errors == 0,
                "errors": errors,
                "warnings": r.diagnostics.len() - errors,
                "diagnostics": r.diagnostics.iter().map(|d| json!({
                    "rule": d.rule,
                    "severity": d.severity,
                    "message": d.message,
                    "file": d.file,
                    "location": location(d),
                    "hint": super::hint(d),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let valid = documents.iter().all(|d| d["valid"] == true);
    json!({ "valid": valid, "documents": documents })
}

pub(crate) fn sarif(reports: &[DocumentReport]) {
    let rules = telaio_lint::RULES.iter();
    let index = |id: &str| telaio_lint::RULES.iter().position(|r| r.id == id);
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .map(|d| {
            let mut message = d.message.clone();
            if let Some(h) = &super::hint(d) {
                message.push_str(&format!(" (hint: {h})"));
            }
            let mut physical = json!({ "artifactLocation": { "uri": artifact_uri(d) } });
            if let Some(s) = d.span {
                physical["region"] = json!({
                    "startLine": s.start.line,
                    "startColumn": s.start.column,
                    "endLine": s.end.line,
                    "endColumn": s.end.column.max(s.start.column + 1),
                });
            }
            json!({
                "ruleId": d.rule,
                "ruleIndex": index(d.rule),
                "level": level(d.severity),
                "message": { "text": message },
                "locations": [{ "physicalLocation": physical }],
            })
        })
        .collect();
    let driver_rules: Vec<Value> = rules
        .map(|r| {
            json!({
                "id": r.id,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": r.doc, "markdown": r.doc },
                "defaultConfiguration": { "level": level(r.severity) },
            })
        })
        .collect();
    print_json(&json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "telaio",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/telaio/telaio",
                "rules": driver_rules,
            }},
            "results": results,
        }],
    }));
}

/// SARIF wants URIs: relative paths with `/`, as code-scanning tools resolve them from the
/// repository root.
fn artifact_uri(d: &Diagnostic) -> String {
    d.file.replace('\\', "/")
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn print_json(v: &Value) {
    crate::term::print_json(v);
}

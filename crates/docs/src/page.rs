//! Reading a document for display: its JSON, with `components` references resolved and the
//! operations of its steps looked up in their source descriptions.

use serde_json::{Map, Value};
use telaio_model::{Bundle, OperationLookup};

/// A string field of a JSON object.
pub(crate) fn text<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// An array field of a JSON object (empty when absent).
pub(crate) fn list<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// An object field of a JSON object.
pub(crate) fn object<'v>(v: &'v Value, key: &str) -> Option<&'v Map<String, Value>> {
    v.get(key).and_then(Value::as_object)
}

/// An action or parameter, with a `reference` to `components` replaced by what it names.
pub(crate) fn resolve<'v>(doc: &'v Value, item: &'v Value, kind: &str) -> &'v Value {
    text(item, "reference")
        .and_then(|r| r.strip_prefix(&format!("$components.{kind}.")))
        .and_then(|name| doc.pointer(&format!("/components/{kind}/{name}")))
        .unwrap_or(item)
}

/// What a step calls, for display: `POST /` and the operation's summary, or a workflow.
pub(crate) struct Target {
    /// The `workflowId`, `operationId` or `operationPath` as written.
    pub written: String,
    /// Whether it calls a workflow.
    pub workflow: bool,
    pub method_path: Option<String>,
    pub summary: Option<String>,
}

pub(crate) fn target(bundle: &Bundle, step: &Value) -> Target {
    if let Some(w) = text(step, "workflowId") {
        return Target {
            written: w.to_owned(),
            workflow: true,
            method_path: None,
            summary: None,
        };
    }
    let written = text(step, "operationId")
        .or_else(|| text(step, "operationPath"))
        .unwrap_or("?");
    let lookup = match (text(step, "operationId"), text(step, "operationPath")) {
        (Some(id), _) => bundle.find_operation_id(id),
        (None, Some(path)) => bundle.find_operation_path(path),
        _ => OperationLookup::NotFound {
            searched: Vec::new(),
            unloaded: Vec::new(),
        },
    };
    match lookup {
        OperationLookup::Found { source, operation } => {
            let summary = source
                .api()
                .and_then(|api| api.document.pointer(&operation.pointer))
                .and_then(|op| text(op, "summary"))
                .map(str::to_owned);
            Target {
                written: written.to_owned(),
                workflow: false,
                method_path: Some(format!(
                    "{} {}",
                    operation.method.to_ascii_uppercase(),
                    operation.path
                )),
                summary,
            }
        }
        _ => Target {
            written: written.to_owned(),
            workflow: false,
            method_path: None,
            summary: None,
        },
    }
}

/// A value for display: a string as itself, anything else as compact JSON.
pub(crate) fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A row of a workflow's inputs table, read from its JSON Schema.
pub(crate) struct InputRow<'v> {
    pub name: &'v str,
    /// `string`, `string (date)`, `string | null`.
    pub kind: String,
    pub required: bool,
    pub description: Option<&'v str>,
    pub default: Option<&'v Value>,
}

/// The inputs of a workflow, with `$ref`s into `components.inputs` followed.
pub(crate) fn input_rows<'v>(doc: &'v Value, w: &'v Value) -> Vec<InputRow<'v>> {
    let Some(schema) = w.get("inputs").map(|s| resolve_schema(doc, s)) else {
        return Vec::new();
    };
    let Some(props) = object(schema, "properties") else {
        return Vec::new();
    };
    let required: Vec<&str> = list(schema, "required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    props
        .iter()
        .map(|(name, p)| {
            let p = resolve_schema(doc, p);
            let kind = match p.get("type") {
                Some(Value::String(t)) => t.clone(),
                Some(Value::Array(ts)) => ts
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" | "),
                _ => String::new(),
            };
            InputRow {
                name,
                kind: match text(p, "format") {
                    Some(f) => format!("{kind} ({f})"),
                    None => kind,
                },
                required: required.contains(&name.as_str()),
                description: text(p, "description"),
                default: p.get("default"),
            }
        })
        .collect()
}

/// A schema with a `$ref` into the document (`#/components/inputs/...`) followed.
fn resolve_schema<'v>(doc: &'v Value, schema: &'v Value) -> &'v Value {
    text(schema, "$ref")
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| doc.pointer(p))
        .unwrap_or(schema)
}

/// A step parameter for display: name, where it goes, value.
pub(crate) struct ParameterRow<'v> {
    pub name: &'v str,
    pub place: Option<&'v str>,
    pub value: Option<&'v Value>,
}

pub(crate) fn parameter_rows<'v>(doc: &'v Value, step: &'v Value) -> Vec<ParameterRow<'v>> {
    list(step, "parameters")
        .iter()
        .map(|p| resolve(doc, p, "parameters"))
        .map(|p| ParameterRow {
            name: text(p, "name").unwrap_or("?"),
            place: text(p, "in"),
            value: p.get("value"),
        })
        .collect()
}

/// A criterion for display: its condition on one line and its type, when not `simple`.
pub(crate) struct CriterionText {
    pub condition: String,
    pub kind: Option<String>,
}

pub(crate) fn criteria(list_of: &[Value]) -> Vec<CriterionText> {
    list_of
        .iter()
        .map(|c| CriterionText {
            condition: crate::prose::one_line(text(c, "condition").unwrap_or("?")),
            kind: c
                .get("type")
                .and_then(|t| t.as_str().or_else(|| text(t, "type")))
                .map(str::to_owned),
        })
        .collect()
}

/// An action for display: `name`, what it does (`goto step`, with the step), and when.
pub(crate) struct ActionText {
    pub name: String,
    pub verb: String,
    pub target: Option<String>,
    pub criteria: Vec<CriterionText>,
    /// One of the workflow's `successActions`/`failureActions`, not the step's own.
    pub inherited: bool,
}

/// The actions that apply to a step under `key` (`onSuccess`, `onFailure`): its own, then
/// the workflow's that it does not override by `name`, with references resolved; each marked
/// `true` when it comes from the workflow.
pub(crate) fn step_actions<'v>(
    doc: &'v Value,
    workflow: &'v Value,
    step: &'v Value,
    key: &str,
) -> Vec<(&'v Value, bool)> {
    let kind = if key == "onSuccess" {
        "successActions"
    } else {
        "failureActions"
    };
    let mut out: Vec<(&Value, bool)> = list(step, key)
        .iter()
        .map(|a| (resolve(doc, a, kind), false))
        .collect();
    for a in list(workflow, kind).iter().map(|a| resolve(doc, a, kind)) {
        let overridden = out
            .iter()
            .any(|(o, _)| text(o, "name").is_some() && text(o, "name") == text(a, "name"));
        if !overridden {
            out.push((a, true));
        }
    }
    out
}

/// The actions of a step under `key`, for display.
pub(crate) fn actions(doc: &Value, workflow: &Value, step: &Value, key: &str) -> Vec<ActionText> {
    step_actions(doc, workflow, step, key)
        .into_iter()
        .map(|(a, inherited)| {
            let (verb, target) = match text(a, "type") {
                Some("goto") => match (text(a, "stepId"), text(a, "workflowId")) {
                    (Some(s), _) => ("goto step".to_owned(), Some(s.to_owned())),
                    (None, Some(w)) => ("goto workflow".to_owned(), Some(w.to_owned())),
                    _ => ("goto".to_owned(), None),
                },
                Some("retry") => (
                    format!(
                        "retry (after {} s, at most {} times)",
                        a.get("retryAfter").and_then(Value::as_f64).unwrap_or(0.0),
                        a.get("retryLimit").and_then(Value::as_u64).unwrap_or(1)
                    ),
                    None,
                ),
                Some(other) => (other.to_owned(), None),
                None => ("?".to_owned(), None),
            };
            ActionText {
                name: text(a, "name").unwrap_or("?").to_owned(),
                verb,
                target,
                criteria: criteria(list(a, "criteria")),
                inherited,
            }
        })
        .collect()
}

/// The source descriptions of a document as rows: name, type (`openapi` when not given), url.
pub(crate) fn source_rows(doc: &Value) -> impl Iterator<Item = [&str; 3]> {
    list(doc, "sourceDescriptions").iter().map(|s| {
        [
            text(s, "name").unwrap_or("?"),
            text(s, "type").unwrap_or("openapi"),
            text(s, "url").unwrap_or(""),
        ]
    })
}

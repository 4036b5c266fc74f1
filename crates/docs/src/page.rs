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
    pub label: String,
    pub method_path: Option<String>,
    pub summary: Option<String>,
}

pub(crate) fn target(bundle: &Bundle, step: &Value) -> Target {
    if let Some(w) = text(step, "workflowId") {
        return Target {
            label: format!("workflow `{w}`"),
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
                label: format!("`{written}`"),
                method_path: Some(format!(
                    "{} {}",
                    operation.method.to_ascii_uppercase(),
                    operation.path
                )),
                summary,
            }
        }
        _ => Target {
            label: format!("`{written}`"),
            method_path: None,
            summary: None,
        },
    }
}

//! What the pages show of a document, read from its graph (`telaio-graph`): each step's
//! target, parameters, criteria and actions as text, and the inputs table. The document's
//! own JSON is read only for what the graph does not interpret (titles, descriptions,
//! values as written).

use serde_json::{Map, Value};
use telaio_graph::{
    Action, ActionNode, Call, CriterionNode, ParamValue, ProblemKind, StepNode, Target,
    WorkflowNode,
};
use telaio_model::{ActionKind, CriterionType, OperationLookup, ParameterIn, Valuable};

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

/// What a step calls, for display: `POST /` and the operation's summary, or a workflow.
pub(crate) struct Callee {
    /// The `workflowId`, `operationId` or `operationPath` as written.
    pub written: String,
    /// The workflow it calls, when it calls one.
    pub workflow: Option<String>,
    pub method_path: Option<String>,
    pub summary: Option<String>,
}

pub(crate) fn target(step: &StepNode<'_>) -> Callee {
    let written = step.call.written().unwrap_or("?").to_owned();
    match &step.call {
        Call::Workflow(w) => Callee {
            workflow: Some(w.written.to_owned()),
            written,
            method_path: None,
            summary: None,
        },
        Call::Operation {
            lookup: OperationLookup::Found { source, operation },
            ..
        } => Callee {
            summary: source
                .api()
                .and_then(|api| api.document.pointer(&operation.pointer))
                .and_then(|op| text(op, "summary"))
                .map(str::to_owned),
            method_path: Some(format!(
                "{} {}",
                operation.method.to_ascii_uppercase(),
                operation.path
            )),
            written,
            workflow: None,
        },
        _ => Callee {
            written,
            workflow: None,
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

/// The inputs of a workflow (its schema has `$ref`s into `components.inputs` inlined).
pub(crate) fn input_rows<'v>(w: &'v WorkflowNode<'_>) -> Vec<InputRow<'v>> {
    let Some(schema) = w.inputs() else {
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

/// A step parameter for display: name, where it goes, value.
pub(crate) struct ParameterRow<'v> {
    pub name: &'v str,
    pub place: Option<&'v str>,
    /// The value as written (`None` when there is none).
    pub value: Option<String>,
}

/// The parameters that apply to a step: the workflow's and its own.
pub(crate) fn parameter_rows<'v>(step: &'v StepNode<'_>) -> Vec<ParameterRow<'v>> {
    step.parameters
        .iter()
        .map(|p| ParameterRow {
            name: if p.name.is_empty() { "?" } else { p.name },
            place: p.location.map(ParameterIn::as_str),
            value: match p.value {
                ParamValue::Written(Valuable::Value(Value::Null)) => None,
                ParamValue::Written(v) => Some(valuable(v)),
                ParamValue::Override(v) => Some(shown(v)),
            },
        })
        .collect()
}

/// A value as written: a constant or expression as [`shown`], a selector as its fields.
pub(crate) fn valuable(v: &Valuable) -> String {
    match v {
        Valuable::Value(v) => shown(v),
        Valuable::Selector(s) => {
            let mut fields = serde_json::Map::new();
            let mut put = |k: &str, v: Option<&str>| {
                if let Some(v) = v {
                    fields.insert(k.to_owned(), Value::String(v.to_owned()));
                }
            };
            put("context", s.context.as_deref());
            put("selector", s.selector.as_deref());
            put("type", s.selector_type.as_ref().map(CriterionType::name));
            Value::Object(fields).to_string()
        }
    }
}

/// A criterion for display: its condition on one line and its type, when not `simple`.
pub(crate) struct CriterionText {
    pub condition: String,
    pub kind: Option<String>,
}

pub(crate) fn criteria(list: &[CriterionNode<'_>]) -> Vec<CriterionText> {
    list.iter()
        .map(|c| CriterionText {
            condition: crate::prose::one_line(c.criterion.condition.as_deref().unwrap_or("?")),
            kind: c
                .criterion
                .criterion_type
                .as_ref()
                .map(|t| t.name().to_owned()),
        })
        .collect()
}

/// An action for display: `name`, what it does (`goto step`, with the step), and when.
pub(crate) struct ActionText {
    pub name: String,
    pub verb: String,
    pub target: Option<String>,
    /// Whether the target is a step (else a workflow).
    pub to_step: bool,
    pub criteria: Vec<CriterionText>,
    /// One of the workflow's `successActions`/`failureActions`, not the step's own.
    pub inherited: bool,
}

/// The actions of a step (its own, then the workflow's that apply), for display.
pub(crate) fn actions(w: &WorkflowNode<'_>, list: &[ActionNode<'_>]) -> Vec<ActionText> {
    list.iter()
        .map(|a| {
            let (verb, target) = match &a.kind {
                Action::Goto(t) => match t {
                    Target::Step(i) => ("goto step", Some(step_id(w, *i).to_owned())),
                    Target::UnknownStep(s) => ("goto step", Some((*s).to_owned())),
                    Target::Workflow(r) => ("goto workflow", Some(r.written.to_owned())),
                },
                Action::Retry { after, limit, .. } => {
                    let verb = format!(
                        "retry (after {} s, at most {limit} times)",
                        after.unwrap_or(0.0)
                    );
                    return text_of(a, verb, None);
                }
                Action::End => ("end", None),
                Action::Invalid(ProblemKind::ActionType {
                    kind: Some(ActionKind::Other(t)),
                    ..
                }) => (t.as_str(), None),
                Action::Invalid(ProblemKind::GoesNowhere { .. }) => ("goto", None),
                Action::Invalid(_) => ("?", None),
            };
            text_of(a, verb.to_owned(), target)
        })
        .collect()
}

fn text_of(a: &ActionNode<'_>, verb: String, target: Option<String>) -> ActionText {
    ActionText {
        name: a.name.unwrap_or("?").to_owned(),
        to_step: verb == "goto step",
        verb,
        target,
        criteria: criteria(&a.criteria),
        inherited: a.from_workflow,
    }
}

/// A step's id for display.
pub(crate) fn step_id<'b>(w: &WorkflowNode<'b>, i: usize) -> &'b str {
    w.steps.get(i).and_then(|s| s.id).unwrap_or("?")
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

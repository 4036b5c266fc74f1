//! What expressions are evaluated against: the runtime state of a workflow, behind a trait.
//!
//! The engine implements [`Scope`] over its own run state, borrowing bodies and outputs so
//! that evaluating `$response.body#/a/b` copies nothing. [`Snapshot`] is a plain owned state
//! (what `telaio expr --context FILE` reads, and what tests use).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

/// Which message an expression reads: `$request`, `$response` or (1.1) `$message`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// The request the step sent.
    Request,
    /// The response it received.
    Response,
    /// The AsyncAPI message it sent or received.
    Message,
}

/// A message body: the parsed JSON value, or the text of a body that is not JSON (XML, plain
/// text), kept as a JSON string so that it can be borrowed like any value.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    /// The value (for text bodies, a `Value::String` of the text).
    pub value: Value,
    /// How the body was read.
    pub format: BodyFormat,
}

/// How a body was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyFormat {
    /// Parsed as JSON.
    Json,
    /// XML text.
    Xml,
    /// Any other text.
    Text,
}

impl Body {
    /// A body parsed from JSON.
    pub fn json(value: Value) -> Body {
        Body {
            value,
            format: BodyFormat::Json,
        }
    }

    /// A body kept as text (XML is recognised by its first non-blank character).
    pub fn text(text: impl Into<String>) -> Body {
        let text = text.into();
        let format = if text.trim_start().starts_with('<') {
            BodyFormat::Xml
        } else {
            BodyFormat::Text
        };
        Body {
            value: Value::String(text),
            format,
        }
    }

    /// Reads raw body text: JSON when it parses as JSON, else text.
    pub fn from_text(text: &str) -> Body {
        match serde_json::from_str(text) {
            Ok(value) => Body::json(value),
            Err(_) => Body::text(text),
        }
    }
}

/// `inputs` or `outputs` of a workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkflowPart {
    /// The workflow's inputs.
    Inputs,
    /// The workflow's outputs.
    Outputs,
}

/// The runtime state expressions read. Every method has a default that answers "not
/// available", so an implementation provides only what it has.
pub trait Scope {
    /// `$url`.
    fn url(&self) -> Option<&str> {
        None
    }
    /// `$method`.
    fn method(&self) -> Option<&str> {
        None
    }
    /// `$statusCode`.
    fn status_code(&self) -> Option<u16> {
        None
    }
    /// A header of a message; `name` is matched ignoring case.
    fn header(&self, _message: MessageKind, _name: &str) -> Option<&str> {
        None
    }
    /// A query parameter of a message.
    fn query(&self, _message: MessageKind, _name: &str) -> Option<&str> {
        None
    }
    /// A path parameter of a message.
    fn path_param(&self, _message: MessageKind, _name: &str) -> Option<&str> {
        None
    }
    /// The body (or 1.1 payload) of a message.
    fn body(&self, _message: MessageKind) -> Option<&Body> {
        None
    }
    /// The current workflow's inputs, as an object.
    fn inputs(&self) -> Option<&Value> {
        None
    }
    /// The current workflow's outputs so far, as an object.
    fn outputs(&self) -> Option<&Value> {
        None
    }
    /// The outputs of a step of the current workflow, as an object.
    fn step_outputs(&self, _step_id: &str) -> Option<&Value> {
        None
    }
    /// The inputs or outputs of a workflow, as an object.
    fn workflow(&self, _workflow_id: &str, _part: WorkflowPart) -> Option<&Value> {
        None
    }
    /// The outputs of a step of another workflow (1.1), as an object.
    fn workflow_step_outputs(&self, _workflow_id: &str, _step_id: &str) -> Option<&Value> {
        None
    }
    /// `$sourceDescriptions.<name>.<reference>`: an operation / workflow, or a field.
    fn source_description(&self, _name: &str, _reference: &str) -> Option<Value> {
        None
    }
    /// `$components.<kind>.<name>`.
    fn component(&self, _kind: &str, _name: &str) -> Option<&Value> {
        None
    }
    /// `$self`.
    fn self_uri(&self) -> Option<&str> {
        None
    }
}

/// A request, response or message as a [`Snapshot`] holds it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MessageSnapshot {
    /// Headers; names are matched ignoring case. Values are text; a list stands for a
    /// repeated header, of which the first is used.
    #[serde(deserialize_with = "text_map")]
    pub header: HashMap<String, String>,
    /// Query parameters (as text).
    #[serde(deserialize_with = "text_map")]
    pub query: HashMap<String, String>,
    /// Path parameters (as text).
    #[serde(deserialize_with = "text_map")]
    pub path: HashMap<String, String>,
    /// The body: any JSON value; a string that holds XML is treated as XML.
    #[serde(deserialize_with = "body_from_value")]
    pub body: Option<Body>,
    /// The 1.1 message payload (same as `body`).
    #[serde(deserialize_with = "body_from_value")]
    pub payload: Option<Body>,
}

/// Header and parameter values are text on the wire: `X-Count: 5` in a context file is the
/// text `5`; a list is a repeated header, of which the first value is kept.
fn text_map<'de, D: serde::Deserializer<'de>>(d: D) -> Result<HashMap<String, String>, D::Error> {
    let raw: HashMap<String, Value> = HashMap::deserialize(d)?;
    Ok(raw
        .into_iter()
        .filter_map(|(k, v)| {
            let first = match v {
                Value::Array(items) => items.into_iter().next()?,
                other => other,
            };
            let text = match first {
                Value::String(s) => s,
                Value::Null => return None,
                other => other.to_string(),
            };
            Some((k, text))
        })
        .collect())
}

fn body_from_value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Body>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) if s.trim_start().starts_with('<') => Some(Body::text(s)),
        value => Some(Body::json(value)),
    })
}

/// An owned runtime state, in the shape of `telaio expr --context`:
/// `{url, method, statusCode, request, response, message, inputs, outputs, steps,
/// workflows, sourceDescriptions, components, self}`.
///
/// ```
/// use telaio_expr::{Expression, Snapshot, evaluate};
/// let state: Snapshot = serde_json::from_value(serde_json::json!({
///     "statusCode": 200,
///     "response": {"header": {"Content-Type": "application/json"}, "body": {"items": [{"id": 7}]}},
///     "steps": {"create": {"outputs": {"id": "abc"}}}
/// })).unwrap();
/// let e = Expression::parse("$response.body#/items/0/id").unwrap();
/// assert_eq!(*evaluate(&e, &state).unwrap(), serde_json::json!(7));
/// let e = Expression::parse("$response.header.content-type").unwrap();
/// assert_eq!(*evaluate(&e, &state).unwrap(), serde_json::json!("application/json"));
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Snapshot {
    /// `$url`.
    pub url: Option<String>,
    /// `$method`.
    pub method: Option<String>,
    /// `$statusCode`.
    pub status_code: Option<u16>,
    /// `$request`.
    pub request: Option<MessageSnapshot>,
    /// `$response`.
    pub response: Option<MessageSnapshot>,
    /// `$message`.
    pub message: Option<MessageSnapshot>,
    /// `$inputs`.
    pub inputs: Option<Value>,
    /// `$outputs`.
    pub outputs: Option<Value>,
    /// `$steps.<id>.outputs`: `{<stepId>: {"outputs": {...}}}`.
    pub steps: HashMap<String, StepSnapshot>,
    /// `$workflows.<id>`: `{<workflowId>: {"inputs": {...}, "outputs": {...}, "steps": {...}}}`.
    pub workflows: HashMap<String, WorkflowSnapshot>,
    /// `$sourceDescriptions.<name>`: `{<name>: {"url": ..., <operationId>: ...}}`.
    pub source_descriptions: HashMap<String, Value>,
    /// `$components`: `{"parameters": {...}, "successActions": {...}, ...}`.
    pub components: HashMap<String, HashMap<String, Value>>,
    /// `$self`.
    #[serde(rename = "self")]
    pub self_uri: Option<String>,
}

/// A step's state in a [`Snapshot`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepSnapshot {
    /// The step's outputs.
    pub outputs: Value,
}

/// A workflow's state in a [`Snapshot`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct WorkflowSnapshot {
    /// Its inputs.
    pub inputs: Value,
    /// Its outputs.
    pub outputs: Value,
    /// Its steps.
    pub steps: HashMap<String, StepSnapshot>,
}

impl Snapshot {
    fn message(&self, kind: MessageKind) -> Option<&MessageSnapshot> {
        match kind {
            MessageKind::Request => self.request.as_ref(),
            MessageKind::Response => self.response.as_ref(),
            MessageKind::Message => self.message.as_ref(),
        }
    }
}

fn lookup_ignoring_case<'m>(map: &'m HashMap<String, String>, name: &str) -> Option<&'m str> {
    if let Some(v) = map.get(name) {
        return Some(v);
    }
    // Deterministic when a file spells one header two ways: the smallest key wins.
    map.iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .min_by(|a, b| a.0.cmp(b.0))
        .map(|(_, v)| v.as_str())
}

impl Scope for Snapshot {
    fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
    fn method(&self) -> Option<&str> {
        self.method.as_deref()
    }
    fn status_code(&self) -> Option<u16> {
        self.status_code
    }
    fn header(&self, message: MessageKind, name: &str) -> Option<&str> {
        lookup_ignoring_case(&self.message(message)?.header, name)
    }
    fn query(&self, message: MessageKind, name: &str) -> Option<&str> {
        self.message(message)?.query.get(name).map(String::as_str)
    }
    fn path_param(&self, message: MessageKind, name: &str) -> Option<&str> {
        self.message(message)?.path.get(name).map(String::as_str)
    }
    fn body(&self, message: MessageKind) -> Option<&Body> {
        let m = self.message(message)?;
        m.body.as_ref().or(m.payload.as_ref())
    }
    fn inputs(&self) -> Option<&Value> {
        self.inputs.as_ref()
    }
    fn outputs(&self) -> Option<&Value> {
        self.outputs.as_ref()
    }
    fn step_outputs(&self, step_id: &str) -> Option<&Value> {
        self.steps.get(step_id).map(|s| &s.outputs)
    }
    fn workflow(&self, workflow_id: &str, part: WorkflowPart) -> Option<&Value> {
        let w = self.workflows.get(workflow_id)?;
        Some(match part {
            WorkflowPart::Inputs => &w.inputs,
            WorkflowPart::Outputs => &w.outputs,
        })
    }
    fn workflow_step_outputs(&self, workflow_id: &str, step_id: &str) -> Option<&Value> {
        self.workflows
            .get(workflow_id)?
            .steps
            .get(step_id)
            .map(|s| &s.outputs)
    }
    fn source_description(&self, name: &str, reference: &str) -> Option<Value> {
        self.source_descriptions.get(name)?.get(reference).cloned()
    }
    fn component(&self, kind: &str, name: &str) -> Option<&Value> {
        self.components.get(kind)?.get(name)
    }
    fn self_uri(&self) -> Option<&str> {
        self.self_uri.as_deref()
    }
}

//! Evaluating runtime expressions and `{$...}` templates against a [`Scope`].
//!
//! Evaluation borrows from the scope wherever it can (`$response.body#/a/b` is a reference
//! into the body), so a polling loop that evaluates the same criteria a thousand times
//! copies nothing. A value that is not there is a [`Missing`] with the reason; callers that
//! want the spec's "missing is null" use [`Missing`]'s `or_null` helpers.

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

use crate::scope::{BodyFormat, MessageKind, Scope, WorkflowPart};
use crate::{Expression, JsonPointer, Part, Source, Template, WorkflowField};

/// Why an expression has no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing {
    /// The expression, as written canonically.
    pub expression: String,
    /// Why it has no value, in a few words.
    pub reason: String,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} has no value: {}", self.expression, self.reason)
    }
}

impl std::error::Error for Missing {}

/// A value or why there is none.
pub type Evaluated<'s> = Result<Cow<'s, Value>, Missing>;

/// Evaluates a runtime expression.
///
/// `$inputs.a.b` (and output names with dots) reads the input named `a.b` when there is
/// one, else property `b` of input `a`.
pub fn evaluate<'s, S: Scope + ?Sized>(expr: &Expression, scope: &'s S) -> Evaluated<'s> {
    let missing = |reason: &str| Missing {
        expression: expr.to_string(),
        reason: reason.to_owned(),
    };
    let text = |s: Option<&str>, what: &str| {
        s.map(|s| Cow::Owned(Value::String(s.to_owned())))
            .ok_or_else(|| missing(what))
    };
    match expr {
        Expression::Url => text(scope.url(), "no request has been made"),
        Expression::Method => text(scope.method(), "no request has been made"),
        Expression::StatusCode => scope
            .status_code()
            .map(|c| Cow::Owned(Value::from(c)))
            .ok_or_else(|| missing("no response has been received")),
        Expression::SelfUri => text(scope.self_uri(), "the document has no `$self`"),
        Expression::Request(source) => {
            message(scope, MessageKind::Request, source).map_err(|r| missing(&r))
        }
        Expression::Response(source) => {
            message(scope, MessageKind::Response, source).map_err(|r| missing(&r))
        }
        Expression::Message(source) => {
            message(scope, MessageKind::Message, source).map_err(|r| missing(&r))
        }
        Expression::Inputs { name, pointer } => {
            let inputs = scope
                .inputs()
                .ok_or_else(|| missing("the workflow has no inputs"))?;
            named(inputs, name, pointer.as_ref()).map_err(|r| missing(&r))
        }
        Expression::Outputs { name, pointer } => {
            let outputs = scope
                .outputs()
                .ok_or_else(|| missing("the workflow has no outputs yet"))?;
            named(outputs, name, pointer.as_ref()).map_err(|r| missing(&r))
        }
        Expression::Steps {
            step_id,
            output,
            pointer,
        } => {
            let outputs = scope
                .step_outputs(step_id)
                .ok_or_else(|| missing(&format!("step `{step_id}` has not run")))?;
            match output {
                Some(name) => named(outputs, name, pointer.as_ref()).map_err(|r| missing(&r)),
                None => select(outputs, pointer.as_ref()).map_err(|r| missing(&r)),
            }
        }
        Expression::Workflows {
            workflow_id,
            field,
            name,
            pointer,
        } => {
            let object = match field {
                WorkflowField::Inputs => scope.workflow(workflow_id, WorkflowPart::Inputs),
                WorkflowField::Outputs => scope.workflow(workflow_id, WorkflowPart::Outputs),
                WorkflowField::StepOutputs(step) => scope.workflow_step_outputs(workflow_id, step),
            }
            .ok_or_else(|| missing(&format!("workflow `{workflow_id}` has not run")))?;
            named(object, name, pointer.as_ref()).map_err(|r| missing(&r))
        }
        Expression::SourceDescriptions { name, reference } => scope
            .source_description(name, reference)
            .map(Cow::Owned)
            .ok_or_else(|| missing(&format!("source `{name}` has no `{reference}`"))),
        Expression::Components { kind, name } => scope
            .component(kind, name)
            .map(Cow::Borrowed)
            .ok_or_else(|| missing(&format!("there is no component `{kind}.{name}`"))),
    }
}

fn message<'s, S: Scope + ?Sized>(
    scope: &'s S,
    kind: MessageKind,
    source: &Source,
) -> Result<Cow<'s, Value>, String> {
    let what = match kind {
        MessageKind::Request => "request",
        MessageKind::Response => "response",
        MessageKind::Message => "message",
    };
    let text = |s: Option<&'s str>, name: &str, part: &str| {
        s.map(|s| Cow::Owned(Value::String(s.to_owned())))
            .ok_or_else(|| format!("the {what} has no {part} `{name}`"))
    };
    match source {
        Source::Header(name) => text(scope.header(kind, name), name, "header"),
        Source::Query(name) => text(scope.query(kind, name), name, "query parameter"),
        Source::Path(name) => text(scope.path_param(kind, name), name, "path parameter"),
        Source::Body(pointer) | Source::Payload(pointer) => {
            let body = scope
                .body(kind)
                .ok_or_else(|| format!("the {what} has no body"))?;
            match pointer {
                None => Ok(Cow::Borrowed(&body.value)),
                Some(_) if body.format != BodyFormat::Json => {
                    Err(format!("the {what} body is not JSON"))
                }
                Some(p) => select(&body.value, Some(p)),
            }
        }
    }
}

/// `value` at `pointer` (the whole value without one). A last token `length` on an array or
/// string that has no such member is its length: the catalog writes
/// `$response.body.items.length > 0`.
fn select<'v>(value: &'v Value, pointer: Option<&JsonPointer>) -> Result<Cow<'v, Value>, String> {
    let Some(p) = pointer else {
        return Ok(Cow::Borrowed(value));
    };
    if let Some(v) = p.select(value) {
        return Ok(Cow::Borrowed(v));
    }
    let length = p
        .as_str()
        .strip_suffix("/length")
        .and_then(|parent| value.pointer(parent))
        .and_then(|parent| match parent {
            Value::Array(a) => Some(a.len()),
            Value::String(s) => Some(s.chars().count()),
            _ => None,
        });
    length
        .map(|n| Cow::Owned(Value::from(n)))
        .ok_or_else(|| format!("nothing at `#{p}`"))
}

/// The member `name` of `object` (then `pointer` into it). A name that no member has whole is
/// read as a path into a member, the longest member name first: `a.b.c` is `c` of member
/// `a.b`, else `b.c` of member `a`; `pets[0].id` is `id` of the first item of member `pets`
/// (1.0.1 lets names hold any character, so authors write paths this way).
fn named<'v>(
    object: &'v Value,
    name: &str,
    pointer: Option<&JsonPointer>,
) -> Result<Cow<'v, Value>, String> {
    if let Some(v) = object.get(name) {
        return select(v, pointer);
    }
    // The members whose names the name starts with, at a `.` or `[`, longest first: found by
    // going over the members, not over the name's every prefix (a hostile name may have a
    // million dots).
    let mut heads: Vec<(&str, &Value)> = object
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v))
        .filter(|(k, _)| {
            name.len() > k.len()
                && name.starts_with(k)
                && matches!(name.as_bytes()[k.len()], b'.' | b'[')
        })
        .collect();
    heads.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    for (key, head) in heads {
        let Some(path) = path_segments(&name[key.len()..]) else {
            continue;
        };
        if let Some(v) = walk(head, &path, pointer.is_none()) {
            return match v {
                Cow::Borrowed(v) => select(v, pointer),
                owned => Ok(owned),
            };
        }
    }
    Err(format!("there is no `{name}`"))
}

/// When `name` reads into the member `head` by a path (`pets[0].id` into `pets`), the JSON
/// Pointer that reads the same (`/0/id`); `None` when it does not, or when its last part is a
/// `length`, which no pointer reads.
///
/// ```
/// use telaio_expr::member_pointer;
/// assert_eq!(member_pointer("pets[0].id", "pets").as_deref(), Some("/0/id"));
/// assert_eq!(member_pointer("m['a.b']", "m").as_deref(), Some("/a.b"));
/// assert_eq!(member_pointer("pets.length", "pets"), None);
/// assert_eq!(member_pointer("petsx", "pets"), None);
/// ```
pub fn member_pointer(name: &str, head: &str) -> Option<String> {
    let rest = name.strip_prefix(head)?;
    let path = path_segments(rest).filter(|p| !p.is_empty())?;
    if path.last() == Some(&"length") {
        return None;
    }
    let mut pointer = String::new();
    for part in path {
        pointer.push('/');
        pointer.push_str(&part.replace('~', "~0").replace('/', "~1"));
    }
    Some(pointer)
}

/// `.a.b[0]['c']` as `["a", "b", "0", "c"]`, or `None` when it is not such a path.
fn path_segments(mut rest: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            if end == 0 {
                return None;
            }
            out.push(&after[..end]);
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let key = &after[..end];
            let key = key
                .strip_prefix('\'')
                .and_then(|k| k.strip_suffix('\''))
                .or_else(|| key.strip_prefix('"').and_then(|k| k.strip_suffix('"')))
                .unwrap_or(key);
            out.push(key);
            rest = &after[end + 1..];
        } else {
            return None;
        }
    }
    Some(out)
}

/// Follows `path` from `value`: members by name, array items by index; a last `length` of an
/// array or string is its length (as in simple conditions), when `length_allowed`.
fn walk<'v>(value: &'v Value, path: &[&str], length_allowed: bool) -> Option<Cow<'v, Value>> {
    let mut v = value;
    for (i, part) in path.iter().enumerate() {
        match v
            .get(*part)
            .or_else(|| part.parse::<usize>().ok().and_then(|i| v.get(i)))
        {
            Some(next) => v = next,
            None if i + 1 == path.len() && *part == "length" && length_allowed => {
                return match v {
                    Value::Array(a) => Some(Cow::Owned(Value::from(a.len()))),
                    Value::String(s) => Some(Cow::Owned(Value::from(s.chars().count()))),
                    _ => None,
                };
            }
            None => return None,
        }
    }
    Some(Cow::Borrowed(v))
}

/// How an embedded value reads inside a string: strings as they are, other scalars as JSON
/// text, objects and arrays as JSON.
pub fn to_text(value: &Value) -> Cow<'_, str> {
    match value {
        Value::String(s) => Cow::Borrowed(s),
        Value::Null => Cow::Borrowed(""),
        other => Cow::Owned(other.to_string()),
    }
}

/// Evaluates a template: literal text with each `{$...}` replaced by its value as text (a
/// missing value is an empty string, and its reason is returned beside the result).
///
/// ```
/// use telaio_expr::{Snapshot, Template, render};
/// let state: Snapshot = serde_json::from_value(serde_json::json!({"inputs": {"host": "api.example.com", "id": 42}})).unwrap();
/// let t = Template::parse("https://{$inputs.host}/pets/{$inputs.id}").unwrap();
/// let (text, missing) = render(&t, &state);
/// assert_eq!(text, "https://api.example.com/pets/42");
/// assert!(missing.is_empty());
/// ```
pub fn render<S: Scope + ?Sized>(template: &Template, scope: &S) -> (String, Vec<Missing>) {
    render_with(template, scope, |s| s.to_owned())
}

/// [`render`], with each spliced value passed through `escape` first.
pub(crate) fn render_with<S: Scope + ?Sized>(
    template: &Template,
    scope: &S,
    escape: fn(&str) -> String,
) -> (String, Vec<Missing>) {
    let mut out = String::new();
    let mut missing = Vec::new();
    for part in template.parts() {
        match part {
            Part::Text(t) => out.push_str(t),
            Part::Expression(e) => match evaluate(e, scope) {
                Ok(v) => out.push_str(&escape(&to_text(&v))),
                Err(m) => missing.push(m),
            },
        }
    }
    (out, missing)
}

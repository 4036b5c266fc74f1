//! Building a request from a step's plan: parameters serialised the way the operation
//! declares them (OpenAPI `style` / `explode`, with OpenAPI's defaults), the body encoded for
//! its content type.

use std::fmt::Write as _;

use serde_json::Value;
use telaio_expr::{Missing, Scope, to_text};
use telaio_model::ParameterIn;
use url::form_urlencoded;

use crate::http::Request;
use telaio_plan::is_json;
use telaio_plan::{BodyPlan, OperationPlan, ReplacementTarget, StepPlan, ValuePlan};

/// A request with the values that `$request.*` expressions read.
#[derive(Clone, Debug)]
pub struct Built {
    /// The request to send.
    pub request: Request,
    /// Path parameters as sent.
    pub path: Vec<(String, String)>,
    /// Query parameters as sent.
    pub query: Vec<(String, String)>,
    /// The body value before encoding.
    pub body: Option<Value>,
    /// Path template variables left without a value (the request must not be sent).
    pub unfilled: Vec<String>,
}

/// Percent-encodes all but RFC 3986's unreserved characters, as a path segment needs.
pub(crate) fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn scalar(v: &Value) -> String {
    to_text(v).into_owned()
}

/// Builds the request for an operation step.
pub fn build<S: Scope + ?Sized>(
    step: &StepPlan,
    op: &OperationPlan,
    scope: &S,
    missing: &mut Vec<Missing>,
) -> Built {
    let mut path = op.path.clone();
    let mut path_params = Vec::new();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut raw_query: Option<String> = None;
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut cookies: Vec<String> = Vec::new();
    for p in &step.parameters {
        // A parameter whose value is missing is not sent (the reason stays in `missing`).
        let Some(value) = p.value.evaluate_present(scope, missing) else {
            continue;
        };
        let location = p.location.as_ref().unwrap_or(&ParameterIn::Query);
        let declared = op.declared(&p.name, location);
        let style = declared.and_then(|d| d.style.as_deref());
        let explode = declared.and_then(|d| d.explode);
        // A parameter with JSON `content` carries the value as JSON text (OpenAPI 3).
        let value = match value {
            Value::Object(_) | Value::Array(_) if declared.is_some_and(|d| d.json_content) => {
                Value::String(value.to_string())
            }
            other => other,
        };
        match location {
            // An empty value would make `/pets/{id}` `/pets/`: the variable stays unfilled.
            ParameterIn::Path if value.is_null() || value.as_str() == Some("") => {}
            ParameterIn::Path => {
                let text = serialize_simple(
                    &value,
                    style,
                    explode.unwrap_or(false),
                    &p.name,
                    encode_path,
                );
                path = path.replace(&format!("{{{}}}", p.name), &text);
                path_params.push((p.name.clone(), scalar(&value)));
            }
            ParameterIn::Querystring => {
                raw_query = Some(match &value {
                    Value::Object(map) => form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(map.iter().map(|(k, v)| (k.clone(), scalar(v))))
                        .finish(),
                    other => scalar(other),
                })
            }
            // Header values go as they are: percent-encoding is a URL's escape, not a header's.
            ParameterIn::Header => headers.push((
                p.name.clone(),
                serialize_simple(
                    &value,
                    Some("simple"),
                    explode.unwrap_or(false),
                    &p.name,
                    str::to_owned,
                ),
            )),
            ParameterIn::Cookie => cookies.push(format!(
                "{}={}",
                p.name,
                serialize_simple(&value, Some("form"), false, &p.name, encode_path)
            )),
            _ => query.extend(serialize_query(&p.name, &value, style, explode)),
        }
    }
    let unfilled = unfilled(&path);
    if !cookies.is_empty() {
        headers.push(("Cookie".into(), cookies.join("; ")));
    }
    let mut url = match &op.server {
        Some(server) => format!("{server}{path}"),
        None => {
            missing.push(Missing {
                expression: format!("the server of source `{}`", op.source),
                reason: "its description names none".to_owned(),
            });
            path
        }
    };
    let encoded = raw_query.unwrap_or_else(|| {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query.iter())
            .finish()
    });
    if !encoded.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&encoded);
    }
    let (body_value, body) = match &step.body {
        Some(b) => {
            let (value, bytes, content_type) = body(b, scope, missing);
            if let Some(ct) = content_type.filter(|_| {
                !headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            }) {
                headers.push(("Content-Type".into(), ct));
            }
            (Some(value), Some(bytes))
        }
        None => (None, None),
    };
    Built {
        request: Request {
            method: op.method.clone(),
            url,
            headers,
            body,
            security: Some(op.security.clone()),
            timeout: None,
        },
        path: path_params,
        query,
        body: body_value,
        unfilled,
    }
}

/// The `{name}` template variables still in a path.
fn unfilled(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else {
            break;
        };
        out.push(rest[open + 1..open + len].to_owned());
        rest = &rest[open + len + 1..];
    }
    out
}

/// `simple` (path, header) and `label`/`matrix` styles; `encode` escapes each name and value.
fn serialize_simple(
    v: &Value,
    style: Option<&str>,
    explode: bool,
    name: &str,
    encode: fn(&str) -> String,
) -> String {
    let join = |items: Vec<String>, sep: &str| items.join(sep);
    let (prefix, sep) = match style {
        Some("label") => (".".to_owned(), if explode { "." } else { "," }),
        Some("matrix") => (format!(";{name}="), if explode { ";" } else { "," }),
        _ => (String::new(), ","),
    };
    let body = match v {
        Value::Array(items) => join(items.iter().map(|i| encode(&scalar(i))).collect(), sep),
        Value::Object(map) if explode => join(
            map.iter()
                .map(|(k, v)| format!("{}={}", encode(k), encode(&scalar(v))))
                .collect(),
            sep,
        ),
        Value::Object(map) => join(
            map.iter()
                .flat_map(|(k, v)| [encode(k), encode(&scalar(v))])
                .collect(),
            ",",
        ),
        other => encode(&scalar(other)),
    };
    format!("{prefix}{body}")
}

/// `form` (the default, exploded), `spaceDelimited`, `pipeDelimited` and `deepObject`.
fn serialize_query(
    name: &str,
    v: &Value,
    style: Option<&str>,
    explode: Option<bool>,
) -> Vec<(String, String)> {
    let style = style.unwrap_or("form");
    let explode = explode.unwrap_or(style == "form");
    match (v, style) {
        (Value::Object(map), "deepObject") => map
            .iter()
            .map(|(k, v)| (format!("{name}[{k}]"), scalar(v)))
            .collect(),
        (Value::Object(map), _) if explode => {
            map.iter().map(|(k, v)| (k.clone(), scalar(v))).collect()
        }
        (Value::Object(map), _) => vec![(
            name.to_owned(),
            map.iter()
                .flat_map(|(k, v)| [k.clone(), scalar(v)])
                .collect::<Vec<_>>()
                .join(","),
        )],
        (Value::Array(items), _) if explode => {
            items.iter().map(|i| (name.to_owned(), scalar(i))).collect()
        }
        (Value::Array(items), s) => {
            let sep = match s {
                "spaceDelimited" => " ",
                "pipeDelimited" => "|",
                _ => ",",
            };
            vec![(
                name.to_owned(),
                items.iter().map(scalar).collect::<Vec<_>>().join(sep),
            )]
        }
        (other, _) => vec![(name.to_owned(), scalar(other))],
    }
}

/// Evaluates and encodes a body: `(value, bytes, content type)`.
fn body<S: Scope + ?Sized>(
    b: &BodyPlan,
    scope: &S,
    missing: &mut Vec<Missing>,
) -> (Value, Vec<u8>, Option<String>) {
    // A JSON body written as a string (templated JSON, as in the specification's examples)
    // is sent as written; it is parsed only for `$request.body` and for replacements.
    let declared_json = b.content_type.as_deref().is_some_and(is_json);
    let mut value = match &b.payload {
        ValuePlan::Template(t) if declared_json => {
            Value::String(super::json_template::render(t, scope, missing))
        }
        other => other.evaluate(scope, missing),
    };
    let mut as_written = None;
    if declared_json && let Value::String(text) = &value {
        match serde_json::from_str::<Value>(text) {
            Ok(parsed) => {
                if b.replacements.is_empty() {
                    as_written = Some(text.as_bytes().to_vec());
                }
                value = parsed;
            }
            Err(_) => as_written = Some(text.as_bytes().to_vec()),
        }
    }
    for (target, replacement) in &b.replacements {
        let new = replacement.evaluate(scope, missing);
        match target {
            ReplacementTarget::Pointer(pointer) => {
                if let Some(slot) = pointer_mut(&mut value, pointer.as_str()) {
                    *slot = new;
                }
            }
            ReplacementTarget::JsonPath(path) => {
                let pointers: Vec<String> = path
                    .query()
                    .query_located(&value)
                    .locations()
                    .map(|l| l.to_json_pointer())
                    .collect();
                for pointer in pointers {
                    if let Some(slot) = pointer_mut(&mut value, &pointer) {
                        *slot = new.clone();
                    }
                }
            }
            ReplacementTarget::XPath(xpath) => {
                let Value::String(xml) = &value else {
                    continue;
                };
                match telaio_expr::replace_xml(xml, xpath, &to_text(&new)) {
                    Ok(replaced) => value = Value::String(replaced),
                    // The payload goes as it is; the reason is reported with the request.
                    Err(reason) => missing.push(Missing {
                        expression: xpath.clone(),
                        reason,
                    }),
                }
            }
        }
    }
    let content_type = b.content_type.clone().or_else(|| match &value {
        Value::String(_) => Some("text/plain".to_owned()),
        Value::Null => None,
        _ => Some("application/json".to_owned()),
    });
    let ct = content_type.as_deref().unwrap_or("");
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let bytes = if let Some(written) = as_written {
        written
    } else if is_json(ct) {
        serde_json::to_vec(&value).unwrap_or_default()
    } else if essence == "application/x-www-form-urlencoded" {
        match &value {
            Value::Object(map) => form_urlencoded::Serializer::new(String::new())
                .extend_pairs(map.iter().map(|(k, v)| (k.clone(), scalar(v))))
                .finish()
                .into_bytes(),
            other => scalar(other).into_bytes(),
        }
    } else if essence == "multipart/form-data" {
        let boundary = "telaio-boundary-7MA4YWxkTrZu0gW";
        let bytes = multipart(&value, boundary);
        return (
            value,
            bytes,
            Some(format!("multipart/form-data; boundary={boundary}")),
        );
    } else {
        // XML, text, octet-stream: a string payload is sent as written.
        scalar(&value).into_bytes()
    };
    (value, bytes, content_type)
}

fn multipart(value: &Value, boundary: &str) -> Vec<u8> {
    let mut out = String::new();
    if let Value::Object(map) = value {
        for (k, v) in map {
            let _ = write!(
                out,
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{}\r\n",
                scalar(v)
            );
        }
    }
    let _ = write!(out, "--{boundary}--\r\n");
    out.into_bytes()
}

/// A mutable reference to the place a JSON Pointer names, creating object members on the way.
fn pointer_mut<'v>(value: &'v mut Value, pointer: &str) -> Option<&'v mut Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    let mut here = value;
    for raw in pointer.strip_prefix('/')?.split('/') {
        let token = raw.replace("~1", "/").replace("~0", "~");
        here = match here {
            Value::Object(map) => map.entry(token).or_insert(Value::Null),
            Value::Array(items) => {
                // `-` is the (nonexistent) member after the last: setting it appends.
                let i = if token == "-" {
                    items.push(Value::Null);
                    items.len() - 1
                } else {
                    token.parse().ok()?
                };
                items.get_mut(i)?
            }
            Value::Null => {
                *here = Value::Object(serde_json::Map::new());
                here.as_object_mut()?.entry(token).or_insert(Value::Null)
            }
            _ => return None,
        };
    }
    Some(here)
}

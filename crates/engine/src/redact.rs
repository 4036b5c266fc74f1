//! Keeping secrets out of every output: events are redacted before anyone sees them.
//!
//! Header values of `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie` and the
//! API-key headers the sources declare become `***`, and so does every occurrence of a known
//! secret value (credentials, inputs marked `format: password` or `writeOnly`), wherever it
//! appears: URLs, inputs, outputs, reasons.

use std::collections::HashSet;

use serde_json::Value;

use crate::event::{Event, RunError};

/// What replaces a secret.
pub const MASK: &str = "***";

/// Headers whose values are always secret.
const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
];

/// Redacts events.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    headers: HashSet<String>,
    secrets: Vec<String>,
}

impl Redactor {
    /// A redactor for the always-secret headers.
    pub fn new() -> Redactor {
        Redactor {
            headers: SECRET_HEADERS.iter().map(|h| (*h).to_owned()).collect(),
            secrets: Vec::new(),
        }
    }

    /// Also masks this header's values.
    pub fn header(&mut self, name: &str) {
        self.headers.insert(name.to_ascii_lowercase());
    }

    /// Also masks this value wherever it appears (values shorter than 4 characters are
    /// ignored: masking them would garble ordinary text).
    pub fn secret(&mut self, value: &str) {
        if value.chars().count() >= 4 && !self.secrets.iter().any(|s| s == value) {
            self.secrets.push(value.to_owned());
            // Longest first, so a secret that contains another is masked whole.
            self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    /// Masks the inputs a schema marks secret (`format: password`, `writeOnly: true`,
    /// `x-sensitive: true`), and remembers their values.
    pub fn inputs(&mut self, schema: Option<&Value>, inputs: &Value) {
        let Some(props) = schema
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
        else {
            return;
        };
        for (name, prop) in props {
            let secret = prop.get("format").and_then(Value::as_str) == Some("password")
                || prop.get("writeOnly").and_then(Value::as_bool) == Some(true)
                || prop.get("x-sensitive").and_then(Value::as_bool) == Some(true);
            if secret && let Some(v) = inputs.get(name).and_then(Value::as_str) {
                self.secret(v);
            }
        }
    }

    /// Text with every known secret masked.
    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_owned();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        out
    }

    fn value(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(items) => Value::Array(items.iter().map(|i| self.value(i)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn error(&self, e: &Option<RunError>) -> Option<RunError> {
        e.as_ref().map(|e| RunError {
            step_id: e.step_id.clone(),
            reason: self.text(&e.reason),
        })
    }

    /// The event with secrets masked.
    pub fn event(&self, e: &Event) -> Event {
        match e {
            Event::RunStarted {
                workflow_id,
                inputs,
            } => Event::RunStarted {
                workflow_id: workflow_id.clone(),
                inputs: self.value(inputs),
            },
            Event::RequestSent {
                step_id,
                method,
                url,
                headers,
                body_bytes,
            } => Event::RequestSent {
                step_id: step_id.clone(),
                method: method.clone(),
                url: self.text(url),
                headers: headers
                    .iter()
                    .map(|(k, v)| {
                        let v = if self.headers.contains(&k.to_ascii_lowercase()) {
                            MASK.to_owned()
                        } else {
                            self.text(v)
                        };
                        (k.clone(), v)
                    })
                    .collect(),
                body_bytes: *body_bytes,
            },
            Event::TransportFailed { step_id, reason } => Event::TransportFailed {
                step_id: step_id.clone(),
                reason: self.text(reason),
            },
            Event::StepFinished {
                step_id,
                succeeded,
                reason,
            } => Event::StepFinished {
                step_id: step_id.clone(),
                succeeded: *succeeded,
                reason: reason.as_deref().map(|r| self.text(r)),
            },
            Event::RunFinished {
                succeeded,
                outputs,
                error,
            } => Event::RunFinished {
                succeeded: *succeeded,
                outputs: self.value(outputs),
                error: self.error(error),
            },
            other => other.clone(),
        }
    }

    /// Outputs with secrets masked.
    pub fn outputs(&self, outputs: &Value) -> Value {
        self.value(outputs)
    }

    /// An error with secrets masked.
    pub fn run_error(&self, e: &Option<RunError>) -> Option<RunError> {
        self.error(e)
    }
}

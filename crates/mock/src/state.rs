//! What a stateful mock remembers between calls: call counts, where each key is in its
//! sequence, the ids it handed out, and the answers given per idempotency key. Also renders
//! the placeholders of scenario answers.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::scenario::Reply;

/// How many keys, idempotency tokens and handed-out ids the mock keeps, each: a long-lived
/// mock under load with ever-new keys starts over past this, rather than growing without end.
const MAX_ENTRIES: usize = 100_000;

/// Empties a map that is full, before it takes one more.
fn make_room<T>(len: usize, clear: impl FnOnce() -> T) {
    if len >= MAX_ENTRIES {
        clear();
    }
}

/// The mock's memory (behind one lock: answers are tiny).
#[derive(Debug, Default)]
pub(crate) struct State {
    calls: HashMap<String, u64>,
    positions: HashMap<(String, String), usize>,
    handed_out: HashSet<String>,
    remembered: HashMap<(String, String), Rendered>,
    ids: u64,
    /// Distinguishes this mock's ids from another's.
    salt: u64,
}

/// A scenario answer with its placeholders filled.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Rendered {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    pub delay_ms: u64,
}

/// What a reply's placeholders can refer to.
pub(crate) struct Context<'a> {
    pub request: Option<&'a Value>,
    pub key: Option<&'a str>,
    pub count: u64,
}

impl State {
    pub fn new() -> State {
        State {
            salt: salt(),
            ..State::default()
        }
    }

    /// Counts a call of `operation`; its number (1 for the first).
    pub fn call(&mut self, operation: &str) -> u64 {
        let n = self.calls.entry(operation.to_owned()).or_default();
        *n += 1;
        *n
    }

    /// The position of `key` in `operation`'s sequence, moved on by one.
    pub fn advance(&mut self, operation: &str, key: &str) -> usize {
        make_room(self.positions.len(), || self.positions.clear());
        let p = self
            .positions
            .entry((operation.to_owned(), key.to_owned()))
            .or_default();
        *p += 1;
        *p - 1
    }

    /// Whether the mock handed out this id.
    pub fn knows(&self, id: &str) -> bool {
        self.handed_out.contains(id)
    }

    /// The answer given before for this idempotency key.
    pub fn remembered(&self, operation: &str, token: &str) -> Option<Rendered> {
        self.remembered
            .get(&(operation.to_owned(), token.to_owned()))
            .cloned()
    }

    /// Remembers the answer for this idempotency key.
    pub fn remember(&mut self, operation: &str, token: &str, answer: Rendered) {
        make_room(self.remembered.len(), || self.remembered.clear());
        self.remembered
            .insert((operation.to_owned(), token.to_owned()), answer);
    }

    /// A reply with `{{id}}`, `{{key}}`, `{{request.X}}` and `{{count}}` filled in.
    pub fn render(&mut self, reply: &Reply, cx: &Context<'_>) -> Rendered {
        Rendered {
            status: reply.status,
            headers: reply
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), self.fill(v, cx)))
                .collect(),
            body: reply.body.as_ref().map(|b| self.fill_value(b, cx)),
            delay_ms: reply.delay_ms,
        }
    }

    fn fill_value(&mut self, v: &Value, cx: &Context<'_>) -> Value {
        match v {
            // A string that is one placeholder keeps the type of what it names.
            Value::String(s)
                if s.starts_with("{{request.")
                    && s.ends_with("}}")
                    && s.matches("{{").count() == 1 =>
            {
                let field = &s["{{request.".len()..s.len() - 2];
                field_of(cx.request, field).cloned().unwrap_or(Value::Null)
            }
            Value::String(s) => Value::String(self.fill(s, cx)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|i| self.fill_value(i, cx)).collect())
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.fill_value(v, cx)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn fill(&mut self, text: &str, cx: &Context<'_>) -> String {
        if !text.contains("{{") {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start..].find("}}") else {
                break;
            };
            out.push_str(&rest[..start]);
            let name = rest[start + 2..start + len].trim();
            match name {
                "id" => out.push_str(&self.new_id()),
                "key" => out.push_str(cx.key.unwrap_or_default()),
                "count" => out.push_str(&cx.count.to_string()),
                _ => match name
                    .strip_prefix("request.")
                    .map(|f| field_of(cx.request, f))
                {
                    Some(Some(Value::String(s))) => out.push_str(s),
                    Some(Some(v)) => out.push_str(&v.to_string()),
                    Some(None) => {}
                    // Not a placeholder of ours: kept as written.
                    None => out.push_str(&rest[start..start + len + 2]),
                },
            }
            rest = &rest[start + len + 2..];
        }
        out.push_str(rest);
        out
    }

    fn new_id(&mut self) -> String {
        self.ids += 1;
        let id = format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            (self.salt >> 32) as u32,
            (self.salt >> 16) as u16,
            (self.salt >> 4) & 0xfff,
            (self.ids >> 48) & 0xfff,
            self.ids & 0xffff_ffff_ffff
        );
        make_room(self.handed_out.len(), || self.handed_out.clear());
        self.handed_out.insert(id.clone());
        id
    }
}

/// A field of a request body: a top-level name, or a JSON Pointer.
pub(crate) fn field_of<'v>(body: Option<&'v Value>, field: &str) -> Option<&'v Value> {
    let body = body?;
    if field.starts_with('/') {
        body.pointer(field)
    } else {
        body.get(field)
    }
}

fn salt() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u8(0);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_are_filled_and_ids_remembered() {
        let mut state = State::new();
        let reply: Reply = serde_json::from_value(json!({
            "body": {"Id": "{{id}}", "Echo": "{{request.Token}}", "N": "{{request./n}}", "Text": "#{{count}} for {{key}} {{other}}"}
        }))
        .unwrap();
        let request = json!({"Token": "t-1", "n": 5});
        let cx = Context {
            request: Some(&request),
            key: Some("k"),
            count: 3,
        };
        let body = state.render(&reply, &cx).body.unwrap();
        assert_eq!(body["Echo"], "t-1");
        assert_eq!(body["N"], 5, "a whole placeholder keeps the type");
        assert_eq!(body["Text"], "#3 for k {{other}}");
        let id = body["Id"].as_str().unwrap();
        assert!(state.knows(id) && !state.knows("something-else"));
        let again = state.render(&reply, &cx).body.unwrap();
        assert_ne!(again["Id"], body["Id"]);
    }
}

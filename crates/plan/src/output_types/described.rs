//! What an API description says of a response body a step reads: which responses the step
//! can take for a success, the schema of the field it reads, made a self-contained JSON
//! Schema 2020-12 that a value the API sends and Telaio masks still fits.
//!
//! A schema here describes types and shapes; it leaves out what Telaio's masking could
//! break in a value it shows (a string's `pattern` and lengths), what JSON Schema reads
//! otherwise (`discriminator`, 3.0's `nullable`), and what checks no value (examples).

use serde_json::{Map, Value, json};
use telaio_expr::JsonPointer;

use super::{or_masked, or_null};
use crate::schema::is_secret_property;
use crate::{ActionKindPlan, StepPlan, TargetPlan, WorkflowPlan};

/// How many `$ref`s deep a schema is followed; deeper (or a cycle) is `{}`.
const MAX_REFS: usize = 8;
/// How many schema objects one body's type may hold: what an agent reads of a tool stays
/// a few kilobytes (a large response is typed so far, the rest left open).
const MAX_NODES: usize = 64;

/// The body of a response the step can take for a success, at `pointer`: one schema, or
/// `anyOf` when its statuses answer differently; `{}` when the description does not say (no
/// schema, a body that is not JSON, a `$ref` out of the description).
pub(super) fn body(step: &StepPlan, pointer: Option<&JsonPointer>, sensitive: &[String]) -> Value {
    let TargetPlan::Operation(op) = &step.target else {
        return json!({});
    };
    let api = &op.described.api.document;
    let Some(responses) = op
        .described
        .operation()
        .and_then(|o| o.get("responses"))
        .and_then(Value::as_object)
    else {
        return json!({});
    };
    let chosen: Vec<&Value> = match success_statuses(step) {
        // No criterion: a 2xx, each declared one.
        None => {
            let ok: Vec<&Value> = responses
                .iter()
                .filter(|(code, _)| code.starts_with('2'))
                .map(|(_, r)| r)
                .collect();
            if ok.is_empty() {
                responses.get("default").into_iter().collect()
            } else {
                ok
            }
        }
        Some(codes) => {
            let mut chosen: Vec<&Value> = Vec::new();
            for response in codes.into_iter().filter_map(|c| response_for(responses, c)) {
                if !chosen.iter().any(|r| std::ptr::eq(*r, response)) {
                    chosen.push(response);
                }
            }
            chosen
        }
    };
    let tokens: Vec<String> = pointer.map(|p| p.tokens().collect()).unwrap_or_default();
    let mut schemas: Vec<Value> = Vec::new();
    for response in chosen {
        // A response without a JSON schema (a 204, text, XML) says nothing of the type.
        let produces = op
            .described
            .operation()
            .and_then(|o| o.get("produces"))
            .or_else(|| api.get("produces"));
        let Some(schema) = deref(api, response).and_then(|r| json_schema(api, r, produces)) else {
            return json!({});
        };
        let Some((found, name)) = walk(api, schema, &tokens) else {
            return json!({});
        };
        let mut inliner = Inliner {
            api,
            sensitive,
            nodes: 0,
            refs: Vec::new(),
        };
        let typed = inliner.inline(found);
        let typed = match name {
            Some(n) if inliner.is_sensitive(n) => or_masked(typed),
            _ => typed,
        };
        if !schemas.contains(&typed) {
            schemas.push(typed);
        }
    }
    match schemas.len() {
        0 => json!({}),
        1 => schemas.pop().unwrap_or_default(),
        _ => json!({"anyOf": schemas}),
    }
}

/// The type of input `name` of workflow `w`, from its inputs schema (made self-contained
/// as a response's is); a secret may be masked.
pub(super) fn input(w: &WorkflowPlan, name: &str, sensitive: &[String]) -> Value {
    let Some(root) = &w.inputs_schema else {
        return json!({});
    };
    let Some(schema) = root.get("properties").and_then(|p| p.get(name)) else {
        return json!({});
    };
    let mut inliner = Inliner {
        api: root,
        sensitive,
        nodes: 0,
        refs: Vec::new(),
    };
    let typed = inliner.inline(schema);
    if is_secret_property(schema) {
        or_masked(typed)
    } else {
        typed
    }
}

/// The statuses whose responses the step's outputs may hold, when the step says (its
/// success criteria test `$statusCode` for equality); `None` for a 2xx (no criterion).
fn success_statuses(step: &StepPlan) -> Option<Vec<u16>> {
    let any = || Some((100..600).collect());
    // Outputs are read after every attempt: a failure that goes elsewhere (a `goto`) lets
    // the workflow go on, and succeed, with the failed response's.
    let goes_on = step.on_failure.iter().any(|a| {
        matches!(
            a.kind,
            ActionKindPlan::GotoStep(_) | ActionKindPlan::GotoWorkflow(_)
        )
    });
    if goes_on {
        return any();
    }
    let mut codes: Option<Vec<u16>> = None;
    for c in &step.success_criteria {
        if let Some(these) = c.status_codes() {
            codes = Some(match codes {
                Some(before) => before.into_iter().filter(|c| these.contains(c)).collect(),
                None => these,
            });
        }
    }
    match codes {
        // With criteria that test something else only, any status might pass.
        None if !step.success_criteria.is_empty() => any(),
        other => other,
    }
}

/// The response a description gives for `status`: its own, its range's (`2XX`), else
/// `default`.
fn response_for(responses: &Map<String, Value>, status: u16) -> Option<&Value> {
    let range = format!("{}XX", status / 100);
    responses
        .get(&status.to_string())
        .or_else(|| responses.get(&range))
        .or_else(|| responses.get(&range.to_lowercase()))
        .or_else(|| responses.get("default"))
}

/// The schema of a response's JSON body: OpenAPI 3's JSON content, Swagger's `schema`
/// unless the operation (or else the description) `produces` no JSON. A body of another type is read as text (or as
/// JSON when it parses), which its schema does not describe.
fn json_schema<'a>(
    api: &'a Value,
    response: &'a Value,
    produces: Option<&Value>,
) -> Option<&'a Value> {
    let schema = match response.get("content").and_then(Value::as_object) {
        Some(content) => content
            .iter()
            .find(|(media, _)| crate::is_json(media))
            .and_then(|(_, m)| deref(api, m))?
            .get("schema")?,
        None => {
            let produces = produces.and_then(Value::as_array);
            if produces.is_some_and(|p| !p.iter().any(|m| m.as_str().is_some_and(crate::is_json))) {
                return None;
            }
            response.get("schema")?
        }
    };
    deref(api, schema)
}

/// The schema at `tokens` inside `schema`, with the last property's name; `None` when the
/// schema does not say (or says it more than one way).
fn walk<'a>(
    api: &'a Value,
    mut schema: &'a Value,
    tokens: &'a [String],
) -> Option<(&'a Value, Option<&'a str>)> {
    let mut name = None;
    for token in tokens {
        // Left as written (a `$ref` and its `nullable`): the inliner reads both.
        schema = member(schema, token, &|v| deref(api, v), 0)?;
        name = Some(token.as_str());
    }
    Some((schema, name))
}

/// The schema of member `token` of a value of `schema` (a property, an item), found
/// through `allOf`, `anyOf` and `oneOf` when exactly one branch says; `follow` reads a
/// `$ref` (or, in a schema already self-contained, nothing).
pub(super) fn member<'a>(
    schema: &'a Value,
    token: &str,
    follow: &dyn Fn(&'a Value) -> Option<&'a Value>,
    depth: usize,
) -> Option<&'a Value> {
    if depth > MAX_REFS {
        return None;
    }
    let schema = follow(schema)?;
    if let Some(p) = schema.get("properties").and_then(|p| p.get(token)) {
        return Some(p);
    }
    if let Ok(i) = token.parse::<usize>() {
        if let Some(items) = schema.get("prefixItems").and_then(Value::as_array) {
            return items.get(i).or_else(|| schema.get("items"));
        }
        if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
            return Some(items);
        }
    }
    let mut found = ["allOf", "anyOf", "oneOf"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(Value::as_array))
        .flatten()
        .filter_map(|branch| member(branch, token, follow, depth + 1));
    match (found.next(), found.next()) {
        (Some(one), None) => Some(one),
        // Two branches that say: the value may be either; a type of one would be wrong.
        (Some(_), Some(_)) => None,
        (None, _) => schema.get("additionalProperties").filter(|a| a.is_object()),
    }
}

/// Follows local `$ref`s; `None` for one out of the description or a cycle.
fn deref<'a>(api: &'a Value, mut v: &'a Value) -> Option<&'a Value> {
    for _ in 0..MAX_REFS {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => v = api.pointer(&telaio_model::percent_decode(r.strip_prefix('#')?))?,
            None => return Some(v),
        }
    }
    None
}

/// Turns a description's schema into a self-contained JSON Schema 2020-12.
struct Inliner<'a> {
    api: &'a Value,
    sensitive: &'a [String],
    nodes: usize,
    /// The `$ref`s being inlined, to stop at a cycle.
    refs: Vec<&'a str>,
}

impl<'a> Inliner<'a> {
    fn is_sensitive(&self, name: &str) -> bool {
        self.sensitive.iter().any(|s| s == name)
    }

    fn inline(&mut self, schema: &'a Value) -> Value {
        self.nodes += 1;
        let Value::Object(map) = schema else {
            // `true` / `false` schemas (3.1).
            return if schema.is_boolean() {
                schema.clone()
            } else {
                json!({})
            };
        };
        if self.nodes > MAX_NODES {
            return json!({});
        }
        let mut out = Map::new();
        if let Some(r) = map.get("$ref").and_then(Value::as_str) {
            if self.refs.len() >= MAX_REFS || self.refs.contains(&r) {
                return json!({});
            }
            let Some(target) = r
                .strip_prefix('#')
                .and_then(|p| self.api.pointer(&telaio_model::percent_decode(p)))
            else {
                return json!({});
            };
            self.refs.push(r);
            let inlined = self.inline(target);
            self.refs.pop();
            // 3.0 ignores a `$ref`'s siblings, but descriptions mean `nullable` beside one.
            return if nullable(map) {
                or_null(inlined)
            } else {
                inlined
            };
        }
        for (key, value) in map {
            match key.as_str() {
                "properties" | "patternProperties" => {
                    let Value::Object(props) = value else {
                        continue;
                    };
                    let props = props
                        .iter()
                        .map(|(name, s)| {
                            let typed = self.inline(s);
                            // Shown by size (or masked as a secret), `null` as it came, or
                            // as sent with `--show-sensitive`.
                            let typed = if is_secret_property(s) || self.is_sensitive(name) {
                                or_null(or_masked(typed))
                            } else {
                                typed
                            };
                            (name.clone(), typed)
                        })
                        .collect();
                    out.insert(key.clone(), Value::Object(props));
                }
                "items" | "additionalProperties" | "contains" | "propertyNames" => {
                    match value {
                        Value::Object(_) | Value::Bool(_) => {
                            out.insert(key.clone(), self.inline(value));
                        }
                        // Draft-4 `items: [..]`: a tuple.
                        Value::Array(items) if key == "items" => {
                            let items = items.iter().map(|i| self.inline(i)).collect();
                            out.insert("prefixItems".into(), Value::Array(items));
                        }
                        _ => {}
                    }
                }
                // `oneOf` as `anyOf`: branches told apart by a `discriminator` (dropped) often
                // overlap, and a value fitting two is no error.
                "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                    if let Value::Array(items) = value {
                        let items: Vec<Value> = items.iter().map(|i| self.inline(i)).collect();
                        let key = if key == "oneOf" { "anyOf" } else { key };
                        out.insert(key.to_owned(), Value::Array(items));
                    }
                }
                "type" => {
                    if let Some(t) = known_type(value) {
                        out.insert(key.clone(), t);
                    }
                }
                "enum" if value.is_array() => {
                    out.insert(key.clone(), value.clone());
                }
                "required" if value.is_array() => {
                    // A `writeOnly` property is never in a response.
                    let written_only = |name: &Value| {
                        let prop = name.as_str().and_then(|n| map.get("properties")?.get(n));
                        prop.and_then(|p| deref(self.api, p))
                            .and_then(|p| p.get("writeOnly"))
                            .and_then(Value::as_bool)
                            == Some(true)
                    };
                    let required: Vec<Value> = value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|n| n.is_string() && !written_only(n))
                        .cloned()
                        .collect();
                    out.insert(key.clone(), Value::Array(required));
                }
                "description" | "title" | "const" | "default" | "readOnly" | "deprecated" => {
                    out.insert(key.clone(), value.clone());
                }
                "minimum" | "maximum" | "minItems" | "maxItems" | "minProperties"
                | "maxProperties" | "multipleOf" | "uniqueItems"
                    if value.is_number() || value.is_boolean() =>
                {
                    out.insert(key.clone(), value.clone());
                }
                // 3.0 / draft 4: a boolean that makes `minimum` exclusive; 3.1: a number.
                "exclusiveMinimum" | "exclusiveMaximum" => match value {
                    Value::Number(_) => {
                        out.insert(key.clone(), value.clone());
                    }
                    Value::Bool(true) => {
                        let bound = if key == "exclusiveMinimum" {
                            "minimum"
                        } else {
                            "maximum"
                        };
                        if let Some(b) = map.get(bound).filter(|b| b.is_number()) {
                            out.insert(key.clone(), b.clone());
                        }
                    }
                    _ => {}
                },
                // A string's `pattern` and lengths: a masked secret inside it would break
                // them. `format`: clients that assert formats (Ajv's) reject what APIs send
                // loosely (a time without its zone). `not`: what is left open inside it
                // would close it. `example`, `xml`, `discriminator` (its mapping names the
                // description's `$ref`s), extensions: nothing a caller checks a value with.
                _ => {}
            }
        }
        // A bound made exclusive is not also inclusive.
        for (exclusive, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            if map.get(exclusive) == Some(&Value::Bool(true)) {
                out.remove(bound);
            }
        }
        if !nullable(map) {
            return Value::Object(out);
        }
        let applies = ["allOf", "anyOf", "const"]
            .iter()
            .any(|k| out.contains_key(*k));
        match out.get("type").cloned() {
            Some(Value::String(t)) if !applies => {
                out.insert("type".into(), json!([t, "null"]));
                if let Some(Value::Array(values)) = out.get_mut("enum")
                    && !values.contains(&Value::Null)
                {
                    values.push(Value::Null);
                }
                Value::Object(out)
            }
            // No single type, or one with `allOf`/`anyOf`/`const` that `null` would not
            // pass: null beside the whole.
            _ => or_null(Value::Object(out)),
        }
    }
}

/// OpenAPI 3.0's `nullable: true`, Swagger's `x-nullable: true`.
fn nullable(map: &Map<String, Value>) -> bool {
    ["nullable", "x-nullable"]
        .iter()
        .any(|k| map.get(*k).and_then(Value::as_bool) == Some(true))
}

/// A `type` JSON Schema knows (a name or a list of names); `None` for Swagger's `file`,
/// `any` and other words that would make the schema invalid.
fn known_type(value: &Value) -> Option<Value> {
    const TYPES: [&str; 7] = [
        "null", "boolean", "object", "array", "number", "string", "integer",
    ];
    match value {
        Value::String(t) if TYPES.contains(&t.as_str()) => Some(value.clone()),
        Value::Array(ts)
            if !ts.is_empty()
                && ts
                    .iter()
                    .all(|t| t.as_str().is_some_and(|t| TYPES.contains(&t))) =>
        {
            Some(value.clone())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::masked_schema;
    use super::*;

    #[test]
    fn a_sensitive_property_is_masked_null_or_as_sent() {
        let api = json!({});
        let schema = json!({"type": "object", "properties": {"pin": {"type": "integer", "x-sensitive": true}}});
        let mut inliner = Inliner {
            api: &api,
            sensitive: &[],
            nodes: 0,
            refs: Vec::new(),
        };
        let typed = inliner.inline(&schema);
        let check = jsonschema::validator_for(&typed).unwrap();
        for fits in [
            json!({"pin": 1234}),
            json!({"pin": null}),
            json!({"pin": "<sensitive: 4 bytes>"}),
        ] {
            assert!(check.is_valid(&fits), "{fits} in {typed}");
        }
        assert!(!check.is_valid(&json!({"pin": "1234"})));
        assert!(masked_schema().get("pattern").is_some());
    }
}

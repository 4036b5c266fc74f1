//! Values from a JSON Schema, for operations without examples: the schema's own `example`,
//! `default`, `const` or first `enum` value where it gives one, else a plain value of its type
//! (strings by `format`). Bounded in depth, and `$ref`s followed within the description.

use serde_json::{Map, Value, json};

/// How deep generation goes; deeper schemas (or reference cycles) end in `null`.
const MAX_DEPTH: usize = 12;

/// A value that fits `schema`, with `$ref`s resolved in `doc`.
pub(crate) fn from_schema(schema: &Value, doc: &Value) -> Value {
    generate(schema, doc, 0)
}

fn generate(schema: &Value, doc: &Value, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    let Some(object) = schema.as_object() else {
        return Value::Null;
    };
    if let Some(target) = object
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| doc.pointer(p))
    {
        return generate(target, doc, depth + 1);
    }
    for given in ["example", "default", "const"] {
        if let Some(v) = object.get(given) {
            return v.clone();
        }
    }
    if let Some(first) = object
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    if let Some(first) = object
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    if let Some(all) = object.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in all {
            if let Value::Object(m) = generate(part, doc, depth + 1) {
                merged.extend(m);
            }
        }
        return Value::Object(merged);
    }
    for alternatives in ["oneOf", "anyOf"] {
        if let Some(first) = object
            .get(alternatives)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return generate(first, doc, depth + 1);
        }
    }
    let kind = match object.get("type") {
        Some(Value::String(t)) => t.as_str(),
        // `type: [string, "null"]`: the first that is not null.
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if object.contains_key("properties") => "object",
        _ if object.contains_key("items") => "array",
        _ => "null",
    };
    match kind {
        "object" => Value::Object(
            object
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), generate(v, doc, depth + 1)))
                .collect(),
        ),
        "array" => match object.get("items") {
            Some(items) => json!([generate(items, doc, depth + 1)]),
            None => json!([]),
        },
        "string" => Value::String(
            match object.get("format").and_then(Value::as_str) {
                Some("date-time") => "2024-01-01T00:00:00Z",
                Some("date") => "2024-01-01",
                Some("uuid") => "00000000-0000-4000-8000-000000000000",
                Some("email") => "user@example.com",
                Some("uri" | "url") => "https://example.com/",
                Some("byte") => "AA==",
                _ => "string",
            }
            .to_owned(),
        ),
        "integer" => json!(object.get("minimum").and_then(Value::as_i64).unwrap_or(0)),
        "number" => json!(object.get("minimum").and_then(Value::as_f64).unwrap_or(0.0)),
        "boolean" => Value::Bool(true),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_follow_the_schema_and_stop_at_cycles() {
        let doc = json!({"components": {"schemas": {
            "Node": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}, "next": {"$ref": "#/components/schemas/Node"}}},
            "Status": {"type": "string", "enum": ["CREATED", "SUCCEEDED"]}
        }}});
        let schema = json!({"type": "object", "properties": {
            "status": {"$ref": "#/components/schemas/Status"},
            "confidence": {"type": "number", "minimum": 0},
            "count": {"type": "integer", "example": 7},
            "tags": {"type": "array", "items": {"type": "string"}},
            "node": {"$ref": "#/components/schemas/Node"},
            "both": {"allOf": [{"properties": {"a": {"type": "boolean"}}}, {"properties": {"b": {"type": ["string", "null"]}}}]}
        }});
        let v = from_schema(&schema, &doc);
        assert_eq!(v["status"], "CREATED");
        assert_eq!(v["confidence"], 0.0);
        assert_eq!(v["count"], 7);
        assert_eq!(v["tags"], json!(["string"]));
        assert_eq!(v["node"]["id"], "00000000-0000-4000-8000-000000000000");
        assert_eq!(v["both"], json!({"a": true, "b": "string"}));
        // The cycle ends in null rather than going on.
        let mut n = &v["node"];
        let mut depth = 0;
        while n["next"].is_object() {
            n = &n["next"];
            depth += 1;
        }
        assert!(depth < MAX_DEPTH);
    }
}

//! What JSON Schemas and API descriptions say about secrets: properties that hold one
//! (`format: password`, `writeOnly`, `x-sensitive`), found once when planning so that a
//! redactor knows what to mask. Masking itself is not done here.

use serde_json::Value;

/// Whether a schema property holds a secret (`format: password`, `writeOnly: true`,
/// `x-sensitive: true`).
pub fn is_secret_property(prop: &Value) -> bool {
    prop.get("format").and_then(Value::as_str) == Some("password")
        || prop.get("writeOnly").and_then(Value::as_bool) == Some(true)
        || prop.get("x-sensitive").and_then(Value::as_bool) == Some(true)
}

/// Whether a schema marks any property secret.
pub fn has_secret_inputs(schema: &Value) -> bool {
    let mut names = Vec::new();
    secret_names(schema, &mut names, 0);
    !names.is_empty()
}

/// Property names marked secret anywhere in a schema (`properties`, `items`, and the
/// combinators), to a bounded depth.
pub fn secret_names(schema: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > 32 {
        return;
    }
    let Value::Object(map) = schema else {
        return;
    };
    if let Some(Value::Object(props)) = map.get("properties") {
        for (name, prop) in props {
            if is_secret_property(prop) && !out.contains(name) {
                out.push(name.clone());
            }
            secret_names(prop, out, depth + 1);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(sub) = map.get(key) {
            secret_names(sub, out, depth + 1);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(subs)) = map.get(key) {
            subs.iter().for_each(|s| secret_names(s, out, depth + 1));
        }
    }
}

/// The property names an API description marks `x-sensitive: true`, anywhere in its
/// schemas (directly, or through a `$ref` to a schema so marked).
pub fn sensitive_properties(doc: &Value, out: &mut Vec<String>) {
    let marked = |schema: &Value| {
        let target = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| doc.pointer(p))
            .unwrap_or(schema);
        target.get("x-sensitive").and_then(Value::as_bool) == Some(true)
    };
    // An explicit stack: descriptions can nest deeply.
    let mut stack = vec![doc];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    for (name, schema) in props {
                        if marked(schema) && !out.contains(name) {
                            out.push(name.clone());
                        }
                    }
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
}

//! Workflow inputs: typed from `name=value` strings by the inputs schema, defaults applied,
//! and validated against the schema, with every problem listed at once.

use serde_json::{Map, Value};

use crate::schema::is_secret_property;

/// Where an input came from, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputSource {
    /// `--input name=value`: a string to type by the schema.
    Text(String),
    /// `--input-json name=<json>` or an inputs file: a JSON value.
    Json(Value),
}

/// Builds the inputs object: each given value typed by the schema's type for that property
/// (`--input n=5` is a number when the schema says `number`), then defaults for the absent
/// ones, then validation. Returns every problem found.
///
/// ```
/// use serde_json::json;
/// use telaio_plan::{InputSource, prepare_inputs};
/// let schema = json!({"type": "object", "required": ["n"], "properties": {
///     "n": {"type": "integer"}, "flag": {"type": "boolean", "default": true}}});
/// let inputs = prepare_inputs(Some(&schema), vec![("n".into(), InputSource::Text("5".into()))]).unwrap();
/// assert_eq!(inputs, json!({"n": 5, "flag": true}));
/// let errors = prepare_inputs(Some(&schema), vec![("n".into(), InputSource::Text("five".into()))]).unwrap_err();
/// assert!(errors[0].contains("`n`"), "{errors:?}");
/// ```
pub fn prepare_inputs(
    schema: Option<&Value>,
    given: Vec<(String, InputSource)>,
) -> Result<Value, Vec<String>> {
    prepare(schema, given, true, None).map(|(value, _)| value)
}

/// An inputs schema compiled once (a sub-workflow entered a thousand times is not compiled a
/// thousand times), or why it does not compile.
pub(crate) type CompiledInputs = Result<std::sync::Arc<jsonschema::Validator>, String>;

/// Compiles a workflow's inputs schema.
pub(crate) fn compile_inputs(schema: &Value) -> CompiledInputs {
    jsonschema::validator_for(schema)
        .map(std::sync::Arc::new)
        .map_err(|e| format!("the workflow's inputs schema is not a valid JSON Schema: {e}"))
}

/// [`prepare_inputs`] with the schema already compiled.
pub(crate) fn prepare_compiled(
    schema: Option<&Value>,
    compiled: Option<&CompiledInputs>,
    given: Vec<(String, InputSource)>,
) -> Result<Value, Vec<String>> {
    prepare(schema, given, true, compiled).map(|(value, _)| value)
}

/// [`prepare_inputs`] for a dry run, which sends nothing: a required input that is absent is
/// not a problem but a name returned beside the inputs (its values show as unknown).
///
/// ```
/// use serde_json::json;
/// use telaio_plan::prepare_inputs_for_dry_run;
/// let schema = json!({"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}});
/// let (inputs, absent) = prepare_inputs_for_dry_run(Some(&schema), Vec::new()).unwrap();
/// assert_eq!((inputs, absent), (json!({}), vec!["n".to_owned()]));
/// ```
pub fn prepare_inputs_for_dry_run(
    schema: Option<&Value>,
    given: Vec<(String, InputSource)>,
) -> Result<(Value, Vec<String>), Vec<String>> {
    prepare(schema, given, false, None)
}

fn prepare(
    schema: Option<&Value>,
    given: Vec<(String, InputSource)>,
    require: bool,
    compiled: Option<&CompiledInputs>,
) -> Result<(Value, Vec<String>), Vec<String>> {
    let properties = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    let mut out = Map::new();
    let mut errors = Vec::new();
    for (name, source) in given {
        let declared = properties.and_then(|p| p.get(&name));
        let value = match source {
            InputSource::Json(v) => v,
            InputSource::Text(text) => match typed(&text, declared) {
                Ok(v) => v,
                Err(expected) => {
                    // A secret's value never appears in a message.
                    let shown = if declared.is_some_and(is_secret_property) {
                        "the value".to_owned()
                    } else {
                        format!("`{text}`")
                    };
                    errors.push(format!("input `{name}`: {shown} is not {expected}"));
                    continue;
                }
            },
        };
        out.insert(name, value);
    }
    if let Some(props) = properties {
        for (name, prop) in props {
            if !out.contains_key(name)
                && let Some(default) = prop.get("default")
            {
                out.insert(name.clone(), default.clone());
            }
        }
    }
    // Without `require`, the top-level `required` names that are absent are set aside.
    let mut absent = Vec::new();
    let relaxed;
    let schema = match schema {
        Some(s) if !require && s.get("required").is_some() => {
            absent = s["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter(|n| !out.contains_key(*n))
                .map(str::to_owned)
                .collect();
            let mut copy = s.clone();
            if let Some(o) = copy.as_object_mut() {
                o.shift_remove("required");
            }
            relaxed = copy;
            Some(&relaxed)
        }
        other => other,
    };
    let value = Value::Object(out);
    if let Some(schema) = schema {
        // The compiled schema is the schema as given: a relaxed one is compiled here.
        let compiled = match compiled {
            Some(c) if require => c.clone(),
            _ => compile_inputs(schema),
        };
        match compiled {
            Ok(validator) => {
                for e in validator.iter_errors(&value) {
                    let at = e.instance_path().as_str();
                    let name = at.trim_start_matches('/');
                    errors.push(if name.is_empty() {
                        format!("inputs: {}", e.masked())
                    } else {
                        format!("input `{name}`: {}", e.masked())
                    });
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok((value, absent))
    } else {
        Err(errors)
    }
}

/// A command-line string as the JSON type the schema declares, or the types it is not.
fn typed(text: &str, declared: Option<&Value>) -> Result<Value, String> {
    let types: Vec<&str> = match declared.and_then(|d| d.get("type")) {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.is_empty() || types.contains(&"string") {
        return Ok(Value::String(text.to_owned()));
    }
    for t in &types {
        let parsed = match *t {
            "integer" => text.parse::<i64>().ok().map(Value::from),
            "number" => text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number),
            "boolean" => match text {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
            "null" if text == "null" => Some(Value::Null),
            "object" | "array" => serde_json::from_str(text).ok(),
            _ => None,
        };
        if let Some(v) = parsed {
            return Ok(v);
        }
    }
    Err(types.join(" or "))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_secret_that_does_not_type_is_not_echoed() {
        let schema = json!({"type": "object", "properties": {
            "pin": {"type": "integer", "writeOnly": true},
            "n": {"type": "integer"}}});
        let errors = prepare_inputs(
            Some(&schema),
            vec![
                ("pin".into(), InputSource::Text("canary-pin".into())),
                ("n".into(), InputSource::Text("five".into())),
            ],
        )
        .unwrap_err();
        assert_eq!(
            errors,
            [
                "input `pin`: the value is not integer",
                "input `n`: `five` is not integer"
            ]
        );
    }
}

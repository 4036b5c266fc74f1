//! A workflow's inputs schema made self-contained: `$ref`s into `components.inputs` inlined,
//! within a budget, so typing, defaults and secret marks see through them.

use serde_json::Value;
use telaio_model::Components;

/// Replaces each `{"$ref": "#/components/inputs/x"}`, at any depth, with the schema it names,
/// so that typing, defaults and secret marks see through them. A reference cycle stops
/// inlining after a few rounds; what is left still resolves, because the schema carries the
/// document's `components.inputs` along (a keyword JSON Schema ignores).
pub(crate) fn inline_component_inputs(schema: &Value, components: Option<&Components>) -> Value {
    // Inlining copies; references that fan out (a component naming another four times, each
    // naming it again) would copy without end, so the copying stops at a budget.
    let mut budget = MAX_INLINED_NODES;
    let mut out = inline(schema, components, 0, &mut budget);
    if let (Value::Object(map), Some(c)) = (&mut out, components)
        && !c.inputs.is_empty()
    {
        let inputs: serde_json::Map<String, Value> = c
            .inputs
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        map.entry("components")
            .or_insert_with(|| serde_json::json!({"inputs": inputs}));
    }
    out
}

/// The most schema nodes inlining may produce.
const MAX_INLINED_NODES: usize = 10_000;

fn inline(
    schema: &Value,
    components: Option<&Components>,
    depth: usize,
    budget: &mut usize,
) -> Value {
    const MAX_ROUNDS: usize = 16;
    if *budget == 0 {
        return schema.clone();
    }
    *budget -= 1;
    match schema {
        Value::Object(map) => {
            let named = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/inputs/"))
                .and_then(|name| components?.inputs.get(name));
            match named {
                Some(target) if depth < MAX_ROUNDS => inline(target, components, depth + 1, budget),
                _ => Value::Object(
                    map.iter()
                        .map(|(k, v)| (k.clone(), inline(v, components, depth, budget)))
                        .collect(),
                ),
            }
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| inline(i, components, depth, budget))
                .collect(),
        ),
        other => other.clone(),
    }
}

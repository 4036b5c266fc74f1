//! What type each output of a workflow has, as far as its document and its API descriptions
//! tell: a JSON Schema (2020-12) per output, read from the responses its steps' operations
//! declare, from the workflow's inputs schema, or from the expression itself (`$statusCode`
//! is an integer). Where nothing tells, the schema is `{}`.
//!
//! For describing workflows to their callers (an MCP tool's `outputSchema`). It checks no
//! value, and it never reads a file: a `$ref` out of the description it is in gives `{}`.

use serde_json::{Map, Value, json};
use telaio_expr::{Expression, JsonPointer, Source, WorkflowField};

use crate::{Plan, StepPlan, TargetPlan, ValuePlan, WorkflowPlan};

/// How many expressions an output may go through (`$steps.a.outputs.x` is `$response...`).
const MAX_HOPS: usize = 16;
/// How many `$ref`s deep a response schema is inlined; deeper (or a cycle) is `{}`.
const MAX_REFS: usize = 8;
/// How many schema objects one output's type may hold: a response of a large API inlined
/// whole stays a few kilobytes.
const MAX_NODES: usize = 400;

impl Plan {
    /// The JSON Schema of each output of workflow `id` when it has a value, in the order
    /// declared (none for a workflow the plan does not hold). A computed value that can be
    /// missing inside an array or object output may also be `null`; whoever shows the
    /// outputs decides about the output itself being missing or masked.
    ///
    /// ```
    /// # use telaio_plan::{Plan, PlanOptions};
    /// # fn f(bundle: &telaio_model::Bundle) {
    /// let plan = Plan::compile(bundle, &PlanOptions::default()).unwrap();
    /// for (name, schema) in plan.output_types("livenessSession") {
    ///     println!("{name}: {schema}"); // confidence: {"type":"number",...}
    /// }
    /// # }
    /// ```
    pub fn output_types(&self, id: &str) -> Vec<(String, Value)> {
        let Some(w) = self.workflow(id) else {
            return Vec::new();
        };
        let typer = Typer { plan: self };
        w.outputs
            .iter()
            .map(|(name, value)| (name.clone(), typer.value(value, Here::Workflow(w), 0)))
            .collect()
    }
}

/// Where a value is written: a workflow's outputs, or a step's.
#[derive(Clone, Copy)]
enum Here<'p> {
    Workflow(&'p WorkflowPlan),
    Step(&'p WorkflowPlan, &'p StepPlan),
}

impl<'p> Here<'p> {
    fn workflow(self) -> &'p WorkflowPlan {
        match self {
            Here::Workflow(w) | Here::Step(w, _) => w,
        }
    }
}

struct Typer<'p> {
    plan: &'p Plan,
}

impl<'p> Typer<'p> {
    fn value(&self, value: &ValuePlan, here: Here<'p>, hops: usize) -> Value {
        match value {
            ValuePlan::Literal(v) => type_of(v),
            ValuePlan::Template(_) => json!({"type": "string"}),
            ValuePlan::Selector(_) => json!({}),
            ValuePlan::Expression(e) => self.expression(e, here, hops),
            ValuePlan::Array(items) => json!({
                "type": "array",
                "prefixItems": items.iter().map(|i| self.member(i, here, hops)).collect::<Vec<_>>(),
            }),
            ValuePlan::Object(members) => {
                let properties: Map<String, Value> = members
                    .iter()
                    .map(|(k, v)| (k.clone(), self.member(v, here, hops)))
                    .collect();
                json!({"type": "object", "properties": properties})
            }
        }
    }

    /// A value inside an array or object: `null` when it is missing.
    fn member(&self, value: &ValuePlan, here: Here<'p>, hops: usize) -> Value {
        match value {
            ValuePlan::Literal(v) => type_of(v),
            _ => or_null(self.value(value, here, hops)),
        }
    }

    fn expression(&self, e: &Expression, here: Here<'p>, hops: usize) -> Value {
        if hops > MAX_HOPS {
            return json!({});
        }
        let hops = hops + 1;
        let w = here.workflow();
        match e {
            Expression::Url | Expression::Method | Expression::SelfUri => {
                json!({"type": "string"})
            }
            Expression::StatusCode => json!({"type": "integer"}),
            Expression::Request(Source::Header(_) | Source::Query(_) | Source::Path(_))
            | Expression::Response(Source::Header(_)) => json!({"type": "string"}),
            Expression::Response(Source::Body(pointer)) => match here {
                Here::Step(_, step) => self.body(step, pointer.as_ref()),
                Here::Workflow(_) => json!({}),
            },
            Expression::Inputs { name, pointer } => {
                let schema = w.inputs_schema.as_ref().and_then(|s| {
                    s.pointer(&format!("/properties/{}", telaio_model::escape_token(name)))
                });
                match schema {
                    Some(s) => input(s, pointer.as_ref()),
                    None => json!({}),
                }
            }
            Expression::Outputs { name, pointer } => {
                // In a step that calls a workflow, `$outputs` are the called workflow's.
                let of = match here {
                    Here::Step(_, step) => match &step.target {
                        TargetPlan::Workflow(id) => self.plan.workflow(id),
                        _ => Some(w),
                    },
                    Here::Workflow(_) => Some(w),
                };
                match of {
                    Some(of) => within(&self.output(of, name, hops), pointer.as_ref()),
                    None => json!({}),
                }
            }
            Expression::Steps {
                step_id,
                output,
                pointer,
            } => {
                let Some(step) = w.steps.iter().find(|s| s.id == *step_id) else {
                    return json!({});
                };
                let here = Here::Step(w, step);
                let outputs = &step.outputs;
                match output {
                    Some(name) => match outputs.iter().find(|(n, _)| n == name) {
                        Some((_, v)) => within(&self.value(v, here, hops), pointer.as_ref()),
                        None => json!({}),
                    },
                    None => {
                        let all: Map<String, Value> = outputs
                            .iter()
                            .map(|(n, v)| (n.clone(), or_null(self.value(v, here, hops))))
                            .collect();
                        within(
                            &json!({"type": "object", "properties": all}),
                            pointer.as_ref(),
                        )
                    }
                }
            }
            Expression::Workflows {
                workflow_id,
                field,
                name,
                pointer,
            } => {
                // Ids in expressions are those of the workflow's own document.
                let id = format!("{}{workflow_id}", self.plan.document_of(w).prefix);
                let Some(other) = self.plan.workflow(&id) else {
                    return json!({});
                };
                let schema = match field {
                    WorkflowField::Outputs => self.output(other, name, hops),
                    WorkflowField::Inputs => {
                        let schema = other.inputs_schema.as_ref().and_then(|s| {
                            s.pointer(&format!("/properties/{}", telaio_model::escape_token(name)))
                        });
                        match schema {
                            // The pointer applies below.
                            Some(s) => input(s, None),
                            None => json!({}),
                        }
                    }
                    WorkflowField::StepOutputs(step_id) => {
                        match other.steps.iter().find(|s| s.id == *step_id) {
                            Some(step) => match step.outputs.iter().find(|(n, _)| n == name) {
                                Some((_, v)) => self.value(v, Here::Step(other, step), hops),
                                None => json!({}),
                            },
                            None => json!({}),
                        }
                    }
                };
                within(&schema, pointer.as_ref())
            }
            _ => json!({}),
        }
    }

    /// The type of output `name` of workflow `w`.
    fn output(&self, w: &'p WorkflowPlan, name: &str, hops: usize) -> Value {
        match w.outputs.iter().find(|(n, _)| n == name) {
            Some((_, v)) => self.value(v, Here::Workflow(w), hops),
            None => json!({}),
        }
    }

    /// The body of a response to the step's operation that the step takes for a success, at
    /// `pointer`: one schema, or `anyOf` when its statuses answer differently.
    fn body(&self, step: &StepPlan, pointer: Option<&JsonPointer>) -> Value {
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
        let statuses = success_statuses(step);
        let taken = |code: &str| match &statuses {
            Some(codes) => codes.iter().any(|c| status_matches(code, *c)),
            None => code.starts_with('2'),
        };
        let mut chosen: Vec<&Value> = responses
            .iter()
            .filter(|(code, _)| taken(code))
            .map(|(_, r)| r)
            .collect();
        if chosen.is_empty()
            && let Some(default) = responses.get("default")
        {
            chosen.push(default);
        }
        let tokens: Vec<String> = pointer.map(|p| p.tokens().collect()).unwrap_or_default();
        let mut schemas: Vec<Value> = Vec::new();
        for response in chosen {
            let Some(response) = deref(api, response) else {
                return json!({});
            };
            // A response without a schema (a 204) says nothing of the body's type.
            let Some(schema) = body_schema(api, response) else {
                return json!({});
            };
            let Some((found, name)) = walk(api, schema, &tokens) else {
                return json!({});
            };
            let mut inliner = Inliner {
                api,
                sensitive: self.plan.sensitive_properties(),
                nodes: 0,
                refs: Vec::new(),
            };
            let typed = if name.is_some_and(|n| inliner.is_sensitive(n)) {
                masked_schema()
            } else {
                inliner.inline(found)
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
}

/// The statuses the step's success criteria admit, when they test `$statusCode` for
/// equality; `None` when any might pass (no criterion: a 2xx).
fn success_statuses(step: &StepPlan) -> Option<Vec<u16>> {
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
        None if !step.success_criteria.is_empty() => Some((100..600).collect()),
        other => other,
    }
}

/// Whether a `responses` key (`200`, `2XX`, `default`) covers `status`.
fn status_matches(code: &str, status: u16) -> bool {
    let status = status.to_string();
    code == status
        || (code.len() == 3
            && code[1..].eq_ignore_ascii_case("XX")
            && code.as_bytes()[0] == status.as_bytes()[0])
}

/// The schema of a response's body: OpenAPI 3's JSON content (or its first), Swagger's
/// `schema`.
fn body_schema<'a>(api: &'a Value, response: &'a Value) -> Option<&'a Value> {
    let schema = match response.get("content").and_then(Value::as_object) {
        Some(content) => content
            .iter()
            .find(|(media, _)| crate::is_json(media))
            .or_else(|| content.iter().next())
            .and_then(|(_, m)| deref(api, m))?
            .get("schema")?,
        None => response.get("schema")?,
    };
    deref(api, schema)
}

/// The schema at `tokens` inside `schema` (through properties, items and `allOf`), with
/// the last property's name.
fn walk<'a>(
    api: &'a Value,
    mut schema: &'a Value,
    tokens: &'a [String],
) -> Option<(&'a Value, Option<&'a str>)> {
    let mut name = None;
    for token in tokens {
        schema = step_into(api, schema, token, 0)?;
        name = Some(token.as_str());
    }
    Some((schema, name))
}

/// The schema of member `token` of values of `schema`.
fn step_into<'a>(
    api: &'a Value,
    schema: &'a Value,
    token: &str,
    depth: usize,
) -> Option<&'a Value> {
    if depth > MAX_REFS {
        return None;
    }
    let schema = deref(api, schema)?;
    if let Some(p) = schema.get("properties").and_then(|p| p.get(token)) {
        return deref(api, p);
    }
    if token.parse::<usize>().is_ok()
        && let Some(items) = schema.get("items").filter(|i| i.is_object())
    {
        return deref(api, items);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for branch in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(found) = step_into(api, branch, token, depth + 1) {
                return Some(found);
            }
        }
    }
    schema
        .get("additionalProperties")
        .filter(|a| a.is_object())
        .and_then(|a| deref(api, a))
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
            return schema.clone();
        };
        if self.nodes > MAX_NODES {
            return json!({});
        }
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
            return inlined;
        }
        let mut out = Map::new();
        for (key, value) in map {
            match key.as_str() {
                "properties" | "patternProperties" => {
                    let Value::Object(props) = value else {
                        continue;
                    };
                    let props = props
                        .iter()
                        .map(|(name, s)| {
                            let typed = if self.is_sensitive(name)
                                || s.get("x-sensitive").and_then(Value::as_bool) == Some(true)
                            {
                                masked_schema()
                            } else {
                                self.inline(s)
                            };
                            (name.clone(), typed)
                        })
                        .collect();
                    out.insert(key.clone(), Value::Object(props));
                }
                "items" | "additionalProperties" | "not" | "contains" | "propertyNames" => {
                    match value {
                        Value::Object(_) => {
                            out.insert(key.clone(), self.inline(value));
                        }
                        Value::Bool(_) => {
                            out.insert(key.clone(), value.clone());
                        }
                        // Draft-4 `items: [..]`: a tuple.
                        Value::Array(items) if key == "items" => {
                            let items = items.iter().map(|i| self.inline(i)).collect();
                            out.insert("prefixItems".into(), Value::Array(items));
                        }
                        _ => {}
                    }
                }
                "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                    if let Value::Array(items) = value {
                        let items = items.iter().map(|i| self.inline(i)).collect();
                        out.insert(key.clone(), Value::Array(items));
                    }
                }
                // OpenAPI 3.0 `type: file` (Swagger) says nothing JSON Schema knows.
                "type" if value == "file" => {}
                "type" | "format" | "enum" | "const" | "required" | "description" | "title"
                | "minimum" | "maximum" | "minLength" | "maxLength" | "pattern" | "minItems"
                | "maxItems" | "uniqueItems" | "minProperties" | "maxProperties" | "multipleOf"
                | "default" | "readOnly" | "deprecated" => {
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
                        if let Some(b) = map.get(bound) {
                            out.insert(key.clone(), b.clone());
                        }
                    }
                    _ => {}
                },
                // `example`, `xml`, `discriminator` (its mapping names the description's
                // `$ref`s), extensions: nothing a caller checks a value with.
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
        // OpenAPI 3.0 `nullable`, Swagger `x-nullable`.
        let nullable = ["nullable", "x-nullable"]
            .iter()
            .any(|k| map.get(*k).and_then(Value::as_bool) == Some(true));
        if nullable {
            if let Some(Value::String(t)) = out.get("type") {
                let t = t.clone();
                out.insert("type".into(), json!([t, "null"]));
            }
            if let Some(Value::Array(values)) = out.get_mut("enum")
                && !values.contains(&Value::Null)
            {
                values.push(Value::Null);
            }
        }
        Value::Object(out)
    }
}

/// What a value masked by size or as a secret is: `<sensitive: 20 bytes>`, `***`.
pub fn masked_schema() -> Value {
    json!({"type": "string", "pattern": r"^(\*\*\*|<sensitive: [0-9]+ bytes>)$"})
}

/// `schema`, or `null`.
fn or_null(schema: Value) -> Value {
    if schema.as_object().is_some_and(Map::is_empty) {
        return schema;
    }
    json!({"anyOf": [schema, {"type": "null"}]})
}

/// The schema of a literal: its JSON type.
fn type_of(v: &Value) -> Value {
    let t = match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    json!({"type": t})
}

/// The type of an input whose schema is `schema`: masked when it is a secret.
fn input(schema: &Value, pointer: Option<&JsonPointer>) -> Value {
    if crate::schema::is_secret_property(schema) {
        return masked_schema();
    }
    within(schema, pointer)
}

/// The schema at `pointer` inside an already self-contained `schema` (`{}` when it does not
/// say).
fn within(schema: &Value, pointer: Option<&JsonPointer>) -> Value {
    let Some(pointer) = pointer else {
        return schema.clone();
    };
    let mut here = schema;
    for token in pointer.tokens() {
        match member(here, &token, 0) {
            Some(next) => here = next,
            None => return json!({}),
        }
    }
    here.clone()
}

/// The schema of member `token` of a value of the self-contained `schema`: a property, an
/// item, or either found through the combinators.
fn member<'a>(schema: &'a Value, token: &str, depth: usize) -> Option<&'a Value> {
    if depth > MAX_REFS {
        return None;
    }
    if let Some(p) = schema.get("properties").and_then(|p| p.get(token)) {
        return Some(p);
    }
    if let Ok(i) = token.parse::<usize>() {
        if let Some(item) = schema.get("prefixItems").and_then(|p| p.get(i)) {
            return Some(item);
        }
        if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
            return Some(items);
        }
    }
    ["allOf", "anyOf", "oneOf"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(Value::as_array))
        .flatten()
        .find_map(|branch| member(branch, token, depth + 1))
}

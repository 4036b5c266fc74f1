//! What type each output of a workflow has, as far as its document and its API descriptions
//! tell: a JSON Schema (2020-12) per output, read from the responses its steps' operations
//! declare, from the workflow's inputs schema, or from the expression itself (`$statusCode`
//! is an integer). Where nothing tells, the schema is `{}`.
//!
//! For describing workflows to their callers (an MCP tool's `outputSchema`). It checks no
//! value, and it never reads a file: a `$ref` out of the description it is in gives `{}`.
//! A value masked as a secret or by size fits where Telaio masks it (see [`masked_schema`]).

mod described;

use std::cell::Cell;

use serde_json::{Map, Value, json};
use telaio_expr::{Expression, JsonPointer, Source, WorkflowField};

use crate::{ActionKindPlan, Plan, StepPlan, TargetPlan, ValuePlan, WorkflowPlan};

/// How many expressions an output may go through (`$steps.a.outputs.x` is `$response...`).
const MAX_HOPS: usize = 16;
/// How many values the outputs of one workflow may be typed through: outputs that name
/// each other many times over cost no more than this.
const MAX_VALUES: usize = 4096;

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
        // An action that goes to another workflow ends this one with that one's outputs.
        let handed_over = w.steps.iter().any(|s| {
            s.on_success
                .iter()
                .chain(&s.on_failure)
                .any(|a| matches!(a.kind, ActionKindPlan::GotoWorkflow(_)))
        });
        if handed_over {
            return w
                .outputs
                .iter()
                .map(|(n, _)| (n.clone(), json!({})))
                .collect();
        }
        let typer = Typer {
            plan: self,
            budget: Cell::new(MAX_VALUES),
        };
        w.outputs
            .iter()
            .map(|(name, value)| (name.clone(), typer.value(value, Here::Workflow(w), 0)))
            .collect()
    }
}

impl Plan {
    /// The JSON Schema of the `outputs` object a run of workflow `id` ends with, as Telaio
    /// shows it: each output of its type ([`Plan::output_types`]), or `null` (missing), or
    /// masked (a secret, or a value an API marks sensitive, shown by its size).
    ///
    /// ```
    /// # use telaio_plan::{Plan, PlanOptions};
    /// # fn f(bundle: &telaio_model::Bundle) {
    /// let plan = Plan::compile(bundle, &PlanOptions::default()).unwrap();
    /// let schema = plan.outputs_schema("livenessSession");
    /// assert_eq!(schema["type"], "object");
    /// # }
    /// ```
    pub fn outputs_schema(&self, id: &str) -> Value {
        let properties: Map<String, Value> = self
            .output_types(id)
            .into_iter()
            .map(|(name, typed)| {
                let shown = if typed.as_object().is_some_and(Map::is_empty) {
                    typed
                } else {
                    json!({"anyOf": [typed, {"type": "null"}, masked_schema()]})
                };
                (name, shown)
            })
            .collect();
        json!({"type": "object", "properties": properties})
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

/// Types values of a plan, within a budget.
struct Typer<'p> {
    plan: &'p Plan,
    budget: Cell<usize>,
}

impl<'p> Typer<'p> {
    fn value(&self, value: &ValuePlan, here: Here<'p>, hops: usize) -> Value {
        let Some(left) = self.budget.get().checked_sub(1) else {
            return json!({});
        };
        self.budget.set(left);
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
                    .map(|(k, v)| (k.clone(), self.keyed(k, self.member(v, here, hops))))
                    .collect();
                json!({"type": "object", "properties": properties})
            }
        }
    }

    /// The type of a value under key `key`: masked wherever the key is one an API marks
    /// sensitive, as the redactor masks it.
    fn keyed(&self, key: &str, typed: Value) -> Value {
        if self.plan.sensitive_properties().iter().any(|s| s == key) {
            or_masked(typed)
        } else {
            typed
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
                Here::Step(_, step) => {
                    described::body(step, pointer.as_ref(), self.plan.sensitive_properties())
                }
                Here::Workflow(_) => json!({}),
            },
            Expression::Inputs { name, pointer } => within(
                &described::input(w, name, self.plan.sensitive_properties()),
                pointer.as_ref(),
            ),
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
                            .map(|(n, v)| {
                                (n.clone(), self.keyed(n, or_null(self.value(v, here, hops))))
                            })
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
                        described::input(other, name, self.plan.sensitive_properties())
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

/// `schema`, or a value masked (by size, or as a secret).
fn or_masked(schema: Value) -> Value {
    if schema.as_object().is_some_and(Map::is_empty) {
        return schema;
    }
    json!({"anyOf": [schema, masked_schema()]})
}

/// The schema at `pointer` inside an already self-contained `schema` (`{}` when it does not
/// say).
fn within(schema: &Value, pointer: Option<&JsonPointer>) -> Value {
    let Some(pointer) = pointer else {
        return schema.clone();
    };
    let mut here = schema;
    for token in pointer.tokens() {
        match described::member(here, &token, &Some, 0) {
            Some(next) => here = next,
            None => return json!({}),
        }
    }
    here.clone()
}

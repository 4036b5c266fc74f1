//! The tools beside the workflows': `list_workflows`, `describe_workflow` (steps, what each
//! calls, its actions, inputs and outputs, the flow as text) and `get_run` (a run as the
//! store has it, masked). They only read: none sends a request.

use std::sync::Arc;

use rmcp::model::{CallToolResult, ContentBlock, Tool, ToolAnnotations};
use serde_json::{Value, json};
use telaio_engine::{ActionKindPlan, ActionPlan, StepPlan, TargetPlan};
use telaio_serve::{ServedWorkflow, Service};

use crate::resources::Views;
use crate::tools::{ToolSet, input_schema};

const LIST: &str = "list_workflows";
const DESCRIBE: &str = "describe_workflow";
const GET_RUN: &str = "get_run";
const VALIDATE: &str = "validate";

/// The helper tools' names, which no workflow tool takes.
pub(crate) const NAMES: &[&str] = &[LIST, DESCRIBE, GET_RUN, VALIDATE];

/// The helper tools.
pub(crate) fn tools() -> Vec<Tool> {
    let reads = |title: &str| {
        ToolAnnotations::with_title(title)
            .read_only(true)
            .destructive(false)
            .idempotent(true)
            .open_world(false)
    };
    let schema = |v: Value| match v {
        Value::Object(map) => Arc::new(map),
        _ => Arc::new(serde_json::Map::new()),
    };
    vec![
        Tool::new(
            LIST,
            "Lists the workflows served here: each one's tool, workflow id, document and summary.",
            schema(json!({"type": "object", "properties": {}})),
        )
        .with_annotations(reads("List workflows")),
        Tool::new(
            DESCRIBE,
            "Describes a workflow: its inputs, outputs and steps (what each calls, and where it goes next), with the flow as text. Name it by its tool name.",
            schema(json!({
                "type": "object",
                "properties": {"tool": {"type": "string", "description": "The workflow's tool name."}},
                "required": ["tool"]
            })),
        )
        .with_annotations(reads("Describe a workflow")),
        Tool::new(
            GET_RUN,
            "Gets a run by its id (a tool call's `runId`): its status, outputs and steps, secrets masked.",
            schema(json!({
                "type": "object",
                "properties": {"runId": {"type": "string", "description": "The run's whole id."}},
                "required": ["runId"]
            })),
        )
        .with_annotations(reads("Get a run")),
        Tool::new(
            VALIDATE,
            "Checks the served documents against the Arazzo specification and their API descriptions: each finding with its rule, severity, message and file:line:col. One document (as `list_workflows` names it), or all.",
            schema(json!({
                "type": "object",
                "properties": {"document": {"type": "string", "description": "The document, as `list_workflows` names it; all when left out."}}
            })),
        )
        .with_annotations(reads("Validate documents")),
    ]
}

/// Answers a call of helper `name`; `None` when `name` is no helper.
pub(crate) fn call(
    name: &str,
    arguments: &serde_json::Map<String, Value>,
    service: &Service,
    tools: &ToolSet,
    views: Option<&Views>,
) -> Option<CallToolResult> {
    let text_of = |key: &str| arguments.get(key).and_then(Value::as_str);
    Some(match name {
        LIST => {
            let workflows: Vec<Value> = tools
                .named()
                .iter()
                .map(|(tool, index)| {
                    let w = service.catalog().get(*index);
                    json!({
                        "tool": tool,
                        "workflowId": w.workflow_id,
                        "document": w.document,
                        "summary": w.summary,
                    })
                })
                .collect();
            CallToolResult::structured(json!({ "workflows": workflows }))
        }
        DESCRIBE => match text_of("tool").and_then(|t| tools.find(t).map(|i| (t, i))) {
            Some((tool, index)) => {
                let (described, flow) = describe(service.catalog().get(index), tool);
                let mut result = CallToolResult::structured(described);
                result.content.insert(0, ContentBlock::text(flow));
                result
            }
            None => error(format!(
                "no workflow tool `{}`; `{LIST}` names them",
                text_of("tool").unwrap_or_default()
            )),
        },
        GET_RUN => {
            let id = text_of("runId").unwrap_or_default();
            match service.look_up(id) {
                Ok(run) => CallToolResult::structured(run),
                Err(telaio_store::StoreError::NoSuchRun(_)) => {
                    error(format!("no run `{id}` (give a tool call's whole `runId`)"))
                }
                Err(e) => error(e.to_string()),
            }
        }
        VALIDATE => validate(service, views, text_of("document")),
        _ => return None,
    })
}

/// The findings of one served document, or of all: `{valid, documents}` as `telaio validate
/// --output json` gives them.
fn validate(service: &Service, views: Option<&Views>, document: Option<&str>) -> CallToolResult {
    let Some(views) = views else {
        return error("documents cannot be checked here".to_owned());
    };
    let served = crate::resources::documents(service.catalog());
    let chosen: Vec<&str> = match document {
        Some(d) => match served.iter().find(|(name, _)| *name == d) {
            Some((name, _)) => vec![*name],
            None => return error(format!("no document `{d}` is served; `{LIST}` names them")),
        },
        None => served.iter().map(|(name, _)| *name).collect(),
    };
    let mut documents = Vec::new();
    for name in chosen {
        match views.findings(name) {
            Some(found) => {
                documents.extend(found["documents"].as_array().cloned().unwrap_or_default())
            }
            None => return error(format!("`{name}` cannot be read again")),
        }
    }
    let valid = documents.iter().all(|d| d["valid"] == true);
    CallToolResult::structured(json!({"valid": valid, "documents": documents}))
}

fn error(text: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// The workflow as data, and its flow as text.
fn describe(w: &ServedWorkflow, tool: &str) -> (Value, String) {
    let Some(plan) = w.plan.workflow(&w.workflow_id) else {
        return (
            json!({"tool": tool, "workflowId": w.workflow_id}),
            String::new(),
        );
    };
    let steps: Vec<Value> = plan
        .steps
        .iter()
        .map(|step| {
            json!({
                "stepId": step.id,
                "calls": calls(step),
                "onSuccess": actions(&step.on_success, &plan.steps),
                "onFailure": actions(&step.on_failure, &plan.steps),
            })
        })
        .collect();
    let outputs: Vec<&str> = plan.outputs.iter().map(|(n, _)| n.as_str()).collect();
    let mut flow = format!("Workflow `{}` (tool `{tool}`)", w.workflow_id);
    if let Some(summary) = &w.summary {
        flow.push_str(&format!(": {summary}"));
    }
    for (n, step) in plan.steps.iter().enumerate() {
        flow.push_str(&format!("\n{}. {}: {}", n + 1, step.id, calls(step)));
        for (when, list) in [
            ("on success", &step.on_success),
            ("on failure", &step.on_failure),
        ] {
            let said = actions(list, &plan.steps);
            if !said.is_empty() {
                flow.push_str(&format!("\n   {when}: {}", said.join("; ")));
            }
        }
    }
    if !outputs.is_empty() {
        let typed: Vec<String> = w
            .plan
            .output_types(&w.workflow_id)
            .iter()
            .map(|(name, schema)| match kind(schema) {
                Some(kind) => format!("{name} ({kind})"),
                None => name.clone(),
            })
            .collect();
        flow.push_str(&format!("\nOutputs: {}", typed.join(", ")));
    }
    let described = json!({
        "tool": tool,
        "workflowId": w.workflow_id,
        "document": w.document,
        "summary": w.summary,
        "description": w.description,
        "inputs": input_schema(w),
        "outputs": outputs,
        "steps": steps,
    });
    (described, flow)
}

/// A schema in a word or a few, for a person reading the flow: `number`, `string or null`,
/// `one of CREATED, FAILED`; `None` when it says nothing.
fn kind(schema: &Value) -> Option<String> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let shown: Vec<String> = values
            .iter()
            .take(8)
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect();
        let more = if values.len() > 8 { ", ..." } else { "" };
        return Some(format!("one of {}{more}", shown.join(", ")));
    }
    match schema.get("type") {
        Some(Value::String(t)) => return Some(t.clone()),
        Some(Value::Array(ts)) => {
            let ts: Vec<&str> = ts.iter().filter_map(Value::as_str).collect();
            return Some(ts.join(" or "));
        }
        _ => {}
    }
    let branches = schema.get("anyOf").and_then(Value::as_array)?;
    let kinds: Option<Vec<String>> = branches.iter().map(kind).collect();
    Some(kinds?.join(" or "))
}

/// What a step calls: `POST / (createFaceLivenessSession)`, `workflow login`.
fn calls(step: &StepPlan) -> String {
    match &step.target {
        TargetPlan::Operation(op) => match &op.operation_id {
            Some(id) => format!("{} {} ({id})", op.method, op.path),
            None => format!("{} {}", op.method, op.path),
        },
        TargetPlan::Workflow(id) => format!("workflow {id}"),
        TargetPlan::Unavailable { reason, .. } => format!("cannot be called: {reason}"),
    }
}

/// A step's actions in words: `stillRunning: goto pollResults`, `end`.
fn actions(list: &[ActionPlan], steps: &[StepPlan]) -> Vec<String> {
    list.iter()
        .map(|a| {
            let what = match &a.kind {
                ActionKindPlan::End => "end".to_owned(),
                ActionKindPlan::GotoStep(i) => {
                    format!("goto {}", steps.get(*i).map_or("?", |s| s.id.as_str()))
                }
                ActionKindPlan::GotoWorkflow(id) => format!("goto workflow {id}"),
                ActionKindPlan::Retry { after, limit, .. } => match after {
                    Some(s) => format!("retry after {s} s, at most {limit} times"),
                    None => format!("retry, at most {limit} times"),
                },
            };
            let conditional = if a.criteria.is_empty() {
                ""
            } else {
                " (when its criteria hold)"
            };
            if a.name.is_empty() {
                format!("{what}{conditional}")
            } else {
                format!("{}: {what}{conditional}", a.name)
            }
        })
        .collect()
}

//! A dry run: the requests a workflow's steps would send, built from the inputs alone,
//! without sending anything.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use super::scope::RunScope;
use super::{Frame, Via, request};
use crate::http::Request;
use telaio_plan::{Plan, TargetPlan};

/// A request a dry run would send.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DryStep {
    /// The step.
    pub step_id: String,
    /// The request (values from earlier steps are unknown, so left out).
    pub request: Option<Request>,
    /// What a workflow step calls instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
    /// Values that could not be computed without running (earlier steps' outputs).
    pub unknown: Vec<String>,
}

/// The requests a workflow's steps would send, in order, built from the inputs alone.
pub fn dry_run(plan: &Plan, workflow_id: &str, inputs: Value) -> Vec<DryStep> {
    let Some(workflow) = plan.workflow(workflow_id) else {
        return Vec::new();
    };
    let finished = HashMap::new();
    let frame = Frame::new(workflow, inputs, Vec::new(), Via::Root);
    let scope = RunScope {
        plan,
        frame: &frame,
        finished: &finished,
    };
    workflow
        .steps
        .iter()
        .map(|step| match &step.target {
            TargetPlan::Operation(op) => {
                let mut missing = Vec::new();
                let built = request::build(step, op, &scope, &mut missing);
                DryStep {
                    step_id: step.id.clone(),
                    request: Some(built.request),
                    workflow: None,
                    unknown: missing.into_iter().map(|m| m.expression).collect(),
                }
            }
            TargetPlan::Unavailable { reason, .. } => DryStep {
                step_id: step.id.clone(),
                request: None,
                workflow: None,
                unknown: vec![reason.clone()],
            },
            TargetPlan::Workflow(w) => DryStep {
                step_id: step.id.clone(),
                request: None,
                workflow: Some(w.clone()),
                unknown: Vec::new(),
            },
        })
        .collect()
}

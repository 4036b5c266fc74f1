//! What running a workflow may do to the world, read from its plan: every operation it can
//! reach (its steps, the workflows they call, go to, retry through or depend on), each
//! judged by the signals a call in doubt is judged by (`telaio_engine::safe_to_resend`):
//! the method, the operation name of a SigV4-signed AWS JSON API, an idempotency key.
//! What this gives an agent are hints, never permissions.

use std::collections::HashSet;

use serde_json::Value;
use telaio_engine::{
    ActionKindPlan, OperationPlan, Plan, RetryFirst, SchemeKind, StepPlan, TargetPlan, ValuePlan,
    aws_read, idempotent_method,
};

/// What a workflow's calls may do, over all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Effects {
    /// Every call only reads.
    pub read_only: bool,
    /// Some call deletes (a `DELETE`, an AWS `Delete*`, `Terminate*`...), or may: one that
    /// cannot be planned.
    pub destructive: bool,
    /// Every call may be made twice to the effect of once.
    pub idempotent: bool,
}

/// How one call may change the world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    /// It only reads.
    Read,
    /// It writes, and twice does what once does (`PUT`, `DELETE`, an idempotency key).
    IdempotentWrite,
    /// It writes, maybe twice over when made twice; or nothing is known of it.
    Write,
}

/// The effects of running workflow `workflow_id` of `plan`.
pub fn effects(plan: &Plan, workflow_id: &str) -> Effects {
    let mut seen = HashSet::new();
    let mut calls = Vec::new();
    let mut deletes = false;
    let mut todo = vec![workflow_id.to_owned()];
    while let Some(id) = todo.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        // What cannot be planned is unknown, and may do anything.
        let Some(workflow) = plan.workflow(&id) else {
            calls.push(Call::Write);
            deletes = true;
            continue;
        };
        todo.extend(workflow.depends_on.iter().cloned());
        let required: Vec<&str> = workflow
            .inputs_schema
            .as_ref()
            .and_then(|s| s.get("required"))
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for step in &workflow.steps {
            match &step.target {
                TargetPlan::Operation(op) => {
                    deletes |= deletes_something(step, op);
                    calls.push(call(step, op, &required));
                }
                TargetPlan::Workflow(called) => todo.push(called.clone()),
                TargetPlan::Unavailable { .. } => {
                    calls.push(Call::Write);
                    deletes = true;
                }
            }
            for action in step.on_success.iter().chain(&step.on_failure) {
                match &action.kind {
                    ActionKindPlan::GotoWorkflow(id) => todo.push(id.clone()),
                    ActionKindPlan::Retry {
                        first: Some(RetryFirst::Workflow(id)),
                        ..
                    } => todo.push(id.clone()),
                    _ => {}
                }
            }
        }
    }
    Effects {
        read_only: calls.iter().all(|c| *c == Call::Read),
        destructive: deletes,
        idempotent: calls.iter().all(|c| *c != Call::Write),
    }
}

/// How the call of `op` by `step` may change the world (`required`: the inputs its
/// workflow must be given).
fn call(step: &StepPlan, op: &OperationPlan, required: &[&str]) -> Call {
    let method = op.method.to_ascii_uppercase();
    if matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS" | "TRACE") {
        return Call::Read;
    }
    if aws_operation(step, op).and_then(aws_read).is_some() {
        return Call::Read;
    }
    if idempotent_method(&method) || carries_idempotency_key(step, required) {
        Call::IdempotentWrite
    } else {
        Call::Write
    }
}

/// Whether the call deletes: a `DELETE`, or an AWS operation named so (`DeleteCollection`,
/// `TerminateInstances`), which AWS sends as `POST`.
fn deletes_something(step: &StepPlan, op: &OperationPlan) -> bool {
    let named = |target: &str| {
        let operation = target.rsplit('.').next().unwrap_or(target);
        ["Delete", "Terminate", "Remove", "Purge", "Deregister"]
            .iter()
            .any(|verb| operation.starts_with(verb))
    };
    op.method.eq_ignore_ascii_case("DELETE") || aws_operation(step, op).is_some_and(named)
}

/// The `X-Amz-Target` a step sends, as written, to an operation signed for AWS.
fn aws_operation<'p>(step: &'p StepPlan, op: &OperationPlan) -> Option<&'p str> {
    let signed_for_aws = op
        .security
        .iter()
        .flatten()
        .any(|s| matches!(s.kind, SchemeKind::AwsSigV4 { .. }));
    if !signed_for_aws {
        return None;
    }
    step.parameters
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case("x-amz-target"))
        .and_then(|p| match &p.value {
            ValuePlan::Literal(v) => v.as_str(),
            _ => None,
        })
}

/// Whether every request of `step` carries an idempotency key (an `Idempotency-Key`
/// header, or AWS's `ClientRequestToken` in its JSON body) that is always there: a constant,
/// or an input the workflow must be given.
fn carries_idempotency_key(step: &StepPlan, required: &[&str]) -> bool {
    let always = |value: &ValuePlan| match value {
        ValuePlan::Literal(v) => v.as_str().is_some_and(|t| !t.is_empty()),
        ValuePlan::Expression(e) => e
            .to_string()
            .strip_prefix("$inputs.")
            .is_some_and(|input| required.contains(&input)),
        _ => false,
    };
    let header = step
        .parameters
        .iter()
        .any(|p| p.name.eq_ignore_ascii_case("idempotency-key") && always(&p.value));
    let token = step.body.as_ref().is_some_and(|b| match &b.payload {
        ValuePlan::Object(members) => members
            .iter()
            .any(|(k, v)| k == "ClientRequestToken" && always(v)),
        ValuePlan::Literal(v) => v
            .get("ClientRequestToken")
            .and_then(|t| t.as_str())
            .is_some_and(|t| !t.is_empty()),
        _ => false,
    });
    header || token
}

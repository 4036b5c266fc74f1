//! A run's result as one JSON object: what `telaio run --output json` prints, the store
//! keeps and a server answers, so that every way of running a workflow says it alike.

use serde_json::{Value, json};

use crate::event::RunError;
use crate::machine::Outcome;

/// How a run ended, in the words results use: `succeeded`, `failed`, or `interrupted` for a
/// run stopped from outside before it finished (a signal, a cancellation).
pub fn status_word(outcome: &Outcome, interrupted: bool) -> &'static str {
    if outcome.stopped == Some(crate::journal::StopCause::InDoubt) {
        return "in-doubt";
    }
    match (outcome.succeeded, interrupted) {
        (_, true) => "interrupted",
        (true, false) => "succeeded",
        (false, false) => "failed",
    }
}

/// The result: `workflowId`, `status`, `outputs`, `steps`, the `error` (its reason as
/// `reason` words it, so a command can name its own flag for a limit), and `runId` when the
/// run was recorded.
///
/// ```
/// use telaio_run::{Outcome, result_json};
/// let outcome = Outcome {
///     workflow_id: "poll".into(),
///     succeeded: true,
///     outputs: serde_json::json!({"status": "SUCCEEDED"}),
///     steps: Vec::new(),
///     error: None,
///     stopped: None,
/// };
/// let v = result_json(&outcome, "succeeded", Some("01a2"), &|e| e.reason.clone());
/// assert_eq!(v["outputs"]["status"], "SUCCEEDED");
/// assert_eq!(v["runId"], "01a2");
/// ```
pub fn result_json(
    outcome: &Outcome,
    status: &str,
    run_id: Option<&str>,
    reason: &dyn Fn(&RunError) -> String,
) -> Value {
    let mut v = json!({
        "workflowId": outcome.workflow_id,
        "status": status,
        "outputs": outcome.outputs,
        "steps": outcome.steps.iter().map(|s| json!({
            "stepId": s.step_id,
            "workflowId": s.workflow_id,
            "attempts": s.attempts,
            "status": s.status,
            "statusCode": s.status_code,
        })).collect::<Vec<_>>(),
    });
    if let Some(id) = run_id {
        v["runId"] = json!(id);
    }
    if let Some(e) = &outcome.error {
        v["error"] = json!({"stepId": e.step_id, "reason": reason(e)});
        if let Some(limit) = e.limit {
            v["error"]["limit"] = json!(limit);
        }
        if let Some(at) = &e.at {
            v["error"]["at"] = json!({"file": at.file, "line": at.line, "column": at.column});
        }
    }
    v
}

//! The run as an event log. The state of a run is a fold over these; progress display,
//! traces and reports are readers of the same log.

use serde::Serialize;
use serde_json::Value;

/// One thing that happened in a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Event {
    /// The run began.
    RunStarted {
        /// The workflow run.
        workflow_id: String,
        /// Its inputs, after defaults (redacted where sensitive).
        inputs: Value,
    },
    /// A workflow began (the run's own, or one it calls).
    WorkflowStarted {
        /// The workflow.
        workflow_id: String,
        /// How deep in sub-workflow calls (0 for the run's workflow).
        depth: usize,
    },
    /// A step began an attempt.
    StepStarted {
        /// The workflow.
        workflow_id: String,
        /// The step.
        step_id: String,
        /// 1 for the first attempt, 2 for the first retry, ...
        attempt: u32,
        /// What it calls (`GET /pets/{id}` or `workflow login`).
        target: String,
    },
    /// A request went out.
    RequestSent {
        /// The step.
        step_id: String,
        /// The method.
        method: String,
        /// The URL (credentials redacted).
        url: String,
        /// The headers (credentials redacted).
        headers: Vec<(String, String)>,
        /// The body size in bytes.
        body_bytes: usize,
    },
    /// A response came back.
    ResponseReceived {
        /// The step.
        step_id: String,
        /// The HTTP status.
        status: u16,
        /// Body size in bytes.
        body_bytes: usize,
        /// Time from sending to the end of the body, in microseconds.
        elapsed_us: u64,
    },
    /// The request failed without a response (connection refused, timeout, TLS, ...).
    TransportFailed {
        /// The step.
        step_id: String,
        /// Why.
        reason: String,
    },
    /// A step attempt ended.
    StepFinished {
        /// The step.
        step_id: String,
        /// Whether its success criteria held.
        succeeded: bool,
        /// Why it failed, when it did.
        reason: Option<String>,
    },
    /// An action was chosen after a step.
    ActionTaken {
        /// The step.
        step_id: String,
        /// The action's name (`(next step)` for the default).
        name: String,
        /// What it does: `end`, `goto <step>`, `retry`, ...
        action: String,
    },
    /// A request is sent again after a transient failure (throttling, `5xx`, a refused
    /// connection), below the workflow's actions: AWS APIs get a few attempts, as AWS SDKs
    /// give them.
    RequestRetried {
        /// The step whose request it is.
        step_id: String,
        /// The attempt about to be made (2 for the first retry).
        attempt: u32,
        /// What went wrong with the last one.
        reason: String,
        /// Milliseconds waited first.
        millis: u64,
    },
    /// Waiting before going on (a retry's delay, or the poll interval).
    Waited {
        /// The step that waits.
        step_id: String,
        /// Milliseconds.
        millis: u64,
        /// Why.
        reason: String,
    },
    /// A workflow ended.
    WorkflowFinished {
        /// The workflow.
        workflow_id: String,
        /// Whether it succeeded.
        succeeded: bool,
    },
    /// The run ended.
    RunFinished {
        /// Whether the workflow succeeded.
        succeeded: bool,
        /// The workflow's outputs.
        outputs: Value,
        /// Why it failed, when it did.
        error: Option<RunError>,
    },
}

/// Why a run failed: the step and the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunError {
    /// The step where it failed (none for run-level limits before any step).
    pub step_id: Option<String>,
    /// The reason, in one sentence.
    pub reason: String,
}

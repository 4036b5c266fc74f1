//! The run as an event log. The state of a run is a fold over these; progress display,
//! traces, results and stores are observers of the same stream. Events are plain data: they
//! round-trip through serde, so a stored log reads back as what was observed.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use telaio_plan::SourceSpot;

/// An event with when it happened: microseconds since the run began, on the run's own clock
/// (the time spent in exchanges and waits, as the driver reported it). The clock is part of
/// what the machine computes, so a replayed run stamps its events the same way.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// Microseconds since the run began, on the run's clock.
    pub at_us: u64,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
}

/// What an action did, as the [`Event::ActionTaken`] after a step records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ActionKind {
    /// The workflow ends (successfully after a success action, failed after a failure one).
    End,
    /// The run goes on at a step of the same workflow.
    GotoStep {
        /// The step.
        step_id: String,
    },
    /// The run goes on in another workflow, which takes the place of this one.
    GotoWorkflow {
        /// The workflow.
        workflow_id: String,
    },
    /// The step runs again (after what the retry names runs first, if anything).
    Retry {
        /// Which retry this is (1 for the first).
        attempt: u64,
        /// How many the action allows.
        limit: u64,
    },
}

impl std::fmt::Display for ActionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ActionKind::End => f.write_str("end"),
            ActionKind::GotoStep { step_id } => write!(f, "goto {step_id}"),
            ActionKind::GotoWorkflow { workflow_id } => write!(f, "goto workflow {workflow_id}"),
            ActionKind::Retry { attempt, limit } => write!(f, "retry {attempt}/{limit}"),
        }
    }
}

/// Why a run waits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum WaitReason {
    /// The poll interval, before a `goto` back to the same or an earlier step.
    PollInterval,
    /// A retry's delay (`retryAfter`, or the server's `Retry-After`).
    Retry {
        /// Which retry this is (1 for the first).
        attempt: u64,
        /// How many the action allows.
        limit: u64,
    },
}

impl std::fmt::Display for WaitReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WaitReason::PollInterval => f.write_str("poll interval"),
            WaitReason::Retry { attempt, limit } => write!(f, "retry {attempt}/{limit}"),
        }
    }
}

/// One thing that happened in a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
        /// The success criterion that did not hold, where it is written.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<SourceSpot>,
    },
    /// An action was chosen after a step.
    ActionTaken {
        /// The step.
        step_id: String,
        /// The action's name (`(next step)` for the default).
        name: String,
        /// What it does.
        action: ActionKind,
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
        reason: WaitReason,
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunError {
    /// The step where it failed (none for run-level limits before any step).
    pub step_id: Option<String>,
    /// The reason, in one sentence.
    pub reason: String,
    /// The limit that decided it, when one did: the knob to turn for a run that must go
    /// further (a program that embeds the engine names it its own way).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
    /// The success criterion that did not hold, where it is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Box<SourceSpot>>,
}

/// A limit of a run, set by whoever runs it (not by the document).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Limit {
    /// The most step executions in one run ([`crate::RunOptions::max_steps`]).
    Steps,
    /// The deepest nesting of sub-workflows ([`crate::RunOptions::max_depth`]).
    Depth,
    /// The longest `Retry-After` a retry may wait ([`crate::RunOptions::max_retry_wait`]).
    RetryWait,
    /// How long the whole run may take ([`crate::RunOptions::deadline`]).
    Deadline,
    /// How long one request may take (the driver's).
    RequestTimeout,
    /// The largest response body kept (the driver's).
    ResponseSize,
}

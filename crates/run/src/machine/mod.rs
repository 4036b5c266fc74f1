//! The run's decision logic, without I/O: given the plan and what has happened, say what to
//! do next. The driver performs each [`Command`] (send a request, wait) and answers with an
//! [`Input`]; the machine records every [`Event`]. Time and network never enter here, so
//! every path is tested deterministically.

mod actions;
pub(crate) mod deadline;
mod dry;
mod json_template;
mod request;
mod scope;
mod step;
mod workflow;

pub use actions::seconds;
pub use dry::{DryStep, dry_run};
pub(crate) use request::encode_path;

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use telaio_expr::Body;

use crate::event::{Event, Limit, RunError};
use crate::http::{Request, Response};
use request::Built;
use scope::RunScope;
use telaio_plan::{Plan, StepPlan, WorkflowPlan};

/// Limits and pacing of a run. (Durations are written as milliseconds: `pollIntervalMs`.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunOptions {
    /// Wait before a `goto` back to the same or an earlier step (polling).
    #[serde(rename = "pollIntervalMs", with = "millis_serde")]
    pub poll_interval: Duration,
    /// Most step executions in one run.
    pub max_steps: u64,
    /// Deepest nesting of sub-workflows.
    pub max_depth: usize,
    /// The longest wait a server may ask for with `Retry-After` before a retry: one that asks
    /// for more fails the step at once, with that reason, rather than hold the run.
    #[serde(rename = "maxRetryWaitMs", with = "millis_serde")]
    pub max_retry_wait: Duration,
    /// How long the whole run may take, on the machine's clock (the time the driver reports
    /// spending). A retry that must wait past it fails the step at once. (`Driver::run` sets
    /// it from its own deadline when it is `None`.)
    #[serde(rename = "deadlineMs", with = "optional_millis")]
    pub deadline: Option<Duration>,
    /// The run's own seed for the idempotency keys Telaio adds to unsafe requests of
    /// operations that declare an `Idempotency-Key` header (a stored run's id): a resume,
    /// given the same seed, rebuilds a request with the same key, so sending it again is
    /// safe. Without one, no key is added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_seed: Option<[u8; 16]>,
}

/// A duration in whole milliseconds (the longest saturating).
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Durations as whole milliseconds.
pub(crate) mod millis_serde {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(super::millis(*d))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

mod optional_millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&super::millis(*d)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        Option::<u64>::deserialize(d).map(|ms| ms.map(Duration::from_millis))
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            poll_interval: Duration::from_secs(1),
            max_steps: 10_000,
            max_depth: 32,
            max_retry_wait: Duration::from_secs(300),
            deadline: None,
            idempotency_seed: None,
        }
    }
}

/// What the driver must do next.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// Send this request and answer with [`Input::Response`] or [`Input::TransportFailed`].
    Send(Request),
    /// Wait this long and answer with [`Input::Waited`].
    Wait(Duration),
    /// The run is over.
    Finished(Outcome),
}

/// What happened to the last command.
#[derive(Debug)]
pub enum Input {
    /// A response arrived.
    Response {
        /// The response.
        response: Response,
        /// Microseconds from sending to the end of the body.
        elapsed_us: u64,
    },
    /// No response: connection refused, reset, timed out, TLS failure...
    TransportFailed {
        /// What went wrong.
        reason: String,
        /// Microseconds spent trying.
        elapsed_us: u64,
        /// The driver's limit that ended it, when one did (its request timeout).
        limit: Option<Limit>,
    },
    /// The wait is over.
    Waited,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// The workflow run.
    pub workflow_id: String,
    /// Whether it succeeded.
    pub succeeded: bool,
    /// Its outputs.
    pub outputs: Value,
    /// Each step that ran, in the order they first ran.
    pub steps: Vec<StepSummary>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<RunError>,
    /// What stopped it from outside, when something did (a signal, the deadline): a run
    /// asked to stop may still have finished on its own first.
    #[serde(skip)]
    pub stopped: Option<crate::journal::StopCause>,
}

/// What happened to one step over the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepSummary {
    /// The workflow the step belongs to.
    pub workflow_id: String,
    /// The step.
    pub step_id: String,
    /// How many times it ran (attempts, retries and polls together).
    pub attempts: u32,
    /// How its last attempt ended.
    pub status: StepStatus,
    /// The last HTTP status, when there was a response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
}

/// How a step's attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StepStatus {
    /// Its success criteria held.
    Succeeded,
    /// It failed: criteria, transport, or a called workflow.
    Failed,
}

/// How a frame's workflow came to run, which decides what its end means.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Via {
    /// The run's own workflow (or one a `goto` transferred the run to).
    Root,
    /// A prerequisite (`dependsOn`) of the frame below.
    Dependency,
    /// A `workflowId` step of the frame below.
    Step,
    /// A `retry` of the frame below that runs this workflow first; its end, whatever it is,
    /// hands control back for the retry.
    BeforeRetry,
}

/// A retry waiting for the step or workflow it runs first.
#[derive(Debug)]
pub(crate) struct Resume {
    /// The step to retry.
    pub step: usize,
    /// Its attempt number so far.
    pub attempt: u32,
    /// The wait before the retry.
    pub wait: Duration,
    /// How the wait is reported (`retry 1/3`).
    pub label: crate::event::WaitReason,
}

/// The request / response of the current step attempt.
#[derive(Debug, Default)]
pub(crate) struct Exchange {
    pub request: Option<Built>,
    pub request_body: Option<Body>,
    pub response: Option<Response>,
    /// Why the attempt got no response (transport failure, or a request that could not be
    /// built).
    pub failure: Option<String>,
    pub callee_outputs: Option<Value>,
    pub callee: Option<(bool, Option<String>)>,
    /// The run's limit that decided the attempt's failure, when one did.
    pub limit: Option<Limit>,
    /// The success criterion that did not hold, where it is written.
    pub at: Option<Box<telaio_plan::SourceSpot>>,
}

/// One workflow in progress.
pub(crate) struct Frame<'p> {
    pub workflow: &'p WorkflowPlan,
    pub inputs: Value,
    pub step: usize,
    pub attempt: u32,
    pub step_outputs: HashMap<String, Value>,
    pub workflow_outputs: Value,
    pub exchange: Exchange,
    /// Whether the current step has started and not finished (for events on an abort).
    pub step_open: bool,
    retries: HashMap<(usize, String), u64>,
    deps: Vec<String>,
    via: Via,
    error: Option<RunError>,
    /// Set while a retry's first step or workflow runs.
    resume: Option<Resume>,
    /// The workflows whose place this one took by `goto` (their end is its end).
    stands_for: Vec<String>,
    /// When a step called it with a `timeout`: when it must have ended.
    deadline: Option<deadline::Deadline>,
}

impl<'p> Frame<'p> {
    fn new(workflow: &'p WorkflowPlan, inputs: Value, deps: Vec<String>, via: Via) -> Self {
        Frame {
            workflow,
            inputs,
            step: 0,
            attempt: 1,
            step_outputs: HashMap::new(),
            workflow_outputs: object(),
            exchange: Exchange::default(),
            step_open: false,
            retries: HashMap::new(),
            deps,
            via,
            error: None,
            resume: None,
            stands_for: Vec::new(),
            deadline: None,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Pending {
    Nothing,
    Response,
    RetryAfterWait,
    StepAfterWait(usize),
}

/// What the machine does next internally. Returning these instead of calling the next part
/// keeps the stack flat whatever the document does: a loop that sends no request (a workflow
/// step that fails and goes back to itself) is bounded by `max_steps`, and a chain of failing
/// sub-workflows by `max_depth`, never by the stack.
enum Flow {
    /// Hand this command to the driver.
    Emit(Command),
    /// Run the top frame's current step.
    RunStep,
    /// Run the top frame's next prerequisite, or its current step.
    Advance,
    /// Judge the top frame's current step attempt (its called workflow has ended).
    Judge,
    /// End the top frame's workflow, successfully or not.
    Finish(bool),
}

/// A workflow that has ended: its inputs, outputs, and whether it succeeded.
#[derive(Clone)]
pub(crate) struct Finished {
    pub inputs: Value,
    pub outputs: Value,
    pub succeeded: bool,
}

/// The state machine of one run.
pub struct Machine<'p> {
    plan: &'p Plan,
    options: RunOptions,
    frames: Vec<Frame<'p>>,
    events: Vec<Event>,
    executed: u64,
    finished: HashMap<String, Finished>,
    summaries: Vec<StepSummary>,
    pending: Pending,
    root: String,
    /// Handed from a `goto` to the frame it opens: see [`Frame::stands_for`].
    standing_in: Vec<String>,
    /// Workflows entered whose inputs hold secrets, with those inputs, for the redactor.
    secret_inputs: Vec<(&'p WorkflowPlan, Value)>,
    /// The time the run has spent in exchanges and waits (see [`deadline`]).
    clock: Duration,
    /// The wait asked for last.
    waiting: Duration,
    /// Handed from a `goto` to the frame it opens, like `standing_in`.
    handed_deadline: Option<deadline::Deadline>,
    /// Idempotency keys made so far (each key is the seed's and this count's).
    keys_made: u64,
}

fn object() -> Value {
    Value::Object(Map::new())
}

impl<'p> Machine<'p> {
    /// A machine for one run of a plan.
    pub fn new(plan: &'p Plan, options: RunOptions) -> Self {
        Machine {
            plan,
            options,
            frames: Vec::new(),
            events: Vec::new(),
            executed: 0,
            finished: HashMap::new(),
            summaries: Vec::new(),
            pending: Pending::Nothing,
            root: String::new(),
            standing_in: Vec::new(),
            secret_inputs: Vec::new(),
            clock: Duration::ZERO,
            waiting: Duration::ZERO,
            handed_deadline: None,
            keys_made: 0,
        }
    }

    /// The time the run has spent in exchanges and waits, as the driver reported it.
    pub fn elapsed(&self) -> Duration {
        self.clock
    }

    /// The wait asked for last.
    pub(crate) fn waiting(&self) -> Duration {
        self.waiting
    }

    /// The events recorded since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// The workflows entered since the last call whose inputs schema marks secrets, with the
    /// inputs they got: a redactor learns the values before it sees the events that follow
    /// (a token passed into a called workflow's `format: password` input).
    pub fn take_secret_inputs(&mut self) -> Vec<(&'p WorkflowPlan, Value)> {
        std::mem::take(&mut self.secret_inputs)
    }

    /// Starts the run of a workflow with inputs already validated.
    pub fn start(&mut self, workflow_id: &str, inputs: Value) -> Command {
        self.root = workflow_id.to_owned();
        self.events.push(Event::RunStarted {
            workflow_id: workflow_id.to_owned(),
            inputs: inputs.clone(),
        });
        let flow = match self.plan.workflow(workflow_id) {
            Some(workflow) => self.open(workflow, inputs, Via::Root),
            None => self.abort(format!("there is no workflow `{workflow_id}`")),
        };
        self.drive(flow)
    }

    /// Goes on after the last command.
    pub fn resume(&mut self, input: Input) -> Command {
        let pending = std::mem::replace(&mut self.pending, Pending::Nothing);
        self.tick(match &input {
            Input::Response { elapsed_us, .. } | Input::TransportFailed { elapsed_us, .. } => {
                Duration::from_micros(*elapsed_us)
            }
            Input::Waited => self.waiting,
        });
        // The run's own deadline first, on its clock (a driver that stops the run on the
        // wall clock says so with `stop`, and a replay stops where the run did); then the
        // deadlines of called workflows, whose callers' actions may still run.
        if let Some(deadline) = self.options.deadline
            && self.clock >= deadline
        {
            let flow = self.abort_with(deadline::reason(deadline), Some(Limit::Deadline));
            return self.drive(flow);
        }
        if let Some(flow) = self.time_out() {
            return self.drive(flow);
        }
        let flow = match (pending, input) {
            (
                Pending::Response,
                Input::Response {
                    response,
                    elapsed_us,
                },
            ) => {
                let step_id = self.current_step().id.clone();
                self.events.push(Event::ResponseReceived {
                    step_id,
                    status: response.status,
                    body_bytes: response.body_bytes,
                    elapsed_us,
                });
                self.top().exchange.response = Some(response);
                Flow::Judge
            }
            (Pending::Response, Input::TransportFailed { reason, limit, .. }) => {
                let step_id = self.current_step().id.clone();
                self.events.push(Event::TransportFailed {
                    step_id,
                    reason: reason.clone(),
                });
                self.top().exchange.failure = Some(reason);
                self.top().exchange.limit = limit;
                Flow::Judge
            }
            (then @ (Pending::RetryAfterWait | Pending::StepAfterWait(_)), Input::Waited) => {
                self.after_wait(then)
            }
            (pending, input) => {
                self.abort(format!("internal: {input:?} while waiting for {pending:?}"))
            }
        };
        self.drive(flow)
    }

    /// Stops the run from outside (a signal, the driver's deadline, a response over the
    /// size limit), with the limit that stopped it, when one did.
    pub fn stop(&mut self, reason: String, limit: Option<Limit>) -> Command {
        self.pending = Pending::Nothing;
        let flow = self.abort_with(reason, limit);
        self.drive(flow)
    }

    fn drive(&mut self, mut flow: Flow) -> Command {
        loop {
            flow = match flow {
                Flow::Emit(command) => return command,
                Flow::RunStep => self.run_step(),
                Flow::Advance => self.advance(),
                Flow::Judge => self.after_attempt(),
                Flow::Finish(succeeded) => self.finish_workflow(succeeded),
            };
        }
    }

    fn top(&mut self) -> &mut Frame<'p> {
        // The machine only runs while a frame is active.
        let i = self.frames.len() - 1;
        &mut self.frames[i]
    }

    fn frame(&self) -> &Frame<'p> {
        &self.frames[self.frames.len() - 1]
    }

    fn current_step(&self) -> &'p StepPlan {
        let f = self.frame();
        let workflow: &'p WorkflowPlan = f.workflow;
        &workflow.steps[f.step]
    }

    fn scope(&self) -> RunScope<'_> {
        RunScope {
            plan: self.plan,
            frame: self.frame(),
            finished: &self.finished,
        }
    }
}

#[cfg(test)]
mod tests;

//! The run's decision logic, without I/O: given the plan and what has happened, say what to
//! do next. The driver performs each [`Command`] (send a request, wait) and answers with an
//! [`Input`]; the machine records every [`Event`]. Time and network never enter here, so
//! every path is tested deterministically.

mod request;
mod scope;

use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};
use telaio_expr::{Body, Missing, Trace};

use crate::event::{Event, RunError};
use crate::http::{Request, Response};
use crate::plan::{ActionKindPlan, ActionPlan, Plan, StepPlan, TargetPlan, WorkflowPlan};
use request::Built;
use scope::RunScope;

/// Limits and pacing of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// Wait before a `goto` back to the same or an earlier step (polling).
    pub poll_interval: Duration,
    /// Most step executions in one run.
    pub max_steps: u64,
    /// Deepest nesting of sub-workflows.
    pub max_depth: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            poll_interval: Duration::from_secs(1),
            max_steps: 10_000,
            max_depth: 32,
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
    TransportFailed(String),
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
    /// `succeeded` or `failed`: its last attempt.
    pub status: String,
    /// The last HTTP status, when there was a response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
}

/// How a frame's workflow came to run, which decides what its end means.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Via {
    /// The run's own workflow.
    Root,
    /// A prerequisite (`dependsOn`) of the frame below.
    Dependency,
    /// A `workflowId` step of the frame below.
    Step,
    /// A `goto` action of the frame below: its outcome is the frame below's.
    Goto,
}

/// The request / response of the current step attempt.
#[derive(Debug, Default)]
pub(crate) struct Exchange {
    pub request: Option<Built>,
    pub request_body: Option<Body>,
    pub response: Option<Response>,
    pub transport_error: Option<String>,
    pub callee_outputs: Option<Value>,
    pub callee: Option<(bool, Option<String>)>,
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
    retries: HashMap<(usize, String), u64>,
    deps: Vec<String>,
    via: Via,
    error: Option<RunError>,
}

#[derive(Debug, PartialEq, Eq)]
enum Pending {
    Nothing,
    Response,
    RetryAfterWait,
    StepAfterWait(usize),
}

/// The state machine of one run.
pub struct Machine<'p> {
    plan: &'p Plan,
    options: RunOptions,
    frames: Vec<Frame<'p>>,
    events: Vec<Event>,
    executed: u64,
    finished: HashMap<String, (Value, Value)>,
    summaries: Vec<StepSummary>,
    pending: Pending,
    root: String,
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
        }
    }

    /// The events recorded since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Starts the run of a workflow with inputs already validated.
    pub fn start(&mut self, workflow_id: &str, inputs: Value) -> Command {
        self.root = workflow_id.to_owned();
        self.events.push(Event::RunStarted {
            workflow_id: workflow_id.to_owned(),
            inputs: inputs.clone(),
        });
        self.enter(workflow_id, inputs, Via::Root)
    }

    /// Goes on after the last command.
    pub fn resume(&mut self, input: Input) -> Command {
        let pending = std::mem::replace(&mut self.pending, Pending::Nothing);
        match (pending, input) {
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
                self.after_attempt()
            }
            (Pending::Response, Input::TransportFailed(reason)) => {
                let step_id = self.current_step().id.clone();
                self.events.push(Event::TransportFailed {
                    step_id,
                    reason: reason.clone(),
                });
                self.top().exchange.transport_error = Some(reason);
                self.after_attempt()
            }
            (Pending::RetryAfterWait, Input::Waited) => {
                self.top().attempt += 1;
                self.run_step()
            }
            (Pending::StepAfterWait(i), Input::Waited) => self.jump(i),
            (pending, input) => {
                self.abort(format!("internal: {input:?} while waiting for {pending:?}"))
            }
        }
    }

    fn top(&mut self) -> &mut Frame<'p> {
        // The machine only runs commands while a frame is active.
        let i = self.frames.len() - 1;
        &mut self.frames[i]
    }

    fn current_step(&self) -> &'p StepPlan {
        let f = &self.frames[self.frames.len() - 1];
        let workflow: &'p WorkflowPlan = f.workflow;
        &workflow.steps[f.step]
    }

    fn scope(&self) -> RunScope<'_> {
        RunScope {
            plan: self.plan,
            frame: &self.frames[self.frames.len() - 1],
            finished: &self.finished,
        }
    }

    fn enter(&mut self, workflow_id: &str, inputs: Value, via: Via) -> Command {
        let Some(workflow) = self.plan.workflow(workflow_id) else {
            return self.fail_here(format!("there is no workflow `{workflow_id}`"));
        };
        if self.frames.len() >= self.options.max_depth {
            return self.fail_here(format!(
                "sub-workflows nest deeper than {} (--max-depth)",
                self.options.max_depth
            ));
        }
        if self
            .frames
            .iter()
            .any(|f| f.workflow.id == workflow_id && via == Via::Dependency)
        {
            return self.fail_here(format!(
                "`dependsOn` of workflow `{workflow_id}` forms a cycle"
            ));
        }
        let deps = workflow
            .depends_on
            .iter()
            .filter(|d| !self.finished.contains_key(*d))
            .cloned()
            .collect();
        self.events.push(Event::WorkflowStarted {
            workflow_id: workflow_id.to_owned(),
            depth: self.frames.len(),
        });
        self.frames.push(Frame {
            workflow,
            inputs,
            step: 0,
            attempt: 1,
            step_outputs: HashMap::new(),
            workflow_outputs: object(),
            exchange: Exchange::default(),
            retries: HashMap::new(),
            deps,
            via,
            error: None,
        });
        self.advance()
    }

    /// Runs the top frame's next prerequisite, or its current step.
    fn advance(&mut self) -> Command {
        let top = self.top();
        if !top.deps.is_empty() {
            let dep = top.deps.remove(0);
            return self.enter(&dep, object(), Via::Dependency);
        }
        self.run_step()
    }

    fn run_step(&mut self) -> Command {
        let (step_count, index) = {
            let f = &self.frames[self.frames.len() - 1];
            (f.workflow.steps.len(), f.step)
        };
        if index >= step_count {
            return self.finish_workflow(true);
        }
        self.executed += 1;
        if self.executed > self.options.max_steps {
            return self.abort(format!(
                "the run reached the limit of {} step executions (--max-steps)",
                self.options.max_steps
            ));
        }
        let step = self.current_step();
        let (workflow_id, attempt) = {
            let f = self.top();
            f.exchange = Exchange::default();
            (f.workflow.id.clone(), f.attempt)
        };
        self.events.push(Event::StepStarted {
            workflow_id,
            step_id: step.id.clone(),
            attempt,
            target: step.describe(),
        });
        match &step.target {
            TargetPlan::Operation(op) => {
                let mut missing = Vec::new();
                let built = request::build(step, op, &self.scope(), &mut missing);
                self.events.push(Event::RequestSent {
                    step_id: step.id.clone(),
                    method: built.request.method.clone(),
                    url: built.request.url.clone(),
                    headers: built.request.headers.clone(),
                    body_bytes: built.request.body.as_ref().map_or(0, Vec::len),
                });
                let request = built.request.clone();
                let f = self.top();
                f.exchange.request_body = built.body.clone().map(Body::json);
                f.exchange.request = Some(built);
                self.pending = Pending::Response;
                Command::Send(request)
            }
            TargetPlan::Workflow(id) => {
                let mut missing = Vec::new();
                let scope = self.scope();
                let inputs: Map<String, Value> = step
                    .parameters
                    .iter()
                    .map(|p| (p.name.clone(), p.value.evaluate(&scope, &mut missing)))
                    .collect();
                self.enter(id, Value::Object(inputs), Via::Step)
            }
        }
    }

    /// After an attempt: decide success, record outputs, pick the action.
    fn after_attempt(&mut self) -> Command {
        let step = self.current_step();
        let (succeeded, reason) = self.judge(step);
        let mut missing: Vec<Missing> = Vec::new();
        let outputs: Map<String, Value> = {
            let scope = self.scope();
            step.outputs
                .iter()
                .map(|(k, v)| (k.clone(), v.evaluate(&scope, &mut missing)))
                .collect()
        };
        let (workflow_id, attempt_status) = {
            let f = self.top();
            f.step_outputs
                .insert(step.id.clone(), Value::Object(outputs));
            (
                f.workflow.id.clone(),
                f.exchange.response.as_ref().map(|r| r.status),
            )
        };
        self.summarize(&workflow_id, &step.id, succeeded, attempt_status);
        self.events.push(Event::StepFinished {
            step_id: step.id.clone(),
            succeeded,
            reason: reason.clone(),
        });
        if succeeded {
            self.on_success(step)
        } else {
            self.on_failure(step, reason.unwrap_or_else(|| "the step failed".into()))
        }
    }

    fn summarize(
        &mut self,
        workflow_id: &str,
        step_id: &str,
        succeeded: bool,
        status_code: Option<u16>,
    ) {
        let status = if succeeded { "succeeded" } else { "failed" }.to_owned();
        match self
            .summaries
            .iter_mut()
            .find(|s| s.workflow_id == workflow_id && s.step_id == step_id)
        {
            Some(s) => {
                s.attempts += 1;
                s.status = status;
                s.status_code = status_code;
            }
            None => self.summaries.push(StepSummary {
                workflow_id: workflow_id.to_owned(),
                step_id: step_id.to_owned(),
                attempts: 1,
                status,
                status_code,
            }),
        }
    }

    /// Whether the attempt succeeded, and why not.
    fn judge(&self, step: &StepPlan) -> (bool, Option<String>) {
        let f = &self.frames[self.frames.len() - 1];
        if let Some(reason) = &f.exchange.transport_error {
            return (false, Some(reason.clone()));
        }
        if let Some((false, reason)) = &f.exchange.callee {
            let reason = reason
                .clone()
                .unwrap_or_else(|| "the called workflow failed".into());
            return (false, Some(reason));
        }
        let scope = self.scope();
        if step.success_criteria.is_empty() {
            // No criteria: a 2xx response (or a workflow that succeeded) is success.
            return match &f.exchange.response {
                Some(r) if !(200..300).contains(&r.status) => {
                    (false, Some(format!("HTTP {}", r.status)))
                }
                _ => (true, None),
            };
        }
        for (i, c) in step.success_criteria.iter().enumerate() {
            let v = c.evaluate(&scope, &mut Trace::off());
            if !v.passed {
                let status = f
                    .exchange
                    .response
                    .as_ref()
                    .map(|r| format!(" (HTTP {})", r.status))
                    .unwrap_or_default();
                let why = v.reason.map(|r| format!(": {r}")).unwrap_or_default();
                return (
                    false,
                    Some(format!(
                        "success criterion {} did not hold{why}{status}",
                        i + 1
                    )),
                );
            }
        }
        (true, None)
    }

    fn matches(&self, action: &ActionPlan) -> bool {
        let scope = self.scope();
        action
            .criteria
            .iter()
            .all(|c| c.evaluate(&scope, &mut Trace::off()).passed)
    }

    fn on_success(&mut self, step: &'p StepPlan) -> Command {
        let chosen = step.on_success.iter().find(|a| self.matches(a));
        let here = self.frames[self.frames.len() - 1].step;
        let Some(action) = chosen else {
            return self.jump(here + 1);
        };
        self.taken(step, action);
        match &action.kind {
            ActionKindPlan::End => self.finish_workflow(true),
            ActionKindPlan::GotoStep(i) => self.goto(*i),
            ActionKindPlan::GotoWorkflow(w) => self.enter(w, object(), Via::Goto),
            ActionKindPlan::Retry { .. } => self.jump(here + 1),
        }
    }

    fn on_failure(&mut self, step: &'p StepPlan, reason: String) -> Command {
        let here = self.frames[self.frames.len() - 1].step;
        for action in &step.on_failure {
            if !self.matches(action) {
                continue;
            }
            match &action.kind {
                ActionKindPlan::Retry { after, limit } => {
                    let key = (here, action.name.clone());
                    let used = self.top().retries.get(&key).copied().unwrap_or(0);
                    // An exhausted retry gives way to the next matching failure action.
                    if used >= *limit {
                        continue;
                    }
                    self.top().retries.insert(key, used + 1);
                    self.taken(step, action);
                    let header = self.frames[self.frames.len() - 1]
                        .exchange
                        .response
                        .as_ref()
                        .and_then(|r| r.header("retry-after"))
                        .and_then(|v| v.trim().parse::<f64>().ok());
                    let seconds = header.or(*after).unwrap_or(0.0).max(0.0);
                    return self.wait(
                        Duration::from_secs_f64(seconds.min(86_400.0)),
                        Pending::RetryAfterWait,
                        format!("retry {}/{limit}", used + 1),
                    );
                }
                ActionKindPlan::End => {
                    self.taken(step, action);
                    return self.fail_here(reason);
                }
                ActionKindPlan::GotoStep(i) => {
                    self.taken(step, action);
                    return self.goto(*i);
                }
                ActionKindPlan::GotoWorkflow(w) => {
                    self.taken(step, action);
                    return self.enter(w, object(), Via::Goto);
                }
            }
        }
        self.fail_here(reason)
    }

    fn taken(&mut self, step: &StepPlan, action: &ActionPlan) {
        let what = match &action.kind {
            ActionKindPlan::End => "end".to_owned(),
            ActionKindPlan::GotoStep(i) => format!(
                "goto {}",
                self.frames[self.frames.len() - 1].workflow.steps[*i].id
            ),
            ActionKindPlan::GotoWorkflow(w) => format!("goto workflow {w}"),
            ActionKindPlan::Retry { .. } => "retry".to_owned(),
        };
        self.events.push(Event::ActionTaken {
            step_id: step.id.clone(),
            name: action.name.clone(),
            action: what,
        });
    }

    /// A `goto` a step: backwards (polling) waits the poll interval first.
    fn goto(&mut self, target: usize) -> Command {
        let here = self.frames[self.frames.len() - 1].step;
        if target <= here && !self.options.poll_interval.is_zero() {
            return self.wait(
                self.options.poll_interval,
                Pending::StepAfterWait(target),
                "poll interval".into(),
            );
        }
        self.jump(target)
    }

    fn wait(&mut self, duration: Duration, then: Pending, reason: String) -> Command {
        if duration.is_zero() {
            return match then {
                Pending::RetryAfterWait => {
                    self.top().attempt += 1;
                    self.run_step()
                }
                Pending::StepAfterWait(i) => self.jump(i),
                _ => self.run_step(),
            };
        }
        let step_id = self.current_step().id.clone();
        self.events.push(Event::Waited {
            step_id,
            millis: duration.as_millis() as u64,
            reason,
        });
        self.pending = then;
        Command::Wait(duration)
    }

    fn jump(&mut self, target: usize) -> Command {
        let f = self.top();
        if target != f.step {
            f.retries.retain(|(s, _), _| *s != target);
        }
        f.step = target;
        f.attempt = 1;
        self.run_step()
    }

    /// The current workflow fails at its current step.
    fn fail_here(&mut self, reason: String) -> Command {
        if self.frames.is_empty() {
            return self.abort(reason);
        }
        let step_id = {
            let f = &self.frames[self.frames.len() - 1];
            f.workflow.steps.get(f.step).map(|s| s.id.clone())
        };
        let top = self.top();
        top.error.get_or_insert(RunError { step_id, reason });
        self.finish_workflow(false)
    }

    fn finish_workflow(&mut self, succeeded: bool) -> Command {
        let outputs: Map<String, Value> = {
            let f = &self.frames[self.frames.len() - 1];
            let scope = self.scope();
            let mut missing = Vec::new();
            f.workflow
                .outputs
                .iter()
                .map(|(k, v)| (k.clone(), v.evaluate(&scope, &mut missing)))
                .collect()
        };
        let Some(frame) = self.frames.pop() else {
            return self.abort("internal: no workflow to finish".into());
        };
        let outputs = Value::Object(outputs);
        let id = frame.workflow.id.clone();
        self.events.push(Event::WorkflowFinished {
            workflow_id: id.clone(),
            succeeded,
        });
        self.finished
            .insert(id.clone(), (frame.inputs, outputs.clone()));
        let error = frame.error;
        match frame.via {
            Via::Root => {
                let outcome = Outcome {
                    workflow_id: id,
                    succeeded,
                    outputs: outputs.clone(),
                    steps: std::mem::take(&mut self.summaries),
                    error: if succeeded { None } else { error.clone() },
                };
                self.events.push(Event::RunFinished {
                    succeeded,
                    outputs,
                    error: outcome.error.clone(),
                });
                Command::Finished(outcome)
            }
            Via::Dependency if !succeeded => {
                let reason = format!(
                    "workflow `{id}`, which this one depends on, failed{}",
                    error.map(|e| format!(": {}", e.reason)).unwrap_or_default()
                );
                self.fail_here(reason)
            }
            Via::Dependency => self.advance(),
            Via::Step => {
                let reason = error.map(|e| e.reason);
                let f = self.top();
                f.exchange.callee_outputs = Some(outputs);
                f.exchange.callee = Some((succeeded, reason));
                self.after_attempt()
            }
            Via::Goto => {
                if !succeeded {
                    let top = self.top();
                    if top.error.is_none() {
                        top.error = error;
                    }
                }
                self.finish_workflow(succeeded)
            }
        }
    }

    /// Stops the run from outside (the driver's deadline, a response over the size limit).
    pub fn stop(&mut self, reason: String) -> Command {
        self.pending = Pending::Nothing;
        self.abort(reason)
    }

    /// Ends the whole run (a limit, or an internal error).
    fn abort(&mut self, reason: String) -> Command {
        let step_id = self
            .frames
            .last()
            .and_then(|f| f.workflow.steps.get(f.step))
            .map(|s| s.id.clone());
        let error = RunError { step_id, reason };
        self.frames.clear();
        self.events.push(Event::RunFinished {
            succeeded: false,
            outputs: object(),
            error: Some(error.clone()),
        });
        Command::Finished(Outcome {
            workflow_id: self.root.clone(),
            succeeded: false,
            outputs: object(),
            steps: std::mem::take(&mut self.summaries),
            error: Some(error),
        })
    }
}

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
    let frame = Frame {
        workflow,
        inputs,
        step: 0,
        attempt: 1,
        step_outputs: HashMap::new(),
        workflow_outputs: object(),
        exchange: Exchange::default(),
        retries: HashMap::new(),
        deps: Vec::new(),
        via: Via::Root,
        error: None,
    };
    workflow
        .steps
        .iter()
        .map(|step| {
            let scope = RunScope {
                plan,
                frame: &frame,
                finished: &finished,
            };
            let mut missing = Vec::new();
            match &step.target {
                TargetPlan::Operation(op) => {
                    let built = request::build(step, op, &scope, &mut missing);
                    DryStep {
                        step_id: step.id.clone(),
                        request: Some(built.request),
                        workflow: None,
                        unknown: missing.iter().map(|m| m.expression.clone()).collect(),
                    }
                }
                TargetPlan::Workflow(w) => DryStep {
                    step_id: step.id.clone(),
                    request: None,
                    workflow: Some(w.clone()),
                    unknown: Vec::new(),
                },
            }
        })
        .collect()
}

//! One step attempt: check its prerequisites, build and hand out its request (or start the
//! workflow it calls), then judge the result and record its outputs. Choosing what comes
//! next is `actions`' job.

use serde_json::{Map, Value};
use telaio_expr::{Body, Trace};

use super::{Command, Exchange, Flow, Machine, Pending, StepStatus, StepSummary, Via, request};
use crate::event::Event;
use telaio_plan::{StepPlan, TargetPlan};

impl<'p> Machine<'p> {
    /// Runs the current step of the top frame (or ends the workflow after its last step).
    pub(super) fn run_step(&mut self) -> Flow {
        let (count, index) = {
            let f = self.frame();
            (f.workflow.steps.len(), f.step)
        };
        if index >= count {
            return Flow::Finish(true);
        }
        self.executed += 1;
        if self.executed > self.options.max_steps {
            return self.abort_with(
                format!(
                    "the run reached the limit of {} step executions",
                    self.options.max_steps
                ),
                Some(crate::event::Limit::Steps),
            );
        }
        let step = self.current_step();
        let (workflow_id, attempt) = {
            let f = self.top();
            f.exchange = Exchange::default();
            (f.workflow.id.clone(), f.attempt)
        };
        self.top().step_open = true;
        self.events.push(Event::StepStarted {
            workflow_id,
            step_id: step.id.clone(),
            attempt,
            target: step.describe(),
        });
        if let Some(waiting_for) = self.unmet_dependency(step) {
            self.top().exchange.failure = Some(format!(
                "step `{waiting_for}` must succeed before this one (dependsOn), and has not"
            ));
            return Flow::Judge;
        }
        match &step.target {
            // A run is told of these before it starts (`Plan::problems`); a library user who
            // runs anyway gets a failed step, never a request to a made-up place.
            TargetPlan::Unavailable { reason, .. } => {
                self.top().exchange.failure = Some(format!("{reason}, so nothing was sent"));
                Flow::Judge
            }
            TargetPlan::Operation(op) if op.server.is_none() => {
                self.top().exchange.failure = Some(format!(
                    "source `{}` names no server, so nothing was sent",
                    op.source
                ));
                Flow::Judge
            }
            TargetPlan::Operation(op) => {
                let mut missing = Vec::new();
                let mut built = request::build(step, op, &self.scope(), &mut missing);
                if let Some(key) = self.idempotency_key(op, &built.request) {
                    built
                        .request
                        .headers
                        .push((IDEMPOTENCY_KEY.to_owned(), key));
                }
                if let Some(name) = built.unfilled.first() {
                    // Sending `/pets/{id}` literally would hit some other resource.
                    let why = missing
                        .first()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default();
                    self.top().exchange.failure = Some(format!(
                        "path parameter `{name}` has no value, so the request was not sent{why}"
                    ));
                    return Flow::Judge;
                }
                self.events.push(Event::RequestSent {
                    step_id: step.id.clone(),
                    method: built.request.method.clone(),
                    url: built.request.url.clone(),
                    headers: built.request.headers.clone(),
                    body_bytes: built.request.body.as_ref().map_or(0, Vec::len),
                });
                let mut request = built.request.clone();
                request.timeout = match (step.timeout, self.time_left()) {
                    (Some(own), Some(left)) => Some(own.min(left)),
                    (own, left) => own.or(left),
                };
                let f = self.top();
                f.exchange.request_body = built.body.clone().map(Body::json);
                f.exchange.request = Some(built);
                self.pending = Pending::Response;
                Flow::Emit(Command::Send(request))
            }
            TargetPlan::Workflow(id) => {
                let mut missing = Vec::new();
                let inputs: Map<String, Value> = {
                    let scope = self.scope();
                    step.parameters
                        .iter()
                        .filter_map(|p| {
                            Some((
                                p.name.clone(),
                                p.value.evaluate_present(&scope, &mut missing)?,
                            ))
                        })
                        .collect()
                };
                self.enter(id, Value::Object(inputs), Via::Step)
            }
        }
    }

    /// The first step named in `dependsOn` that has not succeeded in this run: a step of this
    /// workflow by id, or of another as `$workflows.<id>.steps.<stepId>`.
    fn unmet_dependency(&self, step: &'p StepPlan) -> Option<&'p str> {
        let here = self.frame().workflow;
        // Workflow ids in the document are plan ids once its prefix is put before them.
        let prefix = &self.plan.document_of(here).prefix;
        step.depends_on
            .iter()
            .find(|dep| {
                let (workflow, step_id) = dep
                    .strip_prefix("$workflows.")
                    .and_then(|rest| rest.split_once(".steps."))
                    .unwrap_or_else(|| {
                        let own = here.id.strip_prefix(prefix.as_str()).unwrap_or(&here.id);
                        (own, dep.as_str())
                    });
                !self.summaries.iter().any(|s| {
                    s.step_id == step_id
                        && s.status == StepStatus::Succeeded
                        && s.workflow_id.strip_prefix(prefix.as_str()) == Some(workflow)
                })
            })
            .map(String::as_str)
    }

    /// After an attempt: judge it, record its outputs, pick the action.
    pub(super) fn after_attempt(&mut self) -> Flow {
        let step = self.current_step();
        let (succeeded, reason, failed) = match self.judge(step) {
            Ok(()) => (true, None, None),
            Err((reason, criterion)) => (false, Some(reason), criterion),
        };
        let at = failed.and_then(|i| step.success_criteria_at.get(i).cloned().flatten());
        self.top().exchange.at = at.clone().map(Box::new);
        let mut missing = Vec::new();
        let outputs: Map<String, Value> = {
            let scope = self.scope();
            // An output that cannot be computed is left out, so reading it later is a miss
            // with a reason, not a silent null.
            step.outputs
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.evaluate_present(&scope, &mut missing)?)))
                .collect()
        };
        let (workflow_id, status_code) = {
            let f = self.top();
            f.step_outputs
                .insert(step.id.clone(), Value::Object(outputs));
            (
                f.workflow.id.clone(),
                f.exchange.response.as_ref().map(|r| r.status),
            )
        };
        self.summarize(&workflow_id, &step.id, succeeded, status_code);
        self.top().step_open = false;
        self.events.push(Event::StepFinished {
            step_id: step.id.clone(),
            succeeded,
            reason: reason.clone(),
            at,
        });
        // A step a retry ran first: its own actions are not followed; the retry goes on.
        if self.frame().resume.is_some() {
            return self.come_back();
        }
        if succeeded {
            self.on_success(step)
        } else {
            self.on_failure(step, reason.unwrap_or_else(|| "the step failed".into()))
        }
    }

    pub(super) fn summarize(
        &mut self,
        workflow_id: &str,
        step_id: &str,
        succeeded: bool,
        status_code: Option<u16>,
    ) {
        let status = if succeeded {
            StepStatus::Succeeded
        } else {
            StepStatus::Failed
        };
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

    /// Whether the attempt succeeded: `Err` says why not, and which success criterion did
    /// not hold, when that is why.
    fn judge(&self, step: &StepPlan) -> Result<(), (String, Option<usize>)> {
        let exchange = &self.frame().exchange;
        if let Some(reason) = &exchange.failure {
            return Err((reason.clone(), None));
        }
        if let Some((false, reason)) = &exchange.callee {
            let reason = reason
                .clone()
                .unwrap_or_else(|| "the called workflow failed".into());
            return Err((reason, None));
        }
        if step.success_criteria.is_empty() {
            // No criteria: a workflow that succeeded, or a 2xx response, is success.
            if exchange.callee.is_some() {
                return Ok(());
            }
            return match &exchange.response {
                Some(r) if !(200..300).contains(&r.status) => Err((
                    error_response(r).unwrap_or_else(|| format!("HTTP {}", r.status)),
                    None,
                )),
                _ => Ok(()),
            };
        }
        let scope = self.scope();
        for (i, c) in step.success_criteria.iter().enumerate() {
            let verdict = c.evaluate(&scope, &mut Trace::off());
            if !verdict.passed {
                // An error the API names says more than the criterion it broke.
                if let Some(named) = exchange.response.as_ref().and_then(error_response) {
                    return Err((named, Some(i)));
                }
                let status = exchange
                    .response
                    .as_ref()
                    .map(|r| format!(" (HTTP {})", r.status))
                    .unwrap_or_default();
                let why = verdict.reason.map(|r| format!(": {r}")).unwrap_or_default();
                return Err((
                    format!("success criterion {} did not hold{why}{status}", i + 1),
                    Some(i),
                ));
            }
        }
        Ok(())
    }
}

/// An error response that names its error (AWS JSON: `__type`, `x-amzn-ErrorType`), in one
/// line: `ThrottlingException: Rate exceeded (HTTP 400)`.
fn error_response(response: &crate::http::Response) -> Option<String> {
    let error = crate::aws_error(response)?;
    Some(match error.message {
        Some(m) => format!("{}: {m} (HTTP {})", error.code, response.status),
        None => format!("{} (HTTP {})", error.code, response.status),
    })
}

/// The header of the IETF draft (`draft-ietf-httpapi-idempotency-key-header`).
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

impl Machine<'_> {
    /// The idempotency key for an unsafe request (`POST`, `PATCH`) of an operation that
    /// declares the header, when the step sets none and the run has a seed: made from the
    /// seed and how many keys the run has made, so that a resume, which rebuilds the same
    /// requests in the same order, makes the same key and may send the request again.
    fn idempotency_key(
        &mut self,
        op: &telaio_plan::OperationPlan,
        request: &crate::Request,
    ) -> Option<String> {
        use sha2::{Digest, Sha256};
        let seed = self.options.idempotency_seed?;
        let unsafe_method = matches!(request.method.as_str(), "POST" | "PATCH");
        let declared = op.declared.iter().any(|d| {
            d.location == telaio_model::ParameterIn::Header
                && d.name.eq_ignore_ascii_case(IDEMPOTENCY_KEY)
        });
        if !unsafe_method || !declared || request.header(IDEMPOTENCY_KEY).is_some() {
            return None;
        }
        self.keys_made += 1;
        let digest = Sha256::new()
            .chain_update(seed)
            .chain_update(self.keys_made.to_be_bytes())
            .finalize();
        Some(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
    }
}

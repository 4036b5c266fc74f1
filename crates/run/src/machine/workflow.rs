//! Entering and leaving workflows: inputs of called workflows, prerequisites (`dependsOn`),
//! outputs, and what a workflow's end means to whoever started it. Sends nothing itself.

use serde_json::{Map, Value};

use super::{Command, Finished, Flow, Frame, Machine, Outcome, Via, object};
use crate::event::{Event, Limit, RunError};
use telaio_plan::InputSource;
use telaio_plan::WorkflowPlan;

impl<'p> Machine<'p> {
    /// Opens a frame for a workflow whose inputs are ready.
    pub(super) fn open(&mut self, workflow: &'p WorkflowPlan, inputs: Value, via: Via) -> Flow {
        self.events.push(Event::WorkflowStarted {
            workflow_id: workflow.id.clone(),
            depth: self.frames.len(),
        });
        if workflow.has_secret_inputs {
            self.secret_inputs.push((workflow, inputs.clone()));
        }
        let deps = workflow.depends_on.clone();
        let deadline = match via {
            Via::Step => self.deadline_for_call(),
            _ => None,
        };
        let mut frame = Frame::new(workflow, inputs, deps, via);
        frame.stands_for = std::mem::take(&mut self.standing_in);
        frame.deadline = deadline;
        self.frames.push(frame);
        Flow::Advance
    }

    /// Starts a workflow on behalf of a step, a prerequisite or a `goto`: its inputs get the
    /// schema's defaults and are validated, as the run's own are.
    pub(super) fn enter(&mut self, workflow_id: &str, given: Value, via: Via) -> Flow {
        let Some(workflow) = self.plan.workflow(workflow_id) else {
            return self.refuse(via, format!("there is no workflow `{workflow_id}`"));
        };
        let depth = self.frames.len();
        if depth > self.options.max_depth {
            if let Some(caller) = self.frames.last_mut() {
                caller.exchange.limit = Some(Limit::Depth);
            }
            return self.refuse(
                via,
                format!(
                    "workflow `{workflow_id}` would run {depth} calls deep, past the limit of {}",
                    self.options.max_depth
                ),
            );
        }
        let given = match given {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let sources = given
            .into_iter()
            .map(|(k, v)| (k, InputSource::Json(v)))
            .collect();
        match workflow.prepare_inputs(sources) {
            Ok(inputs) => self.open(workflow, inputs, via),
            Err(errors) => self.refuse(
                via,
                format!(
                    "workflow `{workflow_id}` cannot start: {}",
                    errors.join("; ")
                ),
            ),
        }
    }

    /// A workflow could not start: whoever asked for it fails.
    fn refuse(&mut self, via: Via, reason: String) -> Flow {
        match via {
            Via::Root => self.abort(reason),
            Via::Dependency => self.fail_workflow(None, reason),
            Via::Step => {
                self.top().exchange.callee = Some((false, Some(reason)));
                Flow::Judge
            }
            // The retry goes ahead, as it would after a failed run of the workflow.
            Via::BeforeRetry => self.come_back(),
        }
    }

    /// Runs the top frame's next prerequisite that has not run yet, or its current step.
    /// A prerequisite that already succeeded (two workflows depending on the same one) runs
    /// once; one that failed fails this workflow too.
    pub(super) fn advance(&mut self) -> Flow {
        loop {
            let f = self.top();
            if f.deps.is_empty() {
                return Flow::RunStep;
            }
            let dep = f.deps.remove(0);
            match self.finished.get(&dep) {
                Some(done) if done.succeeded => continue,
                Some(_) => {
                    return self.fail_workflow(
                        None,
                        format!("workflow `{dep}`, which this one depends on, failed"),
                    );
                }
                None if self.frames.iter().any(|f| f.workflow.id == dep) => {
                    return self.fail_workflow(
                        None,
                        format!("`dependsOn` goes round in a circle through workflow `{dep}`"),
                    );
                }
                None => return self.enter(&dep, object(), Via::Dependency),
            }
        }
    }

    /// A `goto` another workflow: the current workflow ends here and the target takes its
    /// place, so the target's outcome is what the current workflow's caller sees.
    pub(super) fn transfer(&mut self, target: &str, inputs: Value, succeeded: bool) -> Flow {
        let Some(frame) = self.frames.pop() else {
            return self.abort("internal: no workflow to leave".into());
        };
        self.events.push(Event::WorkflowFinished {
            workflow_id: frame.workflow.id.clone(),
            succeeded,
        });
        let mut stands_for = frame.stands_for;
        stands_for.push(frame.workflow.id.clone());
        self.standing_in = stands_for;
        self.handed_deadline = frame.deadline;
        let flow = self.enter(target, inputs, frame.via);
        // A target that could not start takes no one's place.
        self.standing_in.clear();
        self.handed_deadline = None;
        flow
    }

    /// The current workflow fails at its current step.
    pub(super) fn fail_here(&mut self, reason: String) -> Flow {
        let step_id = self.current_step_id();
        self.fail_workflow(step_id, reason)
    }

    /// The id of the top frame's current step, when it has one (not past its last step).
    fn current_step_id(&self) -> Option<String> {
        self.frames
            .last()
            .and_then(|f| f.workflow.steps.get(f.step))
            .map(|s| s.id.clone())
    }

    /// The current workflow fails (at a step, or before any when `step_id` is none).
    pub(super) fn fail_workflow(&mut self, step_id: Option<String>, reason: String) -> Flow {
        let Some(top) = self.frames.last_mut() else {
            return self.abort(reason);
        };
        let (limit, at) = (top.exchange.limit, top.exchange.at.clone());
        top.error.get_or_insert(RunError {
            step_id,
            reason,
            limit,
            at,
        });
        Flow::Finish(false)
    }

    /// Ends the top workflow: outputs evaluated, and its end handed to whoever started it.
    pub(super) fn finish_workflow(&mut self, succeeded: bool) -> Flow {
        let outputs: Map<String, Value> = {
            let scope = self.scope();
            let mut missing = Vec::new();
            self.frame()
                .workflow
                .outputs
                .iter()
                // The run's outputs name every declared output: a missing one is null.
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
        let error = if succeeded { None } else { frame.error };
        let done = Finished {
            inputs: frame.inputs,
            outputs: outputs.clone(),
            succeeded,
        };
        // A workflow that handed over by `goto` ends with the one that took its place: a
        // prerequisite that did so has run, and `$workflows.<it>` reads the final outputs.
        for earlier in frame.stands_for {
            self.finished.insert(earlier, done.clone());
        }
        self.finished.insert(id.clone(), done);
        match frame.via {
            Via::Root => {
                self.events.push(Event::RunFinished {
                    succeeded,
                    outputs: outputs.clone(),
                    error: error.clone(),
                });
                Flow::Emit(Command::Finished(Outcome {
                    workflow_id: id,
                    succeeded,
                    outputs,
                    steps: std::mem::take(&mut self.summaries),
                    error,
                    stopped: None,
                }))
            }
            Via::Dependency => {
                if succeeded {
                    return Flow::Advance;
                }
                let f = self.top();
                f.exchange.limit = error.as_ref().and_then(|e| e.limit);
                f.exchange.at = error.as_ref().and_then(|e| e.at.clone());
                let why = error.map(|e| format!(": {}", e.reason)).unwrap_or_default();
                self.fail_workflow(
                    None,
                    format!("workflow `{id}`, which this one depends on, failed{why}"),
                )
            }
            Via::Step => {
                // `$statusCode` and `$response` in the calling step are those of the called
                // workflow's last exchange: what `successCriteria: [$statusCode == 200]` on a
                // workflow step (as in the specification's pet-coupons example) can only mean.
                let last = frame.exchange;
                let f = self.top();
                f.exchange.request = last.request;
                f.exchange.request_body = last.request_body;
                f.exchange.response = last.response;
                f.exchange.callee_outputs = Some(outputs);
                f.exchange.limit = error.as_ref().and_then(|e| e.limit);
                f.exchange.at = error.as_ref().and_then(|e| e.at.clone());
                f.exchange.callee = Some((succeeded, error.map(|e| e.reason)));
                Flow::Judge
            }
            Via::BeforeRetry => self.come_back(),
        }
    }

    /// Ends the top workflow from outside its steps (a timeout, an abort): its step in
    /// progress, if any, fails with `reason`, and it ends failed, with events saying so.
    pub(super) fn close_top(&mut self, reason: &str) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        if frame.step_open
            && let Some(step) = frame.workflow.steps.get(frame.step)
        {
            let status_code = frame.exchange.response.as_ref().map(|r| r.status);
            self.summarize(&frame.workflow.id, &step.id, false, status_code);
            self.events.push(Event::StepFinished {
                step_id: step.id.clone(),
                succeeded: false,
                reason: Some(reason.to_owned()),
                at: None,
            });
        }
        self.events.push(Event::WorkflowFinished {
            workflow_id: frame.workflow.id.clone(),
            succeeded: false,
        });
    }

    /// Ends the whole run after an internal error.
    pub(super) fn abort(&mut self, reason: String) -> Flow {
        self.abort_with(reason, None)
    }

    /// Ends the whole run (a limit, a stop from outside, or an internal error): the step in
    /// progress, and every workflow, end failed, with events saying so.
    pub(super) fn abort_with(&mut self, reason: String, limit: Option<Limit>) -> Flow {
        let error = RunError {
            step_id: self.current_step_id(),
            reason,
            limit,
            at: None,
        };
        while !self.frames.is_empty() {
            self.close_top(&error.reason);
        }
        self.events.push(Event::RunFinished {
            succeeded: false,
            outputs: object(),
            error: Some(error.clone()),
        });
        Flow::Emit(Command::Finished(Outcome {
            workflow_id: self.root.clone(),
            succeeded: false,
            outputs: object(),
            steps: std::mem::take(&mut self.summaries),
            error: Some(error),
            stopped: None,
        }))
    }
}

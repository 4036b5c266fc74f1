//! The steps of a run so far, as its events tell them: what a live view shows while the run
//! goes on (a server's `GET /runs/{id}`, a Restate run's progress handler).

use serde_json::{Value, json};

use crate::event::Event;

/// Each step a run has begun: its workflow, its id, its attempts and its last status.
///
/// ```
/// use telaio_run::{Event, StepsSoFar};
///
/// let mut steps = StepsSoFar::default();
/// steps.see(&Event::StepStarted {
///     workflow_id: "w".into(),
///     step_id: "poll".into(),
///     attempt: 1,
///     target: "GET /status".into(),
/// });
/// assert_eq!(steps.to_json()[0]["status"], "running");
/// ```
#[derive(Clone, Debug, Default)]
pub struct StepsSoFar {
    steps: Vec<StepSoFar>,
}

#[derive(Clone, Debug)]
struct StepSoFar {
    workflow_id: String,
    step_id: String,
    attempts: u32,
    status: &'static str,
}

impl StepsSoFar {
    /// Takes in an event of the run (others than a step's start and end change nothing).
    pub fn see(&mut self, event: &Event) {
        match event {
            Event::StepStarted {
                workflow_id,
                step_id,
                ..
            } => match self
                .steps
                .iter_mut()
                .find(|s| &s.workflow_id == workflow_id && &s.step_id == step_id)
            {
                Some(step) => {
                    step.attempts += 1;
                    step.status = "running";
                }
                None => self.steps.push(StepSoFar {
                    workflow_id: workflow_id.clone(),
                    step_id: step_id.clone(),
                    attempts: 1,
                    status: "running",
                }),
            },
            Event::StepFinished {
                step_id, succeeded, ..
            } => {
                if let Some(step) = self.steps.iter_mut().rev().find(|s| &s.step_id == step_id) {
                    step.status = if *succeeded { "succeeded" } else { "failed" };
                }
            }
            _ => {}
        }
    }

    /// The steps as a run's result lists them: `stepId`, `workflowId`, `attempts`, `status`.
    pub fn to_json(&self) -> Value {
        Value::Array(
            self.steps
                .iter()
                .map(|s| {
                    json!({
                        "stepId": s.step_id,
                        "workflowId": s.workflow_id,
                        "attempts": s.attempts,
                        "status": s.status,
                    })
                })
                .collect(),
        )
    }
}

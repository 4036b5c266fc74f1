//! Facts about a workflow's control flow that several rules need.

use std::collections::HashMap;

use telaio_model::{Arazzo, OnFailure, OnSuccess, Step, Workflow};

/// A workflow's steps by id, and whether any of them jumps back: found once per workflow, so
/// that rules asking for each expression stay linear in the number of steps.
pub(crate) struct Flow<'a> {
    steps: HashMap<&'a str, usize>,
    backward_jump: bool,
}

impl<'a> Flow<'a> {
    pub fn new(model: &'a Arazzo, w: &'a Workflow) -> Self {
        let mut steps = HashMap::with_capacity(w.steps.len());
        for (i, s) in w.steps.iter().enumerate() {
            // The first of duplicate ids, as a run finds it (`duplicate-step-id` reports the rest).
            if let Some(id) = s.step_id.as_deref() {
                steps.entry(id).or_insert(i);
            }
        }
        let mut flow = Flow {
            steps,
            backward_jump: false,
        };
        flow.backward_jump = w.steps.iter().enumerate().any(|(i, s)| {
            jump_targets(model, w, s)
                .into_iter()
                .any(|t| flow.loops_back(i, Some(t)))
        });
        flow
    }

    /// The index of the step with this id.
    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.get(id).copied()
    }

    /// Whether a jump from step `here` to `target` goes back (to itself or an earlier step).
    pub fn loops_back(&self, here: usize, target: Option<&str>) -> bool {
        target
            .and_then(|t| self.step_index(t))
            .is_some_and(|t| t <= here)
    }

    /// Whether any step of the workflow can jump back to itself or an earlier step, so that
    /// a later step may already have run when an earlier one is evaluated.
    pub fn has_backward_jump(&self) -> bool {
        self.backward_jump
    }
}

/// The `stepId`s that a step's actions (its own, the workflow's, and reusable ones resolved
/// through `components`) can jump to.
fn jump_targets<'a>(model: &'a Arazzo, w: &'a Workflow, s: &'a Step) -> Vec<&'a str> {
    let components = model.components.as_ref();
    let mut out = Vec::new();
    for a in s.on_success.iter().chain(&w.success_actions) {
        let target = match a {
            OnSuccess::Action(a) => a.step_id.as_deref(),
            OnSuccess::Reusable(r) => r
                .reference
                .strip_prefix("$components.successActions.")
                .and_then(|name| components?.success_actions.get(name))
                .and_then(|a| a.step_id.as_deref()),
        };
        out.extend(target);
    }
    for a in s.on_failure.iter().chain(&w.failure_actions) {
        let target = match a {
            OnFailure::Action(a) => a.step_id.as_deref(),
            OnFailure::Reusable(r) => r
                .reference
                .strip_prefix("$components.failureActions.")
                .and_then(|name| components?.failure_actions.get(name))
                .and_then(|a| a.step_id.as_deref()),
        };
        out.extend(target);
    }
    out
}

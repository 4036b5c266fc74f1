//! Facts about a workflow's control flow that several rules need.

use telaio_model::{Arazzo, OnFailure, OnSuccess, Step, Workflow};

/// Whether a jump from step `here` to `target` goes back (to itself or an earlier step).
pub(crate) fn loops_back(w: &Workflow, here: usize, target: Option<&str>) -> bool {
    target
        .and_then(|t| w.step_index(t))
        .is_some_and(|t| t <= here)
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

/// Whether any step of the workflow can jump back to itself or an earlier step, so that a
/// later step may already have run when an earlier one is evaluated.
pub(crate) fn has_backward_jump(model: &Arazzo, w: &Workflow) -> bool {
    w.steps.iter().enumerate().any(|(i, s)| {
        jump_targets(model, w, s)
            .into_iter()
            .any(|t| loops_back(w, i, Some(t)))
    })
}

//! `$steps.<id>` must name a step that has run by then.

use telaio_expr::Expression;
use telaio_model::{OnFailure, OnSuccess, Workflow};

use crate::Diagnostic;
use crate::context::{Context, did_you_mean, suggestion};
use crate::rule::declare_rule;
use crate::sites::Phase;

declare_rule! {
    /// ## What it checks
    /// That every `$steps.<stepId>` expression names a step of the same workflow and, in a
    /// workflow that runs straight through (no `goto` actions), a step that runs before the
    /// expression is evaluated: an earlier step, or the step itself in its criteria, outputs
    /// and actions (not in its own request).
    ///
    /// ## Why it matters
    /// Outputs exist only once a step has run. A reference to a later step evaluates to
    /// nothing; to another workflow's step it never resolves (`$steps` is scoped to the
    /// workflow; use `$workflows.<id>.outputs.<name>` for other workflows).
    ///
    /// ## Example
    /// ```yaml
    /// steps:
    ///   - stepId: getPet
    ///     parameters:
    ///       - {name: id, in: path, value: $steps.findPet.outputs.id}
    ///   - stepId: findPet
    /// ```
    ///
    /// ## Instead
    /// Put `findPet` before `getPet`.
    StepReference = "step-reference", Error, "$steps expressions name earlier steps of the same workflow";
}

/// Whether any action of the workflow can jump (so a later step may have run before).
fn has_goto(w: &Workflow) -> bool {
    let success = |a: &OnSuccess| {
        matches!(a, OnSuccess::Reusable(_))
            || matches!(a, OnSuccess::Action(a) if a.step_id.is_some() || a.workflow_id.is_some())
    };
    let failure = |a: &OnFailure| {
        matches!(a, OnFailure::Reusable(_))
            || matches!(a, OnFailure::Action(a) if a.step_id.is_some() || a.workflow_id.is_some())
    };
    w.success_actions.iter().any(success)
        || w.failure_actions.iter().any(failure)
        || w.steps
            .iter()
            .any(|s| s.on_success.iter().any(success) || s.on_failure.iter().any(failure))
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let rule = &StepReference::RULE;
    for (site, exprs) in cx.sites().iter().zip(cx.expressions()) {
        let Some(w) = site.workflow.and_then(|i| cx.model.workflows.get(i)) else {
            continue;
        };
        for e in exprs {
            let Expression::Steps { step_id, .. } = e else {
                continue;
            };
            let wid = w.workflow_id.as_deref().unwrap_or("?");
            let Some(target) = w.step_index(step_id) else {
                let mut d = cx.at(
                    rule,
                    &site.pointer,
                    format!("`$steps.{step_id}` names no step of workflow `{wid}`"),
                );
                let here = w.steps.iter().filter_map(|s| s.step_id.as_deref());
                if let Some(h) = suggestion(did_you_mean(step_id, here)) {
                    d = d.with_hint(h);
                } else if let Some(other) = cx
                    .model
                    .workflows
                    .iter()
                    .find(|o| o.step(step_id).is_some())
                {
                    d = d.with_hint(format!(
                        "`{step_id}` is a step of workflow `{}`; `$steps` only sees this workflow's steps",
                        other.workflow_id.as_deref().unwrap_or("?")
                    ));
                }
                out.push(d);
                continue;
            };
            let Some(here) = site.step else {
                continue;
            };
            let too_early = target > here || (target == here && site.phase == Phase::Request);
            if too_early && !has_goto(w) {
                let this = w.steps[here].step_id.as_deref().unwrap_or("?");
                let message = if target == here {
                    format!(
                        "step `{this}` reads its own outputs while building its request, before it has any"
                    )
                } else {
                    format!(
                        "step `{this}` runs before step `{step_id}`, so `$steps.{step_id}` has no outputs yet"
                    )
                };
                out.push(cx.at(rule, &site.pointer, message));
            }
        }
    }
}

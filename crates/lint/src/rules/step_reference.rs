//! `$steps.<id>` must name a step that has run by then.

use telaio_expr::Expression;

use crate::Diagnostic;
use crate::context::{Context, did_you_mean, suggestion};
use crate::rule::declare_rule;
use crate::sites::Phase;

declare_rule! {
    /// ## What it checks
    /// That every `$steps.<stepId>` expression names a step of the same workflow and, in a
    /// workflow that runs straight through (no action jumps back to an earlier step), a step
    /// that runs before the expression is evaluated: an earlier step, a step named in the
    /// reading step's `dependsOn` (1.1), or the step itself in its criteria, outputs and
    /// actions (not in its own request).
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

declare_rule! {
    /// ## What it checks
    /// A step that reads its own outputs (`$steps.<itself>.outputs...`) in its parameters or
    /// request body, in a workflow where no action jumps back to it.
    ///
    /// ## Why it matters
    /// The step has no outputs before it runs, so the value is always null. In a loop
    /// (pagination that sends the previous page's cursor) the same reference is deliberate,
    /// and this rule stays quiet.
    ///
    /// ## Example
    /// ```yaml
    /// - stepId: authorize
    ///   parameters:
    ///     - {name: token, in: query, value: $steps.authorize.outputs.token}
    /// ```
    ///
    /// ## Instead
    /// Read the output of the step that produced it (`$steps.initiate.outputs.token`).
    SelfReference = "self-reference", Warning, "steps do not read their own outputs before they have any";
}

declare_rule! {
    /// ## What it checks
    /// That `$steps.<stepId>.outputs.<name>` names an output the step declares.
    ///
    /// ## Why it matters
    /// An output the step does not declare never has a value: the expression is null at run
    /// time, and a path parameter built from it cannot be sent.
    ///
    /// ## Example
    /// ```yaml
    /// - stepId: initiate
    ///   outputs: {resourceUrl: $response.body#/links/self}
    /// - stepId: retrieve
    ///   parameters:
    ///     - {name: id, in: path, value: $steps.initiate.outputs.id}
    /// ```
    ///
    /// ## Instead
    /// Declare `id` among `initiate`'s outputs, or read `resourceUrl`.
    UnknownOutput = "unknown-output", Warning, "$steps expressions read outputs the step declares";
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let rule = &StepReference::RULE;
    for (site, exprs) in cx.sites().iter().zip(cx.expressions()) {
        let Some((wi, w)) = site
            .workflow
            .and_then(|i| Some((i, cx.model.workflows.get(i)?)))
        else {
            continue;
        };
        let flow = cx.flow(wi);
        for e in exprs {
            let Expression::Steps {
                step_id, output, ..
            } = e
            else {
                continue;
            };
            let wid = w.workflow_id.as_deref().unwrap_or("?");
            let Some(target) = flow.step_index(step_id) else {
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
            let declared = &w.steps[target].outputs;
            // `pet.name` reads member `name` of output `pet` when `pet` is declared, and
            // `pets[0].id` reads into output `pets`.
            let is_declared = |name: &str| {
                declared.contains_key(name)
                    || declared.keys().any(|k| {
                        name.len() > k.len()
                            && name.starts_with(k.as_str())
                            && matches!(name.as_bytes()[k.len()], b'.' | b'[')
                    })
            };
            if let Some(name) = output.as_deref()
                && !is_declared(name)
            {
                let mut d = cx.at(
                    &UnknownOutput::RULE,
                    &site.pointer,
                    format!(
                        "step `{step_id}` declares no output `{name}`, so the value is always null"
                    ),
                );
                let names = declared.keys().map(String::as_str);
                if let Some(h) = suggestion(did_you_mean(name, names)) {
                    d = d.with_hint(h);
                } else if !declared.is_empty() {
                    let all: Vec<&str> = declared.keys().map(String::as_str).collect();
                    d = d.with_hint(format!("its outputs are {}", all.join(", ")));
                }
                out.push(d);
            }
            let Some(here) = site.step else {
                continue;
            };
            // 1.1: a step that `dependsOn` the other waits for it; a workflow that jumps
            // back may have run any step already.
            let waits_for = w.steps[here].depends_on.iter().any(|d| d == step_id);
            if waits_for || flow.has_backward_jump() {
                continue;
            }
            let this = w.steps[here].step_id.as_deref().unwrap_or("?");
            if target > here {
                out.push(cx.at(
                    rule,
                    &site.pointer,
                    format!("step `{this}` runs before step `{step_id}`, so `$steps.{step_id}` has no outputs yet"),
                ));
            } else if target == here && site.phase == Phase::Request {
                out.push(
                    cx.at(
                        &SelfReference::RULE,
                        &site.pointer,
                        format!("step `{this}` reads its own outputs while building its request, before it has any: the value is null"),
                    )
                    .with_hint("in a loop this reads the previous run's output; without one, read an earlier step's output"),
                );
            }
        }
    }
}

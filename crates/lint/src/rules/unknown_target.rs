//! goto / workflowId / dependsOn targets that do not exist.

use telaio_model::{OnFailure, OnSuccess, WorkflowLookup};

use crate::context::{Context, did_you_mean, suggestion};
use crate::rule::declare_rule;
use crate::{Diagnostic, Rule};

declare_rule! {
    /// ## What it checks
    /// That every step named by a `goto` or `retry` action's `stepId`, or by a step's
    /// `dependsOn` (1.1), exists in the workflow (`$workflows.<id>.steps.<stepId>` for
    /// another workflow's step).
    ///
    /// ## Why it matters
    /// A `goto` to a missing step can only fail at run time, after earlier steps have
    /// already changed things.
    ///
    /// ## Example
    /// ```yaml
    /// onSuccess:
    ///   - name: again
    ///     type: goto
    ///     stepId: pollResult    # the step is `pollResults`
    /// ```
    ///
    /// ## Instead
    /// Use the exact `stepId` (they are case-sensitive).
    UnknownStep = "unknown-step", Error, "steps named by actions and dependsOn exist";
}

declare_rule! {
    /// ## What it checks
    /// That every workflow named by a step's `workflowId`, an action's `workflowId` or a
    /// workflow's `dependsOn` exists: in this document, or, when written
    /// `$sourceDescriptions.<name>.<workflowId>`, in that `arazzo` source.
    ///
    /// ## Why it matters
    /// A missing workflow cannot run; a workflow that depends on one never starts.
    ///
    /// ## Example
    /// ```yaml
    /// dependsOn: [login]       # the workflow is `logIn`
    /// ```
    ///
    /// ## Instead
    /// Use the exact `workflowId`, qualified when it lives in another Arazzo document.
    UnknownWorkflow = "unknown-workflow", Error, "workflows named by steps, actions and dependsOn exist";
}

pub(crate) const RULES: [Rule; 2] = [UnknownStep::RULE, UnknownWorkflow::RULE];

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (wi, w) in cx.model.workflows.iter().enumerate() {
        let wp = format!("/workflows/{wi}");
        for (di, dep) in w.depends_on.iter().enumerate() {
            workflow(cx, &format!("{wp}/dependsOn/{di}"), dep, out);
        }
        let shared = action_targets(
            &wp,
            ("successActions", &w.success_actions),
            ("failureActions", &w.failure_actions),
        );
        actions(cx, wi, shared, out);
        for (si, s) in w.steps.iter().enumerate() {
            let sp = format!("{wp}/steps/{si}");
            if let Some(id) = &s.workflow_id {
                workflow(cx, &format!("{sp}/workflowId"), id, out);
            }
            let own = action_targets(
                &sp,
                ("onSuccess", &s.on_success),
                ("onFailure", &s.on_failure),
            );
            actions(cx, wi, own, out);
            for (di, dep) in s.depends_on.iter().enumerate() {
                step_dependency(cx, &format!("{sp}/dependsOn/{di}"), wi, dep, out);
            }
        }
    }
    if let Some(c) = &cx.model.components {
        for (name, a) in &c.success_actions {
            if let Some(id) = &a.workflow_id {
                workflow(
                    cx,
                    &format!(
                        "/components/successActions/{}/workflowId",
                        telaio_model::escape_token(name)
                    ),
                    id,
                    out,
                );
            }
        }
        for (name, a) in &c.failure_actions {
            if let Some(id) = &a.workflow_id {
                workflow(
                    cx,
                    &format!(
                        "/components/failureActions/{}/workflowId",
                        telaio_model::escape_token(name)
                    ),
                    id,
                    out,
                );
            }
        }
    }
}

/// `(pointer to the action, stepId, workflowId)` of each inline action in two lists.
fn action_targets<'a>(
    base: &str,
    (success_key, on_success): (&str, &'a [OnSuccess]),
    (failure_key, on_failure): (&str, &'a [OnFailure]),
) -> Vec<(String, Option<&'a str>, Option<&'a str>)> {
    let success = on_success.iter().enumerate().filter_map(|(i, a)| match a {
        OnSuccess::Action(a) => Some((
            format!("{base}/{success_key}/{i}"),
            a.step_id.as_deref(),
            a.workflow_id.as_deref(),
        )),
        OnSuccess::Reusable(_) => None,
    });
    let failure = on_failure.iter().enumerate().filter_map(|(i, a)| match a {
        OnFailure::Action(a) => Some((
            format!("{base}/{failure_key}/{i}"),
            a.step_id.as_deref(),
            a.workflow_id.as_deref(),
        )),
        OnFailure::Reusable(_) => None,
    });
    success.chain(failure).collect()
}

fn actions(
    cx: &Context<'_>,
    wi: usize,
    targets: Vec<(String, Option<&str>, Option<&str>)>,
    out: &mut Vec<Diagnostic>,
) {
    for (pointer, step_id, workflow_id) in targets {
        if let Some(step_id) = step_id {
            step(cx, &format!("{pointer}/stepId"), wi, step_id, out);
        }
        if let Some(id) = workflow_id {
            workflow(cx, &format!("{pointer}/workflowId"), id, out);
        }
    }
}

fn step(cx: &Context<'_>, pointer: &str, wi: usize, id: &str, out: &mut Vec<Diagnostic>) {
    if cx.flow(wi).step_index(id).is_some() {
        return;
    }
    let w = &cx.model.workflows[wi];
    let wid = w.workflow_id.as_deref().unwrap_or("?");
    let d = cx.at(
        &UnknownStep::RULE,
        pointer,
        format!("workflow `{wid}` has no step `{id}`"),
    );
    let ids = w.steps.iter().filter_map(|s| s.step_id.as_deref());
    out.push(match suggestion(did_you_mean(id, ids)) {
        Some(h) => d.with_hint(h),
        None => d,
    });
}

fn step_dependency(
    cx: &Context<'_>,
    pointer: &str,
    wi: usize,
    dep: &str,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(rest) = dep.strip_prefix("$workflows.") {
        let Some((wf, step_id)) = rest.split_once(".steps.") else {
            out.push(cx.at(
                &UnknownStep::RULE,
                pointer,
                format!("`{dep}` should be `$workflows.<workflowId>.steps.<stepId>`"),
            ));
            return;
        };
        let other = (cx.model.workflows.iter()).position(|o| o.workflow_id.as_deref() == Some(wf));
        match other {
            Some(other) => step(cx, pointer, other, step_id, out),
            None => workflow(cx, pointer, wf, out),
        }
    } else if dep.starts_with("$sourceDescriptions.") {
        // `$sourceDescriptions.<name>.<workflowId>.steps.<stepId>`: check what can be checked.
        let workflow_part = dep.split_once(".steps.").map_or(dep, |(w, _)| w);
        workflow(cx, pointer, workflow_part, out);
    } else {
        step(cx, pointer, wi, dep, out);
    }
}

fn workflow(cx: &Context<'_>, pointer: &str, id: &str, out: &mut Vec<Diagnostic>) {
    let rule = &UnknownWorkflow::RULE;
    match cx.bundle.find_workflow(id) {
        WorkflowLookup::Local(_)
        | WorkflowLookup::External { .. }
        | WorkflowLookup::Unloaded(_) => {}
        WorkflowLookup::NotArazzo(source) => {
            out.push(
                cx.at(
                    rule,
                    pointer,
                    format!(
                        "source `{}` is an API description, so it has no workflows",
                        source.name
                    ),
                )
                .with_hint("workflows of other documents are named through `arazzo` sources"),
            );
        }
        WorkflowLookup::UnknownSource { name } => {
            out.push(cx.at(
                rule,
                pointer,
                format!("there is no source description named `{name}`"),
            ));
        }
        WorkflowLookup::NotFound => {
            let (d, candidates): (_, Vec<&str>) = match telaio_model::split_qualified(id) {
                Some((name, wf)) => {
                    let src = cx.bundle.source(name);
                    let ids = src
                        .and_then(|s| s.arazzo())
                        .and_then(|d| d.model.as_ref().ok())
                        .map(|m| {
                            m.workflows
                                .iter()
                                .filter_map(|w| w.workflow_id.as_deref())
                                .collect()
                        })
                        .unwrap_or_default();
                    (
                        cx.at(
                            rule,
                            pointer,
                            format!("source `{name}` has no workflow `{wf}`"),
                        ),
                        ids,
                    )
                }
                None => (
                    cx.at(
                        rule,
                        pointer,
                        format!("there is no workflow `{id}` in this document"),
                    ),
                    cx.model
                        .workflows
                        .iter()
                        .filter_map(|w| w.workflow_id.as_deref())
                        .collect(),
                ),
            };
            let bare = telaio_model::split_qualified(id).map_or(id, |(_, w)| w);
            out.push(match suggestion(did_you_mean(bare, candidates)) {
                Some(h) => d.with_hint(h),
                None => d,
            });
        }
    }
}

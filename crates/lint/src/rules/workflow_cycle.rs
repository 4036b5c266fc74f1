//! Workflows and steps that wait for, call or hand over to each other in a circle that no run
//! can leave.

use std::collections::{BTreeMap, HashMap};

use telaio_graph::{Action, ActionNode, ProblemKind, StepNode, Target};
use telaio_model::{Arazzo, Workflow};

use crate::Diagnostic;
use crate::context::Context;
use crate::rule::declare_rule;

declare_rule! {
    /// ## What it checks
    /// Circles that make a workflow impossible to finish, whatever the APIs answer:
    /// - workflows whose `dependsOn` name each other (`a` waits for `b`, `b` for `a`), or
    ///   steps whose `dependsOn` do;
    /// - a step that `dependsOn` a step running after it, in a workflow that never goes back;
    /// - workflows that call each other (a step's `workflowId`) or hand over to each other
    ///   (a `goto` action's `workflowId`) every time they run: the step is reached whenever
    ///   the steps before it succeed, and no action on the way has `criteria` or can leave
    ///   on failure (`goto`). A workflow that calls itself only on some condition (a page
    ///   loop that stops when a criterion holds) is fine.
    ///
    /// ## Why it matters
    /// The run cannot end: it fails when the circle is found, or nests calls until
    /// `--max-depth`, or hands over until `--max-steps`.
    ///
    /// ## Example
    /// ```yaml
    /// workflows:
    ///   - workflowId: refresh
    ///     steps:
    ///       - stepId: token
    ///         operationId: getToken
    ///       - stepId: again
    ///         workflowId: refresh
    /// ```
    ///
    /// ## Instead
    /// Make the call conditional: an `onSuccess` action with `criteria` that ends the
    /// workflow, or a `goto` that skips the calling step when there is nothing more to do.
    WorkflowCycle = "workflow-cycle", Error, "workflows and steps do not wait for or run each other in circles no run can leave";
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    workflow_dependencies(cx, out);
    for (wi, w) in cx.model.workflows.iter().enumerate() {
        step_dependencies(cx, wi, w, out);
    }
    endless_runs(cx, out);
}

/// The local workflows by id (the first of duplicates).
fn workflow_indexes(model: &Arazzo) -> HashMap<&str, usize> {
    let mut out = HashMap::new();
    for (i, w) in model.workflows.iter().enumerate() {
        if let Some(id) = w.workflow_id.as_deref() {
            out.entry(id).or_insert(i);
        }
    }
    out
}

/// Circles in a graph of `n` nodes, each as the nodes on it in order with the index of the
/// edge that leaves each. A node is on one reported circle at most, so a graph of `n` nodes
/// gives at most `n` findings, however its circles overlap.
fn find_cycle(n: usize, edges: &[Vec<(usize, usize)>]) -> Vec<Vec<(usize, usize)>> {
    // Depth-first, iteratively: 0 unseen, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    let mut reported = vec![false; n];
    let mut cycles = Vec::new();
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&(to, edge)) = edges[node].get(*next) {
                *next += 1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => {
                        // The circle is the stack from `to` on.
                        let from = stack.iter().position(|(v, _)| *v == to).unwrap_or(0);
                        let mut cycle: Vec<(usize, usize)> = stack[from..]
                            .iter()
                            .map(|&(v, next)| (v, edges[v][next - 1].1))
                            .collect();
                        if let Some(last) = cycle.last_mut() {
                            last.1 = edge;
                        }
                        if cycle.iter().all(|&(v, _)| !reported[v]) {
                            for &(v, _) in &cycle {
                                reported[v] = true;
                            }
                            cycles.push(cycle);
                        }
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
    cycles
}

/// `a` → `b` → `a`, with the middle of a long circle left out.
fn names<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let ids: Vec<String> = ids.map(|i| format!("`{i}`")).collect();
    if ids.len() <= 8 {
        return ids.join(" → ");
    }
    format!(
        "{} → … ({} more) → {}",
        ids[..4].join(" → "),
        ids.len() - 6,
        ids[ids.len() - 2..].join(" → ")
    )
}

fn workflow_dependencies(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let index = workflow_indexes(cx.model);
    let edges: Vec<Vec<(usize, usize)>> = cx
        .model
        .workflows
        .iter()
        .map(|w| {
            w.depends_on
                .iter()
                .enumerate()
                .filter_map(|(di, d)| Some((*index.get(d.as_str())?, di)))
                .collect()
        })
        .collect();
    for cycle in find_cycle(cx.model.workflows.len(), &edges) {
        let id = |wi: usize| cx.model.workflows[wi].workflow_id.as_deref().unwrap_or("?");
        let (first, dep) = cycle[0];
        let path = names(cycle.iter().map(|&(w, _)| id(w)).chain([id(first)]));
        out.push(
            cx.at(
                &WorkflowCycle::RULE,
                &format!("/workflows/{first}/dependsOn/{dep}"),
                format!(
                    "`dependsOn` goes round in a circle, {path}: none of these workflows can start"
                ),
            )
            .with_hint("remove one of the dependencies"),
        );
    }
}

fn step_dependencies(cx: &Context<'_>, wi: usize, w: &Workflow, out: &mut Vec<Diagnostic>) {
    let flow = cx.flow(wi);
    // Only plain step ids: `$workflows.` and `$sourceDescriptions.` name other workflows.
    let edges: Vec<Vec<(usize, usize)>> = w
        .steps
        .iter()
        .map(|s| {
            s.depends_on
                .iter()
                .enumerate()
                .filter_map(|(di, d)| Some((flow.step_index(d)?, di)))
                .collect()
        })
        .collect();
    let cycles = find_cycle(w.steps.len(), &edges);
    let id = |si: usize| w.steps[si].step_id.as_deref().unwrap_or("?");
    for cycle in &cycles {
        let (first, dep) = cycle[0];
        let path = names(cycle.iter().map(|&(s, _)| id(s)).chain([id(first)]));
        out.push(cx.at(
            &WorkflowCycle::RULE,
            &format!("/workflows/{wi}/steps/{first}/dependsOn/{dep}"),
            format!("the steps' `dependsOn` go round in a circle, {path}: none of them can run"),
        ));
    }
    if !cycles.is_empty() || flow.has_backward_jump() {
        return;
    }
    for (si, targets) in edges.iter().enumerate() {
        for &(target, di) in targets.iter().filter(|(t, _)| *t > si) {
            out.push(
                cx.at(
                    &WorkflowCycle::RULE,
                    &format!("/workflows/{wi}/steps/{si}/dependsOn/{di}"),
                    format!(
                        "step `{}` depends on step `{}`, which runs after it: it can never run",
                        id(si),
                        id(target)
                    ),
                )
                .with_hint("move the step after the one it depends on"),
            );
        }
    }
}

/// How one workflow hands control to another, every time it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Edge {
    /// A step calls it.
    Call,
    /// A `goto` action hands over to it.
    Handover,
}

/// The success action that applies to a step whatever the response: the first that applies
/// to it (its own, then the workflow's), when it has no criteria. `Err(())` when the first has
/// criteria (which one applies depends on the API).
fn unconditional<'g, 'b>(step: &'g StepNode<'b>) -> Result<Option<&'g ActionNode<'b>>, ()> {
    // A reference to a component that is not there is no action (`component-reference`).
    let first = step.on_success.iter().find(|a| {
        !matches!(
            a.kind,
            Action::Invalid(ProblemKind::UnknownActionComponent { .. })
        )
    });
    match first {
        Some(a) if !a.criteria.is_empty() => Err(()),
        other => Ok(other),
    }
}

/// Whether a failure of the step can lead somewhere other than the workflow's failure (a
/// `goto`): then the run may leave a circle.
fn can_leave_on_failure(step: &StepNode<'_>) -> bool {
    step.on_failure
        .iter()
        .any(|a| matches!(a.kind, Action::Goto(_)))
}

/// The workflows a run of workflow `wi` always reaches, with the step that does it: walking
/// its steps as they run when every step succeeds, until an end, a loop, or an action whose
/// outcome depends on the APIs.
fn always_reached(
    cx: &Context<'_>,
    index: &HashMap<&str, usize>,
    wi: usize,
) -> Vec<(usize, usize, Edge)> {
    let w = &cx.graph.workflows[wi];
    let mut out = Vec::new();
    let mut seen = vec![false; w.steps.len()];
    let mut i = 0;
    while let Some(step) = w.steps.get(i) {
        if std::mem::replace(&mut seen[i], true) || can_leave_on_failure(step) {
            break;
        }
        if let Some(&callee) = step
            .step
            .workflow_id
            .as_deref()
            .and_then(|id| index.get(id))
        {
            out.push((callee, i, Edge::Call));
        }
        match unconditional(step) {
            Err(()) => break,
            Ok(None) => i += 1,
            Ok(Some(a)) => match &a.kind {
                Action::Goto(Target::Step(j)) => i = *j,
                Action::Goto(Target::Workflow(r)) => {
                    if let Some(&to) = index.get(r.written) {
                        out.push((to, i, Edge::Handover));
                    }
                    break;
                }
                _ => break,
            },
        }
    }
    out
}

fn endless_runs(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let index = workflow_indexes(cx.model);
    let reached: Vec<Vec<(usize, usize, Edge)>> = (0..cx.model.workflows.len())
        .map(|wi| always_reached(cx, &index, wi))
        .collect();
    let edges: Vec<Vec<(usize, usize)>> = reached
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(e, &(to, _, _))| (to, e))
                .collect()
        })
        .collect();
    let mut reported = BTreeMap::new();
    for cycle in find_cycle(cx.model.workflows.len(), &edges) {
        let id = |wi: usize| cx.model.workflows[wi].workflow_id.as_deref().unwrap_or("?");
        let (first, edge) = cycle[0];
        let (to, step, kind) = reached[first][edge];
        let path = names(cycle.iter().map(|&(w, _)| id(w)).chain([id(first)]));
        let step_id = cx.model.workflows[first].steps[step]
            .step_id
            .as_deref()
            .unwrap_or("?");
        let (pointer, how) = match kind {
            Edge::Call => (
                format!("/workflows/{first}/steps/{step}/workflowId"),
                "calls",
            ),
            Edge::Handover => (format!("/workflows/{first}/steps/{step}"), "hands over to"),
        };
        reported.entry(pointer.clone()).or_insert_with(|| {
            cx.at(
                &WorkflowCycle::RULE,
                &pointer,
                format!("step `{step_id}` {how} workflow `{}` whenever the steps before it succeed, and the workflows go round ({path}): the run can never end", id(to)),
            )
            .with_hint("make it conditional: an action with `criteria` that ends or skips ahead when there is no more to do")
        });
    }
    out.extend(reported.into_values());
}

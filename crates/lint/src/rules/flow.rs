//! Facts about a workflow's control flow that several rules need, read from the document's
//! graph (`telaio-graph`): the actions that apply to each step are the run's.

use std::collections::HashMap;

use telaio_graph::{Action, Target, WorkflowNode};

/// A workflow's steps by id, and whether any of them jumps back: found once per workflow, so
/// that rules asking for each expression stay linear in the number of steps.
pub(crate) struct Flow<'a> {
    steps: HashMap<&'a str, usize>,
    backward_jump: bool,
}

impl<'a> Flow<'a> {
    pub fn new(w: &WorkflowNode<'a>) -> Self {
        let mut steps = HashMap::with_capacity(w.steps.len());
        for s in &w.steps {
            // The first of duplicate ids, as a run finds it (`duplicate-step-id` reports the rest).
            if let Some(id) = s.id {
                steps.entry(id).or_insert(s.index);
            }
        }
        let backward_jump = w.steps.iter().any(|s| {
            s.on_success
                .iter()
                .chain(&s.on_failure)
                .filter_map(|a| step_target(&a.kind))
                .any(|t| t <= s.index)
        });
        Flow {
            steps,
            backward_jump,
        }
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

/// The step an action goes to (a `goto`) or runs first (a `retry`), when it names one.
pub(crate) fn step_target(action: &Action<'_>) -> Option<usize> {
    match action {
        Action::Goto(Target::Step(i))
        | Action::Retry {
            first: Some(Target::Step(i)),
            ..
        } => Some(*i),
        _ => None,
    }
}

//! Building the graph: one pass over the typed model, looking each reference up once.

use std::collections::HashMap;

use telaio_model::{Arazzo, Bundle, Components, Step, StepTarget, Workflow, WorkflowLookup};

use crate::{
    Call, CriterionNode, Output, Place, StepNode, Target, WorkflowNode, WorkflowRef, action,
    parameter,
};

/// What resolving a workflow's parts needs: the bundle for lookups, the components, and the
/// workflow's steps by id.
pub(crate) struct Scope<'b> {
    pub bundle: &'b Bundle,
    pub model: &'b Arazzo,
    pub components: Option<&'b Components>,
    steps: HashMap<&'b str, usize>,
}

impl<'b> Scope<'b> {
    fn new(bundle: &'b Bundle, model: &'b Arazzo, w: &'b Workflow) -> Self {
        let mut steps = HashMap::with_capacity(w.steps.len());
        for (i, s) in w.steps.iter().enumerate() {
            // The first of duplicate ids, as a run finds it (the linter reports the rest).
            if let Some(id) = s.step_id.as_deref() {
                steps.entry(id).or_insert(i);
            }
        }
        Scope {
            bundle,
            model,
            components: model.components.as_ref(),
            steps,
        }
    }

    /// Where an action written at `place` goes: its `stepId`, else its `workflowId`.
    pub fn target(
        &self,
        step_id: Option<&'b str>,
        workflow_id: Option<&'b str>,
        place: &Place,
    ) -> Option<Target<'b>> {
        if let Some(s) = step_id {
            return Some(
                self.steps
                    .get(s)
                    .map_or(Target::UnknownStep(s), |&i| Target::Step(i)),
            );
        }
        workflow_id.map(|w| Target::Workflow(self.workflow_ref(w, place.child("workflowId"))))
    }

    /// The workflow a `workflowId` names.
    pub fn workflow_ref(&self, written: &'b str, place: Place) -> WorkflowRef<'b> {
        let lookup = self.bundle.find_workflow(written);
        let local = match &lookup {
            WorkflowLookup::Local(w) => self
                .model
                .workflows
                .iter()
                .position(|x| std::ptr::eq(x, *w)),
            _ => None,
        };
        WorkflowRef {
            written,
            place,
            lookup,
            local,
        }
    }
}

pub(crate) fn workflow<'b>(
    bundle: &'b Bundle,
    model: &'b Arazzo,
    index: usize,
    w: &'b Workflow,
) -> WorkflowNode<'b> {
    let scope = Scope::new(bundle, model, w);
    let place = Place::new("/workflows").child(index);
    let success_actions = action::on_success(
        &scope,
        &w.success_actions,
        &place.child("successActions"),
        true,
    );
    let failure_actions = action::on_failure(
        &scope,
        &w.failure_actions,
        &place.child("failureActions"),
        true,
    );
    let steps = w
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            step(
                &scope,
                (w, &place),
                s,
                i,
                (&success_actions, &failure_actions),
            )
        })
        .collect();
    let depends_on = w
        .depends_on
        .iter()
        .enumerate()
        .map(|(i, d)| scope.workflow_ref(d, place.child("dependsOn").child(i)))
        .collect();
    WorkflowNode {
        index,
        id: w.workflow_id.as_deref(),
        inputs: std::cell::OnceCell::new(),
        components: scope.components,
        workflow: w,
        steps,
        outputs: Output::list(&w.outputs, &place.child("outputs")),
        depends_on,
        success_actions,
        failure_actions,
        place,
    }
}

fn step<'b>(
    scope: &Scope<'b>,
    (w, workflow_place): (&'b Workflow, &Place),
    s: &'b Step,
    index: usize,
    (shared_success, shared_failure): (&[action::ActionNode<'b>], &[action::ActionNode<'b>]),
) -> StepNode<'b> {
    let bundle = scope.bundle;
    let place = workflow_place.child("steps").child(index);
    let call = match s.target() {
        Some(StepTarget::OperationId(written)) => Call::Operation {
            written,
            lookup: bundle.find_operation_id(written),
        },
        Some(StepTarget::OperationPath(written)) => Call::Operation {
            written,
            lookup: bundle.find_operation_path(written),
        },
        Some(StepTarget::WorkflowId(written)) => {
            Call::Workflow(scope.workflow_ref(written, place.child("workflowId")))
        }
        Some(StepTarget::ChannelPath(written)) => Call::Channel(written),
        None => Call::Unclear,
    };
    let (mut parameters, mut problems) = (Vec::new(), Vec::new());
    parameter::merge_into(
        &mut parameters,
        &w.parameters,
        &workflow_place.child("parameters"),
        scope.components,
        true,
        &mut problems,
    );
    parameter::merge_into(
        &mut parameters,
        &s.parameters,
        &place.child("parameters"),
        scope.components,
        false,
        &mut problems,
    );
    let own_success = action::on_success(scope, &s.on_success, &place.child("onSuccess"), false);
    let own_failure = action::on_failure(scope, &s.on_failure, &place.child("onFailure"), false);
    StepNode {
        index,
        id: s.step_id.as_deref(),
        step: s,
        call,
        parameters,
        success_criteria: CriterionNode::list(&s.success_criteria, &place.child("successCriteria")),
        on_success: action::merge(own_success, shared_success),
        on_failure: action::merge(own_failure, shared_failure),
        outputs: Output::list(&s.outputs, &place.child("outputs")),
        problems,
        place,
    }
}

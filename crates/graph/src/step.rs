//! Steps as they run: what each calls (looked up once), the parameters that apply, its
//! success criteria and the actions that apply to it.

use telaio_model::{Criterion, OperationLookup, Step, Valuable};

use crate::{ActionNode, ParamNode, Place, Problem, WorkflowRef};

/// A step of a workflow.
#[derive(Clone, Debug)]
pub struct StepNode<'b> {
    /// Its index in the workflow.
    pub index: usize,
    /// Its `stepId`.
    pub id: Option<&'b str>,
    /// Where it is written.
    pub place: Place,
    /// The step as written, for what the graph does not interpret (`description`,
    /// `requestBody`, `timeout`, `dependsOn`, extensions).
    pub step: &'b Step,
    /// What it calls.
    pub call: Call<'b>,
    /// The parameters that apply: the workflow's, then the step's own, a later one replacing
    /// an earlier one with the same name and location.
    pub parameters: Vec<ParamNode<'b>>,
    /// All must hold for the step to succeed (none: a 2xx status).
    pub success_criteria: Vec<CriterionNode<'b>>,
    /// The success actions that apply: the step's own, then the workflow's it does not
    /// override by name.
    pub on_success: Vec<ActionNode<'b>>,
    /// The failure actions that apply, the same way.
    pub on_failure: Vec<ActionNode<'b>>,
    /// Its outputs.
    pub outputs: Vec<Output<'b>>,
    /// Parameters that name no component.
    pub(crate) problems: Vec<Problem<'b>>,
}

impl<'b> StepNode<'b> {
    /// Everything that keeps the step from running as written: its parameters' problems and
    /// those of every action that applies to it.
    pub fn problems(&self) -> impl Iterator<Item = &Problem<'b>> {
        self.problems.iter().chain(
            self.on_success
                .iter()
                .chain(&self.on_failure)
                .flat_map(|a| &a.problems),
        )
    }
}

/// What a step calls.
#[derive(Clone, Debug)]
pub enum Call<'b> {
    /// An API operation, by `operationId` or `operationPath`.
    Operation {
        /// The `operationId` or `operationPath` as written.
        written: &'b str,
        /// Where the document's sources say it is.
        lookup: OperationLookup<'b>,
    },
    /// A workflow, of this document or another.
    Workflow(WorkflowRef<'b>),
    /// An AsyncAPI channel (1.1 `channelPath`).
    Channel(&'b str),
    /// The step names no target, or several.
    Unclear,
}

impl<'b> Call<'b> {
    /// The target as written (`operationId`, `operationPath`, `workflowId` or `channelPath`).
    pub fn written(&self) -> Option<&'b str> {
        match self {
            Call::Operation { written, .. } | Call::Channel(written) => Some(written),
            Call::Workflow(w) => Some(w.written),
            Call::Unclear => None,
        }
    }
}

/// A criterion: of a step's success, or of when an action applies.
#[derive(Clone, Debug)]
pub struct CriterionNode<'b> {
    /// The Criterion Object as written.
    pub criterion: &'b Criterion,
    /// Where it is written.
    pub place: Place,
}

impl<'b> CriterionNode<'b> {
    /// Its `condition` (empty when it has none; the schema reports that).
    pub fn condition(&self) -> &'b str {
        self.criterion.condition.as_deref().unwrap_or_default()
    }

    /// Where its condition is written.
    pub fn condition_place(&self) -> Place {
        self.place.child("condition")
    }

    pub(crate) fn list(list: &'b [Criterion], at: &Place) -> Vec<CriterionNode<'b>> {
        list.iter()
            .enumerate()
            .map(|(i, criterion)| CriterionNode {
                criterion,
                place: at.child(i),
            })
            .collect()
    }
}

/// An output of a step or a workflow.
#[derive(Clone, Debug)]
pub struct Output<'b> {
    /// Its name.
    pub name: &'b str,
    /// The expression (or constant, or selector) that computes it.
    pub value: &'b Valuable,
    /// Where it is written.
    pub place: Place,
}

impl<'b> Output<'b> {
    pub(crate) fn list(
        outputs: &'b indexmap::IndexMap<String, Valuable>,
        at: &Place,
    ) -> Vec<Output<'b>> {
        outputs
            .iter()
            .map(|(name, value)| Output {
                name,
                value,
                place: at.child(name),
            })
            .collect()
    }
}

//! Workflows, and references to them (from a step, an action or `dependsOn`), looked up once.

use serde_json::Value;
use telaio_model::{Workflow, WorkflowLookup};

use crate::{ActionNode, Output, Place, StepNode};

/// A workflow of the document.
#[derive(Clone, Debug)]
pub struct WorkflowNode<'b> {
    /// Its index in the document's `workflows`.
    pub index: usize,
    /// Its `workflowId`.
    pub id: Option<&'b str>,
    /// Where it is written.
    pub place: Place,
    /// The workflow as written, for what the graph does not interpret (`summary`,
    /// `description`, extensions).
    pub workflow: &'b Workflow,
    /// The JSON Schema of its inputs, `$ref`s into `components.inputs` inlined.
    pub inputs: Option<Value>,
    /// Its steps, in order.
    pub steps: Vec<StepNode<'b>>,
    /// Its outputs.
    pub outputs: Vec<Output<'b>>,
    /// Workflows that must complete first.
    pub depends_on: Vec<WorkflowRef<'b>>,
    /// Its own `successActions`, resolved (each step's `on_success` already holds those that
    /// apply to it).
    pub success_actions: Vec<ActionNode<'b>>,
    /// Its own `failureActions`, resolved.
    pub failure_actions: Vec<ActionNode<'b>>,
}

impl<'b> WorkflowNode<'b> {
    /// The step with this `stepId` (the first, when several share it).
    pub fn step(&self, id: &str) -> Option<&StepNode<'b>> {
        self.steps.iter().find(|s| s.id == Some(id))
    }
}

/// A reference to a workflow: a step's or an action's `workflowId`, or a `dependsOn` entry.
#[derive(Clone, Debug)]
pub struct WorkflowRef<'b> {
    /// The reference as written (`login`, `$sourceDescriptions.auth.login`).
    pub written: &'b str,
    /// Where it is written.
    pub place: Place,
    /// What it names.
    pub lookup: WorkflowLookup<'b>,
    /// For a workflow of this document, its index.
    pub local: Option<usize>,
}

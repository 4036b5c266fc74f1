//! Workflows, and references to them (from a step, an action or `dependsOn`), looked up once.

use std::cell::OnceCell;

use serde_json::Value;
use telaio_model::{Components, Workflow, WorkflowLookup};

use crate::inputs::inline_component_inputs;
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
    /// The JSON Schema of its inputs, `$ref`s into `components.inputs` inlined, made when
    /// first asked for (a linter never asks).
    pub(crate) inputs: OnceCell<Option<Value>>,
    pub(crate) components: Option<&'b Components>,
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
    /// The JSON Schema of its inputs, with `$ref`s into `components.inputs` inlined (within a
    /// budget, so that a reference cycle or a fan-out stays cheap).
    pub fn inputs(&self) -> Option<&Value> {
        self.inputs
            .get_or_init(|| {
                let schema = self.workflow.inputs.as_ref()?;
                Some(inline_component_inputs(schema, self.components))
            })
            .as_ref()
    }

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

//! The Workflow Object.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use super::{Extensions, OnFailure, OnSuccess, ParameterOrReusable, Step, Valuable};

/// A workflow: an ordered list of steps with inputs, outputs and shared actions.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Workflow {
    /// Unique id of the workflow.
    pub workflow_id: Option<String>,
    /// Short summary.
    pub summary: Option<String>,
    /// CommonMark description.
    pub description: Option<String>,
    /// JSON Schema of the inputs.
    pub inputs: Option<Value>,
    /// Workflows that must complete before this one.
    pub depends_on: Vec<String>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Success actions shared by all steps.
    pub success_actions: Vec<OnSuccess>,
    /// Failure actions shared by all steps.
    pub failure_actions: Vec<OnFailure>,
    /// Output names and the expressions that compute them.
    pub outputs: IndexMap<String, Valuable>,
    /// Parameters shared by all steps.
    pub parameters: Vec<ParameterOrReusable>,
    /// `x-...` fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

impl Workflow {
    /// The step with this `stepId`.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.step_id.as_deref() == Some(id))
    }

    /// The index of the step with this `stepId`.
    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps
            .iter()
            .position(|s| s.step_id.as_deref() == Some(id))
    }
}

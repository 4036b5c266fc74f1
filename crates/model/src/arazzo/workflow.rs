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
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub workflow_id: Option<String>,
    /// Short summary.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub summary: Option<String>,
    /// CommonMark description.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub description: Option<String>,
    /// JSON Schema of the inputs.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub inputs: Option<Value>,
    /// Workflows that must complete before this one.
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub depends_on: Vec<String>,
    /// The steps, in order.
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub steps: Vec<Step>,
    /// Success actions shared by all steps.
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub success_actions: Vec<OnSuccess>,
    /// Failure actions shared by all steps.
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub failure_actions: Vec<OnFailure>,
    /// Output names and the expressions that compute them.
    #[serde(deserialize_with = "crate::arazzo::lenient::map")]
    pub outputs: IndexMap<String, Valuable>,
    /// Parameters shared by all steps.
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
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

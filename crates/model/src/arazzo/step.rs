//! Step Objects, request bodies and payload replacements.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use super::{
    Criterion, CriterionType, Extensions, OnFailure, OnSuccess, ParameterOrReusable, Valuable,
};

/// A Step Object: one call to an operation, a channel (1.1) or another workflow.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Step {
    /// Unique id of the step within its workflow.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub step_id: Option<String>,
    /// CommonMark description.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub description: Option<String>,
    /// An operationId, possibly qualified (`$sourceDescriptions.<name>.<operationId>`).
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub operation_id: Option<String>,
    /// `{$sourceDescriptions.<name>.url}#/paths/...` style reference to an operation.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub operation_path: Option<String>,
    /// AsyncAPI channel reference (1.1).
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub channel_path: Option<String>,
    /// A workflow to run as this step.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub workflow_id: Option<String>,
    /// Parameters for the operation or the workflow's inputs.
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub parameters: Vec<ParameterOrReusable>,
    /// The request body.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub request_body: Option<RequestBody>,
    /// Assertions that decide the step's success.
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub success_criteria: Vec<Criterion>,
    /// What to do on success.
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub on_success: Vec<OnSuccess>,
    /// What to do on failure.
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub on_failure: Vec<OnFailure>,
    /// Output names and the expressions that compute them.
    #[serde(deserialize_with = "crate::arazzo::lenient::map")]
    pub outputs: IndexMap<String, Valuable>,
    /// Milliseconds before the step is aborted (1.1).
    #[serde(deserialize_with = "crate::arazzo::lenient::opt_integer")]
    pub timeout: Option<u64>,
    /// AsyncAPI correlation id (1.1).
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub correlation_id: Option<String>,
    /// `send` or `receive` (1.1).
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub action: Option<String>,
    /// Steps that must complete first (1.1).
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub depends_on: Vec<String>,
    /// `x-...` fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// What a step calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepTarget<'a> {
    /// `operationId`.
    OperationId(&'a str),
    /// `operationPath`.
    OperationPath(&'a str),
    /// `channelPath` (1.1).
    ChannelPath(&'a str),
    /// `workflowId`.
    WorkflowId(&'a str),
}

impl Step {
    /// Every target the step names (a valid step names exactly one).
    pub fn targets(&self) -> Vec<StepTarget<'_>> {
        let mut out = Vec::with_capacity(1);
        if let Some(s) = &self.operation_id {
            out.push(StepTarget::OperationId(s));
        }
        if let Some(s) = &self.operation_path {
            out.push(StepTarget::OperationPath(s));
        }
        if let Some(s) = &self.channel_path {
            out.push(StepTarget::ChannelPath(s));
        }
        if let Some(s) = &self.workflow_id {
            out.push(StepTarget::WorkflowId(s));
        }
        out
    }

    /// The one target the step names, when it names exactly one.
    pub fn target(&self) -> Option<StepTarget<'_>> {
        match self.targets().as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

/// A Request Body Object.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestBody {
    /// The request's content type.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub content_type: Option<String>,
    /// The payload: any value, possibly with runtime expressions inside.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub payload: Option<Value>,
    /// Values set at locations within the payload.
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub replacements: Vec<PayloadReplacement>,
    /// `x-...` fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A Payload Replacement Object.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PayloadReplacement {
    /// JSON Pointer or XPath (or, 1.1, JSONPath) to the location.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub target: Option<String>,
    /// The language of `target` (1.1).
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub target_selector_type: Option<CriterionType>,
    /// The value to set.
    pub value: Valuable,
    /// `x-...` fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

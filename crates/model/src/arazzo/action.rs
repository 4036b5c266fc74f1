//! Success and Failure Action Objects.

use serde::Deserialize;

use super::{Criterion, Extensions, ParameterOrReusable, Reusable};

/// What an action does.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionKind {
    /// End the workflow.
    End,
    /// Go to a step or a workflow.
    Goto,
    /// Retry the step (failure actions only).
    Retry,
    /// Any other value (the schema reports it).
    #[serde(untagged)]
    Other(String),
}

/// A Success Action Object.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SuccessAction {
    /// Case-sensitive name.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub name: Option<String>,
    /// `end` or `goto`.
    #[serde(rename = "type")]
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub kind: Option<ActionKind>,
    /// Workflow to go to.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub workflow_id: Option<String>,
    /// Step to go to.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub step_id: Option<String>,
    /// Inputs for the workflow gone to (1.1).
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub parameters: Vec<ParameterOrReusable>,
    /// When the action applies; all must hold.
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub criteria: Vec<Criterion>,
    /// `x-...` fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A Failure Action Object.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FailureAction {
    /// Case-sensitive name.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub name: Option<String>,
    /// `end`, `retry` or `goto`.
    #[serde(rename = "type")]
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub kind: Option<ActionKind>,
    /// Workflow to go to (or to run before a retry).
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub workflow_id: Option<String>,
    /// Step to go to (or to run before a retry).
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub step_id: Option<String>,
    /// Inputs for the workflow gone to (1.1).
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub parameters: Vec<ParameterOrReusable>,
    /// Seconds to wait before retrying.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub retry_after: Option<f64>,
    /// How many retries at most.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt_integer")]
    pub retry_limit: Option<u64>,
    /// When the action applies; all must hold.
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub criteria: Vec<Criterion>,
    /// `x-...` fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// An `onSuccess` / `successActions` entry: inline or a reference to a component.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum OnSuccess {
    /// `{reference: $components.successActions.x}`.
    Reusable(Reusable),
    /// An inline action.
    Action(SuccessAction),
}

/// An `onFailure` / `failureActions` entry: inline or a reference to a component.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum OnFailure {
    /// `{reference: $components.failureActions.x}`.
    Reusable(Reusable),
    /// An inline action.
    Action(FailureAction),
}

impl Default for OnSuccess {
    fn default() -> Self {
        OnSuccess::Action(SuccessAction::default())
    }
}

impl Default for OnFailure {
    fn default() -> Self {
        OnFailure::Action(FailureAction::default())
    }
}

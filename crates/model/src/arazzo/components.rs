//! The Components Object and Reusable Objects.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use super::{Extensions, FailureAction, Parameter, SuccessAction};

/// Reusable objects shared by the workflows of a document.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Components {
    /// Reusable JSON Schemas for workflow inputs.
    pub inputs: IndexMap<String, Value>,
    /// Reusable parameters.
    pub parameters: IndexMap<String, Parameter>,
    /// Reusable success actions.
    pub success_actions: IndexMap<String, SuccessAction>,
    /// Reusable failure actions.
    pub failure_actions: IndexMap<String, FailureAction>,
    /// `x-...` fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A Reusable Object: a reference to a component, e.g. `$components.parameters.page`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reusable {
    /// Runtime expression naming the component.
    pub reference: String,
    /// For parameters: a value that overrides the component's.
    #[serde(default)]
    pub value: Option<Value>,
}

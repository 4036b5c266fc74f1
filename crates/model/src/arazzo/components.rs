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
    #[serde(deserialize_with = "crate::arazzo::lenient::map")]
    pub inputs: IndexMap<String, Value>,
    /// Reusable parameters.
    #[serde(deserialize_with = "crate::arazzo::lenient::map")]
    pub parameters: IndexMap<String, Parameter>,
    /// Reusable success actions.
    #[serde(deserialize_with = "crate::arazzo::lenient::map")]
    pub success_actions: IndexMap<String, SuccessAction>,
    /// Reusable failure actions.
    #[serde(deserialize_with = "crate::arazzo::lenient::map")]
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
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub value: Option<Value>,
}

//! Selector Objects (1.1) and the values that may be one.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{CriterionType, Extensions};

/// A Selector Object (Arazzo 1.1): a JSONPath, XPath or JSON Pointer applied to the value of a
/// runtime expression.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Selector {
    /// Runtime expression giving the structured data to select from.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub context: Option<String>,
    /// The selector expression.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub selector: Option<String>,
    /// `jsonpath`, `xpath` or `jsonpointer`, possibly with a version.
    #[serde(rename = "type")]
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub selector_type: Option<CriterionType>,
    /// `x-...` fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A value that may be a literal, a runtime expression (a string) or, in 1.1, a Selector Object.
///
/// Used for parameter values, payload replacement values and outputs.
#[derive(Clone, Debug, PartialEq)]
pub enum Valuable {
    /// A constant or a string holding runtime expressions.
    Value(Value),
    /// A Selector Object.
    Selector(Selector),
}

impl Valuable {
    /// The value when it is a string (an expression or literal text).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Valuable::Value(Value::String(s)) => Some(s),
            _ => None,
        }
    }
}

impl Default for Valuable {
    fn default() -> Self {
        Valuable::Value(Value::Null)
    }
}

impl<'de> Deserialize<'de> for Valuable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        let is_selector = value.as_object().is_some_and(|o| {
            o.contains_key("context") && o.contains_key("selector") && o.contains_key("type")
        });
        if is_selector && let Ok(selector) = Selector::deserialize(&value) {
            return Ok(Valuable::Selector(selector));
        }
        Ok(Valuable::Value(value))
    }
}

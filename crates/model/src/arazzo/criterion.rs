//! Criterion Objects and their expression types.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::Extensions;

/// A Criterion Object: one assertion in `successCriteria` or an action's `criteria`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Criterion {
    /// Runtime expression giving the value the condition applies to (required with `type`).
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub context: Option<String>,
    /// The condition.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub condition: Option<String>,
    /// The condition's language; `simple` when omitted.
    #[serde(rename = "type")]
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub criterion_type: Option<CriterionType>,
    /// The expression type's version written beside `type` (the official 1.0 JSON Schema's
    /// reading of the Criterion Expression Type Object; the spec text nests it under `type`).
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub version: Option<String>,
    /// `x-...` fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

impl Criterion {
    /// The type, with the spec's default (`simple`) applied and a `version` written beside
    /// `type` taken into account.
    pub fn kind(&self) -> CriterionType {
        match (&self.criterion_type, &self.version) {
            (Some(CriterionType::JsonPath(None)), Some(v)) => {
                CriterionType::JsonPath(Some(v.clone()))
            }
            (Some(CriterionType::XPath(None)), Some(v)) => CriterionType::XPath(Some(v.clone())),
            (Some(t), _) => t.clone(),
            (None, _) => CriterionType::Simple,
        }
    }
}

/// The language of a condition or selector.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CriterionType {
    /// The simple condition language (`$statusCode == 200`).
    Simple,
    /// A regular expression.
    Regex,
    /// JSONPath, with an optional version (`rfc9535`, `draft-goessner-dispatch-jsonpath-00`).
    JsonPath(Option<String>),
    /// XPath, with an optional version (`xpath-10`, `xpath-20`, `xpath-30`, `xpath-31`).
    XPath(Option<String>),
    /// JSON Pointer (selectors only).
    JsonPointer,
    /// Anything else, kept as written.
    Other(String),
}

/// An Expression Type Object: `{type, version}`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ExpressionType {
    /// `jsonpath` or `xpath`.
    #[serde(rename = "type")]
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub expression_type: Option<String>,
    /// The version of the expression language.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub version: Option<String>,
    /// `x-...` fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

impl CriterionType {
    /// The type's name as written in documents (`simple`, `jsonpath`, ...).
    pub fn name(&self) -> &str {
        match self {
            CriterionType::Simple => "simple",
            CriterionType::Regex => "regex",
            CriterionType::JsonPath(_) => "jsonpath",
            CriterionType::XPath(_) => "xpath",
            CriterionType::JsonPointer => "jsonpointer",
            CriterionType::Other(s) => s,
        }
    }

    fn from_parts(name: &str, version: Option<String>) -> Self {
        match name {
            "simple" => CriterionType::Simple,
            "regex" => CriterionType::Regex,
            "jsonpath" => CriterionType::JsonPath(version),
            "xpath" => CriterionType::XPath(version),
            "jsonpointer" => CriterionType::JsonPointer,
            other => CriterionType::Other(other.to_owned()),
        }
    }
}

impl<'de> Deserialize<'de> for CriterionType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(s) => CriterionType::from_parts(&s, None),
            Value::Object(o) => {
                let name = o.get("type").and_then(Value::as_str).unwrap_or_default();
                let version = o.get("version").and_then(Value::as_str).map(str::to_owned);
                CriterionType::from_parts(name, version)
            }
            other => CriterionType::Other(other.to_string()),
        })
    }
}

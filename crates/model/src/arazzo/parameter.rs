//! Parameter Objects and references to reusable ones.

use serde::Deserialize;

use super::{Extensions, Reusable, Valuable};

/// A Parameter Object: a value passed to an operation or a workflow.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Parameter {
    /// Case-sensitive name.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub name: Option<String>,
    /// Where it goes; absent for workflow inputs.
    #[serde(rename = "in")]
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub location: Option<ParameterIn>,
    /// A constant, a runtime expression or (1.1) a Selector Object.
    pub value: Valuable,
    /// `x-...` fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// Where a parameter is placed in a request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParameterIn {
    /// A path template variable.
    Path,
    /// A query string parameter.
    Query,
    /// The whole query string (1.1).
    Querystring,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
    /// Any other value (the schema reports it).
    #[serde(untagged)]
    Other(String),
}

impl ParameterIn {
    /// The location a document (or an API description's `in`) names.
    ///
    /// ```
    /// use telaio_model::ParameterIn;
    /// assert_eq!(ParameterIn::named("header"), ParameterIn::Header);
    /// assert_eq!(ParameterIn::named("body"), ParameterIn::Other("body".into()));
    /// ```
    pub fn named(name: &str) -> ParameterIn {
        match name {
            "path" => ParameterIn::Path,
            "query" => ParameterIn::Query,
            "querystring" => ParameterIn::Querystring,
            "header" => ParameterIn::Header,
            "cookie" => ParameterIn::Cookie,
            other => ParameterIn::Other(other.to_owned()),
        }
    }

    /// The location as written in documents.
    pub fn as_str(&self) -> &str {
        match self {
            ParameterIn::Path => "path",
            ParameterIn::Query => "query",
            ParameterIn::Querystring => "querystring",
            ParameterIn::Header => "header",
            ParameterIn::Cookie => "cookie",
            ParameterIn::Other(s) => s,
        }
    }
}

/// A parameter written inline or a Reusable Object pointing at `components.parameters`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum ParameterOrReusable {
    /// `{reference: $components.parameters.x, value?}`.
    Reusable(Reusable),
    /// An inline Parameter Object.
    Parameter(Parameter),
}

impl Default for ParameterOrReusable {
    fn default() -> Self {
        ParameterOrReusable::Parameter(Parameter::default())
    }
}

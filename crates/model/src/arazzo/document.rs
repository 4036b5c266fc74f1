//! The top of an Arazzo document: version, info and source descriptions.

use serde::Deserialize;

use super::{Components, Extensions, Workflow};

/// An Arazzo document (the "Arazzo Specification Object").
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Arazzo {
    /// The `arazzo` version string, e.g. `1.0.1`.
    pub arazzo: String,
    /// The document's own URI-reference (1.1 `$self`).
    #[serde(rename = "$self")]
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub self_uri: Option<String>,
    /// Metadata about the workflows.
    pub info: Info,
    /// The API descriptions and Arazzo documents the workflows use.
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub source_descriptions: Vec<SourceDescription>,
    /// The workflows.
    #[serde(deserialize_with = "crate::arazzo::lenient::vec")]
    pub workflows: Vec<Workflow>,
    /// Reusable objects.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub components: Option<Components>,
    /// `x-...` fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

impl Arazzo {
    /// The specification version, when `arazzo` names one Telaio knows.
    pub fn version(&self) -> Option<SpecVersion> {
        SpecVersion::parse(&self.arazzo)
    }

    /// The workflow with this `workflowId`.
    pub fn workflow(&self, id: &str) -> Option<&Workflow> {
        self.workflows
            .iter()
            .find(|w| w.workflow_id.as_deref() == Some(id))
    }

    /// The source description with this name.
    pub fn source(&self, name: &str) -> Option<&SourceDescription> {
        self.source_descriptions
            .iter()
            .find(|s| s.name.as_deref() == Some(name))
    }
}

/// The specification versions Telaio reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SpecVersion {
    /// Arazzo 1.0.0 and 1.0.1 (any 1.0.x).
    V1_0,
    /// Arazzo 1.1.x.
    V1_1,
}

impl SpecVersion {
    /// Reads an `arazzo` field value: `1.0.<n>` or `1.1.<n>`, optionally with a `-suffix`.
    ///
    /// ```
    /// use telaio_model::SpecVersion;
    /// assert_eq!(SpecVersion::parse("1.0.1"), Some(SpecVersion::V1_0));
    /// assert_eq!(SpecVersion::parse("1.1.0"), Some(SpecVersion::V1_1));
    /// assert_eq!(SpecVersion::parse("2.0.0"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        let (minor, rest) = if let Some(rest) = s.strip_prefix("1.0.") {
            (SpecVersion::V1_0, rest)
        } else if let Some(rest) = s.strip_prefix("1.1.") {
            (SpecVersion::V1_1, rest)
        } else {
            return None;
        };
        let (patch, suffix) = rest.split_once('-').unwrap_or((rest, "x"));
        (!patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit()) && !suffix.is_empty())
            .then_some(minor)
    }

    /// `1.0` or `1.1`.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_0 => "1.0",
            SpecVersion::V1_1 => "1.1",
        }
    }
}

/// The Info Object.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Info {
    /// Human-readable title.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub title: Option<String>,
    /// Short summary.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub summary: Option<String>,
    /// CommonMark description.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub description: Option<String>,
    /// The document's own version.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub version: Option<String>,
    /// `x-...` fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A Source Description Object: an API description or Arazzo document the workflows use.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SourceDescription {
    /// Unique name, used in `$sourceDescriptions.<name>` expressions.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub name: Option<String>,
    /// URI-reference of the description, relative to the Arazzo document.
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub url: Option<String>,
    /// `openapi`, `asyncapi` or `arazzo`.
    #[serde(rename = "type")]
    #[serde(deserialize_with = "crate::arazzo::lenient::opt")]
    pub source_type: Option<SourceType>,
    /// `x-...` fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// The kind of a source description.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceType {
    /// An OpenAPI (or Swagger 2.0) description.
    Openapi,
    /// An AsyncAPI description (Arazzo 1.1).
    Asyncapi,
    /// Another Arazzo document.
    Arazzo,
    /// Any other value (the schema reports it).
    #[serde(untagged)]
    Other(String),
}

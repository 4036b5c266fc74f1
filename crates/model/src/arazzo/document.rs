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

    /// The workflows of this document a run of `workflow_id` can reach, by index, `workflow_id`'s
    /// own first: those its steps call, its actions go to or retry first, and its `dependsOn`
    /// names, and so on (names of other documents' workflows are not followed).
    ///
    /// ```
    /// let text = "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: []\nworkflows:\n  - {workflowId: a, dependsOn: [b], steps: [{stepId: s, workflowId: c}]}\n  - {workflowId: b, steps: []}\n  - {workflowId: c, steps: []}\n  - {workflowId: alone, steps: []}\n";
    /// let url = telaio_model::Url::parse("file:///tmp/a.arazzo.yaml").unwrap();
    /// let doc = telaio_model::ArazzoDocument::from_text(url, text.into(), &Default::default()).unwrap();
    /// assert_eq!(doc.model.unwrap().reachable_from("a"), [0, 2, 1]);
    /// ```
    pub fn reachable_from(&self, workflow_id: &str) -> Vec<usize> {
        let mut by_id = std::collections::HashMap::new();
        for (i, w) in self.workflows.iter().enumerate() {
            if let Some(id) = w.workflow_id.as_deref() {
                by_id.entry(id).or_insert(i);
            }
        }
        let index = |id: &str| by_id.get(id).copied();
        let components = self.components.as_ref();
        let mut seen = vec![false; self.workflows.len()];
        let mut out: Vec<usize> = index(workflow_id).into_iter().collect();
        for &i in &out {
            seen[i] = true;
        }
        let mut next = 0;
        while let Some(&wi) = out.get(next) {
            next += 1;
            let w = &self.workflows[wi];
            let success = w
                .steps
                .iter()
                .flat_map(|s| &s.on_success)
                .chain(&w.success_actions)
                .filter_map(|a| match a {
                    crate::OnSuccess::Action(a) => a.workflow_id.as_deref(),
                    crate::OnSuccess::Reusable(r) => r
                        .reference
                        .strip_prefix("$components.successActions.")
                        .and_then(|n| components?.success_actions.get(n))
                        .and_then(|a| a.workflow_id.as_deref()),
                });
            let failure = w
                .steps
                .iter()
                .flat_map(|s| &s.on_failure)
                .chain(&w.failure_actions)
                .filter_map(|a| match a {
                    crate::OnFailure::Action(a) => a.workflow_id.as_deref(),
                    crate::OnFailure::Reusable(r) => r
                        .reference
                        .strip_prefix("$components.failureActions.")
                        .and_then(|n| components?.failure_actions.get(n))
                        .and_then(|a| a.workflow_id.as_deref()),
                });
            let named: Vec<&str> = (w.steps.iter().filter_map(|s| s.workflow_id.as_deref()))
                .chain(w.depends_on.iter().map(String::as_str))
                .chain(success)
                .chain(failure)
                .collect();
            for id in named {
                if let Some(i) = index(id).filter(|&i| !std::mem::replace(&mut seen[i], true)) {
                    out.push(i);
                }
            }
        }
        out
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

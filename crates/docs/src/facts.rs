//! What a catalog says about a document at a glance: title, counts, providers, tags, and for
//! each workflow its summary, step count, inputs and outputs. The Markdown page, the HTML page
//! and the catalog index all read these, so the three never disagree.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use telaio_graph::{Graph, WorkflowNode};
use telaio_model::Bundle;

use crate::page::{list, object, text};
use crate::prose::{count, one_line};

/// A document at a glance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// `info.title`.
    pub title: String,
    /// `info.summary`.
    pub summary: Option<String>,
    /// `info.version`.
    pub version: Option<String>,
    /// The `arazzo` version.
    pub arazzo: Option<String>,
    /// Source descriptions that are APIs (OpenAPI or AsyncAPI), loaded or not.
    pub api_count: usize,
    /// Who provides the APIs (see [`Facts::of`]).
    pub providers: Vec<String>,
    /// Topics, for filtering (see [`Facts::of`]).
    pub tags: Vec<String>,
    /// The document's workflows, in order.
    pub workflows: Vec<WorkflowFacts>,
}

/// A workflow at a glance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkflowFacts {
    /// `workflowId`.
    pub id: String,
    /// `summary`.
    pub summary: Option<String>,
    /// The number of steps.
    pub steps: usize,
    /// What each step calls: its `operationId`, `operationPath` or `workflowId`.
    pub calls: Vec<String>,
    /// The names of its inputs.
    pub inputs: Vec<String>,
    /// The names of its outputs.
    pub outputs: Vec<String>,
}

impl Facts {
    /// The facts of a loaded document.
    ///
    /// Providers come from, in order: `x-provider` or `x-providerName` in the document's
    /// `info`; the catalog's folder layout (`<owner>__<provider>/arazzo/<file>`); each API's
    /// `info.x-providerName` (the APIs.guru convention); the registrable part of its first
    /// server's host. Tags are the document's `info.x-tags`, then the names of the APIs'
    /// top-level `tags`.
    ///
    /// ```no_run
    /// use telaio_model::{LoadOptions, Loader};
    /// let url = Loader::url_for_path("workflow.arazzo.yaml".as_ref()).unwrap();
    /// let bundle = Loader::new(LoadOptions::default()).load_bundle(&url).unwrap();
    /// let facts = telaio_docs::Facts::of(&bundle);
    /// println!("{}: {} workflows", facts.title, facts.workflows.len());
    /// ```
    pub fn of(bundle: &Bundle) -> Facts {
        Self::read(bundle, Graph::of(bundle).as_ref())
    }

    /// The facts of a loaded document whose graph is already built.
    pub(crate) fn read(bundle: &Bundle, graph: Option<&Graph<'_>>) -> Facts {
        let doc = &bundle.document.json;
        let info = doc.get("info").unwrap_or(&Value::Null);
        let declared_apis = list(doc, "sourceDescriptions")
            .iter()
            .filter(|s| text(s, "type") != Some("arazzo"))
            .count();
        Facts {
            title: text(info, "title")
                .map(one_line)
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| "Untitled Arazzo document".to_owned()),
            summary: text(info, "summary").map(|s| s.trim().to_owned()),
            version: scalar(info.get("version")),
            arazzo: scalar(doc.get("arazzo")),
            api_count: declared_apis,
            providers: providers(bundle),
            tags: tags(bundle),
            workflows: graph
                .iter()
                .flat_map(|g| &g.workflows)
                .map(workflow)
                .collect(),
        }
    }

    /// "2 workflows · 1 source API · 1 provider".
    pub fn counts(&self) -> String {
        format!(
            "{} · {} · {}",
            count(self.workflows.len(), "workflow"),
            count(self.api_count, "source API"),
            count(self.providers.len(), "provider")
        )
    }
}

fn workflow(w: &WorkflowNode<'_>) -> WorkflowFacts {
    let inputs = w
        .inputs()
        .and_then(|i| object(i, "properties"))
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    WorkflowFacts {
        id: w.id.unwrap_or("?").to_owned(),
        summary: w.workflow.summary.as_deref().map(one_line),
        steps: w.steps.len(),
        calls: w
            .steps
            .iter()
            .filter_map(|s| s.call.written())
            .map(str::to_owned)
            .collect(),
        inputs,
        outputs: w.outputs.iter().map(|o| o.name.to_owned()).collect(),
    }
}

/// A version as written: `1.0.0`, or `1` when YAML read a number.
fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn providers(bundle: &Bundle) -> Vec<String> {
    let doc = &bundle.document.json;
    let info = doc.get("info").unwrap_or(&Value::Null);
    let mut out: Vec<String> = Vec::new();
    let mut add = |name: String| {
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    };
    if let Some(p) = text(info, "x-provider").or_else(|| text(info, "x-providerName")) {
        add(p.to_owned());
        return out;
    }
    if let Some(p) = catalog_folder_provider(bundle) {
        add(p);
        return out;
    }
    for api in bundle.sources.iter().filter_map(|s| s.api()) {
        let d = &api.document;
        let info = d.get("info").unwrap_or(&Value::Null);
        let host = d
            .pointer("/servers/0/url")
            .and_then(Value::as_str)
            .map(|u| u.split_once("://").map_or(u, |(_, r)| r))
            .or_else(|| text(d, "host"))
            .and_then(|h| h.split(['/', ':']).next())
            // An address names a machine, not a provider (`127.0.0.1` is not "0.1").
            .filter(|h| h.parse::<std::net::Ipv4Addr>().is_err() && !h.starts_with('['))
            .map(|h| {
                let labels: Vec<&str> = h.split('.').collect();
                labels[labels.len().saturating_sub(2)..].join(".")
            })
            .filter(|h| h.contains('.') && !h.contains('{'));
        if let Some(name) = text(info, "x-providerName").map(str::to_owned).or(host) {
            add(name);
        }
    }
    out
}

/// `api-evangelist__amazon-rekognition/arazzo/x.yml` → `amazon-rekognition`.
fn catalog_folder_provider(bundle: &Bundle) -> Option<String> {
    let path = bundle.document.source.url.to_file_path().ok()?;
    let arazzo_dir = path.parent()?;
    if arazzo_dir.file_name()? != "arazzo" {
        return None;
    }
    let folder = arazzo_dir.parent()?.file_name()?.to_str()?;
    let (_, provider) = folder.rsplit_once("__")?;
    Some(provider.to_owned())
}

fn tags(bundle: &Bundle) -> Vec<String> {
    let doc = &bundle.document.json;
    let mut out: Vec<String> = Vec::new();
    let declared = doc
        .get("info")
        .map(|i| list(i, "x-tags"))
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str);
    let from_apis = bundle
        .sources
        .iter()
        .filter_map(|s| s.api())
        .flat_map(|api| list(&api.document, "tags"))
        .filter_map(|t| text(t, "name"));
    for tag in declared.chain(from_apis) {
        let tag = one_line(tag);
        if !tag.is_empty() && !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

//! The workflows a server runs: each planned once, when the server starts, with what a run
//! of it records (the document's identity, the plan's choices, how its sources were read).
//! Callers choose among them by id; they never bring a document, a server or a source of
//! their own.

use std::sync::Arc;

use serde_json::{Value, json};
use telaio_engine::{DocumentIdentity, Loading, Plan, PlanOptions};

/// One workflow a server runs.
#[derive(Debug)]
pub struct ServedWorkflow {
    /// Its `workflowId`.
    pub workflow_id: String,
    /// Its document, as people name it (the path it was given as).
    pub document: String,
    /// Its summary, when it has one.
    pub summary: Option<String>,
    /// Its description, when it has one.
    pub description: Option<String>,
    /// The plan its runs follow (compiled for this workflow and those it calls).
    pub plan: Arc<Plan>,
    /// The document it comes from, as a run's record names it.
    pub identity: DocumentIdentity,
    /// The choices the plan was made with (servers, the region, forced authentication).
    pub plan_options: PlanOptions,
    /// How the document's sources were read.
    pub loading: Loading,
    /// Whether its APIs are an in-process mock.
    pub mock: bool,
}

impl ServedWorkflow {
    /// Its inputs' JSON Schema, references inlined (`{}` when it declares none).
    pub fn inputs_schema(&self) -> Value {
        self.plan
            .workflow(&self.workflow_id)
            .and_then(|w| w.inputs_schema.clone())
            .unwrap_or_else(|| json!({"type": "object"}))
    }

    /// The workflow as `GET /workflows` lists it.
    pub(crate) fn listing(&self) -> Value {
        json!({
            "workflowId": self.workflow_id,
            "document": self.document,
            "summary": self.summary,
            "description": self.description,
            "inputs": self.inputs_schema(),
        })
    }
}

/// Why a caller's choice of workflow names none.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Choice {
    /// No served workflow has that id (in that document, when one was named).
    #[error("no workflow `{0}` is served here")]
    Unknown(String),
    /// Several documents have a workflow with that id.
    #[error("several documents have a workflow `{id}`; name one with \"document\": {}", .documents.join(", "))]
    Ambiguous {
        /// The id.
        id: String,
        /// The documents that have it.
        documents: Vec<String>,
    },
}

/// The workflows a server runs, and their documents' documentation pages.
#[derive(Debug, Default)]
pub struct Catalog {
    workflows: Vec<ServedWorkflow>,
    /// Each document's page (HTML), by the document's name.
    pages: Vec<(String, String)>,
}

impl Catalog {
    /// A catalog of these workflows.
    pub fn new(workflows: Vec<ServedWorkflow>) -> Catalog {
        Catalog {
            workflows,
            pages: Vec::new(),
        }
    }

    /// The catalog with a documentation page (self-contained HTML) for the document named
    /// `document` (as its workflows name it): the console links to it.
    #[must_use]
    pub fn with_page(mut self, document: String, html: String) -> Catalog {
        self.pages.push((document, html));
        self
    }

    /// The documentation page numbered `n`.
    pub(crate) fn page(&self, n: usize) -> Option<&str> {
        self.pages.get(n).map(|(_, html)| html.as_str())
    }

    /// The workflows as `GET /workflows` lists them, each with its document's page.
    pub(crate) fn listing(&self) -> Vec<Value> {
        self.workflows
            .iter()
            .map(|w| {
                let mut v = w.listing();
                if let Some(n) = self.pages.iter().position(|(d, _)| *d == w.document) {
                    v["page"] = json!(format!("/documents/{n}"));
                }
                v
            })
            .collect()
    }

    /// Every workflow, in the order they were given.
    pub fn workflows(&self) -> &[ServedWorkflow] {
        &self.workflows
    }

    /// The workflow `id` (of `document`, when given): its index.
    pub fn choose(&self, id: &str, document: Option<&str>) -> Result<usize, Choice> {
        let matching: Vec<usize> = (0..self.workflows.len())
            .filter(|&i| {
                let w = &self.workflows[i];
                w.workflow_id == id && document.is_none_or(|d| w.document == d)
            })
            .collect();
        match matching.as_slice() {
            [] => Err(Choice::Unknown(id.to_owned())),
            [one] => Ok(*one),
            many => Err(Choice::Ambiguous {
                id: id.to_owned(),
                documents: many
                    .iter()
                    .map(|&i| self.workflows[i].document.clone())
                    .collect(),
            }),
        }
    }

    /// The workflow a recorded run ran: the same id, from the same document.
    pub fn of_record(&self, header: &telaio_engine::JournalHeader) -> Option<usize> {
        self.workflows.iter().position(|w| {
            w.workflow_id == header.workflow_id && w.identity.url == header.document.url
        })
    }

    /// The workflow at `index`.
    pub fn get(&self, index: usize) -> &ServedWorkflow {
        &self.workflows[index]
    }
}

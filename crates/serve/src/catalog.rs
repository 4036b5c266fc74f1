//! The workflows a server runs: each planned once, when the server starts, with what a run
//! of it records (the document's identity, the plan's choices, how its sources were read).
//! Callers choose among them by id; they never bring a document, a server or a source of
//! their own.

use std::sync::Arc;

use serde_json::{Value, json};
use telaio_engine::{
    DocumentIdentity, DriverLimits, JOURNAL_FORMAT, JournalHeader, Loading, Plan, PlanOptions,
    RunOptions,
};

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

/// What a run's requests go to: the servers whoever started the server configured, or the
/// in-process mock of the document's APIs. A server offers the mock beside its servers only
/// when its operator allows it; a caller never names a server of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// The configured servers (the document's own, or those the operator set).
    Servers,
    /// The in-process mock of the document's APIs.
    Mock,
}

impl Target {
    fn of(mock: bool) -> Target {
        if mock { Target::Mock } else { Target::Servers }
    }

    /// Its name in the API (`servers`, `mock`).
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Servers => "servers",
            Target::Mock => "mock",
        }
    }
}

impl ServedWorkflow {
    /// Its inputs' JSON Schema, references inlined (`{}` when it declares none).
    pub fn inputs_schema(&self) -> Value {
        self.plan
            .workflow(&self.workflow_id)
            .and_then(|w| w.inputs_schema.clone())
            .unwrap_or_else(|| json!({"type": "object"}))
    }

    /// The first line of the record of a run of it, begun now: `run_id`, with `inputs`
    /// (after defaults, secrets already masked), `options`, and how it is driven. Every URL
    /// it holds has its credentials masked.
    pub fn header(
        &self,
        run_id: String,
        inputs: Value,
        options: RunOptions,
        show_sensitive: bool,
        driver: DriverLimits,
        origin: &str,
    ) -> JournalHeader {
        JournalHeader {
            format: JOURNAL_FORMAT.to_owned(),
            telaio: env!("CARGO_PKG_VERSION").to_owned(),
            run_id: Some(run_id),
            started_at_ms: crate::service::now_ms(),
            document: self.identity.clone(),
            workflow_id: self.workflow_id.clone(),
            inputs,
            options,
            plan: self.plan_options.clone(),
            show_sensitive,
            mock: self.mock,
            loading: self.loading.clone(),
            driver: Some(driver),
            origin: Some(origin.to_owned()),
        }
        .with_urls_masked()
    }

    /// What its runs' requests go to.
    pub fn target(&self) -> Target {
        Target::of(self.mock)
    }

    /// The workflow as `GET /workflows` lists it.
    pub(crate) fn listing(&self) -> Value {
        json!({
            "workflowId": self.workflow_id,
            "document": self.document,
            "summary": self.summary,
            "description": self.description,
            "inputs": self.inputs_schema(),
            "outputs": self.plan.outputs_schema(&self.workflow_id),
        })
    }

    fn same_workflow(&self, other: &ServedWorkflow) -> bool {
        self.workflow_id == other.workflow_id && self.document == other.document
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
    /// The workflow is served, but not against that target.
    #[error("`{id}` is not run against {} here; it is run against {}", .asked.as_str(), .offered.as_str())]
    NotOffered {
        /// The id.
        id: String,
        /// The target asked for.
        asked: Target,
        /// The target it is run against.
        offered: Target,
    },
}

/// The workflows a server runs, and their documents' documentation pages.
#[derive(Debug)]
pub struct Catalog {
    workflows: Vec<ServedWorkflow>,
    /// What a run goes to when it does not say.
    default_target: Target,
    /// Each document's page (HTML), by the document's name.
    pages: Vec<(String, String)>,
    /// What `GET /workflows` answers, made when first asked (the catalog no longer changes
    /// then): typing each workflow's outputs is done once, not per request.
    listed: std::sync::OnceLock<Value>,
}

impl Catalog {
    /// A catalog of these workflows.
    pub fn new(workflows: Vec<ServedWorkflow>) -> Catalog {
        Catalog {
            workflows,
            default_target: Target::Servers,
            pages: Vec::new(),
            listed: std::sync::OnceLock::new(),
        }
    }

    /// The catalog, where a run that does not say what its requests go to goes to `target`
    /// (the configured servers unless this says otherwise).
    #[must_use]
    pub fn with_default_target(mut self, target: Target) -> Catalog {
        self.default_target = target;
        self
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

    /// The workflows as `GET /workflows` lists them: each once, with the targets its runs
    /// may go to (the first is the one a run goes to unless it asks) and its document's page.
    pub(crate) fn listing(&self) -> &Value {
        self.listed.get_or_init(|| Value::Array(self.list()))
    }

    fn list(&self) -> Vec<Value> {
        let mut listed: Vec<(Value, &ServedWorkflow)> = Vec::new();
        for w in &self.workflows {
            if let Some((v, _)) = listed.iter_mut().find(|(_, seen)| seen.same_workflow(w)) {
                if let Some(targets) = v["targets"].as_array_mut() {
                    targets.push(json!(w.target().as_str()));
                }
                continue;
            }
            let mut v = w.listing();
            v["targets"] = json!([w.target().as_str()]);
            if let Some(n) = self.pages.iter().position(|(d, _)| *d == w.document) {
                v["page"] = json!(format!("/documents/{n}"));
            }
            listed.push((v, w));
        }
        listed.into_iter().map(|(v, _)| v).collect()
    }

    /// Every workflow, in the order they were given.
    pub fn workflows(&self) -> &[ServedWorkflow] {
        &self.workflows
    }

    /// The workflow `id` (of `document`, when given) run against `target` (when not given,
    /// the server's default: the configured servers, unless every run goes to the mock): its
    /// index.
    ///
    /// ```
    /// use telaio_serve::{Catalog, Choice};
    ///
    /// let catalog = Catalog::new(Vec::new());
    /// assert_eq!(catalog.choose("any", None, None), Err(Choice::Unknown("any".into())));
    /// ```
    pub fn choose(
        &self,
        id: &str,
        document: Option<&str>,
        target: Option<Target>,
    ) -> Result<usize, Choice> {
        let asked = target.unwrap_or(self.default_target);
        let named = || {
            (0..self.workflows.len()).filter(|&i| {
                let w = &self.workflows[i];
                w.workflow_id == id && document.is_none_or(|d| w.document == d)
            })
        };
        let offered: Vec<usize> = named()
            .filter(|&i| self.workflows[i].target() == asked)
            .collect();
        match offered.as_slice() {
            [] => match named().next() {
                None => Err(Choice::Unknown(id.to_owned())),
                Some(other) => Err(Choice::NotOffered {
                    id: id.to_owned(),
                    asked,
                    offered: self.workflows[other].target(),
                }),
            },
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

    /// The number of workflows served, each counted once however many targets it has.
    pub fn len(&self) -> usize {
        let w = &self.workflows;
        (0..w.len())
            .filter(|&i| !w[..i].iter().any(|seen| seen.same_workflow(&w[i])))
            .count()
    }

    /// Whether no workflow is served.
    pub fn is_empty(&self) -> bool {
        self.workflows.is_empty()
    }

    /// The workflow a recorded run ran: the same id, from the same document, against the
    /// same target.
    pub fn of_record(&self, header: &telaio_engine::JournalHeader) -> Option<usize> {
        self.workflows.iter().position(|w| {
            w.workflow_id == header.workflow_id
                && w.identity.url == header.document.url
                && w.mock == header.mock
        })
    }

    /// The workflow whose plan reads a recorded run's journal back: the one it ran, else the
    /// same workflow against the other target (a replay sends nothing).
    pub(crate) fn to_replay(&self, header: &telaio_engine::JournalHeader) -> Option<usize> {
        self.of_record(header).or_else(|| {
            self.workflows.iter().position(|w| {
                w.workflow_id == header.workflow_id && w.identity.url == header.document.url
            })
        })
    }

    /// The workflow at `index`.
    pub fn get(&self, index: usize) -> &ServedWorkflow {
        &self.workflows[index]
    }
}

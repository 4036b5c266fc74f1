//! Workflow references, within a document and across documents (`arazzo` sources): each
//! reference becomes the plan id of the workflow it names, and each workflow of another
//! document that the run can reach is queued for planning. Only reachable workflows of other
//! documents are planned, so a problem in a workflow nobody calls stops nothing.
//!
//! Plan ids keep workflows of different documents apart: a workflow of the run's document
//! keeps its `workflowId`; one of a document reached through the source `other` is
//! `other.<workflowId>` (through `other` then `deeper`: `other.deeper.<workflowId>`), which is
//! also what progress and results show.

use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

use serde_json::Value;
use telaio_graph::{Graph, WorkflowRef};
use telaio_model::{Bundle, LoadedSource, MAX_LINKED_DOCUMENTS, WorkflowLookup};

use super::DocumentPlan;

/// One document whose workflows the plan may hold.
struct Linked<'b> {
    bundle: &'b Bundle,
    /// Its graph, read once.
    graph: Rc<Graph<'b>>,
    /// Prepended to its workflow ids.
    prefix: String,
}

/// Resolves workflow references and collects the workflows they reach.
pub(super) struct Linker<'b> {
    root: &'b Bundle,
    documents: RefCell<Vec<Linked<'b>>>,
    /// Workflows to plan: (document, workflowId).
    wanted: RefCell<VecDeque<(usize, String)>>,
    /// Plan ids already planned or queued.
    known: RefCell<HashSet<String>>,
}

impl<'b> Linker<'b> {
    /// A linker for a run of `root`. With `all_own`, every workflow of `root` is planned
    /// anyway; without, only those references reach are queued, its own too.
    pub fn new(root: &'b Bundle, graph: Graph<'b>, all_own: bool) -> Self {
        let known = if all_own {
            root.document
                .model
                .iter()
                .flat_map(|m| &m.workflows)
                .filter_map(|w| w.workflow_id.clone())
                .collect()
        } else {
            HashSet::new()
        };
        Linker {
            root,
            documents: RefCell::new(vec![Linked {
                bundle: root,
                graph: Rc::new(graph),
                prefix: String::new(),
            }]),
            wanted: RefCell::new(VecDeque::new()),
            known: RefCell::new(known),
        }
    }

    /// The bundle of a document.
    pub fn bundle(&self, document: usize) -> &'b Bundle {
        self.documents.borrow()[document].bundle
    }

    /// The graph of a document.
    pub fn graph(&self, document: usize) -> Rc<Graph<'b>> {
        self.documents.borrow()[document].graph.clone()
    }

    /// The plan id of a workflow of a document.
    pub fn plan_id(&self, document: usize, workflow_id: &str) -> String {
        format!("{}{workflow_id}", self.documents.borrow()[document].prefix)
    }

    /// The next workflow of another document that a reference reached.
    pub fn next_wanted(&self) -> Option<(usize, String)> {
        self.wanted.borrow_mut().pop_front()
    }

    /// The plan id of the workflow a reference (a `workflowId` of a step, an action or
    /// `dependsOn`) in `document` names, queueing it for planning.
    pub fn resolve(&self, document: usize, reference: &WorkflowRef<'_>) -> Result<String, String> {
        self.link(document, reference.written, reference.lookup.clone())
    }

    /// The plan id of the workflow a `workflowId` written outside the document (the one a run
    /// asks for) names, queueing it for planning.
    pub fn resolve_written(&self, document: usize, written: &str) -> Result<String, String> {
        self.link(
            document,
            written,
            self.bundle(document).find_workflow(written),
        )
    }

    fn link(
        &self,
        document: usize,
        written: &str,
        lookup: WorkflowLookup<'_>,
    ) -> Result<String, String> {
        let (target, id) = match lookup {
            WorkflowLookup::Local(w) => (document, w.workflow_id.clone().unwrap_or_default()),
            WorkflowLookup::External { source, workflow } => (
                self.document_of(document, source)?,
                workflow.workflow_id.clone().unwrap_or_default(),
            ),
            WorkflowLookup::UnknownSource { name } => {
                return Err(format!(
                    "`{written}`: there is no source description `{name}`"
                ));
            }
            WorkflowLookup::NotArazzo(source) => {
                return Err(format!(
                    "`{written}`: source `{}` is an API description, which has no workflows",
                    source.name
                ));
            }
            WorkflowLookup::Unloaded(source) => {
                return Err(format!(
                    "`{written}`: source `{}` did not load{}",
                    source.name,
                    source
                        .content
                        .as_ref()
                        .err()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                ));
            }
            WorkflowLookup::NotFound => return Err(format!("there is no workflow `{written}`")),
        };
        let key = self.plan_id(target, &id);
        if self.known.borrow_mut().insert(key.clone()) {
            self.wanted.borrow_mut().push_back((target, id));
        }
        Ok(key)
    }

    /// The index of the document an `arazzo` source of `from` names, added when new.
    fn document_of(&self, from: usize, source: &LoadedSource) -> Result<usize, String> {
        let Some(document) = source.arazzo() else {
            return Err(format!(
                "source `{}` is not a loaded Arazzo document",
                source.name
            ));
        };
        let url = &document.source.url;
        let mut documents = self.documents.borrow_mut();
        if let Some(i) = documents
            .iter()
            .position(|d| d.bundle.document.source.url == *url)
        {
            return Ok(i);
        }
        let bundle = self.root.linked_bundle(url).ok_or_else(|| {
            format!(
                "source `{}` is one Arazzo document too many: a run links at most {MAX_LINKED_DOCUMENTS}",
                source.name
            )
        })?;
        let prefix = format!("{}{}.", documents[from].prefix, source.name);
        let graph = Graph::of(bundle)
            .ok_or_else(|| format!("source `{}` is not a loaded Arazzo document", source.name))?;
        documents.push(Linked {
            bundle,
            graph: Rc::new(graph),
            prefix,
        });
        Ok(documents.len() - 1)
    }

    /// What expressions in each document's workflows see of it, by document index.
    pub fn into_documents(self) -> Vec<DocumentPlan> {
        self.documents
            .into_inner()
            .into_iter()
            .map(|d| document_plan(d.bundle, d.prefix))
            .collect()
    }
}

/// `$sourceDescriptions`, `$components` and `$self` of a document.
fn document_plan(bundle: &Bundle, prefix: String) -> DocumentPlan {
    let json = &bundle.document.json;
    let sources = json
        .get("sourceDescriptions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| Some((s.get("name")?.as_str()?.to_owned(), s.clone())))
        .collect();
    DocumentPlan {
        prefix,
        sources,
        components: json.get("components").cloned().unwrap_or(Value::Null),
        self_uri: bundle
            .document
            .model
            .as_ref()
            .ok()
            .and_then(|m| m.self_uri.clone()),
    }
}

/// What planning a workflow needs from its document.
pub(super) struct Context<'l, 'b> {
    /// Resolves workflow references.
    pub linker: &'l Linker<'b>,
    /// The document's index.
    pub document: usize,
    /// The document's bundle.
    pub bundle: &'b Bundle,
}

impl Context<'_, '_> {
    /// Where a place in the document is: its file, line and column.
    pub fn spot(&self, place: &telaio_graph::Place) -> Option<crate::SourceSpot> {
        let document = &self.bundle.document;
        let located = document.root.locate(place.pointer());
        if !located.exact {
            return None;
        }
        let (line, column) = (located.span.start.line, located.span.start.column);
        // A line of a one-line JSON document can be megabytes: an excerpt around the column.
        let excerpt = document.source.excerpt(line, column, 160)?;
        Some(crate::SourceSpot {
            file: document.source.name.clone(),
            line,
            column,
            text: excerpt.text.trim_end().to_owned(),
            caret: excerpt.caret,
        })
    }

    /// The plan id of the workflow a reference names (see [`Linker::resolve`]).
    pub fn workflow(&self, reference: &WorkflowRef<'_>) -> Result<String, String> {
        self.linker.resolve(self.document, reference)
    }
}

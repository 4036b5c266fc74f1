//! # telaio-graph: one reading of an Arazzo document
//!
//! A loaded document as the specification means it, built once: its workflows; their steps;
//! for each step what it calls (the operation looked up in its source descriptions, or the
//! workflow), the parameters that apply (the workflow's merged under the step's, reusable ones
//! inlined), its success criteria, and the actions that apply (the step's own, then the
//! workflow's it does not override by name, components inlined), with targets as typed
//! references: a step's index or a workflow lookup. Every node keeps its [`Place`] in the
//! document, so whoever reads it can point at `file:line:col`.
//!
//! The linter's flow rules, the planner and the docs all read this graph, so they cannot
//! disagree about what a document means. It borrows from the loaded [`Bundle`]; it does not
//! judge a document (that is `telaio-lint`), compile expressions (`telaio-plan`) or render
//! (`telaio-docs`), and what it cannot resolve it keeps, with a [`Problem`] saying why.
//!
//! ```
//! use telaio_graph::{Action, Graph, Target};
//! use telaio_model::{ArazzoDocument, Bundle, LoadOptions};
//!
//! let text = r#"
//! arazzo: 1.0.1
//! info: {title: Polling, version: 1.0.0}
//! sourceDescriptions: [{name: api, url: ./api.yaml}]
//! workflows:
//!   - workflowId: poll
//!     failureActions: [{name: give-up, type: end}]
//!     steps:
//!       - stepId: check
//!         operationId: getStatus
//!         onSuccess:
//!           - name: again
//!             type: goto
//!             stepId: check
//!             criteria: [{condition: $response.body#/status == 'RUNNING'}]
//! "#;
//! let url = url::Url::parse("file:///work/poll.arazzo.yaml").unwrap();
//! let document = ArazzoDocument::from_text(url, text.into(), &LoadOptions::default()).unwrap();
//! let bundle = Bundle::without_sources(document);
//! let graph = Graph::of(&bundle).unwrap();
//! let check = &graph.workflows[0].steps[0];
//! // The polling loop is a typed edge back to the step itself, with its criterion's line.
//! assert!(matches!(check.on_success[0].kind, Action::Goto(Target::Step(0))));
//! let at = graph.span(&check.on_success[0].criteria[0].condition_place()).unwrap();
//! assert_eq!(at.start.line, 15);
//! // The workflow's failure action applies to the step.
//! assert_eq!(check.on_failure[0].name, Some("give-up"));
//! assert!(check.on_failure[0].from_workflow);
//! ```
#![deny(missing_docs)]

mod action;
mod build;
mod inputs;
mod parameter;
mod place;
mod problem;
mod step;
mod workflow;

pub use action::{Action, ActionNode, Target};
pub use parameter::{ParamNode, ParamValue};
pub use place::{Member, Place};
pub use problem::{Problem, ProblemKind};
pub use step::{Call, CriterionNode, Output, StepNode};
pub use workflow::{WorkflowNode, WorkflowRef};

use telaio_model::{Arazzo, ArazzoDocument, Bundle, Span};

/// A document's workflows, resolved.
#[derive(Clone, Debug)]
pub struct Graph<'b> {
    bundle: &'b Bundle,
    model: &'b Arazzo,
    /// Its workflows, in document order.
    pub workflows: Vec<WorkflowNode<'b>>,
}

impl<'b> Graph<'b> {
    /// The graph of a loaded document, or `None` when it could not be read as Arazzo at all
    /// (the loader's or the schema's findings say why).
    pub fn of(bundle: &'b Bundle) -> Option<Graph<'b>> {
        let model = bundle.document.model.as_ref().ok()?;
        let workflows = model
            .workflows
            .iter()
            .enumerate()
            .map(|(i, w)| build::workflow(bundle, model, i, w))
            .collect();
        Some(Graph {
            bundle,
            model,
            workflows,
        })
    }

    /// The bundle it was built from.
    pub fn bundle(&self) -> &'b Bundle {
        self.bundle
    }

    /// The document.
    pub fn document(&self) -> &'b ArazzoDocument {
        &self.bundle.document
    }

    /// The typed document, for what the graph does not interpret (`info`, source
    /// descriptions, components as written).
    pub fn model(&self) -> &'b Arazzo {
        self.model
    }

    /// The workflow with this `workflowId` (the first, when several share it).
    pub fn workflow(&self, id: &str) -> Option<&WorkflowNode<'b>> {
        self.workflows.iter().find(|w| w.id == Some(id))
    }

    /// Where a place is in the document's text, when the document has it.
    pub fn span(&self, place: &Place) -> Option<Span> {
        let located = self.bundle.document.root.locate(place.pointer());
        located.exact.then_some(located.span)
    }
}

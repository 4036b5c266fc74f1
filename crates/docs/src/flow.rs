//! A workflow as a graph: its steps, what follows each one, and why. Success actions
//! (`goto`, `end`), the fall-through to the next step when no action applies, failure actions
//! (`retry`, `goto`, `end`), and calls of other workflows (a step's `workflowId`). A `goto`
//! back to the same step is a loop edge: the seed's polling shows as one. Read from the
//! document's graph (`telaio-graph`), so the picture is the run's reading of the document.

use telaio_graph::{Action, ActionNode, Call, Target, WorkflowNode};

/// One node of a workflow's graph.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    /// A step, by its index and id.
    Step(usize, String),
    /// The workflow ends successfully.
    Succeeded,
    /// The workflow ends in failure.
    Failed,
    /// Another workflow the run goes to.
    Workflow(String),
}

/// Why an edge is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// The next step, or the end, when the step succeeds and no success action applies.
    Next,
    /// A success action.
    OnSuccess,
    /// A failure action.
    OnFailure,
    /// A `retry` failure action: back to the same step, or to the step or workflow it runs
    /// first (then back).
    Retry,
    /// A step that runs another workflow, to that workflow (the step goes on when it ends).
    Call,
}

/// An edge of the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// From this node.
    pub from: Node,
    /// To this node.
    pub to: Node,
    /// Why.
    pub kind: EdgeKind,
    /// The action's criteria (or name), for the label.
    pub label: String,
}

/// A workflow's graph.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flow {
    /// Its steps.
    pub steps: Vec<Node>,
    /// What follows what.
    pub edges: Vec<Edge>,
}

impl Flow {
    /// The graph of a workflow.
    ///
    /// ```
    /// use telaio_model::{ArazzoDocument, Bundle, LoadOptions};
    /// let text = r#"{"arazzo": "1.0.1", "info": {"title": "t", "version": "1"},
    ///   "sourceDescriptions": [], "workflows": [{"workflowId": "w", "steps": [
    ///     {"stepId": "poll", "operationId": "get", "onSuccess": [{"name": "again", "type": "goto",
    ///       "stepId": "poll", "criteria": [{"condition": "$statusCode == 202"}]}]}]}]}"#;
    /// let url = telaio_model::Url::parse("file:///w.arazzo.json").unwrap();
    /// let document = ArazzoDocument::from_text(url, text.into(), &LoadOptions::default()).unwrap();
    /// let bundle = Bundle::without_sources(document);
    /// let graph = telaio_graph::Graph::of(&bundle).unwrap();
    /// let flow = telaio_docs::Flow::of(&graph.workflows[0]);
    /// assert!(flow.edges.iter().any(|e| e.from == e.to), "the polling loop");
    /// ```
    pub fn of(w: &WorkflowNode<'_>) -> Flow {
        let node = |i: usize| Node::Step(i, w.steps[i].id.unwrap_or("?").to_owned());
        let to = |t: &Target<'_>| match t {
            Target::Step(i) => node(*i),
            // A run stops there: the planner refuses it, the linter reports it.
            Target::UnknownStep(_) => Node::Failed,
            Target::Workflow(r) => Node::Workflow(r.written.to_owned()),
        };
        let mut flow = Flow {
            steps: (0..w.steps.len()).map(node).collect(),
            edges: Vec::new(),
        };
        for (i, step) in w.steps.iter().enumerate() {
            let from = node(i);
            if let Call::Workflow(r) = &step.call {
                flow.edges.push(Edge {
                    from: from.clone(),
                    to: Node::Workflow(r.written.to_owned()),
                    kind: EdgeKind::Call,
                    label: "calls".to_owned(),
                });
            }
            let next = if i + 1 < w.steps.len() {
                node(i + 1)
            } else {
                Node::Succeeded
            };
            let mut always = false;
            for action in &step.on_success {
                let label = criteria_label(action);
                let target = match &action.kind {
                    Action::End => Node::Succeeded,
                    Action::Goto(t) => to(t),
                    _ => continue,
                };
                always |= label.is_empty();
                flow.edges.push(Edge {
                    from: from.clone(),
                    to: target,
                    kind: EdgeKind::OnSuccess,
                    label,
                });
            }
            // Without an action for every case, success falls through to the next step.
            if !always {
                flow.edges.push(Edge {
                    from: from.clone(),
                    to: next,
                    kind: EdgeKind::Next,
                    label: if step.on_success.is_empty() {
                        String::new()
                    } else {
                        "otherwise".to_owned()
                    },
                });
            }
            for action in &step.on_failure {
                let label = criteria_label(action);
                let (target, kind, label) = match &action.kind {
                    Action::Retry { limit, first, .. } => {
                        let label = if label.is_empty() {
                            format!("retry ×{limit}")
                        } else {
                            format!("retry ×{limit}: {label}")
                        };
                        // A retry with a target runs it first and then retries: the edge goes
                        // to what it runs, not round to the step itself.
                        match first {
                            Some(Target::Step(i)) => (
                                node(*i),
                                EdgeKind::Retry,
                                format!("{label}, after `{}`", w.steps[*i].id.unwrap_or("?")),
                            ),
                            Some(Target::UnknownStep(s)) => (
                                Node::Failed,
                                EdgeKind::Retry,
                                format!("{label}, after `{s}`"),
                            ),
                            Some(Target::Workflow(r)) => (
                                Node::Workflow(r.written.to_owned()),
                                EdgeKind::Retry,
                                format!("{label}, after workflow `{}`", r.written),
                            ),
                            None => (from.clone(), EdgeKind::Retry, label),
                        }
                    }
                    Action::End => (Node::Failed, EdgeKind::OnFailure, label),
                    Action::Goto(t) => (to(t), EdgeKind::OnFailure, label),
                    Action::Invalid(_) => continue,
                };
                flow.edges.push(Edge {
                    from: from.clone(),
                    to: target,
                    kind,
                    label,
                });
            }
        }
        flow
    }
}

/// The conditions of an action's criteria, joined (empty when it has none: it always applies).
fn criteria_label(action: &ActionNode<'_>) -> String {
    action
        .criteria
        .iter()
        .filter_map(|c| c.criterion.condition.as_deref())
        .collect::<Vec<_>>()
        .join(" and ")
}

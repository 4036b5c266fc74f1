//! A workflow as a graph: its steps, what follows each one, and why. Success actions
//! (`goto`, `end`), the fall-through to the next step when no action applies, failure actions
//! (`retry`, `goto`, `end`), and calls of other workflows (a step's `workflowId`). A `goto` back to the same step is a
//! loop edge: the seed's polling shows as one.

use serde_json::Value;

use crate::page::{list, step_actions, text};

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
    /// The graph of `workflow` (its JSON), with `doc` for `components` references.
    ///
    /// ```
    /// use serde_json::json;
    /// let workflow = json!({"steps": [{"stepId": "poll", "onSuccess": [
    ///     {"name": "again", "type": "goto", "stepId": "poll", "criteria": [{"condition": "$statusCode == 202"}]}]}]});
    /// let flow = telaio_docs::Flow::of(&json!({}), &workflow);
    /// assert!(flow.edges.iter().any(|e| e.from == e.to), "the polling loop");
    /// ```
    pub fn of(doc: &Value, workflow: &Value) -> Flow {
        let steps = list(workflow, "steps");
        let ids: Vec<&str> = steps
            .iter()
            .map(|s| text(s, "stepId").unwrap_or("?"))
            .collect();
        let node = |i: usize| Node::Step(i, ids[i].to_owned());
        let by_id = |id: &str| ids.iter().position(|s| *s == id).map(node);
        let mut flow = Flow {
            steps: (0..steps.len()).map(node).collect(),
            edges: Vec::new(),
        };
        for (i, step) in steps.iter().enumerate() {
            let from = node(i);
            if let Some(w) = text(step, "workflowId") {
                flow.edges.push(Edge {
                    from: from.clone(),
                    to: Node::Workflow(w.to_owned()),
                    kind: EdgeKind::Call,
                    label: "calls".to_owned(),
                });
            }
            let next = if i + 1 < steps.len() {
                node(i + 1)
            } else {
                Node::Succeeded
            };
            let successes: Vec<&Value> = step_actions(doc, workflow, step, "onSuccess")
                .into_iter()
                .map(|(a, _)| a)
                .collect();
            let mut always = false;
            for action in &successes {
                let label = criteria_label(action);
                always |= label.is_empty();
                let to = match text(action, "type") {
                    Some("end") => Node::Succeeded,
                    _ => match (text(action, "stepId"), text(action, "workflowId")) {
                        (Some(s), _) => by_id(s).unwrap_or(Node::Failed),
                        (None, Some(w)) => Node::Workflow(w.to_owned()),
                        _ => continue,
                    },
                };
                flow.edges.push(Edge {
                    from: from.clone(),
                    to,
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
                    label: if successes.is_empty() {
                        String::new()
                    } else {
                        "otherwise".to_owned()
                    },
                });
            }
            for (action, _) in step_actions(doc, workflow, step, "onFailure") {
                let label = criteria_label(action);
                let (to, kind, label) = match text(action, "type") {
                    Some("retry") => {
                        let limit = action
                            .get("retryLimit")
                            .and_then(Value::as_u64)
                            .unwrap_or(1);
                        let label = if label.is_empty() {
                            format!("retry ×{limit}")
                        } else {
                            format!("retry ×{limit}: {label}")
                        };
                        // A retry with a target runs it first and then retries: the edge goes
                        // to what it runs, not round to the step itself.
                        match (text(action, "stepId"), text(action, "workflowId")) {
                            (Some(s), _) => (
                                by_id(s).unwrap_or(Node::Failed),
                                EdgeKind::Retry,
                                format!("{label}, after `{s}`"),
                            ),
                            (None, Some(w)) => (
                                Node::Workflow(w.to_owned()),
                                EdgeKind::Retry,
                                format!("{label}, after workflow `{w}`"),
                            ),
                            (None, None) => (from.clone(), EdgeKind::Retry, label),
                        }
                    }
                    Some("end") => (Node::Failed, EdgeKind::OnFailure, label),
                    _ => match (text(action, "stepId"), text(action, "workflowId")) {
                        (Some(s), _) => {
                            (by_id(s).unwrap_or(Node::Failed), EdgeKind::OnFailure, label)
                        }
                        (None, Some(w)) => {
                            (Node::Workflow(w.to_owned()), EdgeKind::OnFailure, label)
                        }
                        _ => continue,
                    },
                };
                flow.edges.push(Edge {
                    from: from.clone(),
                    to,
                    kind,
                    label,
                });
            }
        }
        flow
    }
}

/// The conditions of an action's criteria, joined (empty when it has none: it always applies).
fn criteria_label(action: &Value) -> String {
    list(action, "criteria")
        .iter()
        .filter_map(|c| text(c, "condition"))
        .collect::<Vec<_>>()
        .join(" and ")
}

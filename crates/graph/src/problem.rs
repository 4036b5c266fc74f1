//! What keeps a part of a document from meaning anything runnable: a reference to a component
//! that is not there, an action without a usable `type` or target. The graph keeps such parts
//! (the docs still show them) and says what is wrong; the planner refuses to run them and the
//! linter has its own rules for them.

use std::fmt;

use telaio_model::ActionKind;

use crate::Place;

/// Something wrong with a node, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem<'b> {
    /// Where it is written.
    pub place: Place,
    /// What is wrong.
    pub kind: ProblemKind<'b>,
}

/// What is wrong with a node.
#[derive(Clone, Debug, PartialEq)]
pub enum ProblemKind<'b> {
    /// A `reference` to `components.parameters` that names nothing there.
    UnknownParameterComponent {
        /// The reference as written.
        reference: &'b str,
    },
    /// A `reference` to `components.successActions` or `failureActions` that names nothing
    /// there.
    UnknownActionComponent {
        /// The reference as written.
        reference: &'b str,
    },
    /// An action whose `type` is missing or not one its list allows.
    ActionType {
        /// The action's name.
        action: Option<&'b str>,
        /// The type as written.
        kind: Option<&'b ActionKind>,
        /// Whether it is a failure action (which may also be `retry`).
        on_failure: bool,
    },
    /// A `goto` with neither `stepId` nor `workflowId`.
    GoesNowhere {
        /// The action's name.
        action: Option<&'b str>,
    },
    /// A `stepId` that names no step of the workflow.
    UnknownStep {
        /// The id as written.
        step_id: &'b str,
    },
}

impl fmt::Display for ProblemKind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::UnknownParameterComponent { reference } => {
                write!(f, "`{reference}` names no parameter component")
            }
            ProblemKind::UnknownActionComponent { reference } => {
                write!(f, "`{reference}` names no component")
            }
            ProblemKind::ActionType {
                action,
                kind,
                on_failure,
            } => {
                let allowed = if *on_failure {
                    "end, goto or retry"
                } else {
                    "end or goto"
                };
                let action = Named(*action);
                match kind {
                    None => write!(f, "{action} has no `type`; it must be {allowed}"),
                    Some(ActionKind::Other(t)) => {
                        write!(f, "{action} has type `{t}`; it must be {allowed}")
                    }
                    Some(ActionKind::Retry) => {
                        write!(
                            f,
                            "{action} is a `retry`, which only failure actions can be"
                        )
                    }
                    Some(_) => write!(f, "{action} must be {allowed}"),
                }
            }
            ProblemKind::GoesNowhere { action } => {
                write!(f, "action `{}` goes nowhere", action.unwrap_or_default())
            }
            ProblemKind::UnknownStep { step_id } => write!(f, "no step `{step_id}` to go to"),
        }
    }
}

/// "action `x`", or, for a component that is only a `$ref` and has no name, so.
struct Named<'b>(Option<&'b str>);

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(name) if !name.is_empty() => write!(f, "action `{name}`"),
            _ => f.write_str("an action with no `name`"),
        }
    }
}

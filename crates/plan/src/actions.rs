//! Success and failure actions lowered for the run: the graph has merged them and typed their
//! targets; here criteria are compiled and workflow targets become plan ids.

use super::Context;
use telaio_expr::{CompiledCriterion, CriterionKind};
use telaio_graph::{Action, ActionNode, CriterionNode, Target};
use telaio_model::CriterionType;

/// What an action does.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionKindPlan {
    /// End the workflow (success after onSuccess, failure after onFailure).
    End,
    /// Go to a step of the same workflow (by index).
    GotoStep(usize),
    /// Run another workflow, whose outcome becomes this workflow's.
    /// (The workflow's plan id: see [`super::WorkflowPlan::id`].)
    GotoWorkflow(String),
    /// Retry the step after `after` seconds (a `Retry-After` header overrules it), at most
    /// `limit` times.
    Retry {
        /// Seconds to wait.
        after: Option<f64>,
        /// Retries allowed.
        limit: u64,
        /// A step or workflow to run first ("the reference is executed and the context is
        /// returned, after which the current step is retried").
        first: Option<RetryFirst>,
    },
}

/// What a retry runs before retrying.
#[derive(Clone, Debug, PartialEq)]
pub enum RetryFirst {
    /// One step of the same workflow (by index): it runs once, its own actions are not
    /// followed, and control comes back.
    Step(usize),
    /// A workflow, called like a workflow step, whose end hands control back.
    Workflow(String),
}

/// An action, ready to be matched.
#[derive(Debug)]
pub struct ActionPlan {
    /// The action's name (empty when it has none).
    pub name: String,
    /// What it does.
    pub kind: ActionKindPlan,
    /// When it applies; all must hold.
    pub criteria: Vec<CompiledCriterion>,
    /// Inputs for the workflow a `goto` goes to (1.1).
    pub parameters: Vec<super::ParamPlan>,
}

/// Compiles criteria (used for success criteria and action criteria).
pub fn criteria(list: &[CriterionNode<'_>]) -> Result<Vec<CompiledCriterion>, String> {
    list.iter()
        .map(|c| {
            let kind = match c.criterion.kind() {
                CriterionType::Simple => CriterionKind::Simple,
                CriterionType::Regex => CriterionKind::Regex,
                CriterionType::JsonPath(Some(v)) if v == "draft-goessner-dispatch-jsonpath-00" => {
                    CriterionKind::JsonPathGoessner
                }
                CriterionType::JsonPath(_) => CriterionKind::JsonPath,
                CriterionType::XPath(_) => CriterionKind::XPath,
                other => return Err(format!("unknown criterion type `{}`", other.name())),
            };
            let condition = c.condition();
            CompiledCriterion::compile(condition, kind, c.criterion.context.as_deref())
                .map_err(|e| format!("condition `{condition}`: {}", e.message))
        })
        .collect()
}

/// The actions that apply to a step, lowered. Their problems (a component that is not there,
/// a `type` that cannot run, an unknown step) are the step's, reported with it; an action
/// with one is left out here.
pub fn lower(list: &[ActionNode<'_>], cx: &Context<'_, '_>) -> Result<Vec<ActionPlan>, String> {
    let mut out = Vec::with_capacity(list.len());
    for a in list.iter().filter(|a| a.problems.is_empty()) {
        let kind = match &a.kind {
            Action::End => ActionKindPlan::End,
            Action::Goto(Target::Step(i)) => ActionKindPlan::GotoStep(*i),
            Action::Goto(Target::Workflow(w)) => ActionKindPlan::GotoWorkflow(cx.workflow(w)?),
            Action::Retry {
                after,
                limit,
                first,
            } => ActionKindPlan::Retry {
                after: *after,
                limit: *limit,
                first: match first {
                    Some(Target::Step(i)) => Some(RetryFirst::Step(*i)),
                    Some(Target::Workflow(w)) => Some(RetryFirst::Workflow(cx.workflow(w)?)),
                    _ => None,
                },
            },
            // Reported among the step's problems.
            Action::Goto(Target::UnknownStep(_)) | Action::Invalid(_) => continue,
        };
        out.push(ActionPlan {
            name: a.name.unwrap_or_default().to_owned(),
            kind,
            criteria: criteria(&a.criteria)?,
            parameters: a
                .parameters
                .iter()
                .map(super::parameters::lower)
                .collect::<Result<_, _>>()?,
        });
    }
    Ok(out)
}

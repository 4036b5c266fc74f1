//! Success and failure actions, resolved: components looked up, workflow-level actions merged
//! in, criteria compiled.

use super::Context;
use telaio_expr::{CompiledCriterion, CriterionKind};
use telaio_model::{
    ActionKind, Criterion, CriterionType, FailureAction, OnFailure, OnSuccess, ParameterOrReusable,
    SuccessAction, Workflow,
};

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
    /// The action's name.
    pub name: String,
    /// What it does.
    pub kind: ActionKindPlan,
    /// When it applies; all must hold.
    pub criteria: Vec<CompiledCriterion>,
    /// Inputs for the workflow a `goto` goes to (1.1).
    pub parameters: Vec<super::ParamPlan>,
}

/// Inputs an action passes to the workflow it goes to.
fn inputs(
    list: &[ParameterOrReusable],
    cx: &Context<'_, '_>,
) -> Result<Vec<super::ParamPlan>, String> {
    list.iter()
        .map(|p| super::parameters::param_plan(p, cx.components))
        .collect()
}

/// Compiles criteria (used for success criteria and action criteria).
pub fn criteria(list: &[Criterion]) -> Result<Vec<CompiledCriterion>, String> {
    list.iter()
        .map(|c| {
            let kind = match c.kind() {
                CriterionType::Simple => CriterionKind::Simple,
                CriterionType::Regex => CriterionKind::Regex,
                CriterionType::JsonPath(Some(v)) if v == "draft-goessner-dispatch-jsonpath-00" => {
                    CriterionKind::JsonPathGoessner
                }
                CriterionType::JsonPath(_) => CriterionKind::JsonPath,
                CriterionType::XPath(_) => CriterionKind::XPath,
                other => return Err(format!("unknown criterion type `{}`", other.name())),
            };
            let condition = c.condition.as_deref().unwrap_or_default();
            CompiledCriterion::compile(condition, kind, c.context.as_deref())
                .map_err(|e| format!("condition `{condition}`: {}", e.message))
        })
        .collect()
}

fn target(
    workflow: &Workflow,
    cx: &Context<'_, '_>,
    step_id: Option<&str>,
    workflow_id: Option<&str>,
) -> Result<Option<ActionKindPlan>, String> {
    if let Some(s) = step_id {
        let i = workflow
            .step_index(s)
            .ok_or_else(|| format!("no step `{s}` to go to"))?;
        return Ok(Some(ActionKindPlan::GotoStep(i)));
    }
    workflow_id
        .map(|w| cx.workflow(w).map(ActionKindPlan::GotoWorkflow))
        .transpose()
}

fn success_action(
    w: &Workflow,
    a: &SuccessAction,
    cx: &Context<'_, '_>,
) -> Result<ActionPlan, String> {
    let name = a.name.clone().unwrap_or_default();
    let kind = match &a.kind {
        Some(ActionKind::End) => ActionKindPlan::End,
        Some(ActionKind::Goto) => {
            goto(w, cx, &name, a.step_id.as_deref(), a.workflow_id.as_deref())?
        }
        other => return Err(bad_kind(&name, other.as_ref(), "end or goto")),
    };
    lowered(name, kind, &a.criteria, &a.parameters, cx)
}

fn failure_action(
    w: &Workflow,
    a: &FailureAction,
    cx: &Context<'_, '_>,
) -> Result<ActionPlan, String> {
    let name = a.name.clone().unwrap_or_default();
    let (step_id, workflow_id) = (a.step_id.as_deref(), a.workflow_id.as_deref());
    let kind = match &a.kind {
        Some(ActionKind::End) => ActionKindPlan::End,
        Some(ActionKind::Goto) => goto(w, cx, &name, step_id, workflow_id)?,
        Some(ActionKind::Retry) => ActionKindPlan::Retry {
            after: a.retry_after,
            // "If not specified then a single retry SHALL be attempted."
            limit: a.retry_limit.unwrap_or(1),
            first: match target(w, cx, step_id, workflow_id)? {
                Some(ActionKindPlan::GotoStep(i)) => Some(RetryFirst::Step(i)),
                Some(ActionKindPlan::GotoWorkflow(id)) => Some(RetryFirst::Workflow(id)),
                _ => None,
            },
        },
        other => return Err(bad_kind(&name, other.as_ref(), "end, goto or retry")),
    };
    lowered(name, kind, &a.criteria, &a.parameters, cx)
}

/// A `goto`'s target, which it must have.
fn goto(
    w: &Workflow,
    cx: &Context<'_, '_>,
    name: &str,
    step_id: Option<&str>,
    workflow_id: Option<&str>,
) -> Result<ActionKindPlan, String> {
    target(w, cx, step_id, workflow_id)?.ok_or_else(|| format!("action `{name}` goes nowhere"))
}

/// An action with its criteria compiled and its parameters planned.
fn lowered(
    name: String,
    kind: ActionKindPlan,
    when: &[Criterion],
    parameters: &[ParameterOrReusable],
    cx: &Context<'_, '_>,
) -> Result<ActionPlan, String> {
    Ok(ActionPlan {
        name,
        kind,
        criteria: criteria(when)?,
        parameters: inputs(parameters, cx)?,
    })
}

/// Why an action's `type` cannot be run, naming the action (or saying it has no name, as a
/// component that is only a `$ref` has none).
fn bad_kind(name: &str, kind: Option<&ActionKind>, allowed: &str) -> String {
    let action = if name.is_empty() {
        "an action with no `name`".to_owned()
    } else {
        format!("action `{name}`")
    };
    match kind {
        None => format!("{action} has no `type`; it must be {allowed}"),
        Some(ActionKind::Other(t)) => format!("{action} has type `{t}`; it must be {allowed}"),
        Some(ActionKind::Retry) => {
            format!("{action} is a `retry`, which only failure actions can be")
        }
        Some(_) => format!("{action} must be {allowed}"),
    }
}

/// An action as written: inline, or a reference to a component of kind `KIND`.
trait Written {
    /// The action.
    type Action;
    /// The `components` key of the kind (`successActions`, `failureActions`).
    const KIND: &'static str;
    /// The inline action, or the reference.
    fn written(&self) -> Result<&Self::Action, &str>;
}

impl Written for OnSuccess {
    type Action = SuccessAction;
    const KIND: &'static str = "successActions";
    fn written(&self) -> Result<&SuccessAction, &str> {
        match self {
            OnSuccess::Action(a) => Ok(a),
            OnSuccess::Reusable(r) => Err(&r.reference),
        }
    }
}

impl Written for OnFailure {
    type Action = FailureAction;
    const KIND: &'static str = "failureActions";
    fn written(&self) -> Result<&FailureAction, &str> {
        match self {
            OnFailure::Action(a) => Ok(a),
            OnFailure::Reusable(r) => Err(&r.reference),
        }
    }
}

/// The action itself: inline, or the component it references.
fn resolve<'c, W: Written>(
    a: &'c W,
    components: Option<&'c indexmap::IndexMap<String, W::Action>>,
) -> Result<&'c W::Action, String> {
    a.written().or_else(|reference| {
        reference
            .strip_prefix(&format!("$components.{}.", W::KIND))
            .and_then(|name| components?.get(name))
            .ok_or_else(|| format!("`{reference}` names no component"))
    })
}

/// The step's success actions, then the workflow's that the step does not override by name.
pub fn on_success(
    w: &Workflow,
    own: &[OnSuccess],
    cx: &Context<'_, '_>,
) -> Result<Vec<ActionPlan>, String> {
    let components = cx.components.map(|c| &c.success_actions);
    step_then_workflow(own, &w.success_actions, |a| {
        success_action(w, resolve(a, components)?, cx)
    })
}

/// The step's failure actions, then the workflow's that the step does not override by name.
pub fn on_failure(
    w: &Workflow,
    own: &[OnFailure],
    cx: &Context<'_, '_>,
) -> Result<Vec<ActionPlan>, String> {
    let components = cx.components.map(|c| &c.failure_actions);
    step_then_workflow(own, &w.failure_actions, |a| {
        failure_action(w, resolve(a, components)?, cx)
    })
}

/// Resolves the step's actions and the workflow's, and merges them (see [`merge`]).
fn step_then_workflow<A>(
    own: &[A],
    shared: &[A],
    resolve: impl Fn(&A) -> Result<ActionPlan, String>,
) -> Result<Vec<ActionPlan>, String> {
    let own = own.iter().map(&resolve).collect::<Result<_, _>>()?;
    let shared = shared.iter().map(&resolve).collect::<Result<_, _>>()?;
    Ok(merge(own, shared))
}

/// "If an action is already defined at the Workflow, the new definition will override it but
/// can never remove it": step actions first, then workflow actions not named by the step.
/// Actions without a name override nothing and are overridden by nothing (the schema asks
/// for names; an unnamed one is reported there, and still runs).
fn merge(own: Vec<ActionPlan>, shared: Vec<ActionPlan>) -> Vec<ActionPlan> {
    let mut out = own;
    for a in shared {
        if a.name.is_empty() || !out.iter().any(|o| o.name == a.name) {
            out.push(a);
        }
    }
    out
}

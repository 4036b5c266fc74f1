//! Success and failure actions as they apply to a step: references to `components` inlined,
//! targets turned into a step's index or a workflow lookup, and the workflow's actions merged
//! after the step's own by the spec's rule.

use indexmap::IndexMap;
use telaio_model::{
    ActionKind, Criterion, FailureAction, OnFailure, OnSuccess, ParameterOrReusable, SuccessAction,
};

use crate::build::Scope;
use crate::{CriterionNode, ParamNode, Place, Problem, ProblemKind, WorkflowRef, parameter};

/// An action that applies to a step.
#[derive(Clone, Debug)]
pub struct ActionNode<'b> {
    /// Its `name` (`None` when it has none, or an empty one: such an action overrides nothing
    /// and nothing overrides it).
    pub name: Option<&'b str>,
    /// What it does.
    pub kind: Action<'b>,
    /// When it applies: all must hold (none: always).
    pub criteria: Vec<CriterionNode<'b>>,
    /// The inputs it passes to the workflow it goes to (1.1).
    pub parameters: Vec<ParamNode<'b>>,
    /// The action object: the component's, for a reference to one.
    pub place: Place,
    /// Where it is listed: the step's `onSuccess`/`onFailure` entry, or the workflow's
    /// `successActions`/`failureActions` entry.
    pub listed: Place,
    /// Whether it is one of the workflow's actions rather than the step's own.
    pub from_workflow: bool,
    /// What keeps it from running (its kind is then [`Action::Invalid`], or a target or
    /// parameter is unresolved).
    pub problems: Vec<Problem<'b>>,
}

/// What an action does.
#[derive(Clone, Debug)]
pub enum Action<'b> {
    /// End the workflow: successfully after a success, in failure after a failure.
    End,
    /// Go to a step or a workflow.
    Goto(Target<'b>),
    /// Retry the step (failure actions only).
    Retry {
        /// Seconds to wait first (`retryAfter`); a `Retry-After` header overrules it.
        after: Option<f64>,
        /// Retries allowed (`retryLimit`; "if not specified then a single retry SHALL be
        /// attempted").
        limit: u64,
        /// A step or workflow to run before retrying ("the reference is executed and the
        /// context is returned, after which the current step is retried").
        first: Option<Target<'b>>,
    },
    /// An action that cannot run, and why (also among its [`ActionNode::problems`]).
    Invalid(ProblemKind<'b>),
}

/// Where an action goes.
#[derive(Clone, Debug)]
pub enum Target<'b> {
    /// A step of the same workflow, by index (the first with that `stepId`).
    Step(usize),
    /// A `stepId` that names no step of the workflow.
    UnknownStep(&'b str),
    /// A workflow, of this document or another.
    Workflow(WorkflowRef<'b>),
}

/// The fields success and failure actions share, read from either.
struct Fields<'b> {
    name: Option<&'b str>,
    kind: Option<&'b ActionKind>,
    step_id: Option<&'b str>,
    workflow_id: Option<&'b str>,
    parameters: &'b [ParameterOrReusable],
    criteria: &'b [Criterion],
    /// `retryAfter` and `retryLimit`, for failure actions.
    retry: Option<(Option<f64>, Option<u64>)>,
}

impl<'b> From<&'b SuccessAction> for Fields<'b> {
    fn from(a: &'b SuccessAction) -> Self {
        Fields {
            name: a.name.as_deref(),
            kind: a.kind.as_ref(),
            step_id: a.step_id.as_deref(),
            workflow_id: a.workflow_id.as_deref(),
            parameters: &a.parameters,
            criteria: &a.criteria,
            retry: None,
        }
    }
}

impl<'b> From<&'b FailureAction> for Fields<'b> {
    fn from(a: &'b FailureAction) -> Self {
        Fields {
            name: a.name.as_deref(),
            kind: a.kind.as_ref(),
            step_id: a.step_id.as_deref(),
            workflow_id: a.workflow_id.as_deref(),
            parameters: &a.parameters,
            criteria: &a.criteria,
            retry: Some((a.retry_after, a.retry_limit)),
        }
    }
}

/// A list of success actions written at `listed`.
pub(crate) fn on_success<'b>(
    scope: &Scope<'b>,
    list: &'b [OnSuccess],
    listed: &Place,
    from_workflow: bool,
) -> Vec<ActionNode<'b>> {
    let components = scope.components.map(|c| &c.success_actions);
    resolve_list(scope, list, components, listed, from_workflow)
}

/// A list of failure actions written at `listed`.
pub(crate) fn on_failure<'b>(
    scope: &Scope<'b>,
    list: &'b [OnFailure],
    listed: &Place,
    from_workflow: bool,
) -> Vec<ActionNode<'b>> {
    let components = scope.components.map(|c| &c.failure_actions);
    resolve_list(scope, list, components, listed, from_workflow)
}

/// An entry of an action list: an action written inline, or a reference to a component of
/// the list's kind.
trait Entry {
    /// The action type.
    type Action;
    /// The `components` key of the kind (`successActions`, `failureActions`).
    const KIND: &'static str;
    /// The inline action, or the reference.
    fn written(&self) -> Result<&Self::Action, &str>;
}

impl Entry for OnSuccess {
    type Action = SuccessAction;
    const KIND: &'static str = "successActions";
    fn written(&self) -> Result<&SuccessAction, &str> {
        match self {
            OnSuccess::Action(a) => Ok(a),
            OnSuccess::Reusable(r) => Err(&r.reference),
        }
    }
}

impl Entry for OnFailure {
    type Action = FailureAction;
    const KIND: &'static str = "failureActions";
    fn written(&self) -> Result<&FailureAction, &str> {
        match self {
            OnFailure::Action(a) => Ok(a),
            OnFailure::Reusable(r) => Err(&r.reference),
        }
    }
}

/// Each entry of a list, inline or from `components`, resolved.
fn resolve_list<'b, E: Entry>(
    scope: &Scope<'b>,
    list: &'b [E],
    components: Option<&'b IndexMap<String, E::Action>>,
    listed: &Place,
    from_workflow: bool,
) -> Vec<ActionNode<'b>>
where
    Fields<'b>: From<&'b E::Action>,
{
    let mut out = Vec::with_capacity(list.len());
    for (i, entry) in list.iter().enumerate() {
        let listed = listed.child(i);
        out.push(match entry.written() {
            Ok(a) => build(scope, a.into(), listed.clone(), listed, from_workflow),
            Err(reference) => match component(reference, E::KIND, components) {
                Some((name, a)) => {
                    let place = Place::new("/components").child(E::KIND).child(name);
                    build(scope, a.into(), place, listed, from_workflow)
                }
                None => unresolved(reference, listed, from_workflow),
            },
        });
    }
    out
}

/// The component a `$components.<kind>.<name>` reference names.
fn component<'b, A>(
    reference: &str,
    kind: &str,
    components: Option<&'b IndexMap<String, A>>,
) -> Option<(&'b str, &'b A)> {
    let name = reference.strip_prefix("$components.")?.strip_prefix(kind)?;
    let name = name.strip_prefix('.')?;
    components?
        .get_key_value(name)
        .map(|(k, v)| (k.as_str(), v))
}

/// A reference to an action component that is not there.
fn unresolved<'b>(reference: &'b str, listed: Place, from_workflow: bool) -> ActionNode<'b> {
    let kind = ProblemKind::UnknownActionComponent { reference };
    ActionNode {
        name: None,
        kind: Action::Invalid(kind.clone()),
        criteria: Vec::new(),
        parameters: Vec::new(),
        problems: vec![Problem {
            place: listed.clone(),
            kind,
        }],
        place: listed.clone(),
        listed,
        from_workflow,
    }
}

fn build<'b>(
    scope: &Scope<'b>,
    a: Fields<'b>,
    place: Place,
    listed: Place,
    from_workflow: bool,
) -> ActionNode<'b> {
    let name = a.name.filter(|n| !n.is_empty());
    let mut problems = Vec::new();
    // Only a `goto` or a `retry` goes anywhere: a stray `stepId` beside `end` is ignored, as a
    // run ignores it.
    let moves = matches!(a.kind, Some(ActionKind::Goto | ActionKind::Retry));
    let target = if moves {
        scope.target(a.step_id, a.workflow_id, &place)
    } else {
        None
    };
    if let Some(Target::UnknownStep(step_id)) = target {
        problems.push(Problem {
            place: place.child("stepId"),
            kind: ProblemKind::UnknownStep { step_id },
        });
    }
    let on_failure = a.retry.is_some();
    let kind = match (a.kind, a.retry) {
        (Some(ActionKind::End), _) => Action::End,
        (Some(ActionKind::Goto), _) => match target {
            Some(t) => Action::Goto(t),
            None => Action::Invalid(ProblemKind::GoesNowhere { action: name }),
        },
        (Some(ActionKind::Retry), Some((after, limit))) => Action::Retry {
            after,
            limit: limit.unwrap_or(1),
            first: target,
        },
        (kind, _) => Action::Invalid(ProblemKind::ActionType {
            action: name,
            kind,
            on_failure,
        }),
    };
    if let Action::Invalid(problem) = &kind {
        problems.push(Problem {
            // At the `type` when there is one, else at the action.
            place: match a.kind {
                Some(_) => place.child("type"),
                None => place.clone(),
            },
            kind: problem.clone(),
        });
    }
    let mut parameters = Vec::new();
    parameter::merge_into(
        &mut parameters,
        a.parameters,
        &place.child("parameters"),
        scope.components,
        false,
        &mut problems,
    );
    ActionNode {
        name,
        kind,
        criteria: CriterionNode::list(a.criteria, &place.child("criteria")),
        parameters,
        place,
        listed,
        from_workflow,
        problems,
    }
}

/// "If an action is already defined at the Workflow, the new definition will override it but
/// can never remove it": the step's actions first, then the workflow's that no step action
/// names. Unnamed actions override nothing and nothing overrides them (the schema asks for
/// names; an unnamed one is reported there, and still runs).
pub(crate) fn merge<'b>(
    own: Vec<ActionNode<'b>>,
    shared: &[ActionNode<'b>],
) -> Vec<ActionNode<'b>> {
    let mut out = own;
    for a in shared {
        if a.name.is_none() || !out.iter().any(|o| o.name == a.name) {
            out.push(a.clone());
        }
    }
    out
}

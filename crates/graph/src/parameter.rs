//! Parameters as they apply: reusable ones inlined from `components.parameters` (a `value`
//! beside the reference overriding the component's), and a workflow's merged under a step's.

use serde_json::Value;
use telaio_model::{Components, ParameterIn, ParameterOrReusable, Valuable};

use crate::{Place, Problem, ProblemKind};

/// A parameter of a step (or the inputs an action passes to a workflow), resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamNode<'b> {
    /// Its `name` (empty when the document gives none; the schema reports that).
    pub name: &'b str,
    /// Where it goes (`None` for a workflow's inputs).
    pub location: Option<&'b ParameterIn>,
    /// Its value.
    pub value: ParamValue<'b>,
    /// Where it is listed (the step's, action's or workflow's entry, even when it is a
    /// reference to a component).
    pub place: Place,
    /// Whether it is one of the workflow's `parameters` rather than the step's own.
    pub from_workflow: bool,
}

/// A parameter's value: as its Parameter Object writes it, or a Reusable Object's override.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamValue<'b> {
    /// A constant, an expression or (1.1) a selector.
    Written(&'b Valuable),
    /// The `value` beside a `reference`, which replaces the component's.
    Override(&'b Value),
}

/// One parameter, resolved.
pub(crate) fn resolve<'b>(
    p: &'b ParameterOrReusable,
    place: Place,
    components: Option<&'b Components>,
    from_workflow: bool,
) -> Result<ParamNode<'b>, Problem<'b>> {
    let (param, value) = match p {
        ParameterOrReusable::Parameter(p) => (p, ParamValue::Written(&p.value)),
        ParameterOrReusable::Reusable(r) => {
            let found = r
                .reference
                .strip_prefix("$components.parameters.")
                .and_then(|name| components?.parameters.get(name));
            let Some(found) = found else {
                return Err(Problem {
                    place,
                    kind: ProblemKind::UnknownParameterComponent {
                        reference: &r.reference,
                    },
                });
            };
            let value = match &r.value {
                Some(v) => ParamValue::Override(v),
                None => ParamValue::Written(&found.value),
            };
            (found, value)
        }
    };
    Ok(ParamNode {
        name: param.name.as_deref().unwrap_or_default(),
        location: param.location.as_ref(),
        value,
        place,
        from_workflow,
    })
}

/// Resolves a list of parameters written at `place`, adding those that resolve to `out` (a
/// later one replacing an earlier one with the same name and location: "a parameter is
/// unique by name and location") and the others to `problems`.
pub(crate) fn merge_into<'b>(
    out: &mut Vec<ParamNode<'b>>,
    list: &'b [ParameterOrReusable],
    place: &Place,
    components: Option<&'b Components>,
    from_workflow: bool,
    problems: &mut Vec<Problem<'b>>,
) {
    for (i, p) in list.iter().enumerate() {
        match resolve(p, place.child(i), components, from_workflow) {
            Ok(p) => {
                out.retain(|q| !(q.name == p.name && q.location == p.location));
                out.push(p);
            }
            Err(problem) => problems.push(problem),
        }
    }
}

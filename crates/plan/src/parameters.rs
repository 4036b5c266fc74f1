//! A step's parameters: reusable ones resolved from `components.parameters`, and the
//! workflow's merged under the step's own.

use telaio_model::{Components, Parameter, ParameterOrReusable};

use super::{ParamPlan, ValuePlan};

/// One parameter, resolved (a reusable one from `components.parameters`, its `value`
/// overriding the component's) and compiled.
pub(crate) fn param_plan(
    p: &ParameterOrReusable,
    components: Option<&Components>,
) -> Result<ParamPlan, String> {
    let (param, override_value) = match p {
        ParameterOrReusable::Parameter(p) => (p, None),
        ParameterOrReusable::Reusable(r) => {
            let name = r
                .reference
                .strip_prefix("$components.parameters.")
                .unwrap_or_default();
            let found: &Parameter = components
                .and_then(|c| c.parameters.get(name))
                .ok_or_else(|| format!("`{}` names no parameter component", r.reference))?;
            (found, r.value.as_ref())
        }
    };
    let name = param.name.clone().unwrap_or_default();
    let value = match override_value {
        Some(v) => ValuePlan::from_value(v),
        None => ValuePlan::from_valuable(&param.value),
    }
    .map_err(|e| format!("parameter `{name}`: {}", e.message))?;
    Ok(ParamPlan {
        name,
        location: param.location.clone(),
        value,
    })
}

/// Workflow parameters, then step parameters replacing those with the same name and location.
pub(super) fn merge(
    shared: &[ParameterOrReusable],
    own: &[ParameterOrReusable],
    components: Option<&Components>,
) -> Result<Vec<ParamPlan>, String> {
    let mut out: Vec<ParamPlan> = Vec::new();
    for p in shared.iter().chain(own) {
        let param = param_plan(p, components)?;
        out.retain(|q| !(q.name == param.name && q.location == param.location));
        out.push(param);
    }
    Ok(out)
}

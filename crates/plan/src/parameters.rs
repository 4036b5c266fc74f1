//! Parameters lowered for the run: the graph has resolved and merged them; here their values
//! are compiled.

use telaio_graph::{ParamNode, ParamValue};

use super::{ParamPlan, ValuePlan};

/// One parameter, its value compiled.
pub(crate) fn lower(p: &ParamNode<'_>) -> Result<ParamPlan, String> {
    let value = match p.value {
        ParamValue::Override(v) => ValuePlan::from_value(v),
        ParamValue::Written(v) => ValuePlan::from_valuable(v),
    }
    .map_err(|e| format!("parameter `{}`: {}", p.name, e.message))?;
    Ok(ParamPlan {
        name: p.name.to_owned(),
        location: p.location.cloned(),
        value,
    })
}

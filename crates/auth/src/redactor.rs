//! The redactor a run needs, derived from its plan and its credentials: what a runner masks
//! unless told otherwise.

use serde_json::Value;
use telaio_plan::Plan;
use telaio_run::Redactor;

use crate::{Credentials, SchemeKind};

/// The redactor for a run of `plan` with `inputs` and `credentials`: the secret headers,
/// the API-key headers the sources declare, every credential's value, every input a
/// workflow's schema marks secret, and, unless `show_sensitive`, the data the API
/// descriptions mark `x-sensitive`.
///
/// ```
/// # use telaio_auth::{Credentials, redactor};
/// # use telaio_plan::Plan;
/// # fn f(plan: &Plan, credentials: &Credentials) {
/// let redactor = redactor(plan, &serde_json::json!({}), credentials, false);
/// assert_eq!(redactor.text("nothing secret"), "nothing secret");
/// # }
/// ```
pub fn redactor(
    plan: &Plan,
    inputs: &Value,
    credentials: &Credentials,
    show_sensitive: bool,
) -> Redactor {
    let mut r = Redactor::new();
    if !show_sensitive {
        for name in plan.sensitive_properties() {
            r.sensitive(name);
        }
    }
    for scheme in plan.security_schemes() {
        if let SchemeKind::ApiKey { name, location } = &scheme.kind
            && *location == telaio_model::ParameterIn::Header
        {
            r.header(name);
        }
        if let Some((secret, _)) = credentials.find(scheme) {
            for v in secret.values() {
                r.secret(v);
            }
        }
    }
    // Every workflow's secret inputs: a sub-workflow's may be shown too.
    for w in plan.all_workflows() {
        r.inputs(w.inputs_schema.as_ref(), inputs);
    }
    r
}

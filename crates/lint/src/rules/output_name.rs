//! Output names must be simple keys.

use crate::Diagnostic;
use crate::context::Context;
use crate::rule::declare_rule;

declare_rule! {
    /// ## What it checks
    /// That every output name (of steps and workflows) matches `^[a-zA-Z0-9.\-_]+$`.
    ///
    /// ## Why it matters
    /// The specification requires it, and outputs are read back through expressions such
    /// as `$steps.create.outputs.<name>`, which cannot spell spaces or other characters.
    ///
    /// ## Example
    /// ```yaml
    /// outputs:
    ///   session id: $response.body#/SessionId
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    /// outputs:
    ///   sessionId: $response.body#/SessionId
    /// ```
    OutputName = "output-name", Error, "output names match ^[a-zA-Z0-9.\\-_]+$";
}

fn valid(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (wi, w) in cx.model.workflows.iter().enumerate() {
        let step_outputs = w.steps.iter().enumerate().flat_map(|(si, s)| {
            s.outputs
                .keys()
                .map(move |k| (format!("/workflows/{wi}/steps/{si}/outputs"), k))
        });
        let workflow_outputs = w
            .outputs
            .keys()
            .map(|k| (format!("/workflows/{wi}/outputs"), k));
        for (base, name) in step_outputs.chain(workflow_outputs) {
            if !valid(name) {
                // Words kept apart: `first id` → `first_id`.
                let suggestion: String = name
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join("_")
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                    .collect();
                let d = cx.at_key(
                    &OutputName::RULE,
                    &format!("{base}/{}", telaio_model::escape_token(name)),
                    format!("the output name `{name}` has characters outside `a-z A-Z 0-9 . - _`"),
                );
                out.push(if suggestion.is_empty() {
                    d
                } else {
                    d.with_hint(format!("rename it, e.g. `{suggestion}`"))
                });
            }
        }
    }
}

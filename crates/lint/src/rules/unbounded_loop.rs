//! Steps that loop back with nothing to stop them.

use telaio_model::{ActionKind, OnFailure, OnSuccess};

use crate::Diagnostic;
use crate::context::Context;
use crate::rule::declare_rule;

declare_rule! {
    /// ## What it checks
    /// `goto` actions that send a step back to itself or to an earlier step (a polling
    /// loop). Arazzo has no loop counter or delay, so such a loop is bounded only by the API's
    /// answers.
    ///
    /// ## Why it matters
    /// A poll without a delay hammers the API, and one whose exit status never comes runs
    /// forever. Runners differ in how they pace and cap such loops, so the document should
    /// make its exits explicit.
    ///
    /// ## Example
    /// ```yaml
    /// onSuccess:
    ///   - name: stillRunning
    ///     type: goto
    ///     stepId: pollResults
    ///     criteria:
    ///       - condition: $response.body#/Status == 'IN_PROGRESS'
    /// ```
    ///
    /// ## Instead
    /// Keep the loop (it is how Arazzo polls), make sure its exit conditions cover every
    /// terminal status, and when the API says how long to wait, prefer a `retry` action with
    /// `retryAfter` and `retryLimit`, which is bounded.
    UnboundedLoop = "unbounded-loop", Warning, "goto loops have a bound";
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (wi, w) in cx.model.workflows.iter().enumerate() {
        for (si, s) in w.steps.iter().enumerate() {
            let sp = format!("/workflows/{wi}/steps/{si}");
            let this = s.step_id.as_deref().unwrap_or("?");
            let success = s
                .on_success
                .iter()
                .enumerate()
                .filter_map(|(i, a)| match a {
                    OnSuccess::Action(a) if a.kind == Some(ActionKind::Goto) => Some((
                        format!("{sp}/onSuccess/{i}"),
                        a.name.as_deref(),
                        a.step_id.as_deref(),
                    )),
                    _ => None,
                });
            let failure = s
                .on_failure
                .iter()
                .enumerate()
                .filter_map(|(i, a)| match a {
                    OnFailure::Action(a) if a.kind == Some(ActionKind::Goto) => Some((
                        format!("{sp}/onFailure/{i}"),
                        a.name.as_deref(),
                        a.step_id.as_deref(),
                    )),
                    _ => None,
                });
            // One warning per step is enough: the loop is the same whichever action takes it.
            if let Some((pointer, name, target)) = success
                .chain(failure)
                .find(|(_, _, t)| cx.flow(wi).loops_back(si, *t))
            {
                let target = target.unwrap_or("?");
                let name = name.unwrap_or("?");
                let message = if target == this {
                    format!(
                        "step `{this}` goes to itself (action `{name}`) with no bound on the number of polls"
                    )
                } else {
                    format!(
                        "step `{this}` goes back to step `{target}` (action `{name}`) with no bound on the number of loops"
                    )
                };
                out.push(cx.at(&UnboundedLoop::RULE, &format!("{pointer}/stepId"), message).with_hint("make sure every terminal outcome leaves the loop; where the API says how long to wait, a `retry` action with `retryAfter` and `retryLimit` is bounded"));
            }
        }
    }
}

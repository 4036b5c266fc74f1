//! What the planner refuses and no other rule names: a safety net that makes `validate` and
//! `run` agree by construction.

use telaio_model::{Bundle, Position, Span};

use crate::Diagnostic;
use crate::rule::declare_rule;

declare_rule! {
    /// ## What it checks
    /// That `telaio run` can plan every workflow: after the other rules find no error,
    /// `telaio validate` plans each workflow as a run would (operations resolved, values and
    /// criteria compiled, actions merged) and reports anything the planner refuses.
    ///
    /// The other rules are meant to catch all of it first, with a precise message; a finding
    /// of this rule is a gap in them, worth reporting.
    ///
    /// ## Why it matters
    /// A document that `validate` accepts must run: nothing it calls valid may be refused
    /// by `telaio run` (or `run --dry-run`) for the way it is written.
    ///
    /// ## Example
    /// Any document the planner refuses for a reason no other rule reports.
    ///
    /// ## Instead
    /// Fix what the message names.
    Unrunnable = "unrunnable", Error, "every workflow can be planned for a run";
}

/// The finding for a problem the planner reported about `workflow_id` (a plan id: a workflow
/// of another document is `<source>.<workflowId>`) and `step_id`, pointing at `at` (the file
/// as the planner names it, line and column) when the planner knows where, else at the step,
/// else the workflow, else the document.
pub fn unrunnable(
    bundle: &Bundle,
    workflow_id: &str,
    step_id: Option<&str>,
    at: Option<(&str, u32, u32)>,
    message: &str,
) -> Diagnostic {
    let mut documents = std::iter::once(bundle).chain(&bundle.linked);
    if let Some((file, line, column)) = at
        && let Some(b) = documents.find(|b| b.document.source.name == file)
    {
        let span = Span::point(Position::new(line, column));
        return Diagnostic::new(&Unrunnable::RULE, &b.document.source, span, message);
    }
    let documents = std::iter::once(bundle).chain(&bundle.linked);
    let found = documents.enumerate().find_map(|(i, b)| {
        let model = b.document.model.as_ref().ok()?;
        let wi = model.workflows.iter().position(|w| {
            let id = w.workflow_id.as_deref().unwrap_or_default();
            if i == 0 {
                id == workflow_id
            } else {
                workflow_id.ends_with(&format!(".{id}"))
            }
        })?;
        let pointer = match step_id.and_then(|s| model.workflows[wi].step_index(s)) {
            Some(si) => format!("/workflows/{wi}/steps/{si}"),
            None => format!("/workflows/{wi}"),
        };
        Some((b, pointer))
    });
    let (b, pointer) = found.unwrap_or((bundle, String::new()));
    let at = b.document.root.locate(&pointer);
    let span: Span = at.key_span.unwrap_or(at.span);
    Diagnostic::new(&Unrunnable::RULE, &b.document.source, span, message)
}

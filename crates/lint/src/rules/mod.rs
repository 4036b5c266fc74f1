//! The rules, one per file; each file's doc comment on its rule is the rule's documentation.

mod component_reference;
mod condition_syntax;
mod criterion_context;
mod document;
mod duplicate_ids;
mod expression_syntax;
mod flow;
mod jsonpath_not_rfc9535;
mod lenient_reference;
mod output_name;
mod selector_syntax;
mod source_unresolved;
mod step_reference;
mod step_target;
mod unbounded_loop;
mod unhandled_poll_outcome;
mod unknown_input;
mod unknown_operation;
mod unknown_target;
mod unqualified_operation_id;
mod unrunnable;
mod workflow_cycle;

use std::sync::LazyLock;

use telaio_model::Bundle;

use crate::context::Context;
use crate::{Diagnostic, Rule, schema};

pub(crate) use document::load_failure;
pub(crate) use flow::Flow;
pub use unrunnable::unrunnable;

type Check = fn(&Context<'_>, &mut Vec<Diagnostic>);

/// The semantic checks that can find errors, run in this order on documents that have a
/// known version.
const CHECKS: &[Check] = &[
    duplicate_ids::check,
    step_target::check,
    step_target::check_form,
    source_unresolved::check,
    unknown_operation::check,
    unqualified_operation_id::check,
    unknown_target::check,
    expression_syntax::check,
    condition_syntax::check,
    selector_syntax::check,
    criterion_context::check,
    step_reference::check,
    unknown_input::check,
    component_reference::check,
    output_name::check,
    workflow_cycle::check,
];

/// Checks that only ever warn: advice on how a document is written, which a run that only
/// needs to know what keeps it from running can skip.
const ADVICE: &[Check] = &[
    jsonpath_not_rfc9535::check,
    lenient_reference::check,
    unhandled_poll_outcome::check,
    unbounded_loop::check,
];

/// Every rule Telaio reports, in a stable order.
pub static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let mut all = Vec::new();
    all.extend(document::RULES);
    all.extend(schema::RULES);
    all.extend(duplicate_ids::RULES);
    all.push(step_target::StepTarget::RULE);
    all.push(step_target::TargetForm::RULE);
    all.extend(source_unresolved::RULES);
    all.push(unknown_operation::UnknownOperation::RULE);
    all.push(unqualified_operation_id::UnqualifiedOperationId::RULE);
    all.extend(unknown_target::RULES);
    all.push(expression_syntax::ExpressionSyntax::RULE);
    all.push(condition_syntax::ConditionSyntax::RULE);
    all.push(selector_syntax::SelectorSyntax::RULE);
    all.push(criterion_context::CriterionContext::RULE);
    all.push(step_reference::StepReference::RULE);
    all.push(step_reference::SelfReference::RULE);
    all.push(step_reference::UnknownOutput::RULE);
    all.push(unknown_input::UnknownInput::RULE);
    all.push(component_reference::ComponentReference::RULE);
    all.push(output_name::OutputName::RULE);
    all.push(workflow_cycle::WorkflowCycle::RULE);
    all.push(unrunnable::Unrunnable::RULE);
    all.push(jsonpath_not_rfc9535::JsonPathNotRfc9535::RULE);
    all.push(lenient_reference::LenientReference::RULE);
    all.push(unhandled_poll_outcome::UnhandledPollOutcome::RULE);
    all.push(unbounded_loop::UnboundedLoop::RULE);
    all
});

/// The rule with this id.
///
/// ```
/// let rule = telaio_lint::rule("duplicate-step-id").unwrap();
/// assert!(rule.doc.contains("## What it checks"));
/// ```
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

pub(crate) fn check_bundle(
    bundle: &Bundle,
    options: &crate::LintOptions,
    out: &mut Vec<Diagnostic>,
) {
    let doc = &bundle.document;
    let Some(version) = document::check(doc, out) else {
        return;
    };
    if !options.skip_schema {
        schema::check(doc, version, out);
    }
    let (Ok(model), Some(graph)) = (&doc.model, telaio_graph::Graph::of(bundle)) else {
        // The schema has said why serde could not build the model.
        return;
    };
    let cx = Context::new(bundle, model, graph, version);
    for check in CHECKS {
        check(&cx, out);
    }
    if !options.skip_advice {
        for check in ADVICE {
            check(&cx, out);
        }
    }
}

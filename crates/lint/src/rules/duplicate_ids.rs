//! Ids that must be unique: workflowIds, stepIds, source names, parameters.

use std::collections::HashMap;

use telaio_model::{ParameterOrReusable, Span};

use crate::context::Context;
use crate::rule::declare_rule;
use crate::{Diagnostic, Rule};

declare_rule! {
    /// ## What it checks
    /// That every `workflowId` in the document is unique.
    ///
    /// ## Why it matters
    /// `workflowId` steps, `goto` actions, `dependsOn` and `$workflows.<id>` expressions name
    /// workflows by id; with two of the same id, which one runs is a guess.
    ///
    /// ## Example
    /// ```yaml
    /// workflows:
    ///   - workflowId: adopt
    ///   - workflowId: adopt
    /// ```
    ///
    /// ## Instead
    /// Give each workflow its own id.
    DuplicateWorkflowId = "duplicate-workflow-id", Error, "workflowIds are unique in a document";
}

declare_rule! {
    /// ## What it checks
    /// That every `stepId` is unique within its workflow.
    ///
    /// ## Why it matters
    /// `goto` actions and `$steps.<id>` expressions name steps by id; a duplicate makes them
    /// ambiguous, and outputs of one step would hide the other's.
    ///
    /// ## Example
    /// ```yaml
    /// steps:
    ///   - stepId: poll
    ///   - stepId: poll
    /// ```
    ///
    /// ## Instead
    /// Give each step its own id (`pollCreate`, `pollDelete`).
    DuplicateStepId = "duplicate-step-id", Error, "stepIds are unique in a workflow";
}

declare_rule! {
    /// ## What it checks
    /// That every source description `name` is unique.
    ///
    /// ## Why it matters
    /// `$sourceDescriptions.<name>` expressions and qualified operationIds pick a source by
    /// name.
    ///
    /// ## Example
    /// ```yaml
    /// sourceDescriptions:
    ///   - {name: api, url: ./v1.yaml}
    ///   - {name: api, url: ./v2.yaml}
    /// ```
    ///
    /// ## Instead
    /// Name them `apiV1` and `apiV2`.
    DuplicateSourceName = "duplicate-source-name", Error, "source description names are unique";
}

declare_rule! {
    /// ## What it checks
    /// That a parameter list does not name the same parameter twice: the same `name` and
    /// `in` (for workflow inputs, which have no `in`, the same `name`).
    ///
    /// ## Why it matters
    /// The spec requires a unique name/location combination; with two, one value is lost.
    ///
    /// ## Example
    /// ```yaml
    /// parameters:
    ///   - {name: page, in: query, value: 1}
    ///   - {name: page, in: query, value: 2}
    /// ```
    ///
    /// ## Instead
    /// Keep one. (A step parameter may override a workflow-level one: that is not a duplicate.)
    DuplicateParameter = "duplicate-parameter", Error, "parameters are unique by name and location";
}

pub(crate) const RULES: [Rule; 4] = [
    DuplicateWorkflowId::RULE,
    DuplicateStepId::RULE,
    DuplicateSourceName::RULE,
    DuplicateParameter::RULE,
];

/// Reports every id seen before in `ids` (pointer of the id value, the id).
fn report_repeats<'a>(
    cx: &Context<'_>,
    rule: &Rule,
    what: &str,
    ids: impl IntoIterator<Item = (String, &'a str)>,
    out: &mut Vec<Diagnostic>,
) {
    let mut first: HashMap<&str, Span> = HashMap::new();
    for (pointer, id) in ids {
        match first.get(id) {
            Some(span) => out.push(
                cx.at(
                    rule,
                    &pointer,
                    format!("{what} `{id}` is used more than once"),
                )
                .with_hint(format!("first used at line {}", span.start.line)),
            ),
            None => {
                first.insert(id, cx.span(&pointer));
            }
        }
    }
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    report_repeats(
        cx,
        &DuplicateWorkflowId::RULE,
        "the workflowId",
        m.workflows.iter().enumerate().filter_map(|(i, w)| {
            Some((
                format!("/workflows/{i}/workflowId"),
                w.workflow_id.as_deref()?,
            ))
        }),
        out,
    );
    report_repeats(
        cx,
        &DuplicateSourceName::RULE,
        "the source description name",
        m.source_descriptions
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                Some((format!("/sourceDescriptions/{i}/name"), s.name.as_deref()?))
            }),
        out,
    );
    for (wi, w) in m.workflows.iter().enumerate() {
        report_repeats(
            cx,
            &DuplicateStepId::RULE,
            "the stepId",
            w.steps.iter().enumerate().filter_map(|(si, s)| {
                Some((
                    format!("/workflows/{wi}/steps/{si}/stepId"),
                    s.step_id.as_deref()?,
                ))
            }),
            out,
        );
        parameters(
            cx,
            &format!("/workflows/{wi}/parameters"),
            &w.parameters,
            out,
        );
        for (si, s) in w.steps.iter().enumerate() {
            parameters(
                cx,
                &format!("/workflows/{wi}/steps/{si}/parameters"),
                &s.parameters,
                out,
            );
        }
    }
}

fn parameters(
    cx: &Context<'_>,
    pointer: &str,
    params: &[ParameterOrReusable],
    out: &mut Vec<Diagnostic>,
) {
    let keys: Vec<(String, String)> = params
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p {
            ParameterOrReusable::Parameter(p) => {
                let name = p.name.as_deref()?;
                let key = match &p.location {
                    Some(loc) => format!("{name}` in `{}", loc.as_str()),
                    None => name.to_owned(),
                };
                Some((format!("{pointer}/{i}/name"), key))
            }
            ParameterOrReusable::Reusable(r) => {
                Some((format!("{pointer}/{i}/reference"), r.reference.clone()))
            }
        })
        .collect();
    report_repeats(
        cx,
        &DuplicateParameter::RULE,
        "the parameter",
        keys.iter().map(|(p, k)| (p.clone(), k.as_str())),
        out,
    );
}

//! A step names exactly one thing to call.

use telaio_model::SpecVersion;

use crate::Diagnostic;
use crate::context::Context;
use crate::rule::declare_rule;

declare_rule! {
    /// ## What it checks
    /// That each step has exactly one of `operationId`, `operationPath` and `workflowId`
    /// (and, in Arazzo 1.1, `channelPath`).
    ///
    /// ## Why it matters
    /// The step's target decides what request is made; with none there is nothing to run,
    /// with two the spec does not say which wins.
    ///
    /// ## Example
    /// ```yaml
    /// - stepId: getPet
    ///   operationId: getPetById
    ///   operationPath: '{$sourceDescriptions.pets.url}#/paths/~1pets~1{id}/get'
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    /// - stepId: getPet
    ///   operationId: getPetById
    /// ```
    StepTarget = "step-target", Error, "each step has exactly one operationId, operationPath, channelPath or workflowId";
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let fields = if cx.version == SpecVersion::V1_1 {
        "`operationId`, `operationPath`, `channelPath` or `workflowId`"
    } else {
        "`operationId`, `operationPath` or `workflowId`"
    };
    for (wi, w) in cx.model.workflows.iter().enumerate() {
        for (si, s) in w.steps.iter().enumerate() {
            let pointer = format!("/workflows/{wi}/steps/{si}");
            let id = s.step_id.as_deref().unwrap_or("?");
            let named: Vec<&str> = [
                ("operationId", s.operation_id.is_some()),
                ("operationPath", s.operation_path.is_some()),
                ("channelPath", s.channel_path.is_some()),
                ("workflowId", s.workflow_id.is_some()),
            ]
            .into_iter()
            .filter_map(|(k, present)| present.then_some(k))
            .collect();
            match named.as_slice() {
                [_] => {}
                [] => out.push(
                    cx.at_key(
                        &StepTarget::RULE,
                        &format!("{pointer}/stepId"),
                        format!("step `{id}` names nothing to call"),
                    )
                    .with_hint(match other_tools_extension(s) {
                        Some(key) => format!(
                            "`{key}` is another tool's extension, which Telaio does not read; add one of {fields}"
                        ),
                        None => format!("add one of {fields}"),
                    }),
                ),
                [_, second, ..] => out.push(
                    cx.at_key(
                        &StepTarget::RULE,
                        &format!("{pointer}/{second}"),
                        format!(
                            "step `{id}` names {}; a step calls exactly one",
                            named
                                .iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(" and ")
                        ),
                    )
                    .with_hint(format!("keep one of {fields}")),
                ),
            }
        }
    }
}

/// An `x-` field of the step that other tools use to name the operation (`x-operation`,
/// `x-operationId`, `x-operation-ref`).
fn other_tools_extension(step: &telaio_model::Step) -> Option<&str> {
    step.extensions
        .0
        .keys()
        .map(String::as_str)
        .find(|k| k.to_ascii_lowercase().contains("operation"))
}

declare_rule! {
    /// ## What it checks
    /// That an `operationPath` or `channelPath` has the form the specification asks for:
    /// `{$sourceDescriptions.<name>.url}#<JSON Pointer>`, e.g.
    /// `{$sourceDescriptions.petstore.url}#/paths/~1pets~1{petId}/get`.
    ///
    /// The official JSON Schema accepts any string here (its tests characterise that), but a
    /// step whose operation cannot be found cannot run, so this is an error. Forms whose
    /// source is plain though not spelled as the spec says (`pets#/paths/...`,
    /// `$sourceDescriptions.pets.url#/paths/...`) are read as meant, and `lenient-reference`
    /// points them out instead. A `channelPath` in another form is a warning, since Telaio
    /// does not run AsyncAPI steps yet.
    ///
    /// ## Why it matters
    /// Telaio cannot find the operation or channel of a path in another form: `telaio run`
    /// refuses the step.
    ///
    /// ## Example
    /// ```yaml
    /// operationPath: /pets/{petId}
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    /// operationPath: '{$sourceDescriptions.petstore.url}#/paths/~1pets~1{petId}/get'
    /// ```
    TargetForm = "target-form", Error, "operationPath and channelPath are `{$sourceDescriptions.<name>.url}#<pointer>`";
}

pub(crate) fn check_form(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (wi, w) in cx.model.workflows.iter().enumerate() {
        for (si, s) in w.steps.iter().enumerate() {
            for (key, value) in [
                ("operationPath", &s.operation_path),
                ("channelPath", &s.channel_path),
            ] {
                let Some(value) = value else { continue };
                // Channels are looked up as paths are; `unknown-operation` says whether
                // they exist.
                if let telaio_model::OperationLookup::Malformed { reason } =
                    cx.bundle.find_operation_path(value)
                {
                    let mut d = cx
                        .at(
                            &TargetForm::RULE,
                            &format!("/workflows/{wi}/steps/{si}/{key}"),
                            format!(
                                "`{key}` is not a source reference with a JSON Pointer: {reason}"
                            ),
                        )
                        .with_hint("write `{$sourceDescriptions.<name>.url}#/paths/~1path/method`");
                    // Telaio does not run AsyncAPI steps yet, so nothing fails for it here.
                    if key == "channelPath" {
                        d.severity = crate::Severity::Warning;
                    }
                    out.push(d);
                }
            }
        }
    }
}

//! References Telaio follows although they are not spelled as the spec says.

use telaio_expr::Expression;

use crate::Diagnostic;
use crate::context::Context;
use crate::rule::declare_rule;

declare_rule! {
    /// ## What it checks
    /// References that Telaio reads leniently because their intent is plain, though they are
    /// not spelled as the specification says:
    /// - a source description named with the wrong case (`$sourceDescriptions.userAPI` for a
    ///   source named `UserAPI`), when exactly one source matches ignoring case;
    /// - an operationId written with the wrong case (`PAR` for `Par`), when exactly one
    ///   operation of the source matches ignoring case;
    /// - an operationId written `<source>.<operationId>` (`pets.listPets`), as other tools
    ///   write `$sourceDescriptions.pets.listPets`, when no operation has that whole id;
    /// - `$request.headers.<name>` / `$response.headers.<name>` for `header`;
    /// - `$steps.<stepId>.<name>` for `$steps.<stepId>.outputs.<name>`;
    /// - `$steps.<stepId>.outputs.items[0].id`, a path into output `items` written in the
    ///   name (the portable form is `$steps.<stepId>.outputs.items#/0/id`);
    /// - an `operationPath` that points at a path item rather than at one of its operations,
    ///   when the path item has exactly one;
    /// - an `operationPath` that names its source other than as
    ///   `{$sourceDescriptions.<name>.url}` or the source's url: `pets#/paths/...`,
    ///   `$sourceDescriptions.pets#/paths/...`, `$sourceDescriptions.pets.url#/paths/...`;
    /// - a path parameter named unlike the operation's path variable but differing from it
    ///   only in case, `_` and `-` (`pet_id` for `/pet/{petId}`), when exactly one matches.
    ///
    /// ## Why it matters
    /// Names are case-sensitive in Arazzo, and other tools will not find these references.
    ///
    /// ## Example
    /// ```yaml
    /// operationId: $sourceDescriptions.userAPI.listUsers   # the source is `UserAPI`
    /// redirectUrl: $response.headers.Location
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    /// operationId: $sourceDescriptions.UserAPI.listUsers
    /// redirectUrl: $response.header.Location
    /// ```
    LenientReference = "lenient-reference", Warning, "references are spelled exactly as the spec and the document name them";
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let rule = &LenientReference::RULE;
    let mut source_names: Vec<(String, &str)> = Vec::new();
    for (wi, w) in cx.model.workflows.iter().enumerate() {
        for (si, s) in w.steps.iter().enumerate() {
            for (key, value) in [
                ("operationId", &s.operation_id),
                ("operationPath", &s.operation_path),
                ("workflowId", &s.workflow_id),
            ] {
                if let Some(v) = value
                    && let Some(name) = qualified_source(v)
                {
                    source_names.push((format!("/workflows/{wi}/steps/{si}/{key}"), name));
                }
            }
        }
    }
    operation_ids(cx, out);
    path_parameters(cx, out);
    for (site, exprs) in cx.sites().iter().zip(cx.expressions()) {
        for e in exprs {
            match e {
                Expression::SourceDescriptions { name, .. } => {
                    source_names.push((site.pointer.clone(), name.as_str()))
                }
                Expression::Steps {
                    step_id,
                    output: Some(output),
                    ..
                } if !site.text.contains(&format!("$steps.{step_id}.outputs")) => {
                    out.push(
                        cx.at(rule, &site.pointer, format!("`$steps.{step_id}.{output}` is read as `$steps.{step_id}.outputs.{output}`"))
                            .with_hint("step outputs are read through `.outputs.`"),
                    );
                }
                Expression::Steps {
                    step_id,
                    output: Some(output),
                    pointer: None,
                } => {
                    if let Some((head, pointer)) = output_path(cx, site.workflow, step_id, output) {
                        out.push(
                            cx.at(rule, &site.pointer, format!("step `{step_id}` has no output `{output}`; Telaio reads `#{pointer}` of its output `{head}`"))
                                .with_hint(format!("write `$steps.{step_id}.outputs.{head}#{pointer}`: a JSON Pointer is how every Arazzo tool reads into an output")),
                        );
                    }
                }
                _ => {}
            }
        }
        for prefix in [
            "$request.headers.",
            "$response.headers.",
            "$message.headers.",
        ] {
            if site.text.contains(prefix) {
                out.push(
                    cx.at(
                        rule,
                        &site.pointer,
                        format!(
                            "`{}` is read as `{}`",
                            prefix.trim_end_matches('.'),
                            prefix.replace("headers.", "header")
                        ),
                    )
                    .with_hint("the runtime expression is spelled `header`, singular"),
                );
            }
        }
    }
    for (pointer, name) in source_names {
        if cx.bundle.source_exact(name).is_some() {
            continue;
        }
        if let Some(source) = cx.bundle.source(name) {
            out.push(
                cx.at(rule, &pointer, format!("there is no source named `{name}`; Telaio uses `{}`, which differs only in case", source.name))
                    .with_hint(format!("write `{}`: names are case-sensitive", source.name)),
            );
        }
    }
}

/// operationIds that match only when case is ignored.
fn operation_ids(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (wi, w) in cx.model.workflows.iter().enumerate() {
        for (si, s) in w.steps.iter().enumerate() {
            let Some(id) = &s.operation_id else { continue };
            if let telaio_model::OperationLookup::Found { operation, source } =
                cx.bundle.find_operation_id(id)
            {
                let written = telaio_model::split_qualified(id).map_or(id.as_str(), |(_, op)| op);
                if cx
                    .bundle
                    .source_dot_operation(id)
                    .is_some_and(|(_, o)| std::ptr::eq(o, operation))
                {
                    let actual = operation.operation_id.as_deref().unwrap_or_default();
                    out.push(
                        cx.at(&LenientReference::RULE, &format!("/workflows/{wi}/steps/{si}/operationId"), format!("no operation has the id `{id}`; Telaio reads it as operation `{actual}` of source `{}`", source.name))
                            .with_hint(format!("write `$sourceDescriptions.{}.{actual}`", source.name)),
                    );
                    continue;
                }
                if let Some(actual) = operation.operation_id.as_deref().filter(|a| *a != written) {
                    out.push(
                        cx.at(&LenientReference::RULE, &format!("/workflows/{wi}/steps/{si}/operationId"), format!("there is no operation `{written}`; Telaio uses `{actual}`, which differs only in case"))
                            .with_hint(format!("write `{actual}`: operationIds are case-sensitive")),
                    );
                }
            }
        }
    }
}

/// Path parameters that fill a path variable spelled differently.
fn path_parameters(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (wi, w) in cx.model.workflows.iter().enumerate() {
        for (si, s) in w.steps.iter().enumerate() {
            if let Some(path) = &s.operation_path
                && let Some((source_part, pointer)) = path.split_once('#')
                && !(source_part.starts_with("{$sourceDescriptions.")
                    && source_part.ends_with(".url}"))
                && let Some(source) = cx.bundle.source_named_leniently(source_part)
            {
                out.push(
                    cx.at(&LenientReference::RULE, &format!("/workflows/{wi}/steps/{si}/operationPath"), format!("the operationPath names its source as `{source_part}`; Telaio reads it as `{{$sourceDescriptions.{}.url}}`", source.name))
                        .with_hint(format!("write `{{$sourceDescriptions.{}.url}}#{pointer}`", source.name)),
                );
            }
            let lookup = match (&s.operation_id, &s.operation_path) {
                (Some(id), _) => cx.bundle.find_operation_id(id),
                (None, Some(path)) => cx.bundle.find_operation_path(path),
                (None, None) => continue,
            };
            let telaio_model::OperationLookup::Found { operation, .. } = lookup else {
                continue;
            };
            if let Some(path) = &s.operation_path
                && let Some((_, pointer)) = path.split_once('#')
                && operation.pointer.len() > pointer.len()
                && operation.pointer.starts_with(pointer)
            {
                out.push(
                    cx.at(&LenientReference::RULE, &format!("/workflows/{wi}/steps/{si}/operationPath"), format!("`{path}` names a path item, not an operation; Telaio calls its only operation, {}", operation.method.to_ascii_uppercase()))
                        .with_hint(format!("end the pointer with the method: `{path}/{}`", operation.method)),
                );
            }
            for (pi, p) in s.parameters.iter().enumerate() {
                let telaio_model::ParameterOrReusable::Parameter(p) = p else {
                    continue;
                };
                let (Some(name), Some(telaio_model::ParameterIn::Path)) = (&p.name, &p.location)
                else {
                    continue;
                };
                if let telaio_model::PathSlot::Lenient(actual) =
                    telaio_model::path_slot(&operation.path, name)
                {
                    out.push(
                        cx.at(&LenientReference::RULE, &format!("/workflows/{wi}/steps/{si}/parameters/{pi}/name"), format!("`{}` has no `{{{name}}}`; Telaio fills `{{{actual}}}`, which differs only in case, `_` or `-`", operation.path))
                            .with_hint(format!("write `{actual}`: parameter names are matched exactly")),
                    );
                }
            }
        }
    }
}

/// `x` in `$sourceDescriptions.x.rest` or `{$sourceDescriptions.x.url}#...`.
fn qualified_source(value: &str) -> Option<&str> {
    let value = value.strip_prefix('{').unwrap_or(value);
    telaio_model::split_qualified(value).map(|(name, _)| name)
}

/// When `output` is not an output of the step but a path into one (`items[0].id`), that
/// output and the path as a JSON Pointer (`/0/id`).
fn output_path(
    cx: &Context<'_>,
    workflow: Option<usize>,
    step_id: &str,
    output: &str,
) -> Option<(String, String)> {
    let w = cx.model.workflows.get(workflow?)?;
    let step = &w.steps[cx.flow(workflow?).step_index(step_id)?];
    if step.outputs.contains_key(output) {
        return None;
    }
    // The longest declared output the name reads into, found among the outputs (a name may
    // have a million dots).
    step.outputs
        .keys()
        .filter_map(|k| Some((k, telaio_expr::member_pointer(output, k)?)))
        .max_by_key(|(k, _)| k.len())
        .map(|(k, pointer)| (k.clone(), pointer))
}

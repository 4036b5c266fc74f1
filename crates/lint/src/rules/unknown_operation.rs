//! operationId / operationPath / channelPath that do not resolve.

use telaio_model::{OperationLookup, Source};

use crate::Diagnostic;
use crate::context::{Context, did_you_mean, suggestion};
use crate::rule::declare_rule;

declare_rule! {
    /// ## What it checks
    /// That each step's `operationId` names an operation of its source description (of the
    /// named one when written `$sourceDescriptions.<name>.<operationId>`), that each
    /// `operationPath` (`{$sourceDescriptions.<name>.url}#/paths/...`) points at an operation,
    /// and that each `channelPath` points at an AsyncAPI channel.
    ///
    /// Sources that did not load are not searched (`source-unresolved` reports them).
    ///
    /// ## Why it matters
    /// A step whose operation does not exist cannot run. Typos and operationIds renamed in a
    /// newer API description are the usual cause.
    ///
    /// ## Example
    /// ```yaml
    /// - stepId: create
    ///   operationId: createFaceLivenesSession
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    /// - stepId: create
    ///   operationId: createFaceLivenessSession
    /// ```
    UnknownOperation = "unknown-operation", Error, "operationId, operationPath and channelPath resolve in their source";
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let rule = &UnknownOperation::RULE;
    for (wi, w) in cx.model.workflows.iter().enumerate() {
        for (si, s) in w.steps.iter().enumerate() {
            let sp = format!("/workflows/{wi}/steps/{si}");
            if let Some(id) = &s.operation_id {
                let pointer = format!("{sp}/operationId");
                match cx.bundle.find_operation_id(id) {
                    OperationLookup::Found { .. } | OperationLookup::Ambiguous { .. } => {}
                    OperationLookup::UnknownSource { name } => {
                        out.push(unknown_source(cx, &pointer, &name))
                    }
                    OperationLookup::Malformed { reason } => {
                        out.push(cx.at(rule, &pointer, reason))
                    }
                    OperationLookup::NotFound { searched, unloaded } => {
                        if searched.is_empty() {
                            continue;
                        }
                        let bare =
                            telaio_model::split_qualified(id).map_or(id.as_str(), |(_, op)| op);
                        let names: Vec<String> =
                            searched.iter().map(|s| format!("`{}`", s.name)).collect();
                        let mut d = cx.at(
                            rule,
                            &pointer,
                            format!("no operation `{bare}` in source {}", names.join(" or ")),
                        );
                        let candidates = searched
                            .iter()
                            .filter_map(|s| s.api())
                            .flat_map(|a| a.operation_ids());
                        if let Some(h) = suggestion(did_you_mean(bare, candidates)) {
                            d = d.with_hint(h);
                        } else if !unloaded.is_empty() {
                            d = d.with_hint(format!(
                                "source `{}` did not load and may hold it",
                                unloaded[0].name
                            ));
                        }
                        out.push(d);
                    }
                }
            }
            if let Some(path) = &s.operation_path {
                let pointer = format!("{sp}/operationPath");
                match cx.bundle.find_operation_path(path) {
                    OperationLookup::Found { .. } | OperationLookup::Ambiguous { .. } => {}
                    OperationLookup::UnknownSource { name } => {
                        out.push(unknown_source(cx, &pointer, &name))
                    }
                    // The official schema tests accept malformed paths; reported as a warning
                    // under `expression-syntax`.
                    OperationLookup::Malformed { .. } => {}
                    OperationLookup::NotFound { searched, .. } => {
                        if let Some(source) = searched.first() {
                            let fragment = path.split_once('#').map_or("", |(_, f)| f);
                            out.push(
                                cx.at(rule, &pointer, format!("`#{fragment}` is not an operation in source `{}`", source.name))
                                    .with_hint("an operationPath points at an operation object, e.g. `#/paths/~1pets~1{id}/get`; `~1` stands for `/`"),
                            );
                        }
                    }
                }
            }
            if let Some(channel) = &s.channel_path {
                check_channel(cx, &format!("{sp}/channelPath"), channel, out);
            }
        }
    }
}

fn check_channel(cx: &Context<'_>, pointer: &str, channel: &str, out: &mut Vec<Diagnostic>) {
    let Some((source_part, fragment)) = channel.split_once('#') else {
        return;
    };
    let Some((name, "url")) = source_part
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .and_then(telaio_model::split_qualified)
    else {
        return;
    };
    let Some(source) = cx.bundle.source(name) else {
        out.push(unknown_source(cx, pointer, name));
        return;
    };
    if let Ok(Source::Api(api)) = &source.content {
        if api.kind.is_openapi() {
            out.push(cx.at(&UnknownOperation::RULE, pointer, format!("`channelPath` names an AsyncAPI channel, but source `{name}` is an {} description", api.kind.name())));
        } else if api.document.pointer(fragment).is_none() {
            out.push(cx.at(
                &UnknownOperation::RULE,
                pointer,
                format!("`#{fragment}` is not in source `{name}`"),
            ));
        }
    }
}

pub(crate) fn unknown_source(cx: &Context<'_>, pointer: &str, name: &str) -> Diagnostic {
    let names = cx
        .model
        .source_descriptions
        .iter()
        .filter_map(|s| s.name.as_deref());
    let d = cx.at(
        &UnknownOperation::RULE,
        pointer,
        format!("there is no source description named `{name}`"),
    );
    match suggestion(did_you_mean(name, names)) {
        Some(h) => d.with_hint(h),
        None => d,
    }
}

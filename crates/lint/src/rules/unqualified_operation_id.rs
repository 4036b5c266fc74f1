//! With several API sources, operationIds name their source.

use telaio_model::OperationLookup;

use crate::Diagnostic;
use crate::context::Context;
use crate::rule::declare_rule;

declare_rule! {
    /// ## What it checks
    /// That when a document has more than one non-`arazzo` source description, each step's
    /// `operationId` names its source: `$sourceDescriptions.<name>.<operationId>`.
    ///
    /// ## Why it matters
    /// The specification requires it (a MUST), because two APIs may share an operationId.
    /// When the plain id is found in several sources, Telaio cannot know which is meant.
    ///
    /// ## Example
    /// ```yaml
    /// sourceDescriptions:
    ///   - {name: pets, url: ./pets.yaml}
    ///   - {name: stores, url: ./stores.yaml}
    /// # ...
    ///   operationId: listItems
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    ///   operationId: $sourceDescriptions.pets.listItems
    /// ```
    UnqualifiedOperationId = "unqualified-operation-id", Error, "operationIds are qualified when there are several API sources";
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if cx.bundle.api_source_count() < 2 {
        return;
    }
    let rule = &UnqualifiedOperationId::RULE;
    for (wi, w) in cx.model.workflows.iter().enumerate() {
        for (si, s) in w.steps.iter().enumerate() {
            let Some(id) = s.operation_id.as_deref().filter(|id| !id.starts_with('$')) else {
                continue;
            };
            // `<source>.<operationId>` names its source, if not as the spec says
            // (`lenient-reference` points it out).
            if cx.bundle.source_dot_operation(id).is_some() {
                continue;
            }
            let pointer = format!("/workflows/{wi}/steps/{si}/operationId");
            let d = match cx.bundle.find_operation_id(id) {
                OperationLookup::Ambiguous { candidates } => {
                    let names: Vec<String> = candidates
                        .iter()
                        .map(|(s, _)| format!("`{}`", s.name))
                        .collect();
                    cx.at(
                        rule,
                        &pointer,
                        format!(
                            "`{id}` is an operation of {}; name the one you mean",
                            names.join(" and ")
                        ),
                    )
                    .with_hint(format!(
                        "write `$sourceDescriptions.{}.{id}`",
                        candidates[0].0.name
                    ))
                }
                // Not found anywhere: `unknown-operation` says so, once is enough.
                OperationLookup::NotFound { searched, .. } if !searched.is_empty() => continue,
                found => {
                    let name = match found {
                        OperationLookup::Found { source, .. } => source.name.as_str(),
                        _ => "<name>",
                    };
                    cx.at(
                        rule,
                        &pointer,
                        format!(
                            "`{id}` must name its source: this document has {} API sources",
                            cx.bundle.api_source_count()
                        ),
                    )
                    .with_hint(format!("write `$sourceDescriptions.{name}.{id}`"))
                }
            };
            out.push(d);
        }
    }
}

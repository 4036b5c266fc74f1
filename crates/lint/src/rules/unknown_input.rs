//! `$inputs` expressions that name no input of the workflow.

use serde_json::Value;
use telaio_expr::Expression;

use crate::Diagnostic;
use crate::context::{Context, did_you_mean, suggestion};
use crate::rule::declare_rule;

declare_rule! {
    /// ## What it checks
    /// That `$inputs.<name>` names an input the workflow's `inputs` schema declares (one of
    /// its `properties`, or a path into one: `$inputs.filter.color`). Workflows whose inputs
    /// schema does not list its properties are not checked.
    ///
    /// Arazzo 1.0.1 lets input names hold any character, so `$inputs.limit ` (with a space)
    /// or `$inputs.id)` are names too, read whole: this rule is what catches them.
    ///
    /// ## Why it matters
    /// An input that is not declared has no value: the parameter is left out, or the body
    /// holds `null`, and the run goes on without a word.
    ///
    /// ## Example
    /// ```yaml
    /// inputs: {type: object, properties: {petId: {type: string}}}
    /// steps:
    ///   - stepId: get
    ///     parameters: [{name: id, in: path, value: $inputs.petid}]
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    ///     parameters: [{name: id, in: path, value: $inputs.petId}]
    /// ```
    UnknownInput = "unknown-input", Warning, "$inputs expressions name declared inputs";
}

/// The property names of a workflow's inputs schema (one `$ref` into `components.inputs`
/// followed), when it lists them.
fn declared<'a>(cx: &Context<'a>, schema: &'a Value) -> Option<Vec<&'a str>> {
    let schema = match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/inputs/"))
    {
        Some(name) => cx.model.components.as_ref()?.inputs.get(name)?,
        None => schema,
    };
    let properties = schema.get("properties")?.as_object()?;
    Some(properties.keys().map(String::as_str).collect())
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let rule = &UnknownInput::RULE;
    let names: Vec<Option<Vec<&str>>> = cx
        .model
        .workflows
        .iter()
        .map(|w| w.inputs.as_ref().and_then(|s| declared(cx, s)))
        .collect();
    for (site, exprs) in cx.sites().iter().zip(cx.expressions()) {
        let Some(Some(declared)) = site.workflow.and_then(|wi| names.get(wi)) else {
            continue;
        };
        for e in exprs {
            let Expression::Inputs { name, .. } = e else {
                continue;
            };
            let known = declared.iter().any(|d| {
                d == name
                    || (name.len() > d.len()
                        && name.starts_with(d)
                        && matches!(name.as_bytes()[d.len()], b'.' | b'['))
            });
            if known {
                continue;
            }
            let mut d = cx.at(
                rule,
                &site.pointer,
                format!("`$inputs.{name}` names no input of this workflow"),
            );
            let trimmed = name.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_');
            if trimmed != name && declared.contains(&trimmed) {
                d = d.with_hint(format!(
                    "`{}` is not part of the name: end the expression after `$inputs.{trimmed}`",
                    &name[trimmed.len()..]
                ));
            } else if let Some(h) = suggestion(did_you_mean(name, declared.iter().copied())) {
                d = d.with_hint(h);
            }
            out.push(d);
        }
    }
}

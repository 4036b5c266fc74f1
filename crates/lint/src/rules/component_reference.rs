//! `reference` and `$components` expressions must name existing components of the right kind.

use telaio_expr::Expression;

use crate::Diagnostic;
use crate::context::{Context, did_you_mean, suggestion};
use crate::rule::declare_rule;
use crate::sites::{ComponentKind, Role};

declare_rule! {
    /// ## What it checks
    /// That every Reusable Object's `reference` is `$components.<kind>.<name>` with the kind
    /// its place calls for (`parameters` in parameter lists, `successActions` in `onSuccess`
    /// and `successActions`, `failureActions` in `onFailure` and `failureActions`), and that
    /// every `$components.<kind>.<name>` names a component that exists.
    ///
    /// ## Why it matters
    /// A reference that resolves to nothing drops the parameter or action silently.
    ///
    /// ## Example
    /// ```yaml
    /// onFailure:
    ///   - reference: $components.successActions.retryLater
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    /// onFailure:
    ///   - reference: $components.failureActions.retryLater
    /// ```
    ComponentReference = "component-reference", Error, "references name existing components of the right kind";
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let rule = &ComponentReference::RULE;
    let components = cx.model.components.as_ref();
    for (site, exprs) in cx.sites().iter().zip(cx.expressions()) {
        if let Role::Reference(expected) = site.role {
            match exprs.first() {
                Some(Expression::Components { kind, .. }) if kind != expected.key() => {
                    out.push(cx.at(
                        rule,
                        &site.pointer,
                        format!(
                            "a reference here must name `$components.{}`, not `$components.{kind}`",
                            expected.key()
                        ),
                    ));
                    continue;
                }
                Some(Expression::Components { .. }) => {}
                Some(other) => {
                    out.push(cx.at(
                        rule,
                        &site.pointer,
                        format!(
                            "a reference must be `$components.{}.<name>`, not `{other}`",
                            expected.key()
                        ),
                    ));
                    continue;
                }
                None => continue,
            }
        }
        for e in exprs {
            let Expression::Components { kind, name } = e else {
                continue;
            };
            let names: Vec<&str> = match (components, kind.as_str()) {
                (Some(c), "parameters") => c.parameters.keys().map(String::as_str).collect(),
                (Some(c), "successActions") => {
                    c.success_actions.keys().map(String::as_str).collect()
                }
                (Some(c), "failureActions") => {
                    c.failure_actions.keys().map(String::as_str).collect()
                }
                (_, "parameters" | "successActions" | "failureActions") => Vec::new(),
                _ => {
                    out.push(
                        cx.at(
                            rule,
                            &site.pointer,
                            format!("`$components.{kind}` is not a kind of component"),
                        )
                        .with_hint(format!(
                            "use one of {}",
                            [
                                ComponentKind::Parameters,
                                ComponentKind::SuccessActions,
                                ComponentKind::FailureActions
                            ]
                            .map(|k| format!("`{}`", k.key()))
                            .join(", ")
                        )),
                    );
                    continue;
                }
            };
            if !names.contains(&name.as_str()) {
                let d = cx.at(
                    rule,
                    &site.pointer,
                    format!("there is no component `{name}` in `components.{kind}`"),
                );
                out.push(match suggestion(did_you_mean(name, names)) {
                    Some(h) => d.with_hint(h),
                    None => d,
                });
            }
        }
    }
}

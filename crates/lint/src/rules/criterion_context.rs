//! Typed criteria need a context.

use telaio_model::CriterionType;

use crate::Diagnostic;
use crate::context::Context;
use crate::rule::declare_rule;
use crate::sites::Role;

declare_rule! {
    /// ## What it checks
    /// That every criterion with a `type` has a `context`, as the specification requires
    /// (even for `type: simple`, where the context is not used; leave `type` out instead).
    ///
    /// ## Why it matters
    /// A regex, JSONPath or XPath is applied to the value of the context expression; without
    /// one there is nothing to apply it to.
    ///
    /// ## Example
    /// ```yaml
    /// - condition: $.Status == 'SUCCEEDED'
    ///   type: jsonpath
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    /// - context: $response.body
    ///   condition: $.Status == 'SUCCEEDED'
    ///   type: jsonpath
    /// ```
    CriterionContext = "criterion-context", Error, "criteria with a type have a context";
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for site in cx.sites() {
        let Role::Condition(c) = site.role else {
            continue;
        };
        // An unknown `type` is the schema's to report.
        let known = matches!(
            c.criterion_type,
            Some(
                CriterionType::Simple
                    | CriterionType::Regex
                    | CriterionType::JsonPath(_)
                    | CriterionType::XPath(_)
            )
        );
        if c.context.is_none() && known {
            let pointer = site.pointer.trim_end_matches("/condition");
            out.push(
                cx.at_key(&CriterionContext::RULE, &format!("{pointer}/type"), format!("a `{}` criterion needs a `context`", c.kind().name()))
                    .with_hint(if c.kind() == CriterionType::Simple {
                        "leave `type: simple` out (it is the default), or add a `context`"
                    } else {
                        "add `context: $response.body` (or the expression whose value the condition applies to)"
                    }),
            );
        }
    }
}

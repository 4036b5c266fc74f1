//! Selector Objects and payload replacement targets that do not compile.

use telaio_expr::{JsonPathCondition, JsonPointer, XPathCondition};
use telaio_model::CriterionType;

use crate::Diagnostic;
use crate::context::Context;
use crate::rule::declare_rule;
use crate::sites::Role;

declare_rule! {
    /// ## What it checks
    /// That every Selector Object's `selector` (1.1) and every payload replacement's
    /// `target` is valid in its language: a JSON Pointer (RFC 6901), an RFC 9535 JSONPath
    /// query, or an XPath 3.1 expression, as its `type` / `targetSelectorType` says. A
    /// `target` without a type is a JSON Pointer when it starts with `/`, else an XPath.
    ///
    /// ## Why it matters
    /// A selector that does not compile selects nothing: the output is null or the payload
    /// is sent unchanged.
    ///
    /// ## Example
    /// ```yaml
    /// outputs:
    ///   firstId:
    ///     context: $response.body
    ///     selector: $.items[0.id
    ///     type: jsonpath
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    ///     selector: $.items[0].id
    /// ```
    SelectorSyntax = "selector-syntax", Error, "selectors and replacement targets compile";
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for site in cx.sites() {
        let (declared, is_target) = match site.role {
            Role::Selector(t) => (t, false),
            Role::Target(t) => (t, true),
            _ => continue,
        };
        let text = site.text;
        let result = match declared {
            Some(CriterionType::JsonPointer) => JsonPointer::parse(text).map(drop),
            Some(CriterionType::JsonPath(_)) => match JsonPathCondition::compile(text) {
                Ok(c) if c.translated => Err(telaio_expr::ExprError {
                    message: "a comparison is not a selector; a JSONPath selector is a query such as `$.items[0].id`".into(),
                    offset: 0,
                }),
                other => other.map(drop),
            },
            Some(CriterionType::XPath(_)) => XPathCondition::compile(text).map(drop),
            // An unknown type is the schema's to report.
            Some(_) => continue,
            None if is_target && text.starts_with('/') => JsonPointer::parse(text).map(drop),
            None if is_target => XPathCondition::compile(text).map(drop),
            None => continue,
        };
        if let Err(e) = result {
            let what = if is_target {
                "payload replacement target"
            } else {
                "selector"
            };
            out.push(cx.in_string(
                &SelectorSyntax::RULE,
                &site.pointer,
                e.offset,
                format!("invalid {what}: {}", e.message),
            ));
        }
    }
}

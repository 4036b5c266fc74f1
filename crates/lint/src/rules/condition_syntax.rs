//! Conditions that do not parse or compile.

use telaio_expr::{Condition, JsonPathCondition, RegexCondition, Template, XPathCondition};
use telaio_model::CriterionType;

use crate::Diagnostic;
use crate::context::Context;
use crate::rule::declare_rule;
use crate::sites::Role;

declare_rule! {
    /// ## What it checks
    /// That every criterion's `condition` is valid for its `type`:
    /// - `simple` (the default): the simple condition language (`$statusCode == 200 && ...`);
    /// - `regex`: a regular expression (fancy-regex: Rust `regex` syntax with look-around and
    ///   back-references);
    /// - `jsonpath`: an RFC 9535 JSONPath (or the comparison shape `$.x == 'y'`, which is
    ///   accepted and reported by `jsonpath-not-rfc9535`).
    ///
    /// - `xpath`: an XPath 3.1 expression (the spec's default; `xpath-10`, `xpath-20` and
    ///   `xpath-30` conditions are compiled as 3.1 too).
    ///
    /// Expressions embedded with `{$...}` in regex, JSONPath and XPath conditions are checked
    /// too.
    ///
    /// ## Why it matters
    /// A condition that does not compile always fails at run time (Arazzo 1.1 says so), so a
    /// step or action can never behave as written.
    ///
    /// ## Example
    /// ```yaml
    /// successCriteria:
    ///   - condition: $statusCode = 200
    ///   - condition: $.items[*]            # JSONPath without `type: jsonpath`
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    /// successCriteria:
    ///   - condition: $statusCode == 200
    ///   - context: $response.body
    ///     condition: $.items[*]
    ///     type: jsonpath
    /// ```
    ConditionSyntax = "condition-syntax", Error, "conditions parse (simple) or compile (regex, JSONPath, XPath)";
}

/// Stands for embedded expressions while a regex or JSONPath is compiled.
const PLACEHOLDER: &str = "0";

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let rule = &ConditionSyntax::RULE;
    for site in cx.sites() {
        let Role::Condition(criterion) = site.role else {
            continue;
        };
        let text = site.text;
        match criterion.kind() {
            CriterionType::Simple => {
                if let Err(e) = Condition::parse(text) {
                    let mut d = cx.in_string(
                        rule,
                        &site.pointer,
                        e.offset,
                        format!("invalid condition: {}", e.message),
                    );
                    if text.trim_start().starts_with("$.") || text.trim_start().starts_with("$[") {
                        d = d.with_hint("this is a JSONPath: add `type: jsonpath` and `context: $response.body`");
                    }
                    out.push(d);
                }
            }
            kind
            @ (CriterionType::Regex | CriterionType::JsonPath(_) | CriterionType::XPath(_)) => {
                let template = match Template::parse(text) {
                    Ok(t) => t,
                    Err(e) => {
                        out.push(cx.in_string(
                            rule,
                            &site.pointer,
                            e.offset,
                            format!("invalid embedded expression: {}", e.message),
                        ));
                        continue;
                    }
                };
                let filled = template.fill(PLACEHOLDER);
                let compiled = match &kind {
                    CriterionType::Regex => RegexCondition::compile(&filled).map(drop),
                    CriterionType::JsonPath(Some(v))
                        if v == "draft-goessner-dispatch-jsonpath-00" =>
                    {
                        JsonPathCondition::compile_goessner(&filled).map(drop)
                    }
                    CriterionType::JsonPath(_) => JsonPathCondition::compile(&filled).map(drop),
                    _ => XPathCondition::compile(&filled).map(drop),
                };
                if let Err(e) = compiled {
                    // Offsets are only meaningful when nothing was spliced in.
                    let offset = if template.is_literal() { e.offset } else { 0 };
                    let mut d = cx.in_string(rule, &site.pointer, offset, e.message);
                    if matches!(kind, CriterionType::JsonPath(_))
                        && let Some(expr) = bare_expression(text)
                    {
                        d = d.with_hint(format!(
                            "runtime expressions in a JSONPath are embedded in braces: `{{{expr}}}`"
                        ));
                    }
                    out.push(d);
                }
            }
            _ => {}
        }
    }
}

/// A runtime expression written without braces inside a JSONPath (`'$inputs.id'`).
fn bare_expression(text: &str) -> Option<&str> {
    [
        "$inputs.",
        "$steps.",
        "$response.",
        "$outputs.",
        "$workflows.",
    ]
    .iter()
    .filter_map(|p| text.find(p))
    .find(|&i| !text[..i].ends_with('{'))
    .map(|i| {
        let rest = &text[i..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || "$._-".contains(c)))
            .unwrap_or(rest.len());
        &rest[..end]
    })
}

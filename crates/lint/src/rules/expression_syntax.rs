//! Runtime expressions that do not parse.

use telaio_expr::{Expression, ValueExpression};

use telaio_model::SpecVersion;

use crate::Diagnostic;
use crate::context::Context;
use crate::rule::declare_rule;
use crate::sites::Role;

declare_rule! {
    /// ## What it checks
    /// That every runtime expression parses: whole-string values that start like one
    /// (`$inputs.`, `$steps.`, `$response.`, `$statusCode`, ...), `{$...}` expressions
    /// embedded in strings, criterion and selector `context`s, and Reusable Object
    /// `reference`s.
    ///
    /// A string that starts with `$` but not with an expression name (`$5.00`) is literal
    /// text; so is a lone `{` or `}`.
    ///
    /// The names after `$inputs.`, `$outputs.` and `$steps.` follow the document's version:
    /// Arazzo 1.0.1 allows any characters (`$inputs.page[limit]`, `$steps.Search
    /// Pets.outputs.items`); 1.1 allows identifiers only (letters, digits, `.`, `-`, `_`; no
    /// `.` in step ids).
    ///
    /// ## Why it matters
    /// A broken expression is sent as literal text, or makes the step fail at run time.
    ///
    /// ## Example
    /// ```yaml
    /// outputs:
    ///   id: $steps.create.output.id        # `outputs`, not `output`
    ///   url: https://{$inputs.host/pets    # unclosed `{`
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    /// outputs:
    ///   id: $steps.create.outputs.id
    ///   url: https://{$inputs.host}/pets
    /// ```
    ExpressionSyntax = "expression-syntax", Error, "runtime expressions parse";
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let rule = &ExpressionSyntax::RULE;
    for site in cx.sites() {
        let result = match site.role {
            Role::Value => ValueExpression::parse(site.text).map(drop),
            Role::Context | Role::Reference(_) if !site.text.starts_with('$') => {
                let what = if matches!(site.role, Role::Context) {
                    "a context"
                } else {
                    "a reference"
                };
                out.push(
                    cx.at(
                        rule,
                        &site.pointer,
                        format!("{what} must be a runtime expression, not `{}`", site.text),
                    )
                    .with_hint(if matches!(site.role, Role::Context) {
                        "e.g. `$response.body` or `$statusCode`"
                    } else {
                        "e.g. `$components.parameters.page`"
                    }),
                );
                continue;
            }
            Role::Context | Role::Reference(_) => Expression::parse(site.text).map(drop),
            // Conditions are `condition-syntax`'s; selectors and targets `selector-syntax`'s.
            Role::Condition(_) | Role::Selector(_) | Role::Target(_) => continue,
        };
        if let Err(e) = result {
            out.push(cx.in_string(
                rule,
                &site.pointer,
                e.offset,
                format!("invalid runtime expression: {}", e.message),
            ));
        }
    }
    if cx.version == SpecVersion::V1_1 {
        names_outside_1_1(cx, out);
    }
}

/// Names 1.0.1 allowed and 1.1 does not.
fn names_outside_1_1(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (site, exprs) in cx.sites().iter().zip(cx.expressions()) {
        for e in exprs {
            for (what, name) in e.names_outside_1_1() {
                let what = if what == "step id" {
                    what
                } else {
                    &format!("{what} name")
                };
                let allowed = if what == "step id" {
                    "letters, digits, `-` and `_`"
                } else {
                    "letters, digits, `.`, `-` and `_`"
                };
                out.push(
                    cx.at(
                        &ExpressionSyntax::RULE,
                        &site.pointer,
                        format!("`{e}`: in Arazzo 1.1, {what}s in expressions are made of {allowed}, and `{name}` is not"),
                    )
                    .with_hint("rename it to an identifier (Arazzo 1.0.1 allowed any characters; a document that needs them can declare `arazzo: 1.0.1`)"),
                );
            }
        }
    }
}

//! The catalog's `$.x == 'y'` JSONPath conditions: accepted, with the standard rewrite.

use telaio_expr::{JsonPathCondition, Template};
use telaio_model::CriterionType;

use crate::Diagnostic;
use crate::context::Context;
use crate::rule::declare_rule;
use crate::sites::Role;

declare_rule! {
    /// ## What it checks
    /// JSONPath conditions written as a comparison, `$.Status == 'CREATED'`, which is not
    /// RFC 9535 JSONPath (a query selects nodes; it does not compare). Much of the public
    /// catalog writes them this way. Telaio evaluates the comparison as its author meant and
    /// shows the standard spellings; `--strict` rejects the form.
    ///
    /// ## Why it matters
    /// Other Arazzo tools reject such a condition or treat it as always false, so the same
    /// workflow behaves differently elsewhere.
    ///
    /// ## Example
    /// ```yaml
    /// - context: $response.body
    ///   condition: $.Status == 'CREATED'
    ///   type: jsonpath
    /// ```
    ///
    /// ## Instead
    /// A simple condition:
    /// ```yaml
    /// - condition: $response.body#/Status == 'CREATED'
    /// ```
    /// or RFC 9535 (a filter that selects the root's children when the comparison holds):
    /// ```yaml
    /// - context: $response.body
    ///   condition: $[?$.Status == 'CREATED']
    ///   type: jsonpath
    /// ```
    JsonPathNotRfc9535 = "jsonpath-not-rfc9535", Warning, "JSONPath conditions are RFC 9535 queries, not comparisons";
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for site in cx.sites() {
        let Role::Condition(criterion) = site.role else {
            continue;
        };
        if !matches!(criterion.kind(), CriterionType::JsonPath(_)) {
            continue;
        }
        let Ok(template) = Template::parse(site.text) else {
            continue;
        };
        let Ok(compiled) = JsonPathCondition::compile(&template.fill("0")) else {
            continue;
        };
        if !compiled.translated {
            continue;
        }
        let rfc = if template.is_literal() {
            compiled.rfc9535.clone()
        } else {
            format!("$[?{}]", site.text)
        };
        let simple = criterion
            .context
            .as_deref()
            .and_then(|ctx| to_simple(site.text, ctx));
        let hint = match simple {
            Some(s) => format!(
                "write the simple condition `{s}` (it compares strings ignoring case, and numbers with numeric strings), or the RFC 9535 query `{rfc}`"
            ),
            None => format!("write the RFC 9535 query `{rfc}`"),
        };
        out.push(
            cx.at(
                &JsonPathNotRfc9535::RULE,
                &site.pointer,
                format!("`{}` is a comparison, not an RFC 9535 JSONPath; Telaio evaluates it as a comparison", site.text),
            )
            .with_hint(hint),
        );
    }
}

/// Rewrites `$.a.b[0] == "x"` as the simple condition `<context>#/a/b/0 == 'x'`, when every
/// path is a plain member / index chain and the context is an expression a pointer can follow.
fn to_simple(condition: &str, context: &str) -> Option<String> {
    let body_like = [
        "$response.body",
        "$request.body",
        "$message.payload",
        "$inputs.",
        "$steps.",
        "$outputs.",
    ]
    .iter()
    .any(|p| context.starts_with(p));
    if !body_like {
        return None;
    }
    let (base, existing) = match context.split_once('#') {
        Some((b, p)) => (b, p.to_owned()),
        None => (context, String::new()),
    };
    let chars: Vec<char> = condition.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            let end = chars[i + 1..].iter().position(|&d| d == c)? + i + 1;
            let inner: String = chars[i + 1..end].iter().collect();
            out.push('\'');
            out.push_str(&inner.replace('\'', "''"));
            out.push('\'');
            i = end + 1;
        } else if c == '$' && matches!(chars.get(i + 1), Some('.' | '[')) {
            let mut pointer = existing.clone();
            i += 1;
            loop {
                match chars.get(i) {
                    Some('.') => {
                        let start = i + 1;
                        let mut end = start;
                        while chars
                            .get(end)
                            .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                        {
                            end += 1;
                        }
                        let name: String = chars[start..end].iter().collect();
                        if name.is_empty() || name == "length" {
                            return None;
                        }
                        pointer.push('/');
                        pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
                        i = end;
                    }
                    Some('[') => {
                        let end = chars[i..].iter().position(|&d| d == ']')? + i;
                        let inner: String = chars[i + 1..end].iter().collect();
                        let inner = inner.trim();
                        let token = if inner.parse::<usize>().is_ok() {
                            inner.to_owned()
                        } else if inner.len() >= 2
                            && (inner.starts_with('\'') || inner.starts_with('"'))
                        {
                            inner[1..inner.len() - 1].to_owned()
                        } else {
                            return None;
                        };
                        pointer.push('/');
                        pointer.push_str(&token.replace('~', "~0").replace('/', "~1"));
                        i = end + 1;
                    }
                    _ => break,
                }
            }
            out.push_str(base);
            out.push('#');
            out.push_str(&pointer);
        } else if c.is_alphabetic() {
            let start = i;
            while chars.get(i).is_some_and(|c| c.is_alphanumeric()) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if !matches!(word.as_str(), "true" | "false" | "null") {
                return None;
            }
            out.push_str(&word);
        } else {
            out.push(c);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::to_simple;

    #[test]
    fn rewrites_comparisons_as_simple_conditions() {
        assert_eq!(
            to_simple("$.Status == 'CREATED'", "$response.body").as_deref(),
            Some("$response.body#/Status == 'CREATED'")
        );
        assert_eq!(
            to_simple(r#"$.a[0].b == "x" || $.c != null"#, "$response.body").as_deref(),
            Some("$response.body#/a/0/b == 'x' || $response.body#/c != null")
        );
        assert_eq!(to_simple("$.items.length > 0", "$response.body"), None);
        assert_eq!(to_simple("$.a empty false", "$response.body"), None);
        assert_eq!(to_simple("$.a == 1", "$statusCode"), None);
    }
}

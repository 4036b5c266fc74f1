//! Templated JSON: a JSON body written as text with `{$...}` placeholders, as the
//! specification's examples write them. Each value is spliced as JSON fits where it stands,
//! so the result stays JSON whatever the values hold:
//! - inside a string, the value's text, JSON-escaped (a `"` in a name does not end the string);
//! - a placeholder that is a whole string (`"{$inputs.customer}"`) and whose value is not a
//!   string becomes that value (`{"firstName": …}`, `3`, `true`), as its author meant;
//! - outside strings, the value as JSON (`"count": {$inputs.n}` gives `"count": 3`).
//!
//! A missing value is empty inside a string and `null` elsewhere.

use serde_json::Value;
use telaio_expr::{Missing, Part, Scope, Template, evaluate, to_text};

/// Renders a JSON template (see the module documentation).
pub(crate) fn render<S: Scope + ?Sized>(
    template: &Template,
    scope: &S,
    missing: &mut Vec<Missing>,
) -> String {
    let parts = template.parts();
    let mut out = String::new();
    let mut in_string = false;
    // Set when the previous placeholder consumed the closing quote of its string.
    let mut skip_quote = false;
    for (i, part) in parts.iter().enumerate() {
        match part {
            Part::Text(text) => {
                let text = if skip_quote {
                    skip_quote = false;
                    &text[1..]
                } else {
                    text.as_str()
                };
                in_string = track_strings(text, in_string);
                out.push_str(text);
            }
            Part::Expression(e) => {
                let value = match evaluate(e, scope) {
                    Ok(v) => Some(v.into_owned()),
                    Err(m) => {
                        missing.push(m);
                        None
                    }
                };
                let whole_string = in_string
                    && out.ends_with('"')
                    && matches!(parts.get(i + 1), Some(Part::Text(t)) if t.starts_with('"'));
                match value {
                    Some(v) if whole_string && !v.is_string() => {
                        out.pop();
                        out.push_str(&v.to_string());
                        in_string = false;
                        skip_quote = true;
                    }
                    Some(v) if in_string => out.push_str(&escaped(&to_text(&v))),
                    Some(v) => out.push_str(&v.to_string()),
                    None if whole_string => {
                        out.pop();
                        out.push_str("null");
                        in_string = false;
                        skip_quote = true;
                    }
                    None if in_string => {}
                    None => out.push_str("null"),
                }
            }
        }
    }
    out
}

/// Whether the text ends inside a JSON string, given whether it starts inside one.
fn track_strings(text: &str, mut in_string: bool) -> bool {
    let mut escaped = false;
    for c in text.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            _ => {}
        }
    }
    in_string
}

/// Text as it must appear between the quotes of a JSON string.
fn escaped(text: &str) -> String {
    let quoted = Value::String(text.to_owned()).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use telaio_expr::Snapshot;

    use super::*;

    fn rendered(template: &str) -> String {
        let state: Snapshot = serde_json::from_value(json!({"inputs": {
            "name": "Rex \"the\" dog", "n": 3, "customer": {"firstName": "Ann"}, "flag": true
        }}))
        .unwrap();
        let t = Template::parse(template).unwrap();
        render(&t, &state, &mut Vec::new())
    }

    #[test]
    fn values_are_spliced_as_json_fits_where_they_stand() {
        let text = rendered(
            r#"{"name": "{$inputs.name}", "hello": "hi {$inputs.name}!", "n": {$inputs.n}, "customer": "{$inputs.customer}", "flag": "{$inputs.flag}", "gone": "{$inputs.gone}", "none": {$inputs.gone}, "empty": "x{$inputs.gone}"}"#,
        );
        let parsed: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_eq!(
            parsed,
            json!({"name": "Rex \"the\" dog", "hello": "hi Rex \"the\" dog!", "n": 3,
                   "customer": {"firstName": "Ann"}, "flag": true, "gone": null, "none": null,
                   "empty": "x"})
        );
    }

    #[test]
    fn escaped_quotes_in_the_text_do_not_confuse_the_string_tracking() {
        let text = rendered(r#"{"say": "a \"quote\" {$inputs.n}", "n": {$inputs.n}}"#);
        let parsed: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_eq!(parsed, json!({"say": "a \"quote\" 3", "n": 3}));
    }
}

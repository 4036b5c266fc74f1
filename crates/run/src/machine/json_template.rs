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
    let mut strings = Strings::default();
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
                strings.track(text, out.len());
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
                // `"{$x}"`: the placeholder opens its string (nothing between the quote and
                // it), closes it (the next text starts with the closing quote), and the
                // string is a value, not a member name (no `:` after it).
                let whole_string = strings.opened_at.is_some_and(|q| q + 1 == out.len())
                    && matches!(parts.get(i + 1), Some(Part::Text(t))
                        if t.starts_with('"') && !t[1..].trim_start().starts_with(':'));
                match value {
                    Some(v) if whole_string && !v.is_string() => {
                        out.pop();
                        out.push_str(&v.to_string());
                        strings.close();
                        skip_quote = true;
                    }
                    None if whole_string => {
                        out.pop();
                        out.push_str("null");
                        strings.close();
                        skip_quote = true;
                    }
                    Some(v) if strings.inside() => {
                        out.push_str(&escaped(&to_text(&v)));
                        strings.spliced();
                    }
                    None if strings.inside() => strings.spliced(),
                    Some(v) => out.push_str(&v.to_string()),
                    None => out.push_str("null"),
                }
            }
        }
    }
    out
}

/// Where the output stands with respect to JSON strings.
#[derive(Default)]
struct Strings {
    inside: bool,
    /// The output index of the quote that opened the current string, while nothing but that
    /// quote has been written of it.
    opened_at: Option<usize>,
}

impl Strings {
    fn inside(&self) -> bool {
        self.inside
    }

    /// Follows the quotes of literal text about to be appended at output index `base`.
    fn track(&mut self, text: &str, base: usize) {
        let mut escaped = false;
        for (i, c) in text.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if self.inside => escaped = true,
                '"' => {
                    self.inside = !self.inside;
                    self.opened_at = self.inside.then_some(base + i);
                    continue;
                }
                _ => {}
            }
            if self.inside {
                self.opened_at = None;
            }
        }
    }

    /// A value was written inside the current string.
    fn spliced(&mut self) {
        self.opened_at = None;
    }

    /// A placeholder stood for the whole string, quotes included.
    fn close(&mut self) {
        self.inside = false;
        self.opened_at = None;
    }
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
    fn only_a_placeholder_that_is_a_whole_value_string_becomes_the_value() {
        for (template, expected) in [
            // A member name stays a string.
            (r#"{"{$inputs.n}": 1}"#, json!({"3": 1})),
            // Two placeholders in one string: text, escaped.
            (
                r#"{"k": "{$inputs.name}{$inputs.n}"}"#,
                json!({"k": "Rex \"the\" dog3"}),
            ),
            (r#"{"k": "{$inputs.gone}{$inputs.n}"}"#, json!({"k": "3"})),
            // A placeholder after an escaped quote is inside the string.
            (r#"{"k": "a\"{$inputs.n}"}"#, json!({"k": "a\"3"})),
            (r#"["{$inputs.flag}", "{$inputs.n}x"]"#, json!([true, "3x"])),
        ] {
            let text = rendered(template);
            let parsed: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{e}: {template} gave {text}"));
            assert_eq!(parsed, expected, "{template}");
        }
    }

    #[test]
    fn escaped_quotes_in_the_text_do_not_confuse_the_string_tracking() {
        let text = rendered(r#"{"say": "a \"quote\" {$inputs.n}", "n": {$inputs.n}}"#);
        let parsed: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_eq!(parsed, json!({"say": "a \"quote\" 3", "n": 3}));
    }
}

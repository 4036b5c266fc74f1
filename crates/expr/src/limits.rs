//! Bounds checked before handing a query to a third-party parser, so hostile input stays
//! cheap: serde_json_path recurses on nesting (deep input overflows the stack) and xee-xpath's
//! parser takes time exponential in the nesting of parentheses.

use crate::ExprError;

/// Longest JSONPath, regex or XPath condition accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 8192;
/// Deepest nesting of `(`, `[` and `{` in a JSONPath condition.
pub const MAX_JSONPATH_NESTING: usize = 32;
/// Deepest nesting of `(`, `[` and `{` in an XPath condition.
pub const MAX_XPATH_NESTING: usize = 10;

/// The query languages checked, which differ in how strings and escapes are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Language {
    /// Strings in `'` or `"`, with `\` escapes.
    JsonPath,
    /// Strings in `'` or `"` (a doubled quote is a quote), comments in `(: :)`.
    XPath,
    /// No strings; `\` escapes the next character.
    Regex,
}

impl Language {
    fn name(self) -> &'static str {
        match self {
            Language::JsonPath => "JSONPath",
            Language::XPath => "XPath",
            Language::Regex => "regex",
        }
    }
}

/// Checks length and bracket nesting against the limits. Nesting is counted everywhere but
/// inside strings (and XPath comments count as nesting: they nest too).
pub(crate) fn check(text: &str, language: Language, max_nesting: usize) -> Result<(), ExprError> {
    let name = language.name();
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > MAX_QUERY_CHARS {
        return Err(ExprError::new(
            format!(
                "the {name} is {} characters long; Telaio accepts up to {MAX_QUERY_CHARS}",
                chars.len()
            ),
            0,
        ));
    }
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // XPath comments `(: ... :)` nest; their text is not code, and a quote in one
        // opens no string.
        if language == Language::XPath
            && quote.is_none()
            && c == '('
            && chars.get(i + 1) == Some(&':')
        {
            let mut level = 0usize;
            while i < chars.len() {
                if chars[i] == '(' && chars.get(i + 1) == Some(&':') {
                    level += 1;
                    if depth + level > max_nesting {
                        return Err(ExprError::new(
                            format!(
                                "the {name} nests deeper than {max_nesting} levels of brackets"
                            ),
                            i,
                        ));
                    }
                    i += 2;
                } else if chars[i] == ':' && chars.get(i + 1) == Some(&')') {
                    level -= 1;
                    i += 2;
                    if level == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            continue;
        }
        match (quote, c) {
            (_, '\\') if language != Language::XPath => i += 1,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') if language != Language::Regex => quote = Some(c),
            (None, '(' | '[' | '{') => {
                depth += 1;
                if depth > max_nesting {
                    return Err(ExprError::new(
                        format!("the {name} nests deeper than {max_nesting} levels of brackets"),
                        i,
                    ));
                }
            }
            (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

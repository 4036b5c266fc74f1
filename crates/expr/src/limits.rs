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

/// Checks length and nesting (outside quoted strings) against the limits.
pub(crate) fn check(text: &str, language: &str, max_nesting: usize) -> Result<(), ExprError> {
    let chars = text.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(ExprError::new(
            format!(
                "the {language} is {chars} characters long; Telaio accepts up to {MAX_QUERY_CHARS}"
            ),
            0,
        ));
    }
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, c) in text.chars().enumerate() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => {
                depth += 1;
                if depth > max_nesting {
                    return Err(ExprError::new(
                        format!(
                            "the {language} nests deeper than {max_nesting} levels of brackets"
                        ),
                        i,
                    ));
                }
            }
            (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

//! RFC 6901 JSON Pointers, as written after `#` in runtime expressions.

use std::fmt;

use serde_json::Value;

use crate::ExprError;

/// A JSON Pointer, kept in its escaped form (`/a~1b/0`), checked at parse time.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct JsonPointer(String);

impl JsonPointer {
    /// Checks and wraps an escaped pointer: empty, or `/`-separated tokens in which `~` is
    /// only followed by `0` or `1`.
    ///
    /// ```
    /// use telaio_expr::JsonPointer;
    /// let p = JsonPointer::parse("/a~1b/0").unwrap();
    /// assert_eq!(p.tokens().collect::<Vec<_>>(), ["a/b", "0"]);
    /// assert!(JsonPointer::parse("a").is_err());
    /// assert!(JsonPointer::parse("/a~2").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, ExprError> {
        if !text.is_empty() && !text.starts_with('/') {
            // Other tools accept `#id`; say what the portable form is.
            let fixed: String = text.chars().take(40).collect();
            return Err(ExprError::new(
                format!("a JSON Pointer starts with `/`: write `#/{fixed}`"),
                0,
            ));
        }
        let mut chars = text.char_indices().peekable();
        let mut column = 0;
        while let Some((_, c)) = chars.next() {
            if c == '~' && !matches!(chars.peek(), Some((_, '0' | '1'))) {
                return Err(ExprError::new(
                    "`~` in a JSON Pointer must be followed by 0 (for `~`) or 1 (for `/`)",
                    column,
                ));
            }
            column += 1;
        }
        Ok(JsonPointer(text.to_owned()))
    }

    /// The pointer as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The decoded reference tokens.
    pub fn tokens(&self) -> impl Iterator<Item = String> + '_ {
        self.0
            .split('/')
            .skip(1)
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
    }

    /// The value the pointer selects, if any. Array indexes are decimal, without leading zeros.
    ///
    /// ```
    /// use telaio_expr::JsonPointer;
    /// let v = serde_json::json!({"a": [{"b": 1}]});
    /// assert_eq!(JsonPointer::parse("/a/0/b").unwrap().select(&v), Some(&serde_json::json!(1)));
    /// assert_eq!(JsonPointer::parse("/a/01/b").unwrap().select(&v), None);
    /// ```
    pub fn select<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        // serde_json implements RFC 6901 exactly, escapes and index rules included.
        value.pointer(&self.0)
    }
}

impl fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

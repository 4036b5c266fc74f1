//! Regex conditions.
//!
//! The specification names no regex dialect. Telaio uses fancy-regex: the syntax of Rust's
//! `regex` plus look-around and back-references, so patterns written for ECMAScript or PCRE,
//! such as `^(?!FAILED).*$`, work. Matching searches (a pattern matches anywhere unless it
//! anchors itself), and backtracking is bounded so a pathological pattern fails the condition
//! instead of hanging the run.

use fancy_regex::{Regex, RegexBuilder};

use crate::ExprError;

/// Most backtracking steps one match may take.
const BACKTRACK_LIMIT: usize = 1_000_000;
/// Deepest group nesting accepted.
const MAX_REGEX_NESTING: usize = 64;

/// A compiled regex condition.
#[derive(Clone, Debug)]
pub struct RegexCondition {
    regex: Regex,
}

impl RegexCondition {
    /// Compiles a pattern.
    ///
    /// ```
    /// use telaio_expr::RegexCondition;
    /// let r = RegexCondition::compile(r"^2\d{2}$").unwrap();
    /// assert_eq!(r.is_match("204"), Ok(true));
    /// assert_eq!(RegexCondition::compile("^(?!FAILED)").unwrap().is_match("SUCCEEDED"), Ok(true));
    /// assert!(RegexCondition::compile("^(2").is_err());
    /// ```
    pub fn compile(pattern: &str) -> Result<RegexCondition, ExprError> {
        crate::limits::check(pattern, crate::limits::Language::Regex, MAX_REGEX_NESTING)?;
        RegexBuilder::new(pattern)
            .backtrack_limit(BACKTRACK_LIMIT)
            .build()
            .map(|regex| RegexCondition { regex })
            .map_err(|e| {
                let offset = match &e {
                    fancy_regex::Error::ParseError(at, _) => {
                        pattern.get(..*at).map_or(0, |p| p.chars().count())
                    }
                    _ => 0,
                };
                ExprError::new(format!("invalid regular expression: {e}"), offset)
            })
    }

    /// Whether the pattern matches anywhere in `text`; an error when matching ran out of its
    /// backtracking budget.
    pub fn is_match(&self, text: &str) -> Result<bool, String> {
        self.regex.is_match(text).map_err(|e| e.to_string())
    }
}

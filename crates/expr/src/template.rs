//! Strings with embedded runtime expressions: `https://{$inputs.host}/v1/{$steps.a.outputs.id}`.
//!
//! Only `{$` opens an embedded expression; any other `{` or `}` is literal text, so JSON or
//! templating syntax in payload strings passes through untouched.

use std::fmt;

use crate::runtime::{Mode, error_at};
use crate::{ExprError, Expression};

/// A string split into literal text and embedded expressions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// One piece of a [`Template`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// An embedded `{$...}` expression.
    Expression(Expression),
}

impl Template {
    /// Splits a string at its `{$...}` expressions.
    ///
    /// ```
    /// use telaio_expr::{Template, Part};
    /// let t = Template::parse("/pets/{$inputs.id}?q={x}").unwrap();
    /// assert_eq!(t.parts().len(), 3);
    /// assert!(matches!(&t.parts()[2], Part::Text(s) if s == "?q={x}"));
    /// assert_eq!(Template::parse("{$inputs.id").unwrap_err().offset, 11);
    /// ```
    pub fn parse(text: &str) -> Result<Template, ExprError> {
        let mut parts = Vec::new();
        let mut literal_start = 0;
        let mut pos = 0;
        while let Some(found) = text[pos..].find("{$") {
            let open = pos + found;
            let expr_start = open + 1;
            let (expr, used) = Expression::parse_prefix(&text[expr_start..], Mode::Embedded)
                .map_err(|e| e.shifted(text[..expr_start].chars().count()))?;
            let close = expr_start + used;
            if !text[close..].starts_with('}') {
                return Err(error_at(
                    text,
                    close,
                    "expected `}` to close the embedded expression",
                ));
            }
            if open > literal_start {
                parts.push(Part::Text(text[literal_start..open].to_owned()));
            }
            parts.push(Part::Expression(expr));
            pos = close + 1;
            literal_start = pos;
        }
        if literal_start < text.len() {
            parts.push(Part::Text(text[literal_start..].to_owned()));
        }
        Ok(Template { parts })
    }

    /// The pieces, in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The embedded expressions, in order.
    pub fn expressions(&self) -> impl Iterator<Item = &Expression> {
        self.parts.iter().filter_map(|p| match p {
            Part::Expression(e) => Some(e),
            Part::Text(_) => None,
        })
    }

    /// Whether the string has no embedded expression.
    pub fn is_literal(&self) -> bool {
        self.expressions().next().is_none()
    }

    /// The text with each embedded expression replaced by `with` (used to check the syntax of
    /// a regex or JSONPath before its expressions can be evaluated).
    pub fn fill(&self, with: &str) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.as_str(),
                Part::Expression(_) => with,
            })
            .collect()
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.parts {
            match p {
                Part::Text(t) => f.write_str(t)?,
                Part::Expression(e) => write!(f, "{{{e}}}")?,
            }
        }
        Ok(())
    }
}

/// How a string value of a document is to be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueExpression {
    /// A whole-string runtime expression; its value keeps its JSON type.
    Expression(Expression),
    /// Text with embedded `{$...}` expressions; its value is a string.
    Template(Template),
    /// Plain text.
    Literal,
}

impl ValueExpression {
    /// Classifies a string value (a parameter value, an output, a payload string):
    /// a string that starts like a runtime expression (see [`Expression::looks_like`]) must be
    /// one; a string holding `{$` is a template; anything else is literal.
    ///
    /// ```
    /// use telaio_expr::ValueExpression;
    /// assert!(matches!(ValueExpression::parse("$inputs.id"), Ok(ValueExpression::Expression(_))));
    /// assert!(matches!(ValueExpression::parse("id-{$inputs.id}"), Ok(ValueExpression::Template(_))));
    /// assert!(matches!(ValueExpression::parse("{\"a\": 1}"), Ok(ValueExpression::Literal)));
    /// assert!(ValueExpression::parse("$inputs.").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<ValueExpression, ExprError> {
        if Expression::looks_like(text) {
            return Expression::parse(text).map(ValueExpression::Expression);
        }
        if text.contains("{$") {
            return Template::parse(text).map(ValueExpression::Template);
        }
        Ok(ValueExpression::Literal)
    }
}

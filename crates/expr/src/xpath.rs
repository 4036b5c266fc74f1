//! XPath conditions, compiled with xee-xpath (XPath 3.1, the spec's default version).
//!
//! `xpath-10`, `xpath-20` and `xpath-30` conditions are compiled as XPath 3.1, which accepts
//! almost all of them (docs/spec-readings.md says more). Conditions are bounded in length and
//! nesting first (see `limits`): the parser's time grows exponentially with nesting.

use crate::ExprError;

/// A compiled XPath condition.
pub struct XPathCondition {
    #[allow(dead_code)] // Evaluation comes with the engine.
    query: xee_xpath::query::SequenceQuery,
}

impl std::fmt::Debug for XPathCondition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XPathCondition").finish_non_exhaustive()
    }
}

impl XPathCondition {
    /// Compiles an XPath condition.
    ///
    /// ```
    /// use telaio_expr::XPathCondition;
    /// assert!(XPathCondition::compile("count(/root/pets/*) > 0").is_ok());
    /// let err = XPathCondition::compile("/root/items[price >").unwrap_err();
    /// assert!(err.message.starts_with("invalid XPath"), "{err}");
    /// ```
    pub fn compile(condition: &str) -> Result<XPathCondition, ExprError> {
        crate::limits::check(condition, "XPath", crate::limits::MAX_XPATH_NESTING)?;
        let queries = xee_xpath::Queries::default();
        match queries.sequence(condition) {
            Ok(query) => Ok(XPathCondition { query }),
            Err(e) => {
                let offset = e.span.map_or(0, |s| {
                    condition
                        .get(..s.range().start)
                        .map_or(0, |p| p.chars().count())
                });
                let code = e.error.code();
                let detail = match code.as_str() {
                    "XPST0003" => "syntax error".to_owned(),
                    "XPST0081" => "unknown namespace prefix (Arazzo cannot declare namespaces; match by local name, e.g. `*[local-name()='Envelope']`)".to_owned(),
                    "XPST0017" => "unknown function, or a function called with the wrong number of arguments".to_owned(),
                    "XPST0008" => "unknown variable or name".to_owned(),
                    _ => e.error.message().to_owned(),
                };
                Err(ExprError::new(
                    format!("invalid XPath: {detail} ({code})"),
                    offset,
                ))
            }
        }
    }
}

//! XPath conditions, compiled with xee-xpath (XPath 3.1, the spec's default version).
//!
//! `xpath-10`, `xpath-20` and `xpath-30` conditions are compiled as XPath 3.1, which accepts
//! almost all of them (docs/spec-readings.md says more). Conditions are bounded in length and
//! nesting first (see `limits`): the parser's time grows exponentially with nesting.

use crate::ExprError;

/// A compiled XPath condition.
pub struct XPathCondition {
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
        crate::limits::check(
            condition,
            crate::limits::Language::XPath,
            crate::limits::MAX_XPATH_NESTING,
        )?;
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

thread_local! {
    /// Compiled XPath queries by text: xee's queries are not `Send`, so each thread keeps its
    /// own, and a polling loop compiles a query once.
    static CACHE: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<XPathCondition>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// How many compiled queries a thread keeps.
const CACHE_SIZE: usize = 64;

pub(crate) fn cached(query: &str) -> Result<std::rc::Rc<XPathCondition>, String> {
    CACHE.with(|cache| {
        if let Some(c) = cache.borrow().get(query) {
            return Ok(c.clone());
        }
        let compiled = std::rc::Rc::new(XPathCondition::compile(query).map_err(|e| e.message)?);
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_SIZE {
            // Drop one entry, not all: more criteria than slots still mostly hit.
            if let Some(k) = cache.keys().next().cloned() {
                cache.remove(&k);
            }
        }
        cache.insert(query.to_owned(), compiled.clone());
        Ok(compiled)
    })
}

/// Evaluates an XPath condition on an XML text: its effective boolean value (a non-empty
/// node sequence, `true`, a non-zero number, a non-empty string).
pub(crate) fn evaluate_cached(query: &str, xml: &str) -> Result<bool, String> {
    cached(query)?.evaluate(xml)
}

/// Selects with an XPath on an XML text: the string value of the result (items joined by
/// spaces), or `None` for an empty result.
pub(crate) fn select_cached(query: &str, xml: &str) -> Result<Option<String>, String> {
    cached(query)?.select(xml)
}

impl XPathCondition {
    fn run(&self, xml: &str) -> Result<(xee_xpath::Sequence, xee_xpath::Documents), String> {
        use xee_xpath::Query;
        let mut documents = xee_xpath::Documents::new();
        let doc = documents
            .add_string_without_uri(xml)
            .map_err(|e| format!("the context is not well-formed XML: {e}"))?;
        let sequence = self.query.execute(&mut documents, doc).map_err(|e| {
            format!(
                "the XPath failed: {} ({})",
                e.error.message(),
                e.error.code()
            )
        })?;
        Ok((sequence, documents))
    }

    /// The condition's effective boolean value on an XML text.
    ///
    /// ```
    /// use telaio_expr::XPathCondition;
    /// let c = XPathCondition::compile("/Envelope/Status[text()='OK']").unwrap();
    /// assert_eq!(c.evaluate("<Envelope><Status>OK</Status></Envelope>"), Ok(true));
    /// assert_eq!(c.evaluate("<Envelope><Status>NO</Status></Envelope>"), Ok(false));
    /// assert!(c.evaluate("not xml").is_err());
    /// ```
    pub fn evaluate(&self, xml: &str) -> Result<bool, String> {
        let (sequence, _) = self.run(xml)?;
        sequence
            .effective_boolean_value()
            .map_err(|e| format!("the XPath result has no boolean value: {}", e.message()))
    }

    /// The string value of what the expression selects, `None` when it selects nothing.
    pub fn select(&self, xml: &str) -> Result<Option<String>, String> {
        let (sequence, documents) = self.run(xml)?;
        if sequence.is_empty() {
            return Ok(None);
        }
        let parts: Result<Vec<String>, _> = sequence
            .iter()
            .map(|item| item.string_value(documents.xot()))
            .collect();
        parts
            .map(|p| Some(p.join(" ")))
            .map_err(|e| format!("the XPath result has no string value: {}", e.message()))
    }
}

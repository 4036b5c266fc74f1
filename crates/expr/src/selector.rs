//! Selector Objects (1.1): a JSON Pointer, JSONPath or XPath applied to the value of a
//! context expression, wherever 1.1 allows them (outputs, parameter values, payload
//! replacements).

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::eval::evaluate;
use crate::scope::Scope;
use crate::{ExprError, Expression, JsonPointer};

/// The language of a selector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectorType {
    /// RFC 6901.
    JsonPointer,
    /// RFC 9535.
    JsonPath,
    /// XPath 3.1.
    XPath,
}

#[derive(Clone, Debug)]
enum Compiled {
    Pointer(JsonPointer),
    JsonPath(JsonPath),
    #[cfg_attr(not(feature = "xpath"), allow(dead_code))]
    XPath(String),
}

/// A compiled Selector Object.
#[derive(Clone, Debug)]
pub struct CompiledSelector {
    context: Expression,
    selector: Compiled,
}

impl CompiledSelector {
    /// Compiles a selector with its context expression.
    ///
    /// ```
    /// use telaio_expr::{CompiledSelector, SelectorType, Snapshot};
    /// let state: Snapshot = serde_json::from_value(serde_json::json!({
    ///     "response": {"body": {"items": [{"id": 1}, {"id": 2}]}}
    /// })).unwrap();
    /// let s = CompiledSelector::compile("$response.body", "$.items[*].id", SelectorType::JsonPath).unwrap();
    /// assert_eq!(s.select(&state), Ok(Some(serde_json::json!([1, 2]))));
    /// let s = CompiledSelector::compile("$response.body", "/items/0/id", SelectorType::JsonPointer).unwrap();
    /// assert_eq!(s.select(&state), Ok(Some(serde_json::json!(1))));
    /// ```
    pub fn compile(
        context: &str,
        selector: &str,
        kind: SelectorType,
    ) -> Result<CompiledSelector, ExprError> {
        let context = Expression::parse(context)?;
        let selector = match kind {
            SelectorType::JsonPointer => Compiled::Pointer(JsonPointer::parse(selector)?),
            SelectorType::JsonPath => {
                crate::limits::check(
                    selector,
                    crate::limits::Language::JsonPath,
                    crate::limits::MAX_JSONPATH_NESTING,
                )?;
                Compiled::JsonPath(JsonPath::parse(selector).map_err(|e| {
                    ExprError::new(format!("not a valid RFC 9535 JSONPath: {e}"), e.position())
                })?)
            }
            #[cfg(feature = "xpath")]
            SelectorType::XPath => {
                crate::XPathCondition::compile(selector)?;
                Compiled::XPath(selector.to_owned())
            }
            #[cfg(not(feature = "xpath"))]
            SelectorType::XPath => {
                return Err(ExprError::new(
                    "XPath selectors need Telaio built with the `xpath` feature",
                    0,
                ));
            }
        };
        Ok(CompiledSelector { context, selector })
    }

    /// The selected value: `None` when the selector selects nothing. A JSONPath that selects
    /// one node gives that node's value, several give an array; an XPath gives the string
    /// value of what it selects.
    pub fn select<S: Scope + ?Sized>(&self, scope: &S) -> Result<Option<Value>, String> {
        let value = evaluate(&self.context, scope).map_err(|m| m.to_string())?;
        Ok(match &self.selector {
            Compiled::Pointer(p) => p.select(&value).cloned(),
            Compiled::JsonPath(path) => {
                let nodes = path.query(&value).all();
                match nodes.as_slice() {
                    [] => None,
                    [one] => Some((*one).clone()),
                    many => Some(Value::Array(many.iter().map(|v| (*v).clone()).collect())),
                }
            }
            #[cfg(feature = "xpath")]
            Compiled::XPath(query) => {
                let xml = value
                    .as_str()
                    .ok_or("an XPath selector applies to XML, and the context is not XML text")?;
                crate::xpath::select_cached(query, xml)?.map(Value::String)
            }
            #[cfg(not(feature = "xpath"))]
            Compiled::XPath(_) => return Err("XPath selectors need the `xpath` feature".into()),
        })
    }
}

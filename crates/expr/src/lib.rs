//! # telaio-expr: the Arazzo expression language
//!
//! Parsing (and, as it grows, evaluation) of everything that glues an Arazzo workflow
//! together. This crate knows nothing of documents or HTTP: it takes strings and values.
//!
//! - [`Expression`]: runtime expressions (`$steps.create.outputs.id#/0`), with [`JsonPointer`].
//! - [`Template`]: strings with embedded `{$...}` expressions; [`ValueExpression`] decides how
//!   a string value of a document is read.
//! - [`Condition`]: simple conditions (`$statusCode == 200 && ...`).
//! - [`JsonPathCondition`]: RFC 9535 conditions, and the catalog's `$.x == 'y'` shape
//!   translated to RFC 9535.
//! - `XPathCondition` (cargo feature `xpath`, on by default): XPath 3.1 conditions.
//!
//! ```
//! use telaio_expr::{Condition, Expression};
//!
//! let cond = Condition::parse("$statusCode == 200 && $response.body#/Status != 'FAILED'").unwrap();
//! assert_eq!(cond.expressions().len(), 2);
//! assert_eq!(cond.expressions()[0], &Expression::StatusCode);
//! ```
#![deny(missing_docs)]

mod condition;
mod error;
mod jsonpath;
mod limits;
mod pointer;
mod regex;
mod runtime;
mod template;
#[cfg(feature = "xpath")]
mod xpath;

pub use condition::{Accessor, CompareOp, Condition, Literal};
pub use error::ExprError;
pub use jsonpath::{JsonPathCondition, translate_comparison, translate_goessner};
pub use limits::{MAX_JSONPATH_NESTING, MAX_QUERY_CHARS, MAX_XPATH_NESTING};
pub use pointer::JsonPointer;
pub use regex::RegexCondition;
pub use runtime::{EXPRESSION_KINDS, Expression, Mode, Source, WorkflowField};
pub use template::{Part, Template, ValueExpression};
#[cfg(feature = "xpath")]
pub use xpath::XPathCondition;

//! # telaio-expr: the Arazzo expression language
//!
//! Parsing and evaluation of everything that glues an Arazzo workflow together. This crate
//! knows nothing of documents or HTTP: it takes strings, and reads runtime state through the
//! [`Scope`] trait (the engine implements it over its run; [`Snapshot`] is a plain one).
//!
//! - [`Expression`]: runtime expressions (`$steps.create.outputs.id#/0`), with [`JsonPointer`].
//! - [`Template`]: strings with embedded `{$...}` expressions; [`ValueExpression`] decides how
//!   a string value of a document is read.
//! - [`Condition`]: simple conditions (`$statusCode == 200 && ...`).
//! - [`JsonPathCondition`]: RFC 9535 conditions, and the catalog's `$.x == 'y'` shape
//!   translated to RFC 9535.
//! - `XPathCondition` (cargo feature `xpath`, on by default): XPath 3.1 conditions.
//! - [`evaluate`] and [`render`]: the value of an expression or template in a [`Scope`];
//!   [`check_condition`] and [`CompiledCriterion`]: criteria, compiled once and evaluated
//!   many times, never failing (a [`Verdict`] says why a condition could not hold);
//!   [`CompiledSelector`]: 1.1 Selector Objects.
//!
//! ```
//! use telaio_expr::{Condition, Expression};
//!
//! let cond = Condition::parse("$statusCode == 200 && $response.body#/Status != 'FAILED'").unwrap();
//! assert_eq!(cond.expressions().len(), 2);
//! assert_eq!(cond.expressions()[0], &Expression::StatusCode);
//! ```
#![deny(missing_docs)]

mod compare;
mod condition;
mod criterion;
mod error;
mod eval;
mod jsonpath;
mod limits;
mod pointer;
mod regex;
mod runtime;
mod scope;
mod selector;
mod template;
mod trace;
#[cfg(feature = "xpath")]
mod xpath;

pub use compare::{compare, truthy};
pub use condition::{Accessor, CompareOp, Condition, Literal};
pub use criterion::{
    CompiledCriterion, CriterionKind, Verdict, check_condition, condition_value, evaluate_condition,
};
pub use error::ExprError;
pub use eval::{Evaluated, Missing, evaluate, member_pointer, render, to_text};
pub use jsonpath::{JsonPathCondition, translate_comparison, translate_goessner};
pub use limits::{MAX_JSONPATH_NESTING, MAX_QUERY_CHARS, MAX_XPATH_NESTING};
pub use pointer::JsonPointer;
pub use regex::RegexCondition;
pub use runtime::{EXPRESSION_KINDS, Expression, Mode, Source, WorkflowField};
pub use scope::{
    Body, BodyFormat, MessageKind, MessageSnapshot, Scope, Snapshot, StepSnapshot, WorkflowPart,
    WorkflowSnapshot,
};
pub use selector::{CompiledSelector, SelectorType};
pub use template::{Part, Template, ValueExpression};
pub use trace::Trace;
#[cfg(feature = "xpath")]
pub use xpath::{
    XPathAnswer, XPathCondition, XPathJob, XPathRunner, replace_xml, set_xpath_runner,
};

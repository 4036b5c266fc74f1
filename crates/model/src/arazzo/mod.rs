//! Typed Arazzo objects, for both 1.0.x and 1.1.x.
//!
//! These types are built by serde from a document's JSON value and are deliberately lenient:
//! optional where the spec says REQUIRED, so that a document with schema errors still yields a
//! model that semantic rules can inspect. Checking that required fields are present is the job
//! of the JSON Schema, not of these types. Specification extensions (`x-...`) are kept in each
//! object's `extensions`.

mod action;
mod components;
mod criterion;
mod document;
mod extensions;
mod lenient;
mod parameter;
mod selector;
mod step;
mod workflow;

pub use action::{ActionKind, FailureAction, OnFailure, OnSuccess, SuccessAction};
pub use components::{Components, Reusable};
pub use criterion::{Criterion, CriterionType, ExpressionType};
pub use document::{Arazzo, Info, SourceDescription, SourceType, SpecVersion};
pub use extensions::Extensions;
pub use parameter::{Parameter, ParameterIn, ParameterOrReusable};
pub use selector::{Selector, Valuable};
pub use step::{PayloadReplacement, RequestBody, Step, StepTarget};
pub use workflow::Workflow;

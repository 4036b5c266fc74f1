//! # telaio-lint: is this Arazzo document right?
//!
//! Checks a loaded [`Bundle`] against the official JSON Schema of its version and against
//! semantic rules the schema cannot express (ids that must be unique, operations that must
//! exist, expressions that must parse, ...). Each finding is a [`Diagnostic`] with a stable
//! rule id, a severity and a span in the source. Rendering diagnostics is the caller's job;
//! this crate does no I/O.
//!
//! Every rule is listed in [`RULES`], with its documentation (what it checks, why it matters,
//! an example, what to write instead) as the text of [`Rule::doc`].
//!
//! ```
//! use std::sync::Arc;
//! use telaio_lint::{lint, LintOptions};
//! use telaio_model::{ArazzoDocument, Bundle, LoadOptions};
//!
//! let text = "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: []\nworkflows: []\n";
//! let url = telaio_model::Url::parse("file:///tmp/empty.arazzo.yaml").unwrap();
//! let document = Arc::new(ArazzoDocument::from_text(url, text.into(), &LoadOptions::default()).unwrap());
//! let bundle = Bundle { document, sources: Vec::new(), linked: Vec::new() };
//! let diagnostics = lint(&bundle, &LintOptions::default());
//! assert!(diagnostics.iter().any(|d| d.rule == "schema" && d.message.contains("at least 1")));
//! ```
#![deny(missing_docs)]

mod context;
mod diagnostic;
mod rule;
mod rules;
mod schema;
mod sites;

pub use context::did_you_mean;
pub use diagnostic::{Diagnostic, Remedy, Severity};
pub use rule::Rule;
pub use rules::{RULES, rule, unrunnable};

use telaio_model::{Bundle, LoadError};

/// How to lint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// Report warnings as errors.
    pub strict: bool,
    /// Skip the JSON Schema (semantic rules only). Compiling the official schema costs a few
    /// milliseconds per process; `telaio run` skips it and relies on the semantic rules and
    /// the planner, which reject what would keep a workflow from running.
    pub skip_schema: bool,
    /// Skip the rules that only ever warn (`jsonpath-not-rfc9535`, `lenient-reference`,
    /// `unhandled-poll-outcome`, `unbounded-loop`): `telaio run` only needs the errors.
    pub skip_advice: bool,
}

/// Checks a document and its loaded sources, and the other Arazzo documents it runs through
/// `arazzo` sources ([`Bundle::linked`]): their errors too, at their own file and line, since
/// a run of this document would stop at them. Diagnostics come sorted by file and position.
pub fn lint(bundle: &Bundle, options: &LintOptions) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    rules::check_bundle(bundle, options, &mut out);
    for linked in &bundle.linked {
        let mut theirs = Vec::new();
        rules::check_bundle(linked, options, &mut theirs);
        out.extend(
            theirs
                .into_iter()
                .filter(|d| d.severity == Severity::Error || options.strict),
        );
    }
    finish(out, options)
}

/// The diagnostic for a document that could not be loaded at all (missing, unreadable, not
/// YAML or JSON).
pub fn load_failure(file: &str, error: &LoadError, options: &LintOptions) -> Vec<Diagnostic> {
    finish(vec![rules::load_failure(file, error)], options)
}

fn finish(mut out: Vec<Diagnostic>, options: &LintOptions) -> Vec<Diagnostic> {
    if options.strict {
        for d in &mut out {
            d.severity = Severity::Error;
        }
    }
    out.sort_by_cached_key(Diagnostic::sort_key);
    out
}

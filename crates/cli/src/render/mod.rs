//! Presenting diagnostics: for people (`human`), for tools (`json`) and for CI (`sarif`).

mod human;
mod machine;

pub(crate) use human::{explain, human, list_rules, usage_error, write_diagnostic};
pub(crate) use machine::{json, sarif};

use telaio_lint::Diagnostic;

/// The findings for one document.
pub(crate) struct DocumentReport {
    pub file: String,
    pub diagnostics: Vec<Diagnostic>,
}

//! Presenting diagnostics: for people (`human`), for tools (`json`) and for CI (`sarif`).

mod human;
mod machine;
mod run;

pub(crate) use human::{explain, human, list_rules, usage_error, write_diagnostic};
pub(crate) use machine::{json, sarif};
pub(crate) use run::{BOLD, FAIL, OK, Progress, print_outcome};

use telaio_lint::Diagnostic;

/// The findings for one document.
pub(crate) struct DocumentReport {
    pub file: String,
    pub diagnostics: Vec<Diagnostic>,
}

//! Presenting diagnostics: for people (`human`), for tools (`json`) and for CI (`sarif`).

mod human;
mod machine;
mod run;

pub(crate) use human::{exit_or_usage, explain, human, list_rules, usage_error, write_diagnostic};
pub(crate) use machine::{json, json_value, sarif};
pub(crate) use run::{BOLD, FAIL, OK, Progress, outcome_json, print_outcome};

use telaio_lint::{Diagnostic, Remedy};

/// A diagnostic's hint as the CLI shows it: the linter's remedy worded as this command's flag.
pub(crate) fn hint(d: &Diagnostic) -> Option<String> {
    d.hint_with(|remedy| match remedy {
        Remedy::AllowRemote => "run with --allow-remote to load it".to_owned(),
        Remedy::WidenSourceRoot => "pass --source-root FOLDER to allow more".to_owned(),
        Remedy::SourceBase(folder) => format!(
            "pass --source-base {} to resolve source urls against that folder",
            folder.display()
        ),
        Remedy::RaiseSizeLimit => "raise the limit with --max-document-size".to_owned(),
    })
}

/// The findings for one document.
pub(crate) struct DocumentReport {
    pub file: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// Says why each file that could not be written in full was not; the exit status is then 2
/// (usage), whatever the run's was.
pub(crate) fn with_unwritten(code: u8, unwritten: &[String]) -> u8 {
    for e in unwritten {
        usage_error(e);
    }
    if unwritten.is_empty() {
        code
    } else {
        crate::exit::USAGE
    }
}

//! `telaio validate`: load each document with its sources, lint it, print the findings.

use std::sync::Arc;

use telaio_lint::{Diagnostic, LintOptions, Severity};
use telaio_model::{LoadError, Loader, SourceText, display_name};

use crate::args::{Format, ValidateArgs};
use crate::render::{self, DocumentReport};
use crate::{discover, exit, loading};

pub(crate) fn run(args: &ValidateArgs) -> u8 {
    if args.list_rules {
        render::list_rules();
        return exit::OK;
    }
    if let Some(id) = &args.explain {
        return match telaio_lint::rule(id) {
            Some(rule) => {
                render::explain(rule);
                exit::OK
            }
            None => {
                let known: Vec<&str> = telaio_lint::RULES.iter().map(|r| r.id).collect();
                render::usage_error(&format!(
                    "there is no rule `{id}`; `telaio validate --list-rules` lists them ({})",
                    known.join(", ")
                ));
                exit::USAGE
            }
        };
    }
    let files = match discover::expand(&args.files) {
        Ok(files) => files,
        Err(message) => {
            render::usage_error(&message);
            return exit::USAGE;
        }
    };
    // Sources are read from where `run` would read them, so that what one accepts the other
    // can run (a folder given here widens nothing; `--source-root` does, for both).
    let loader = match loading::loader(&args.load, &[]) {
        Ok(loader) => loader,
        Err(message) => {
            render::usage_error(&message);
            return exit::USAGE;
        }
    };
    let lint_options = LintOptions {
        strict: args.strict,
        ..LintOptions::default()
    };
    let mut reports = Vec::with_capacity(files.len());
    for file in &files {
        let url = match Loader::url_for_path(file) {
            Ok(url) => url,
            Err(e) => {
                render::usage_error(&e.to_string());
                return exit::USAGE;
            }
        };
        if url.scheme() != "file" && !args.load.allow_remote {
            render::usage_error(&format!("{url} is remote; pass --allow-remote to load it"));
            return exit::USAGE;
        }
        let report = match report(&loader, &url, &lint_options) {
            Ok(report) => report,
            Err(message) => {
                render::usage_error(&message);
                return exit::USAGE;
            }
        };
        reports.push(report);
    }
    match args.format {
        Format::Human => render::human(&reports),
        Format::Json => render::json(&reports),
        Format::Sarif => render::sarif(&reports),
    }
    let failed = reports
        .iter()
        .any(|r| r.diagnostics.iter().any(|d| d.severity == Severity::Error));
    if failed { exit::INVALID } else { exit::OK }
}

/// The findings of the document at `url`: the rules', then the planner's when they find no
/// error. A document that cannot be read at all (missing, a folder) is an `Err`.
pub(crate) fn report(
    loader: &Loader,
    url: &url::Url,
    lint_options: &LintOptions,
) -> Result<DocumentReport, String> {
    let name = display_name(url);
    let diagnostics = match loader.load_bundle(url) {
        Ok(bundle) => with_plan(&bundle, telaio_lint::lint(&bundle, lint_options)),
        Err(
            error @ (LoadError::NotFound { .. }
            | LoadError::IsDirectory { .. }
            | LoadError::NotAFile { .. }
            | LoadError::Io { .. }),
        ) => return Err(error.to_string()),
        Err(error) => with_source(
            loader,
            url,
            telaio_lint::load_failure(&name, &error, lint_options),
        ),
    };
    Ok(DocumentReport {
        file: name,
        diagnostics,
    })
}

/// When the rules find no error, the document is planned as `telaio run` would plan it, and
/// whatever the planner refuses is a finding (`unrunnable`): `validate` never accepts what
/// `run` refuses. (A dry run needs no server and takes unloaded sources as unknown, and so
/// does this.)
fn with_plan(bundle: &telaio_model::Bundle, mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diagnostics.iter().any(|d| d.severity == Severity::Error) || bundle.document.model.is_err() {
        return diagnostics;
    }
    if let Err(errors) =
        telaio_engine::Plan::compile(bundle, &telaio_engine::PlanOptions::default())
    {
        diagnostics.extend(errors.iter().map(|e| {
            let at = e.at.as_ref().map(|s| (s.file.as_str(), s.line, s.column));
            telaio_lint::unrunnable(
                bundle,
                &e.workflow_id,
                e.step_id.as_deref(),
                at,
                &e.to_string(),
            )
        }));
    }
    diagnostics
}

/// Attaches the file's text to a syntax error, so the offending line can be shown.
fn with_source(
    loader: &Loader,
    url: &url::Url,
    mut diagnostics: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    if diagnostics.iter().all(|d| d.span.is_none()) {
        return diagnostics;
    }
    if let Ok(text) = loader.read_text(url) {
        let source = Arc::new(SourceText::new(url.clone(), display_name(url), text));
        for d in &mut diagnostics {
            d.source = Some(source.clone());
        }
    }
    diagnostics
}

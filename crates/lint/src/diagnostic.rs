//! What the linter reports: a [`Diagnostic`] names the rule, the file, the span and, when one is
//! known, a hint. Rendering is the caller's job.

use std::sync::Arc;

use telaio_model::{SourceText, Span};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The document works, but probably not as its author meant.
    Warning,
    /// The document breaks the specification or cannot run.
    Error,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding about one document.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// The rule's stable id, e.g. `unknown-operation`.
    pub rule: &'static str,
    /// Error or warning (after `--strict` is applied).
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The file, as a person would name it.
    pub file: String,
    /// Where in the file, when known.
    pub span: Option<Span>,
    /// The file's text, for quoting the line.
    pub source: Option<Arc<SourceText>>,
    /// How to fix it, when known.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of `rule` (at its default severity) at `span` in `source`.
    pub fn new(
        rule: &crate::Rule,
        source: &Arc<SourceText>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule: rule.id,
            severity: rule.severity,
            message: message.into(),
            file: source.name.clone(),
            span: Some(span),
            source: Some(source.clone()),
            hint: None,
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sorting key: file, position, rule.
    pub fn sort_key(&self) -> (String, u32, u32, &'static str) {
        let (line, column) = self.span.map_or((0, 0), |s| (s.start.line, s.start.column));
        (self.file.clone(), line, column, self.rule)
    }
}

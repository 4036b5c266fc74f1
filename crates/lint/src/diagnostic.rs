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
    /// How to fix it, when known, in words that name no front end's settings.
    pub hint: Option<String>,
    /// A setting of whoever loads the document that would change the finding; a front end
    /// words it (the CLI names its flag), see [`Diagnostic::hint_with`].
    pub remedy: Option<Remedy>,
}

/// A setting of the loader that would change a finding. The linter names it; a front end says
/// how its user changes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remedy {
    /// Loading remote sources (over HTTP) is off.
    AllowRemote,
    /// The document names a file outside the folders it may read.
    WidenSourceRoot,
    /// Source urls would resolve against this folder instead of the document's.
    SourceBase(std::path::PathBuf),
    /// A document is over the size limit.
    RaiseSizeLimit,
}

impl Remedy {
    /// The remedy in words that name no front end's settings (for a documentation page).
    ///
    /// ```
    /// assert_eq!(telaio_lint::Remedy::AllowRemote.neutral(), "allow loading remote sources to load it");
    /// ```
    pub fn neutral(&self) -> String {
        match self {
            Remedy::AllowRemote => "allow loading remote sources to load it".to_owned(),
            Remedy::WidenSourceRoot => "allow a wider source root to read it".to_owned(),
            Remedy::SourceBase(folder) => format!(
                "resolve source urls against {} to find it",
                folder.display()
            ),
            Remedy::RaiseSizeLimit => "raise the document size limit".to_owned(),
        }
    }
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
            remedy: None,
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a remedy.
    pub fn with_remedy(mut self, remedy: Remedy) -> Self {
        self.remedy = Some(remedy);
        self
    }

    /// The hint with the remedy worded by `word` after it: what a front end shows.
    ///
    /// ```
    /// # use telaio_lint::{Diagnostic, Remedy};
    /// # fn f(d: Diagnostic) {
    /// let shown = d.hint_with(|r| match r {
    ///     Remedy::AllowRemote => "run with --allow-remote".to_owned(),
    ///     other => other.neutral(),
    /// });
    /// # }
    /// ```
    pub fn hint_with(&self, word: impl Fn(&Remedy) -> String) -> Option<String> {
        match (&self.hint, &self.remedy) {
            (Some(h), Some(r)) => Some(format!("{h}; {}", word(r))),
            (None, Some(r)) => Some(word(r)),
            (h, None) => h.clone(),
        }
    }

    /// Sorting key: file, position, rule.
    pub fn sort_key(&self) -> (String, u32, u32, &'static str) {
        let (line, column) = self.span.map_or((0, 0), |s| (s.start.line, s.start.column));
        (self.file.clone(), line, column, self.rule)
    }
}

//! What every rule gets: the loaded bundle, the typed model, and ways to point at places.

use std::cell::OnceCell;

use telaio_expr::Expression;
use telaio_model::{Arazzo, ArazzoDocument, Bundle, Position, Span, SpecVersion};

use crate::sites::{Site, collect_sites};
use crate::{Diagnostic, Rule};

/// The document under check, shared by all rules.
pub(crate) struct Context<'a> {
    pub bundle: &'a Bundle,
    pub doc: &'a ArazzoDocument,
    pub model: &'a Arazzo,
    pub version: SpecVersion,
    sites: OnceCell<Vec<Site<'a>>>,
    expressions: OnceCell<Vec<Vec<Expression>>>,
}

impl<'a> Context<'a> {
    pub fn new(bundle: &'a Bundle, model: &'a Arazzo, version: SpecVersion) -> Self {
        Context {
            bundle,
            doc: &bundle.document,
            model,
            version,
            sites: OnceCell::new(),
            expressions: OnceCell::new(),
        }
    }

    /// Every place in the document that holds an expression or condition.
    pub fn sites(&self) -> &[Site<'a>] {
        self.sites.get_or_init(|| collect_sites(self.model))
    }

    /// The runtime expressions each site holds (same order as [`Context::sites`]); sites that
    /// do not parse hold none (`expression-syntax` and `condition-syntax` report them).
    pub fn expressions(&self) -> &[Vec<Expression>] {
        self.expressions
            .get_or_init(|| self.sites().iter().map(Site::expressions).collect())
    }

    /// The span of the value at a JSON Pointer.
    pub fn span(&self, pointer: &str) -> Span {
        self.doc.root.locate(pointer).span
    }

    /// The span of the key naming the value at a JSON Pointer (the value's when it has none).
    pub fn key_span(&self, pointer: &str) -> Span {
        let at = self.doc.root.locate(pointer);
        at.key_span.unwrap_or(at.span)
    }

    /// The span of the character `offset` (0-based) inside the string at `pointer`, when the
    /// string is written on one line; otherwise the string's start.
    pub fn span_in_string(&self, pointer: &str, offset: usize) -> Span {
        let span = self.span(pointer);
        if span.start.line != span.end.line {
            return span;
        }
        let quoted = self
            .doc
            .source
            .line(span.start.line)
            .and_then(|l| l.chars().nth(span.start.column as usize - 1))
            .is_some_and(|c| c == '\'' || c == '"');
        let column = span.start.column + u32::from(quoted) + u32::try_from(offset).unwrap_or(0);
        let at = Position::new(span.start.line, column.min(span.end.column.max(column)));
        Span::new(at, Position::new(at.line, at.column + 1))
    }

    fn make(&self, rule: &Rule, span: Span, message: String) -> Diagnostic {
        Diagnostic::new(rule, &self.doc.source, span, message)
    }

    /// A diagnostic pointing at the value at `pointer`.
    pub fn at(&self, rule: &Rule, pointer: &str, message: impl Into<String>) -> Diagnostic {
        self.make(rule, self.span(pointer), message.into())
    }

    /// A diagnostic pointing at the key of the value at `pointer`.
    pub fn at_key(&self, rule: &Rule, pointer: &str, message: impl Into<String>) -> Diagnostic {
        self.make(rule, self.key_span(pointer), message.into())
    }

    /// A diagnostic pointing inside the string at `pointer`.
    pub fn in_string(
        &self,
        rule: &Rule,
        pointer: &str,
        offset: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.make(rule, self.span_in_string(pointer, offset), message.into())
    }
}

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
pub(crate) fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A hint line from an optional suggestion.
pub(crate) fn suggestion(found: Option<&str>) -> Option<String> {
    found.map(|s| format!("did you mean `{s}`?"))
}

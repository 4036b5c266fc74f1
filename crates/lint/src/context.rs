//! What every rule gets: the loaded bundle, the typed model, and ways to point at places.

use std::cell::OnceCell;

use telaio_expr::Expression;
use telaio_graph::Graph;
use telaio_model::{Arazzo, ArazzoDocument, Bundle, Position, Span, SpecVersion};

use crate::rules::Flow;
use crate::sites::{Site, collect_sites};
use crate::{Diagnostic, Rule};

/// The document under check, shared by all rules.
pub(crate) struct Context<'a> {
    pub bundle: &'a Bundle,
    pub doc: &'a ArazzoDocument,
    pub model: &'a Arazzo,
    /// The document as the run reads it: actions merged, targets resolved.
    pub graph: Graph<'a>,
    pub version: SpecVersion,
    sites: OnceCell<Vec<Site<'a>>>,
    expressions: OnceCell<Vec<Vec<Expression>>>,
    flows: OnceCell<Vec<Flow<'a>>>,
}

impl<'a> Context<'a> {
    pub fn new(
        bundle: &'a Bundle,
        model: &'a Arazzo,
        graph: Graph<'a>,
        version: SpecVersion,
    ) -> Self {
        Context {
            bundle,
            doc: &bundle.document,
            model,
            graph,
            version,
            sites: OnceCell::new(),
            expressions: OnceCell::new(),
            flows: OnceCell::new(),
        }
    }

    /// The steps by id and the jumps of workflow `wi` (`workflows[wi]`).
    pub fn flow(&self, wi: usize) -> &Flow<'a> {
        &self
            .flows
            .get_or_init(|| self.graph.workflows.iter().map(Flow::new).collect())[wi]
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

    /// The span of the character `offset` (0-based, in the string's value) inside the string
    /// at `pointer`, found by reading the scalar as written: quotes, `''` and `\` escapes,
    /// and line folding of plain and block scalars are accounted for. Falls back to the
    /// string's start when the text cannot be followed.
    pub fn span_in_string(&self, pointer: &str, offset: usize) -> Span {
        let span = self.span(pointer);
        match locate_in_scalar(&self.doc.source, span, offset) {
            Some(at) => Span::new(at, Position::new(at.line, at.column + 1)),
            None => span,
        }
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
///
/// ```
/// assert_eq!(telaio_lint::did_you_mean("petstor", ["petstore", "users"]), Some("petstore"));
/// assert_eq!(telaio_lint::did_you_mean("zzz", ["petstore"]), None);
/// ```
pub fn did_you_mean<'c>(
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

/// Where the `offset`-th character of a scalar's value is written.
fn locate_in_scalar(
    source: &telaio_model::SourceText,
    span: Span,
    offset: usize,
) -> Option<Position> {
    // From the scalar's first character on: a one-line JSON document must not be counted
    // from its start for each finding.
    let at = source.byte_at(span.start.line, span.start.column)?;
    let line_len = source.line(span.start.line)?.len();
    let line_start = source.byte_at(span.start.line, 1)?;
    let first = &source.text[at..line_start + line_len];
    let opener = first.chars().next()?;
    match opener {
        '\'' | '"' => {
            // Quoted scalars: walk the first line, decoding escapes (multi-line quoted
            // scalars fall back to the start).
            let chars: Vec<char> = first
                .chars()
                .take(offset.saturating_mul(10).saturating_add(16))
                .collect();
            let (mut i, mut decoded) = (1, 0);
            while i < chars.len() {
                if decoded == offset {
                    return Some(Position::new(
                        span.start.line,
                        span.start.column + u32::try_from(i).ok()?,
                    ));
                }
                let c = chars[i];
                i += match (opener, c) {
                    ('\'', '\'') if chars.get(i + 1) == Some(&'\'') => 2,
                    (_, c) if c == opener => return None,
                    ('"', '\\') => match chars.get(i + 1) {
                        Some('x') => 4,
                        Some('u') => 6,
                        Some('U') => 10,
                        _ => 2,
                    },
                    _ => 1,
                };
                decoded += 1;
            }
            None
        }
        '|' | '>' => {
            // Block scalars: the value starts on the next line, after the indentation.
            let mut rest = offset;
            let mut indent = None;
            for n in span.start.line + 1..=span.end.line {
                let line = source.line(n)?;
                if line.trim().is_empty() {
                    rest = rest.checked_sub(1)?;
                    continue;
                }
                let ind = *indent.get_or_insert_with(|| line.len() - line.trim_start().len());
                let content = line.get(ind..)?.chars().count();
                if rest < content {
                    return Some(Position::new(n, u32::try_from(ind + rest + 1).ok()?));
                }
                rest -= content + 1;
            }
            None
        }
        _ => {
            // Plain scalars: the first line from the start, folded lines after it.
            let mut rest = offset;
            let start = span.start.column as usize - 1;
            for n in span.start.line..=span.end.line {
                let line = source.line(n)?;
                let (skip, content) = if n == span.start.line {
                    let content = if span.end.line == n {
                        span.end.column.saturating_sub(span.start.column) as usize
                    } else {
                        first.chars().count()
                    };
                    (start, content)
                } else {
                    let ind = line.chars().take_while(|c| c.is_whitespace()).count();
                    (ind, line.trim().chars().count())
                };
                // An offset just past the end points after the last character.
                if rest < content || (rest == content && n == span.end.line) {
                    return Some(Position::new(n, u32::try_from(skip + rest + 1).ok()?));
                }
                rest = rest.checked_sub(content + 1)?;
            }
            None
        }
    }
}

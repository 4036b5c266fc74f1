//! Runtime expressions (`$statusCode`, `$steps.a.outputs.b#/0`, ...): AST, parser, printer.
//!
//! The grammar is the union of Arazzo 1.0.1's and 1.1.0's ABNF. Where an expression ends depends
//! on where it is written ([`Mode`]): a whole string value runs to the end, an embedded `{$...}`
//! runs to its `}`, and inside a simple condition it stops at white space and operator
//! characters so that `$response.body#/a == 1` splits as authors expect.
//!
//! 1.0.1 lets the names after `$inputs.`, `$outputs.` and `$steps.` be any characters
//! (`name = *( CHAR )`): `$inputs.page[limit]`, `$inputs.$orderby`, `$steps.Search
//! Pets.outputs.x`. Outside conditions, such names are read whole (a step id up to its
//! `.outputs`, a name up to a `#` pointer); 1.1 restricts them to identifiers, which the linter
//! checks for 1.1 documents ([`Expression::names_outside_1_1`]). How such names resolve is the
//! evaluator's (`$steps.a.outputs.pets[0].id` reads into output `pets` when no output has that
//! whole name).

mod display;
mod parse;

use crate::{ExprError, JsonPointer};

pub(crate) use parse::error_at;
use parse::{is_identifier, is_strict_identifier};

/// A parsed runtime expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Expression {
    /// `$url`: the request URL.
    Url,
    /// `$method`: the request method.
    Method,
    /// `$statusCode`: the response status.
    StatusCode,
    /// `$self` (1.1): the document's own URI.
    SelfUri,
    /// `$request.<source>`.
    Request(Source),
    /// `$response.<source>`.
    Response(Source),
    /// `$message.<source>` (1.1, AsyncAPI).
    Message(Source),
    /// `$inputs.<name>[#pointer]`.
    Inputs {
        /// The input name (may contain dots; see the evaluation rules).
        name: String,
        /// A pointer into the input's value.
        pointer: Option<JsonPointer>,
    },
    /// `$outputs.<name>[#pointer]`.
    Outputs {
        /// The output name.
        name: String,
        /// A pointer into the output's value.
        pointer: Option<JsonPointer>,
    },
    /// `$steps.<stepId>.outputs.<name>[#pointer]`, or `$steps.<stepId>.outputs` for all of
    /// them as one object (as the official 1.1 schema tests use it in a selector context).
    Steps {
        /// The step.
        step_id: String,
        /// The step's output; `None` for the whole outputs object.
        output: Option<String>,
        /// A pointer into the output's value.
        pointer: Option<JsonPointer>,
    },
    /// `$workflows.<workflowId>.(inputs|outputs).<name>[#pointer]`.
    Workflows {
        /// The workflow.
        workflow_id: String,
        /// Inputs or outputs.
        field: WorkflowField,
        /// The input or output name.
        name: String,
        /// A pointer into its value.
        pointer: Option<JsonPointer>,
    },
    /// `$sourceDescriptions.<name>.<reference>`: an operationId / workflowId, or a field.
    SourceDescriptions {
        /// The source description's name.
        name: String,
        /// What is referenced in it.
        reference: String,
    },
    /// `$components.<type>.<name>`.
    Components {
        /// `parameters`, `successActions`, `failureActions` (or `inputs`).
        kind: String,
        /// The component's key.
        name: String,
    },
}

/// The part of a request, response or message an expression reads.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// `header.<token>` (case-insensitive name).
    Header(String),
    /// `query.<name>`.
    Query(String),
    /// `path.<name>`.
    Path(String),
    /// `body[#pointer]`.
    Body(Option<JsonPointer>),
    /// `payload[#pointer]` (1.1 messages).
    Payload(Option<JsonPointer>),
}

/// What a `$workflows.<id>.` expression reads.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum WorkflowField {
    /// `inputs`.
    Inputs,
    /// `outputs`.
    Outputs,
    /// `steps.<stepId>.outputs` (1.1, for steps of another workflow).
    StepOutputs(String),
}

/// Where an expression is written, which decides where it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A whole string value: the expression runs to the end of the text.
    Standalone,
    /// Inside `{...}` in a string: it runs to the closing `}`.
    Embedded,
    /// Inside a simple condition: it stops at white space and `()[]=!<>&|`.
    Condition,
}

/// The top-level expression names, for messages and suggestions.
pub const EXPRESSION_KINDS: [&str; 13] = [
    "$url",
    "$method",
    "$statusCode",
    "$self",
    "$request.",
    "$response.",
    "$message.",
    "$inputs.",
    "$outputs.",
    "$steps.",
    "$workflows.",
    "$sourceDescriptions.",
    "$components.",
];

impl Expression {
    /// Parses a whole string as one runtime expression.
    ///
    /// ```
    /// use telaio_expr::{Expression, Source};
    /// let e = Expression::parse("$response.body#/items/0/id").unwrap();
    /// assert!(matches!(e, Expression::Response(Source::Body(Some(_)))));
    /// assert_eq!(e.to_string(), "$response.body#/items/0/id");
    /// let err = Expression::parse("$steps.create").unwrap_err();
    /// assert_eq!(err.offset, 13);
    /// ```
    pub fn parse(text: &str) -> Result<Expression, ExprError> {
        let (expr, used) = Expression::parse_prefix(text, Mode::Standalone)?;
        if used < text.len() {
            return Err(error_at(text, used, "unexpected text after the expression"));
        }
        Ok(expr)
    }

    /// Parses the expression at the start of `text`; returns it with the number of bytes used.
    pub fn parse_prefix(text: &str, mode: Mode) -> Result<(Expression, usize), ExprError> {
        parse::prefix(text, mode)
    }

    /// Whether a string value is meant as a runtime expression: it starts with one of the
    /// expression names (`$inputs.`, `$statusCode`, ...). Other strings that start with `$`
    /// (say `$5.00`) are literal text.
    ///
    /// ```
    /// use telaio_expr::Expression;
    /// assert!(Expression::looks_like("$inputs.token"));
    /// assert!(Expression::looks_like("$statusCode"));
    /// assert!(Expression::looks_like("$statuscode")); // a typo, reported by the parser
    /// assert!(!Expression::looks_like("$5.00"));
    /// ```
    pub fn looks_like(text: &str) -> bool {
        // Case is ignored here so that `$statuscode` is reported (with a suggestion) rather
        // than sent as literal text.
        EXPRESSION_KINDS.iter().any(|k| {
            text.get(..k.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(k))
                && {
                    let rest = &text[k.len()..];
                    // `$url` must not be the start of `$urls`.
                    k.ends_with('.') || !rest.starts_with(|c: char| c.is_ascii_alphanumeric())
                }
        })
    }
}

impl Expression {
    /// The names in this expression that Arazzo 1.1 does not allow, with what each names
    /// (`input`, `output`, `step id`): 1.1 restricts the names 1.0.1 left free to identifiers
    /// (letters, digits, `-`, `_`, and `.` but in step ids). A name that is an identifier with
    /// `[n]` indexes (`pets[0].id`) is not listed: it is read as a path, which the linter
    /// points out on its own.
    ///
    /// ```
    /// use telaio_expr::Expression;
    /// let e = Expression::parse("$inputs.page[limit]").unwrap();
    /// assert_eq!(e.names_outside_1_1(), [("input", "page[limit]")]);
    /// let e = Expression::parse("$steps.Search Pets.outputs.pets[0].id").unwrap();
    /// assert_eq!(e.names_outside_1_1(), [("step id", "Search Pets")]);
    /// ```
    pub fn names_outside_1_1(&self) -> Vec<(&'static str, &str)> {
        let path_like = |name: &str| {
            let mut rest = name;
            while let Some(open) = rest.find('[') {
                let Some(close) = rest[open..].find(']') else {
                    return false;
                };
                let index = &rest[open + 1..open + close];
                if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
                    return false;
                }
                if !rest[..open].chars().all(is_identifier) {
                    return false;
                }
                rest = &rest[open + close + 1..];
            }
            !name.is_empty() && rest.chars().all(is_identifier)
        };
        let mut out = Vec::new();
        match self {
            Expression::Inputs { name, .. } if !path_like(name) => {
                out.push(("input", name.as_str()))
            }
            Expression::Outputs { name, .. } if !path_like(name) => {
                out.push(("output", name.as_str()))
            }
            Expression::Steps {
                step_id, output, ..
            } => {
                if !step_id.chars().all(is_strict_identifier) {
                    out.push(("step id", step_id.as_str()));
                }
                if let Some(output) = output.as_deref().filter(|o| !path_like(o)) {
                    out.push(("output", output));
                }
            }
            _ => {}
        }
        out
    }
}

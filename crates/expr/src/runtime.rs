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

use std::fmt;

use crate::{ExprError, JsonPointer};

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
        let mut c = Cursor { text, pos: 0, mode };
        let expr = c.expression()?;
        Ok((expr, c.pos))
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

/// Converts a byte offset into the character offset errors report.
pub(crate) fn error_at(text: &str, byte: usize, message: impl Into<String>) -> ExprError {
    let byte = byte.min(text.len());
    let column = text
        .get(..byte)
        .map_or(byte, |prefix| prefix.chars().count());
    ExprError::new(message, column)
}

struct Cursor<'t> {
    text: &'t str,
    pos: usize,
    mode: Mode,
}

fn is_identifier(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

fn is_strict_identifier(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_')
}

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

impl<'t> Cursor<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    fn err(&self, message: impl Into<String>) -> ExprError {
        error_at(self.text, self.pos, message)
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: &str, what: &str) -> Result<(), ExprError> {
        if self.eat(s) {
            Ok(())
        } else {
            Err(self.err(format!("expected `{s}` {what}")))
        }
    }

    /// Whether `c` ends free text (names, pointers) in the current mode.
    fn ends_text(&self, c: char) -> bool {
        match self.mode {
            Mode::Standalone => false,
            Mode::Embedded => c == '}',
            Mode::Condition => c.is_whitespace() || "()[]=!<>&|{}".contains(c),
        }
    }

    fn take_while(&mut self, keep: impl Fn(&Self, char) -> bool) -> &'t str {
        let start = self.pos;
        let end = self
            .rest()
            .char_indices()
            .find(|&(_, c)| !keep(self, c))
            .map_or(self.text.len(), |(i, _)| start + i);
        self.pos = end;
        &self.text[start..end]
    }

    fn nonempty(
        &mut self,
        what: &str,
        keep: impl Fn(&Self, char) -> bool,
    ) -> Result<String, ExprError> {
        let s = self.take_while(keep);
        if s.is_empty() {
            Err(self.err(format!("expected {what}")))
        } else {
            Ok(s.to_owned())
        }
    }

    fn identifier(&mut self, what: &str) -> Result<String, ExprError> {
        self.nonempty(what, |_, c| is_identifier(c))
    }

    fn strict_identifier(&mut self, what: &str) -> Result<String, ExprError> {
        self.nonempty(what, |_, c| is_strict_identifier(c))
    }

    /// An input, output or step output name: in a condition an identifier (`.name` and `[n]`
    /// after it are accessors); elsewhere, as 1.0.1 allows, any characters up to a `#`
    /// pointer or the end of the expression.
    fn name(&mut self, what: &str) -> Result<String, ExprError> {
        match self.mode {
            Mode::Condition => self.identifier(what),
            Mode::Standalone | Mode::Embedded => {
                self.nonempty(what, |cur, c| c != '#' && !cur.ends_text(c))
            }
        }
    }

    /// Outside conditions, a step id of any characters (1.0.1: `$steps.Search Pets.outputs.x`)
    /// up to the first `.outputs` followed by `.`, `#` or the end. `None` when there is no
    /// such `.outputs`, or the id is a plain identifier anyway.
    fn step_id_before_outputs(&mut self) -> Option<String> {
        if self.mode == Mode::Condition {
            return None;
        }
        let rest = self.rest();
        let end = rest
            .char_indices()
            .find(|&(_, c)| self.ends_text(c) || c == '#')
            .map_or(rest.len(), |(i, _)| i);
        let scope = &rest[..end];
        let at = scope.match_indices(".outputs").map(|(i, _)| i).find(|&i| {
            i > 0
                && matches!(
                    scope[i + ".outputs".len()..].chars().next(),
                    None | Some('.')
                )
        })?;
        let id = &scope[..at];
        if id.chars().all(is_strict_identifier) {
            return None;
        }
        self.pos += at;
        Some(id.to_owned())
    }

    fn free_text(&mut self, what: &str) -> Result<String, ExprError> {
        self.nonempty(what, |cur, c| !cur.ends_text(c))
    }

    fn pointer(&mut self) -> Result<Option<JsonPointer>, ExprError> {
        if !self.eat("#") {
            return Ok(None);
        }
        let start = self.pos;
        let raw = self.take_while(|cur, c| !cur.ends_text(c));
        JsonPointer::parse(raw)
            .map(Some)
            .map_err(|e| error_at(self.text, start, e.message).shifted(e.offset))
    }

    /// After `body` / `payload`: `#/json/pointer`, or the dotted form `.a.b[0]` that the spec's
    /// own examples use (`$response.body.count`, `$message.payload.userId`), read as the
    /// pointer `/a/b/0`.
    fn body_location(&mut self) -> Result<Option<JsonPointer>, ExprError> {
        if self.rest().starts_with('#') {
            return self.pointer();
        }
        let mut pointer = String::new();
        loop {
            if self.rest().starts_with('.') {
                self.pos += 1;
                let name = self.strict_identifier("a property name after `.`")?;
                pointer.push('/');
                pointer.push_str(&name.replace('~', "~0"));
            } else if self.rest().starts_with('[')
                && self.rest()[1..].starts_with(|c: char| c.is_ascii_digit())
            {
                let save = self.pos;
                self.pos += 1;
                let digits = self.take_while(|_, c| c.is_ascii_digit());
                if !self.eat("]") {
                    self.pos = save;
                    break;
                }
                pointer.push('/');
                pointer.push_str(digits);
            } else {
                break;
            }
        }
        (!pointer.is_empty())
            .then(|| JsonPointer::parse(&pointer))
            .transpose()
    }

    fn expression(&mut self) -> Result<Expression, ExprError> {
        if !self.eat("$") {
            return Err(self.err("a runtime expression starts with `$`"));
        }
        let name_at = self.pos;
        let name = self.take_while(|_, c| c.is_ascii_alphabetic());
        let dotted = |c: &mut Self| c.expect(".", &format!("after `${name}`"));
        Ok(match name {
            "url" => Expression::Url,
            "method" => Expression::Method,
            "statusCode" => Expression::StatusCode,
            "self" => Expression::SelfUri,
            "request" | "response" | "message" => {
                dotted(self)?;
                let source = self.source()?;
                match name {
                    "request" => Expression::Request(source),
                    "response" => Expression::Response(source),
                    _ => Expression::Message(source),
                }
            }
            "inputs" | "outputs" => {
                dotted(self)?;
                let field = self.name(&format!("a name after `${name}.`"))?;
                let pointer = self.pointer()?;
                if name == "inputs" {
                    Expression::Inputs {
                        name: field,
                        pointer,
                    }
                } else {
                    Expression::Outputs {
                        name: field,
                        pointer,
                    }
                }
            }
            "steps" => {
                dotted(self)?;
                let step_id = match self.step_id_before_outputs() {
                    Some(id) => id,
                    None => self.strict_identifier("a step id after `$steps.`")?,
                };
                let after_outputs = self.rest().strip_prefix(".outputs");
                let outputs_word = after_outputs.is_some_and(|r| {
                    !r.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                });
                let output = if outputs_word && self.eat(".outputs") {
                    if self.eat(".") {
                        Some(self.name("an output name")?)
                    } else {
                        None
                    }
                } else if self.rest().starts_with('.') {
                    // `$steps.<id>.<name>` is read as `$steps.<id>.outputs.<name>`: the intent
                    // is plain, and the official 1.0 BNPL example writes it. The linter
                    // points it out.
                    self.pos += 1;
                    Some(self.identifier("`outputs.<name>` after the step id")?)
                } else {
                    return Err(self.err("expected `.outputs.<name>` after the step id"));
                };
                let pointer = self.pointer()?;
                Expression::Steps {
                    step_id,
                    output,
                    pointer,
                }
            }
            "workflows" => {
                dotted(self)?;
                let workflow_id = self.strict_identifier("a workflow id after `$workflows.`")?;
                let field = if self.eat(".inputs.") {
                    WorkflowField::Inputs
                } else if self.eat(".outputs.") {
                    WorkflowField::Outputs
                } else if self.eat(".steps.") {
                    let step_id = self.strict_identifier("a step id after `.steps.`")?;
                    self.expect(".outputs.", "after the step id")?;
                    WorkflowField::StepOutputs(step_id)
                } else {
                    return Err(self.err(
                        "expected `.inputs.`, `.outputs.` or `.steps.` after the workflow id",
                    ));
                };
                let name = self.identifier("an input or output name")?;
                let pointer = self.pointer()?;
                Expression::Workflows {
                    workflow_id,
                    field,
                    name,
                    pointer,
                }
            }
            "sourceDescriptions" => {
                dotted(self)?;
                let name = self.strict_identifier("a source description name")?;
                self.expect(".", "after the source description name")?;
                let reference = self.free_text("an operationId, workflowId or field name")?;
                Expression::SourceDescriptions { name, reference }
            }
            "components" => {
                dotted(self)?;
                let kind = self.strict_identifier(
                    "a component type (`parameters`, `successActions`, `failureActions`)",
                )?;
                self.expect(".", "after the component type")?;
                let name = self.identifier("a component name")?;
                Expression::Components { kind, name }
            }
            other => {
                let hint = EXPRESSION_KINDS
                    .iter()
                    .map(|k| k.trim_start_matches('$').trim_end_matches('.'))
                    .find(|k| k.eq_ignore_ascii_case(other))
                    .map(|k| format!("; did you mean `${k}`?"))
                    .unwrap_or_else(|| {
                        "; expected one of $url, $method, $statusCode, $request, $response, \
                         $message, $inputs, $outputs, $steps, $workflows, $sourceDescriptions, \
                         $components, $self"
                            .to_owned()
                    });
                return Err(error_at(
                    self.text,
                    name_at,
                    format!("unknown runtime expression `${other}`{hint}"),
                ));
            }
        })
    }

    fn source(&mut self) -> Result<Source, ExprError> {
        let at = self.pos;
        let part = self.take_while(|_, c| c.is_ascii_alphabetic());
        Ok(match part {
            // `headers` is read as `header`: the intent is plain, and the official 1.0 BNPL
            // example writes it. The linter points it out.
            "header" | "headers" => {
                self.expect(".", "after `header`")?;
                let token = self.nonempty("a header name", |cur, c| {
                    is_tchar(c)
                        && !(cur.mode == Mode::Condition && "!&|".contains(c))
                        && !cur.ends_text(c)
                })?;
                Source::Header(token)
            }
            "query" => {
                self.expect(".", "after `query`")?;
                Source::Query(self.free_text("a query parameter name")?)
            }
            "path" => {
                self.expect(".", "after `path`")?;
                Source::Path(self.free_text("a path parameter name")?)
            }
            "body" => Source::Body(self.body_location()?),
            "payload" => Source::Payload(self.body_location()?),
            _ => {
                return Err(error_at(
                    self.text,
                    at,
                    "expected `header.`, `query.`, `path.`, `body` or `payload`",
                ));
            }
        })
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn ptr(f: &mut fmt::Formatter<'_>, p: &Option<JsonPointer>) -> fmt::Result {
            match p {
                Some(p) => write!(f, "#{p}"),
                None => Ok(()),
            }
        }
        match self {
            Expression::Url => f.write_str("$url"),
            Expression::Method => f.write_str("$method"),
            Expression::StatusCode => f.write_str("$statusCode"),
            Expression::SelfUri => f.write_str("$self"),
            Expression::Request(s) => write!(f, "$request.{s}"),
            Expression::Response(s) => write!(f, "$response.{s}"),
            Expression::Message(s) => write!(f, "$message.{s}"),
            Expression::Inputs { name, pointer } => {
                write!(f, "$inputs.{name}")?;
                ptr(f, pointer)
            }
            Expression::Outputs { name, pointer } => {
                write!(f, "$outputs.{name}")?;
                ptr(f, pointer)
            }
            Expression::Steps {
                step_id,
                output,
                pointer,
            } => {
                write!(f, "$steps.{step_id}.outputs")?;
                if let Some(output) = output {
                    write!(f, ".{output}")?;
                }
                ptr(f, pointer)
            }
            Expression::Workflows {
                workflow_id,
                field,
                name,
                pointer,
            } => {
                write!(f, "$workflows.{workflow_id}.")?;
                match field {
                    WorkflowField::Inputs => f.write_str("inputs")?,
                    WorkflowField::Outputs => f.write_str("outputs")?,
                    WorkflowField::StepOutputs(step) => write!(f, "steps.{step}.outputs")?,
                }
                write!(f, ".{name}")?;
                ptr(f, pointer)
            }
            Expression::SourceDescriptions { name, reference } => {
                write!(f, "$sourceDescriptions.{name}.{reference}")
            }
            Expression::Components { kind, name } => write!(f, "$components.{kind}.{name}"),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Header(h) => write!(f, "header.{h}"),
            Source::Query(q) => write!(f, "query.{q}"),
            Source::Path(p) => write!(f, "path.{p}"),
            Source::Body(p) | Source::Payload(p) => {
                f.write_str(if matches!(self, Source::Body(_)) {
                    "body"
                } else {
                    "payload"
                })?;
                match p {
                    Some(p) => write!(f, "#{p}"),
                    None => Ok(()),
                }
            }
        }
    }
}

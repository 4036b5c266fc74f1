//! The runtime expression parser: a cursor over the text that knows where, in its [`Mode`],
//! a name or a pointer ends.

use super::{EXPRESSION_KINDS, Expression, Mode, Source, WorkflowField};
use crate::{ExprError, JsonPointer};

/// Converts a byte offset into the character offset errors report.
pub(crate) fn error_at(text: &str, byte: usize, message: impl Into<String>) -> ExprError {
    let byte = byte.min(text.len());
    let column = text
        .get(..byte)
        .map_or(byte, |prefix| prefix.chars().count());
    ExprError::new(message, column)
}

/// The expression at the start of `text` and the number of bytes it takes.
pub(super) fn prefix(text: &str, mode: Mode) -> Result<(Expression, usize), ExprError> {
    let mut c = Cursor { text, pos: 0, mode };
    let expr = c.expression()?;
    Ok((expr, c.pos))
}

struct Cursor<'t> {
    text: &'t str,
    pos: usize,
    mode: Mode,
}

pub(super) fn is_identifier(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

pub(super) fn is_strict_identifier(c: char) -> bool {
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

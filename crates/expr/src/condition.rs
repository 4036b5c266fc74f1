//! Simple conditions (`$statusCode == 200 && $response.body#/ok`): AST, parser, printer.
//!
//! Precedence, loosest first: `||`, `&&`, comparisons (`==` `!=` `<` `<=` `>` `>=`, not
//! chained), `!`, then `.name` / `[n]` accessors on runtime expressions. Parentheses group.
//! Strings are single-quoted with `''` for a quote; double quotes are accepted too, since real
//! documents use them.

use std::fmt;

use crate::runtime::{Mode, error_at};
use crate::{ExprError, Expression};

/// A parsed simple condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// A literal value.
    Literal(Literal),
    /// A runtime expression with property / index accessors after it.
    Value(Expression, Vec<Accessor>),
    /// `!x`.
    Not(Box<Condition>),
    /// `a <op> b`.
    Compare(Box<Condition>, CompareOp, Box<Condition>),
    /// `a && b`.
    And(Box<Condition>, Box<Condition>),
    /// `a || b`.
    Or(Box<Condition>, Box<Condition>),
}

/// A literal in a condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer (kept exact: IDs exceed what a double holds).
    Integer(i64),
    /// A number with a fraction or exponent.
    Number(f64),
    /// A quoted string.
    String(String),
}

/// `.name` or `[n]` after a runtime expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Accessor {
    /// `.name`.
    Property(String),
    /// `[n]`.
    Index(usize),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

impl Condition {
    /// Parses a simple condition.
    ///
    /// ```
    /// use telaio_expr::Condition;
    /// let c = Condition::parse("$statusCode == 200 && $response.body.items[0].id != null").unwrap();
    /// // The dotted body form is read as a JSON Pointer; printing shows the canonical form.
    /// assert_eq!(c.to_string(), "$statusCode == 200 && $response.body#/items/0/id != null");
    /// let err = Condition::parse("$statusCode = 200").unwrap_err();
    /// assert_eq!(err.offset, 12);
    /// ```
    pub fn parse(text: &str) -> Result<Condition, ExprError> {
        let mut p = Parser {
            text,
            pos: 0,
            depth: 0,
            operators: 0,
        };
        let c = p.or()?;
        p.skip_ws();
        if p.pos < text.len() {
            return Err(p.err(match p.peek() {
                Some('=' | '!') if p.rest().starts_with("==") || p.rest().starts_with("!=") => {
                    "comparisons cannot be chained; combine them with `&&`"
                }
                Some('=') => "`=` is not an operator; use `==` to compare",
                Some(')') => "unbalanced `)`",
                Some('<' | '>') => "comparisons cannot be chained; combine them with `&&`",
                _ => "expected an operator (`==`, `&&`, `||`, ...) or the end of the condition",
            }));
        }
        Ok(c)
    }

    /// Every runtime expression in the condition, in order.
    pub fn expressions(&self) -> Vec<&Expression> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a Expression>) {
        match self {
            Condition::Literal(_) => {}
            Condition::Value(e, _) => out.push(e),
            Condition::Not(c) => c.collect(out),
            Condition::Compare(a, _, b) | Condition::And(a, b) | Condition::Or(a, b) => {
                a.collect(out);
                b.collect(out);
            }
        }
    }

    /// The statuses the condition lets through, when it tests `$statusCode` for equality
    /// (`$statusCode == 200`, either side of `&&`, every side of `||`); `None` when any
    /// status might pass.
    ///
    /// ```
    /// use telaio_expr::Condition;
    /// let c = Condition::parse("$statusCode == 200 || $statusCode == 201").unwrap();
    /// assert_eq!(c.status_codes(), Some(vec![200, 201]));
    /// let c = Condition::parse("$response.body#/ok && 404 == $statusCode").unwrap();
    /// assert_eq!(c.status_codes(), Some(vec![404]));
    /// assert_eq!(Condition::parse("$statusCode < 300").unwrap().status_codes(), None);
    /// ```
    pub fn status_codes(&self) -> Option<Vec<u16>> {
        match self {
            Condition::Compare(a, CompareOp::Eq, b) => match (&**a, &**b) {
                (Condition::Value(Expression::StatusCode, x), Condition::Literal(l))
                | (Condition::Literal(l), Condition::Value(Expression::StatusCode, x))
                    if x.is_empty() =>
                {
                    match l {
                        Literal::Integer(n) => Some(vec![u16::try_from(*n).ok()?]),
                        _ => None,
                    }
                }
                _ => None,
            },
            Condition::And(a, b) => match (a.status_codes(), b.status_codes()) {
                (Some(x), Some(y)) => Some(x.into_iter().filter(|c| y.contains(c)).collect()),
                (Some(x), None) | (None, Some(x)) => Some(x),
                (None, None) => None,
            },
            Condition::Or(a, b) => {
                let mut x = a.status_codes()?;
                for c in b.status_codes()? {
                    if !x.contains(&c) {
                        x.push(c);
                    }
                }
                Some(x)
            }
            _ => None,
        }
    }

    fn precedence(&self) -> u8 {
        match self {
            Condition::Or(..) => 1,
            Condition::And(..) => 2,
            Condition::Compare(..) => 3,
            Condition::Not(_) => 4,
            Condition::Literal(_) | Condition::Value(..) => 5,
        }
    }
}

/// Deepest nesting of parentheses and `!` accepted, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 64;
/// Most binary operators in one condition: `&&` / `||` chains build deep trees that are
/// walked recursively.
const MAX_OPERATORS: usize = 256;

struct Parser<'t> {
    text: &'t str,
    pos: usize,
    depth: usize,
    operators: usize,
}

impl<'t> Parser<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn err(&self, message: impl Into<String>) -> ExprError {
        error_at(self.text, self.pos, message)
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.text.len() - trimmed.len();
    }

    fn eat(&mut self, s: &str) -> bool {
        self.skip_ws();
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn operator(&mut self) -> Result<(), ExprError> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            return Err(self.err(format!(
                "the condition has more than {MAX_OPERATORS} operators"
            )));
        }
        Ok(())
    }

    fn deeper(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!(
                "the condition nests deeper than {MAX_DEPTH} levels"
            )));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Condition, ExprError> {
        let mut left = self.and()?;
        while self.eat("||") {
            self.operator()?;
            let right = self.and()?;
            left = Condition::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Condition, ExprError> {
        let mut left = self.comparison()?;
        while self.eat("&&") {
            self.operator()?;
            let right = self.comparison()?;
            left = Condition::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Condition, ExprError> {
        let left = self.unary()?;
        self.skip_ws();
        let op = [
            ("==", CompareOp::Eq),
            ("!=", CompareOp::Ne),
            ("<=", CompareOp::Le),
            (">=", CompareOp::Ge),
            ("<", CompareOp::Lt),
            (">", CompareOp::Gt),
        ]
        .into_iter()
        .find(|(s, _)| self.rest().starts_with(s));
        let Some((s, op)) = op else {
            return Ok(left);
        };
        self.pos += s.len();
        self.operator()?;
        let right = self.unary()?;
        Ok(Condition::Compare(Box::new(left), op, Box::new(right)))
    }

    fn unary(&mut self) -> Result<Condition, ExprError> {
        self.skip_ws();
        if self.rest().starts_with('!') && !self.rest().starts_with("!=") {
            self.pos += 1;
            self.deeper()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Condition::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Condition, ExprError> {
        self.skip_ws();
        let Some(c) = self.peek() else {
            return Err(self.err("expected a value: a runtime expression, a literal or `(`"));
        };
        match c {
            '(' => {
                self.pos += 1;
                self.deeper()?;
                let inner = self.or()?;
                self.depth -= 1;
                if !self.eat(")") {
                    return Err(self.err("expected `)`"));
                }
                Ok(inner)
            }
            '$' => {
                if self.rest().starts_with("$.") || self.rest().starts_with("$[") {
                    return Err(self.err(
                        "`$.` starts a JSONPath, not a runtime expression; \
                         use `type: jsonpath` with a `context`, or `$response.body#/...`",
                    ));
                }
                let (expr, used) = Expression::parse_prefix(self.rest(), Mode::Condition)
                    .map_err(|e| e.shifted(self.text[..self.pos].chars().count()))?;
                self.pos += used;
                let accessors = self.accessors()?;
                Ok(Condition::Value(expr, accessors))
            }
            '\'' | '"' => self
                .string(c)
                .map(|s| Condition::Literal(Literal::String(s))),
            c if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' => self.number(),
            _ => {
                let word: &str = self
                    .rest()
                    .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                    .next()
                    .unwrap_or_default();
                let literal = match word {
                    "true" => Literal::Bool(true),
                    "false" => Literal::Bool(false),
                    "null" => Literal::Null,
                    "" => return Err(self.err(format!("unexpected `{c}`"))),
                    other => {
                        return Err(self.err(format!(
                            "`{other}` is not a value; quote text as '{other}', \
                             and start runtime expressions with `$`"
                        )));
                    }
                };
                self.pos += word.len();
                Ok(Condition::Literal(literal))
            }
        }
    }

    fn accessors(&mut self) -> Result<Vec<Accessor>, ExprError> {
        let mut out = Vec::new();
        loop {
            if self.rest().starts_with('.') {
                self.pos += 1;
                let name: &str = self
                    .rest()
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .next()
                    .unwrap_or_default();
                if name.is_empty() {
                    return Err(self.err("expected a property name after `.`"));
                }
                self.pos += name.len();
                out.push(Accessor::Property(name.to_owned()));
            } else if self.rest().starts_with('[') {
                self.pos += 1;
                let digits: &str = self
                    .rest()
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .unwrap_or_default();
                let index = digits
                    .parse::<usize>()
                    .map_err(|_| self.err("expected an array index (0, 1, ...)"))?;
                self.pos += digits.len();
                if !self.rest().starts_with(']') {
                    return Err(self.err("expected `]`"));
                }
                self.pos += 1;
                out.push(Accessor::Index(index));
            } else {
                return Ok(out);
            }
        }
    }

    fn string(&mut self, quote: char) -> Result<String, ExprError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                self.pos = start;
                return Err(self.err(format!("unterminated string: no closing {quote}")));
            };
            self.pos += c.len_utf8();
            if c == quote {
                // A doubled quote stands for one quote character.
                if self.peek() == Some(quote) {
                    self.pos += 1;
                    out.push(quote);
                    continue;
                }
                return Ok(out);
            }
            out.push(c);
        }
    }

    fn number(&mut self) -> Result<Condition, ExprError> {
        let text: &str = self
            .rest()
            .split(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
            .next()
            .unwrap_or_default();
        if let Ok(i) = text.parse::<i64>() {
            self.pos += text.len();
            return Ok(Condition::Literal(Literal::Integer(i)));
        }
        let value = text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.err(format!("`{text}` is not a number")))?;
        self.pos += text.len();
        Ok(Condition::Literal(Literal::Number(value)))
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Integer(n) => write!(f, "{n}"),
            // Always with a fraction or exponent, so that it reads back as a number, not an
            // integer.
            Literal::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => write!(f, "{n:.1}"),
            Literal::Number(n) => write!(f, "{n:?}"),
            Literal::String(s) => write!(f, "'{}'", s.replace('\'', "''")),
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Parenthesise a child only when precedence requires it.
        fn child(f: &mut fmt::Formatter<'_>, c: &Condition, min: u8) -> fmt::Result {
            if c.precedence() < min {
                write!(f, "({c})")
            } else {
                write!(f, "{c}")
            }
        }
        match self {
            Condition::Literal(l) => write!(f, "{l}"),
            Condition::Value(e, accessors) => {
                write!(f, "{e}")?;
                for a in accessors {
                    match a {
                        Accessor::Property(p) => write!(f, ".{p}")?,
                        Accessor::Index(i) => write!(f, "[{i}]")?,
                    }
                }
                Ok(())
            }
            Condition::Not(c) => {
                f.write_str("!")?;
                child(f, c, 4)
            }
            Condition::Compare(a, op, b) => {
                child(f, a, 4)?;
                write!(f, " {} ", op.as_str())?;
                child(f, b, 4)
            }
            Condition::And(a, b) => {
                child(f, a, 2)?;
                f.write_str(" && ")?;
                child(f, b, 3)
            }
            Condition::Or(a, b) => {
                child(f, a, 1)?;
                f.write_str(" || ")?;
                child(f, b, 2)
            }
        }
    }
}

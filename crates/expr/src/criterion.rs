//! Evaluating conditions: simple conditions, and compiled regex / JSONPath / XPath criteria
//! applied to their context.
//!
//! A criterion is compiled once ([`CompiledCriterion::compile`]) and evaluated many times.
//! Conditions with embedded `{$...}` expressions are compiled per distinct text and cached,
//! so a polling loop never compiles the same pattern twice. Evaluation never fails: a
//! condition that cannot be evaluated (a missing value, a body that is not JSON, a pattern
//! that does not compile) is false, with the reason in the [`Verdict`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::compare::{compare, truthy};
use crate::eval::{evaluate, render, render_with, to_text};
use crate::scope::Scope;
use crate::{
    Accessor, Condition, ExprError, Expression, JsonPathCondition, Literal, RegexCondition,
    Template, Trace,
};

/// The outcome of a condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the condition passed.
    pub passed: bool,
    /// Why it failed, when it could not be evaluated (not merely false).
    pub reason: Option<String>,
}

impl Verdict {
    fn pass(passed: bool) -> Verdict {
        Verdict {
            passed,
            reason: None,
        }
    }

    fn error(reason: impl Into<String>) -> Verdict {
        Verdict {
            passed: false,
            reason: Some(reason.into()),
        }
    }
}

/// Evaluates a simple condition.
///
/// ```
/// use telaio_expr::{Condition, Snapshot, Trace, check_condition};
/// let state: Snapshot = serde_json::from_value(serde_json::json!({
///     "statusCode": 200, "response": {"body": {"Status": "created", "items": [1, 2]}}
/// })).unwrap();
/// let c = Condition::parse("$statusCode == 200 && $response.body#/Status == 'CREATED'").unwrap();
/// assert!(check_condition(&c, &state, &mut Trace::off()));
/// let c = Condition::parse("$response.body.items.length > 1").unwrap();
/// assert!(check_condition(&c, &state, &mut Trace::off()));
/// ```
pub fn check_condition<S: Scope + ?Sized>(
    condition: &Condition,
    scope: &S,
    trace: &mut Trace,
) -> bool {
    evaluate_condition(condition, scope, trace).passed
}

/// Evaluates a simple condition; when it does not hold and a value it reads is missing, the
/// verdict says which and why.
pub fn evaluate_condition<S: Scope + ?Sized>(
    condition: &Condition,
    scope: &S,
    trace: &mut Trace,
) -> Verdict {
    let mut missing = Vec::new();
    let result = operand(condition, scope, trace, &mut missing);
    let passed = truthy(result.as_deref());
    trace.note(|| format!("{condition} → {passed}"));
    match missing.into_iter().next() {
        Some(reason) if !passed => Verdict::error(reason),
        _ => Verdict::pass(passed),
    }
}

/// The value of a condition: the value itself for a lone expression or literal, `true` /
/// `false` for anything with operators. `None` when a lone expression has no value.
pub fn condition_value<S: Scope + ?Sized>(
    condition: &Condition,
    scope: &S,
    trace: &mut Trace,
) -> Option<Value> {
    let mut missing = Vec::new();
    let value = operand(condition, scope, trace, &mut missing).map(Cow::into_owned);
    for m in missing {
        trace.note(|| m);
    }
    value
}

fn literal(l: &Literal) -> Value {
    match l {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Integer(i) => Value::from(*i),
        Literal::Number(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
        Literal::String(s) => Value::String(s.clone()),
    }
}

fn operand<'s, S: Scope + ?Sized>(
    c: &Condition,
    scope: &'s S,
    trace: &mut Trace,
    missing: &mut Vec<String>,
) -> Option<Cow<'s, Value>> {
    match c {
        Condition::Literal(l) => Some(Cow::Owned(literal(l))),
        Condition::Value(expr, accessors) => {
            let mut value = match evaluate(expr, scope) {
                Ok(v) => v,
                Err(m) => {
                    trace.note(|| format!("{expr} → null ({})", m.reason));
                    missing.push(m.to_string());
                    return None;
                }
            };
            for a in accessors {
                value = match access(value, a) {
                    Some(v) => v,
                    None => {
                        trace.note(|| format!("{expr}: no {}", describe(a)));
                        missing.push(format!("{expr} has no {}", describe(a)));
                        return None;
                    }
                };
            }
            trace.note(|| {
                format!(
                    "{expr}{} → {}",
                    accessors.iter().map(describe).collect::<String>(),
                    short(&value)
                )
            });
            Some(value)
        }
        Condition::Not(inner) => {
            let v = operand(inner, scope, trace, missing);
            Some(Cow::Owned(Value::Bool(!truthy(v.as_deref()))))
        }
        Condition::Compare(a, op, b) => {
            let (x, y) = (
                operand(a, scope, trace, missing),
                operand(b, scope, trace, missing),
            );
            let result = compare(*op, x.as_deref(), y.as_deref());
            trace.note(|| {
                format!(
                    "{} {} {} → {result}",
                    x.as_deref().map_or_else(|| "null".to_owned(), short),
                    op.as_str(),
                    y.as_deref().map_or_else(|| "null".to_owned(), short)
                )
            });
            Some(Cow::Owned(Value::Bool(result)))
        }
        Condition::And(a, b) => {
            let passed = truthy(operand(a, scope, trace, missing).as_deref())
                && truthy(operand(b, scope, trace, missing).as_deref());
            Some(Cow::Owned(Value::Bool(passed)))
        }
        Condition::Or(a, b) => {
            let passed = truthy(operand(a, scope, trace, missing).as_deref())
                || truthy(operand(b, scope, trace, missing).as_deref());
            Some(Cow::Owned(Value::Bool(passed)))
        }
    }
}

/// `.name` / `[n]` on a value. `.length` of an array or string is its length (the catalog
/// writes `$response.body.items.length > 0`).
fn access<'v>(value: Cow<'v, Value>, a: &Accessor) -> Option<Cow<'v, Value>> {
    match (value, a) {
        (Cow::Borrowed(v), Accessor::Property(p)) => match v.get(p) {
            Some(x) => Some(Cow::Borrowed(x)),
            None => length(v, p).map(Cow::Owned),
        },
        (Cow::Owned(v), Accessor::Property(p)) => match v.get(p) {
            Some(x) => Some(Cow::Owned(x.clone())),
            None => length(&v, p).map(Cow::Owned),
        },
        (Cow::Borrowed(v), Accessor::Index(i)) => v.get(*i).map(Cow::Borrowed),
        (Cow::Owned(v), Accessor::Index(i)) => v.get(*i).cloned().map(Cow::Owned),
    }
}

fn length(v: &Value, property: &str) -> Option<Value> {
    if property != "length" {
        return None;
    }
    match v {
        Value::Array(a) => Some(Value::from(a.len())),
        Value::String(s) => Some(Value::from(s.chars().count())),
        _ => None,
    }
}

fn describe(a: &Accessor) -> String {
    match a {
        Accessor::Property(p) => format!(".{p}"),
        Accessor::Index(i) => format!("[{i}]"),
    }
}

/// A value for an explanation line: JSON, cut at 80 characters.
pub(crate) fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        format!(
            "{}… ({} bytes)",
            s.chars().take(80).collect::<String>(),
            s.len()
        )
    } else {
        s
    }
}

/// How many compiled variants of a templated condition are kept.
const CACHE_SIZE: usize = 64;

/// How spliced values are written into a pattern's text.
type Escape = fn(&str) -> String;

/// A pattern that is either fixed or compiled per rendered text, with a cache. Compiled
/// patterns are shared (`Arc`), never cloned: a cloned regex starts with a cold match cache.
struct Compiled<T> {
    compile: fn(&str) -> Result<T, ExprError>,
    form: Form<T>,
}

enum Form<T> {
    Fixed(Arc<T>),
    Templated(Template, Escape, Mutex<HashMap<String, Arc<T>>>),
}

impl<T> std::fmt::Debug for Compiled<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.form {
            Form::Fixed(_) => "Compiled::Fixed",
            Form::Templated(..) => "Compiled::Templated",
        })
    }
}

impl<T> Compiled<T> {
    fn new(
        text: &str,
        compile: fn(&str) -> Result<T, ExprError>,
        escape: Escape,
    ) -> Result<Self, ExprError> {
        let template = Template::parse(text)?;
        if template.is_literal() {
            let fixed = compile(text)?;
            return Ok(Compiled {
                compile,
                form: Form::Fixed(Arc::new(fixed)),
            });
        }
        // Check the syntax now, with placeholders for the expressions.
        compile(&template.fill("0"))?;
        Ok(Compiled {
            compile,
            form: Form::Templated(template, escape, Mutex::new(HashMap::new())),
        })
    }

    fn get<S: Scope + ?Sized>(&self, scope: &S) -> Result<Arc<T>, String> {
        match &self.form {
            Form::Fixed(t) => Ok(t.clone()),
            Form::Templated(template, escape, cache) => {
                let (text, missing) = render_with(template, scope, *escape);
                if let Some(m) = missing.first() {
                    return Err(m.to_string());
                }
                let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(t) = cache.get(&text) {
                    return Ok(t.clone());
                }
                let t = Arc::new(
                    (self.compile)(&text).map_err(|e| format!("`{text}`: {}", e.message))?,
                );
                if cache.len() >= CACHE_SIZE {
                    // Drop one entry, not all: a loop over many values keeps most warm.
                    if let Some(k) = cache.keys().next().cloned() {
                        cache.remove(&k);
                    }
                }
                cache.insert(text, t.clone());
                Ok(t)
            }
        }
    }

    fn variants(&self) -> usize {
        match &self.form {
            Form::Fixed(_) => 1,
            Form::Templated(_, _, cache) => cache.lock().map_or(0, |c| c.len()),
        }
    }
}

/// Spliced as written (regex patterns may be spliced on purpose: `^({$inputs.pattern})$`).
fn as_written(s: &str) -> String {
    s.to_owned()
}

/// Spliced into JSONPath string literals: quotes and backslashes escaped, so a value cannot
/// change the query's structure.
fn jsonpath_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\'', "\\'")
        .replace('"', "\\\"")
}

#[derive(Debug)]
enum Kind {
    Simple(Condition),
    Regex(Compiled<RegexCondition>),
    JsonPath(Compiled<JsonPathCondition>),
    #[cfg(feature = "xpath")]
    XPath(Template),
}

/// The language of a criterion, as `compile` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CriterionKind {
    /// A simple condition.
    Simple,
    /// A regular expression.
    Regex,
    /// RFC 9535 JSONPath (or the comparison shape).
    JsonPath,
    /// JSONPath per draft-goessner-dispatch-jsonpath-00.
    JsonPathGoessner,
    /// XPath (3.1; earlier versions are compiled as 3.1).
    XPath,
}

/// A criterion compiled once, evaluated many times.
#[derive(Debug)]
pub struct CompiledCriterion {
    context: Option<Expression>,
    kind: Kind,
}

impl CompiledCriterion {
    /// Compiles a criterion: its condition, language and context expression.
    ///
    /// ```
    /// use telaio_expr::{CompiledCriterion, CriterionKind, Snapshot, Trace};
    /// let state: Snapshot = serde_json::from_value(serde_json::json!({"response": {"body": {"Status": "CREATED"}}})).unwrap();
    /// let c = CompiledCriterion::compile("$.Status == 'CREATED'", CriterionKind::JsonPath, Some("$response.body")).unwrap();
    /// assert!(c.evaluate(&state, &mut Trace::off()).passed);
    /// let c = CompiledCriterion::compile("^CREA", CriterionKind::Regex, Some("$response.body#/Status")).unwrap();
    /// assert!(c.evaluate(&state, &mut Trace::off()).passed);
    /// ```
    pub fn compile(
        condition: &str,
        kind: CriterionKind,
        context: Option<&str>,
    ) -> Result<CompiledCriterion, ExprError> {
        let context = context.map(Expression::parse).transpose()?;
        let kind = match kind {
            CriterionKind::Simple => Kind::Simple(Condition::parse(condition)?),
            CriterionKind::Regex => Kind::Regex(Compiled::new(
                condition,
                RegexCondition::compile,
                as_written,
            )?),
            CriterionKind::JsonPath => Kind::JsonPath(Compiled::new(
                condition,
                JsonPathCondition::compile,
                jsonpath_escape,
            )?),
            CriterionKind::JsonPathGoessner => Kind::JsonPath(Compiled::new(
                condition,
                JsonPathCondition::compile_goessner,
                jsonpath_escape,
            )?),
            #[cfg(feature = "xpath")]
            CriterionKind::XPath => {
                let template = Template::parse(condition)?;
                if template.is_literal() {
                    // Compiles into this thread's cache, where evaluation will find it.
                    crate::xpath::cached(condition).map_err(|m| ExprError::new(m, 0))?;
                } else {
                    crate::XPathCondition::compile(&template.fill("0"))?;
                }
                Kind::XPath(template)
            }
            #[cfg(not(feature = "xpath"))]
            CriterionKind::XPath => {
                return Err(ExprError::new(
                    "XPath conditions need Telaio built with the `xpath` feature",
                    0,
                ));
            }
        };
        if context.is_none() && !matches!(kind, Kind::Simple(_)) {
            return Err(ExprError::new(
                "a regex, JSONPath or XPath criterion needs a context",
                0,
            ));
        }
        Ok(CompiledCriterion { context, kind })
    }

    /// Evaluates the criterion. Never fails: what cannot be evaluated is false, with the
    /// reason.
    pub fn evaluate<S: Scope + ?Sized>(&self, scope: &S, trace: &mut Trace) -> Verdict {
        match &self.kind {
            Kind::Simple(condition) => evaluate_condition(condition, scope, trace),
            _ => self.evaluate_on_context(scope, trace),
        }
    }

    /// The statuses a simple criterion lets through, when it tests `$statusCode` for
    /// equality (see [`Condition::status_codes`]).
    pub fn status_codes(&self) -> Option<Vec<u16>> {
        match &self.kind {
            Kind::Simple(condition) => condition.status_codes(),
            _ => None,
        }
    }

    /// How many compiled variants a condition with embedded expressions holds (1 for a
    /// fixed one): a polling loop over the same values compiles once.
    pub fn cached_variants(&self) -> usize {
        match &self.kind {
            Kind::Regex(c) => c.variants(),
            Kind::JsonPath(c) => c.variants(),
            _ => 1,
        }
    }

    fn evaluate_on_context<S: Scope + ?Sized>(&self, scope: &S, trace: &mut Trace) -> Verdict {
        let Some(context) = &self.context else {
            return Verdict::error("the criterion has no context");
        };
        let value = match evaluate(context, scope) {
            Ok(v) if !v.is_null() => v,
            Ok(_) => return Verdict::error(format!("the context {context} is null")),
            Err(m) => return Verdict::error(m.to_string()),
        };
        trace.note(|| format!("context {context} → {}", short(&value)));
        let verdict = match &self.kind {
            Kind::Simple(_) => unreachable_simple(),
            Kind::Regex(compiled) => match compiled.get(scope) {
                Ok(regex) => match regex.is_match(&to_text(&value)) {
                    Ok(passed) => Verdict::pass(passed),
                    Err(e) => Verdict::error(format!("the regex could not finish: {e}")),
                },
                Err(e) => Verdict::error(e),
            },
            Kind::JsonPath(_) if value.is_string() => {
                Verdict::error("JSONPath applies to JSON, and the context is text")
            }
            Kind::JsonPath(compiled) => match compiled.get(scope) {
                Ok(query) => {
                    trace.note(|| format!("query {}", query.rfc9535));
                    Verdict::pass(query.is_match(&value))
                }
                Err(e) => Verdict::error(e),
            },
            #[cfg(feature = "xpath")]
            Kind::XPath(template) => {
                let (text, missing) = render(template, scope);
                match (missing.first(), value.as_str()) {
                    (Some(m), _) => Verdict::error(m.to_string()),
                    (None, None) => {
                        Verdict::error("an XPath applies to XML, and the context is not XML text")
                    }
                    (None, Some(xml)) => match crate::xpath::evaluate_cached(&text, xml) {
                        Ok(passed) => Verdict::pass(passed),
                        Err(e) => Verdict::error(e),
                    },
                }
            }
        };
        trace.note(|| match &verdict.reason {
            Some(r) => format!("→ false ({r})"),
            None => format!("→ {}", verdict.passed),
        });
        verdict
    }
}

/// Simple criteria are evaluated before a context is looked at.
fn unreachable_simple() -> Verdict {
    Verdict::error("internal: a simple condition evaluated on a context")
}

//! Values to compute at run time: parameter values, payloads, outputs. Parsed once when the
//! plan is built; subtrees without expressions stay literal JSON and cost nothing to evaluate.

use serde_json::{Map, Value};
use telaio_expr::{
    CompiledSelector, ExprError, Expression, Missing, Scope, SelectorType, Template,
    ValueExpression, evaluate, render,
};
use telaio_model::{CriterionType, Valuable};

/// A value computed when a step runs.
#[derive(Clone, Debug)]
pub enum ValuePlan {
    /// A constant.
    Literal(Value),
    /// A whole-string runtime expression: keeps the JSON type of its value.
    Expression(Expression),
    /// A string with embedded `{$...}` expressions.
    Template(Template),
    /// A 1.1 Selector Object.
    Selector(CompiledSelector),
    /// An array with computed items.
    Array(Vec<ValuePlan>),
    /// An object with computed members.
    Object(Vec<(String, ValuePlan)>),
}

impl ValuePlan {
    /// Compiles a JSON value whose strings may hold expressions.
    pub fn from_value(value: &Value) -> Result<ValuePlan, ExprError> {
        if !has_expressions(value) {
            return Ok(ValuePlan::Literal(value.clone()));
        }
        Ok(match value {
            Value::String(s) => match ValueExpression::parse(s)? {
                ValueExpression::Expression(e) => ValuePlan::Expression(e),
                ValueExpression::Template(t) => ValuePlan::Template(t),
                ValueExpression::Literal => ValuePlan::Literal(value.clone()),
            },
            Value::Array(items) => ValuePlan::Array(
                items
                    .iter()
                    .map(ValuePlan::from_value)
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => ValuePlan::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), ValuePlan::from_value(v)?)))
                    .collect::<Result<_, ExprError>>()?,
            ),
            other => ValuePlan::Literal(other.clone()),
        })
    }

    /// Compiles a value that may be a Selector Object.
    pub fn from_valuable(value: &Valuable) -> Result<ValuePlan, ExprError> {
        match value {
            Valuable::Value(v) => ValuePlan::from_value(v),
            Valuable::Selector(s) => {
                let kind = match &s.selector_type {
                    Some(CriterionType::JsonPointer) => SelectorType::JsonPointer,
                    Some(CriterionType::XPath(_)) => SelectorType::XPath,
                    _ => SelectorType::JsonPath,
                };
                let context = s.context.as_deref().unwrap_or("$response.body");
                let selector = s.selector.as_deref().unwrap_or("$");
                CompiledSelector::compile(context, selector, kind).map(ValuePlan::Selector)
            }
        }
    }

    /// Computes the value, or nothing when it is missing (the reason goes to `missing`): a
    /// parameter, input or output whose value is missing is left out, not sent as `null`.
    pub fn evaluate_present<S: Scope + ?Sized>(
        &self,
        scope: &S,
        missing: &mut Vec<Missing>,
    ) -> Option<Value> {
        let before = missing.len();
        let value = self.evaluate(scope, missing);
        (!(value.is_null() && missing.len() > before)).then_some(value)
    }

    /// Computes the value. A missing value is null; each miss is reported in `missing`.
    pub fn evaluate<S: Scope + ?Sized>(&self, scope: &S, missing: &mut Vec<Missing>) -> Value {
        match self {
            ValuePlan::Literal(v) => v.clone(),
            ValuePlan::Expression(e) => match evaluate(e, scope) {
                Ok(v) => v.into_owned(),
                Err(m) => {
                    missing.push(m);
                    Value::Null
                }
            },
            // A template with a hole is missing as a whole: `/pets/{$x}` with no `x` is not
            // `/pets/`.
            ValuePlan::Template(t) => {
                let (text, m) = render(t, scope);
                if m.is_empty() {
                    Value::String(text)
                } else {
                    missing.extend(m);
                    Value::Null
                }
            }
            ValuePlan::Selector(s) => match s.select(scope) {
                Ok(Some(v)) => v,
                Ok(None) => {
                    missing.push(Missing {
                        expression: "selector".into(),
                        reason: "it selects nothing".into(),
                    });
                    Value::Null
                }
                Err(reason) => {
                    missing.push(Missing {
                        expression: "selector".into(),
                        reason,
                    });
                    Value::Null
                }
            },
            ValuePlan::Array(items) => {
                Value::Array(items.iter().map(|i| i.evaluate(scope, missing)).collect())
            }
            ValuePlan::Object(members) => {
                let mut map = Map::with_capacity(members.len());
                for (k, v) in members {
                    map.insert(k.clone(), v.evaluate(scope, missing));
                }
                Value::Object(map)
            }
        }
    }
}

fn has_expressions(value: &Value) -> bool {
    match value {
        Value::String(s) => Expression::looks_like(s) || s.contains("{$"),
        Value::Array(items) => items.iter().any(has_expressions),
        Value::Object(map) => map.values().any(has_expressions),
        _ => false,
    }
}

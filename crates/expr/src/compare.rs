//! The typing rules of simple conditions: truthiness and comparison.
//!
//! - A missing value is `null`. `null` equals only `null`; ordering with `null` is false.
//! - Two numbers compare as numbers. A number and a numeric string compare as numbers
//!   (`$statusCode == '200'`, `$response.header.X-Count > 5`); two strings compare as
//!   numbers under `<`, `<=`, `>`, `>=` when both are numeric.
//! - Two strings compare ignoring case (the spec's MUST), ordering included.
//! - A boolean equals a boolean, or the string `true` / `false` (any case).
//! - Arrays and objects are equal when their JSON is; they have no order.
//! - A value alone is true when it is `true`, a non-zero number, a non-empty string other
//!   than `false`, or a non-empty array or object; `null` and missing are false.

use std::cmp::Ordering;

use serde_json::Value;

use crate::CompareOp;

/// Whether a value, standing alone in a condition, passes.
pub fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty() && !s.eq_ignore_ascii_case("false"),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            let t = s.trim();
            // Only text that reads as a number: not "inf", "NaN" or "".
            let numeric = !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
            numeric
                .then(|| t.parse::<f64>().ok())
                .flatten()
                .filter(|f| f.is_finite())
        }
        _ => None,
    }
}

fn boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Compares two numbers exactly when both are integers (IDs exceed what a double holds).
fn numbers(a: &Value, b: &Value) -> Option<Ordering> {
    let int = |v: &Value| match v {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from)),
        Value::String(s) => s.trim().parse::<i128>().ok(),
        _ => None,
    };
    if let (Some(x), Some(y)) = (int(a), int(b)) {
        return Some(x.cmp(&y));
    }
    number(a)?.partial_cmp(&number(b)?)
}

/// Compares strings ignoring case without allocating.
fn caseless(x: &str, y: &str) -> Ordering {
    if x.eq_ignore_ascii_case(y) {
        return Ordering::Equal;
    }
    x.chars()
        .flat_map(char::to_lowercase)
        .cmp(y.chars().flat_map(char::to_lowercase))
}

/// How two values order, when they do.
fn order(a: &Value, b: &Value, ordering_op: bool) -> Option<Ordering> {
    match (a, b) {
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::String(x), Value::String(y)) => {
            if ordering_op && number(a).is_some() && number(b).is_some() {
                return numbers(a, b);
            }
            Some(caseless(x, y))
        }
        (Value::Number(_), _) | (_, Value::Number(_)) => {
            number(a)?;
            number(b)?;
            numbers(a, b)
        }
        (Value::Bool(_), _) | (_, Value::Bool(_)) => {
            let (x, y) = (boolean(a)?, boolean(b)?);
            // Booleans are equal or not; they have no order.
            (x == y).then_some(Ordering::Equal)
        }
        _ => (a == b).then_some(Ordering::Equal),
    }
}

/// Applies a comparison operator; `None` stands for a missing value.
///
/// ```
/// use serde_json::json;
/// use telaio_expr::{CompareOp, compare};
/// assert!(compare(CompareOp::Eq, Some(&json!(200)), Some(&json!("200"))));
/// assert!(compare(CompareOp::Eq, Some(&json!("Created")), Some(&json!("CREATED"))));
/// assert!(compare(CompareOp::Lt, Some(&json!("9")), Some(&json!("10"))));
/// // Integers compare exactly, beyond what a double holds.
/// assert!(!compare(CompareOp::Eq, Some(&json!(9007199254740992_i64)), Some(&json!(9007199254740993_i64))));
/// assert!(compare(CompareOp::Eq, None, Some(&json!(null))));
/// assert!(!compare(CompareOp::Gt, None, Some(&json!(0))));
/// assert!(compare(CompareOp::Ne, Some(&json!("x")), None));
/// ```
pub fn compare(op: CompareOp, a: Option<&Value>, b: Option<&Value>) -> bool {
    let null = Value::Null;
    let (a, b) = (a.unwrap_or(&null), b.unwrap_or(&null));
    let ordering_op = !matches!(op, CompareOp::Eq | CompareOp::Ne);
    let ord = order(a, b, ordering_op);
    match op {
        CompareOp::Eq => ord == Some(Ordering::Equal),
        CompareOp::Ne => ord != Some(Ordering::Equal),
        CompareOp::Lt => ord == Some(Ordering::Less),
        CompareOp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)) && !a.is_null(),
        CompareOp::Gt => ord == Some(Ordering::Greater),
        CompareOp::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)) && !a.is_null(),
    }
}

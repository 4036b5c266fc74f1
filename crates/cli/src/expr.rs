//! `telaio expr`: evaluate an expression, a template or a condition against a runtime state,
//! to see what a workflow will see.

use std::io::Write;

use telaio_expr::{
    CompiledCriterion, Condition, CriterionKind, ExprError, Expression, JsonPathCondition,
    Snapshot, Template, Trace, condition_value, evaluate, evaluate_condition, render,
};
use telaio_model::{LoadOptions, Loader, parse_text};

use crate::args::{ConditionType, ExprArgs};
use crate::exit;
use crate::render::usage_error;
use crate::term::{clean, clean_lines, excerpt, show};

pub(crate) fn run(args: &ExprArgs) -> u8 {
    let state = match &args.context {
        None => Snapshot::default(),
        Some(path) => match read_state(path) {
            Ok(s) => s,
            Err(message) => {
                usage_error(&message);
                return exit::USAGE;
            }
        },
    };
    let mut trace = if args.explain {
        Trace::on()
    } else {
        Trace::off()
    };
    let text = args.expression.as_str();
    let result = match args.condition_type {
        Some(kind) => criterion(text, kind, &args.on, &state, &mut trace),
        None => any(text, &state, &mut trace),
    };
    let mut err = anstream::stderr().lock();
    for line in trace.lines() {
        let _ = writeln!(err, "  {}", clean(line));
    }
    match result {
        Ok((value, note)) => {
            if let Some(note) = note {
                let _ = writeln!(err, "note: {}", clean_lines(&note));
            }
            drop(err);
            crate::term::println(&crate::term::safe_json_text(value));
            exit::OK
        }
        Err((source, e)) => {
            let _ = writeln!(err, "error: {}", clean_lines(&e.message));
            // A window of the text around the error, so a long condition stays readable.
            let (shown, caret_at, _) = show(excerpt(&source, e.offset, 120));
            let _ = writeln!(err, "  | {shown}");
            let _ = writeln!(err, "  | {}^", " ".repeat(caret_at));
            exit::INVALID
        }
    }
}

type Outcome = Result<(String, Option<String>), (String, ExprError)>;

fn read_state(path: &std::path::Path) -> Result<Snapshot, String> {
    let url = Loader::url_for_path(path).map_err(|e| e.to_string())?;
    let loader = Loader::new(LoadOptions::default());
    let text = loader.read_text(&url).map_err(|e| e.to_string())?;
    let value = parse_text(&text, &LoadOptions::default().parse)
        .map_err(|e| format!("{}:{}: {}", path.display(), e.position, e.message))?
        .root
        .to_json();
    serde_json::from_value(value)
        .map_err(|e| format!("{}: not a runtime state: {e}", path.display()))
}

/// Without `--type`: a template, a simple condition, or (when no condition parses) a whole
/// expression. A condition that is a lone expression prints its value; one with operators
/// prints `true` or `false`.
fn any(text: &str, state: &Snapshot, trace: &mut Trace) -> Outcome {
    if text.contains("{$") && !text.trim_start().starts_with('$') {
        let template = Template::parse(text).map_err(|e| (text.to_owned(), e))?;
        let (rendered, missing) = render(&template, state);
        let note = (!missing.is_empty()).then(|| {
            missing
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        });
        return Ok((serde_json::Value::String(rendered).to_string(), note));
    }
    match Condition::parse(text) {
        Ok(condition @ (Condition::Value(..) | Condition::Literal(_))) => {
            let value = condition_value(&condition, state, trace);
            let note = value.is_none().then(|| why_missing(&condition, state));
            Ok((
                value.unwrap_or(serde_json::Value::Null).to_string(),
                note.flatten(),
            ))
        }
        Ok(condition) => {
            let verdict = evaluate_condition(&condition, state, trace);
            Ok((verdict.passed.to_string(), verdict.reason))
        }
        // A whole-string expression may hold what a condition cannot (a pointer with spaces).
        Err(condition_error) => match Expression::parse(text) {
            Ok(expr) => Ok(match evaluate(&expr, state) {
                Ok(v) => (v.to_string(), None),
                Err(m) => ("null".to_owned(), Some(m.to_string())),
            }),
            Err(_) => Err((text.to_owned(), condition_error)),
        },
    }
}

fn why_missing(condition: &Condition, state: &Snapshot) -> Option<String> {
    let Condition::Value(expr, _) = condition else {
        return None;
    };
    Some(match evaluate(expr, state) {
        Err(m) => m.to_string(),
        Ok(_) => format!("{condition} has no value"),
    })
}

fn criterion(
    text: &str,
    kind: ConditionType,
    on: &str,
    state: &Snapshot,
    trace: &mut Trace,
) -> Outcome {
    let kind = match kind {
        ConditionType::Simple => CriterionKind::Simple,
        ConditionType::Regex => CriterionKind::Regex,
        ConditionType::Jsonpath => CriterionKind::JsonPath,
        ConditionType::Xpath => CriterionKind::XPath,
    };
    let context = (kind != CriterionKind::Simple).then_some(on);
    let compiled = CompiledCriterion::compile(text, kind, context).map_err(|e| {
        // Errors in the context expression point into `--on`.
        match context.map(Expression::parse) {
            Some(Err(ce)) => (on.to_owned(), ce),
            _ => (text.to_owned(), e),
        }
    })?;
    let verdict = compiled.evaluate(state, trace);
    // The catalog's `$.x == 'y'` shape is evaluated as meant, and said so.
    let translated = (kind == CriterionKind::JsonPath)
        .then(|| JsonPathCondition::compile(text).ok())
        .flatten()
        .filter(|c| c.translated)
        .map(|c| {
            format!(
                "`{text}` is not RFC 9535; evaluated as the comparison `{}`",
                c.rfc9535
            )
        });
    let note = match (verdict.reason, translated) {
        (Some(r), Some(t)) => Some(format!("{r}; {t}")),
        (r, t) => r.or(t),
    };
    Ok((verdict.passed.to_string(), note))
}

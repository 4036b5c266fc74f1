//! `telaio expr`: evaluate an expression, a template or a condition against a runtime state,
//! to see what a workflow will see.

use std::io::Write;

use telaio_expr::{
    CompiledCriterion, Condition, CriterionKind, ExprError, Expression, Snapshot, Template, Trace,
    check_condition, evaluate, render,
};
use telaio_model::{LoadOptions, Loader, parse_text};

use crate::args::{ConditionType, ExprArgs};
use crate::exit;
use crate::render::usage_error;

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
        let _ = writeln!(err, "  {line}");
    }
    match result {
        Ok((value, note)) => {
            if let Some(note) = note {
                let _ = writeln!(err, "note: {note}");
            }
            println!("{value}");
            exit::OK
        }
        Err((source, e)) => {
            let _ = writeln!(err, "error: {}", e.message);
            let _ = writeln!(err, "  | {source}");
            let _ = writeln!(err, "  | {}^", " ".repeat(e.offset));
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

/// Without `--type`: a whole expression, a template, or a simple condition.
fn any(text: &str, state: &Snapshot, trace: &mut Trace) -> Outcome {
    if let Ok(expr) = Expression::parse(text) {
        return Ok(match evaluate(&expr, state) {
            Ok(v) => {
                trace.note(|| format!("{expr} → {v}"));
                (v.to_string(), None)
            }
            Err(m) => ("null".to_owned(), Some(m.to_string())),
        });
    }
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
    let condition = Condition::parse(text).map_err(|e| {
        // A lone expression with trailing text explains itself better as an expression.
        let as_expr = Expression::parse(text).err();
        match as_expr {
            Some(expr_error) if !looks_like_condition(text) => (text.to_owned(), expr_error),
            _ => (text.to_owned(), e),
        }
    })?;
    Ok((check_condition(&condition, state, trace).to_string(), None))
}

fn looks_like_condition(text: &str) -> bool {
    text.contains(['=', '<', '>', '!', '&', '|', '('])
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
    Ok((verdict.passed.to_string(), verdict.reason))
}

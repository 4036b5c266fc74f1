//! Polling steps whose success actions leave some outcomes to fall through.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;
use telaio_graph::{Action, Call, StepNode};
use telaio_model::{ApiDescription, Criterion, CriterionType, OperationLookup};

use crate::Diagnostic;
use crate::context::Context;
use crate::rule::declare_rule;

declare_rule! {
    /// ## What it checks
    /// A step that polls (an `onSuccess` action goes back to it) and whose success actions
    /// test one response field for equality with literals (`Status == 'IN_PROGRESS'`), so
    /// responses with other values match none of them. Such a response falls through to the
    /// next step, or, on the last step, ends the workflow as a success. When the API
    /// description enumerates the field's values, the ones left unhandled are named.
    /// (A loop that runs while a condition holds, such as pagination on `next != null`,
    /// exits by falling through on purpose and is not reported.)
    ///
    /// ## Why it matters
    /// In the catalog's Face Liveness workflow, a session that ends `FAILED` or `EXPIRED`
    /// matches no action: the workflow stops polling and reports success.
    ///
    /// ## Example
    /// ```yaml
    /// onSuccess:
    ///   - {name: stillRunning, type: goto, stepId: poll, criteria: [{condition: "$response.body#/Status == 'IN_PROGRESS'"}]}
    ///   - {name: done, type: end, criteria: [{condition: "$response.body#/Status == 'SUCCEEDED'"}]}
    /// ```
    ///
    /// ## Instead
    /// Handle the other outcomes explicitly, e.g. fail the step on them with a success
    /// criterion (`$response.body#/Status != 'FAILED'`), or add an action for them.
    UnhandledPollOutcome = "unhandled-poll-outcome", Warning, "polling steps handle every outcome";
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (wi, w) in cx.graph.workflows.iter().enumerate() {
        for (si, s) in w.steps.iter().enumerate() {
            // The actions that apply: the step's own and the workflow's, components inlined.
            let actions = &s.on_success;
            let polls = actions
                .iter()
                .any(|a| super::flow::step_target(&a.kind).is_some_and(|t| t <= si));
            // An action that could not be read may be the catch-all; one without criteria is.
            let unreadable = actions.iter().any(|a| matches!(a.kind, Action::Invalid(_)));
            if !polls || unreadable || actions.iter().any(|a| a.criteria.is_empty()) {
                continue;
            }
            let this = s.id.unwrap_or("?");
            let fallthrough = match w.steps.get(si + 1).and_then(|n| n.id) {
                Some(next) => format!("the workflow goes on to step `{next}`"),
                None => "the workflow ends here and reports success".to_owned(),
            };
            // Only equality tests against literals have "other outcomes" to name; a loop that
            // runs while `next != null` (pagination) exits by falling through, on purpose.
            let criteria = actions
                .iter()
                .flat_map(|a| &a.criteria)
                .map(|c| c.criterion);
            let Some((pointer, covered)) = compared_values(criteria) else {
                continue;
            };
            let field = pointer.trim_start_matches('/').replace('/', ".");
            let message = match enum_values(s, &pointer) {
                Some(values) => {
                    let missing: Vec<String> = values
                        .into_iter()
                        .filter(|v| !covered.iter().any(|c| c.eq_ignore_ascii_case(v)))
                        .collect();
                    if missing.is_empty() {
                        continue;
                    }
                    format!(
                        "when `{field}` is {}, no onSuccess action of step `{this}` applies: {fallthrough}",
                        join_or(&missing)
                    )
                }
                None => format!(
                    "when `{field}` is anything but {}, no onSuccess action of polling step `{this}` applies: {fallthrough}",
                    join_or(&covered)
                ),
            };
            out.push(
                cx.at_key(&UnhandledPollOutcome::RULE, &format!("/workflows/{wi}/steps/{si}/onSuccess"), message)
                    .with_hint("add an action (or a success criterion) for the other outcomes, e.g. an `end` action for terminal failures"),
            );
        }
    }
}

fn join_or(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

// ASCII classes (`[ \t]`, `[0-9]`): Unicode `\s` and `\d` would make compiling these cost
// more than the rest of a short `telaio run`.
static JSONPATH_EQ: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^[ \t]*\$((?:\.[A-Za-z0-9_\-]+|\[[0-9]+\])+)[ \t]*==[ \t]*(?:'([^']*)'|"([^"]*)")[ \t]*$"#,
    )
    .expect("valid regex")
});
static SIMPLE_EQ: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[ \t]*\$response\.body#(/[^ \t]*)[ \t]*==[ \t]*'([^']*)'[ \t]*$")
        .expect("valid regex")
});

/// When every criterion compares one body field with string literals: that field (as a JSON
/// Pointer) and the literals.
fn compared_values<'c>(
    criteria: impl Iterator<Item = &'c Criterion>,
) -> Option<(String, Vec<String>)> {
    let mut field: Option<String> = None;
    let mut values = Vec::new();
    for c in criteria {
        let condition = c.condition.as_deref()?;
        // Trimmed: a block scalar (`condition: |`) ends in a newline the patterns don't allow.
        for part in condition.split("||").map(str::trim) {
            let (pointer, value) = match c.kind() {
                CriterionType::JsonPath(_) if c.context.as_deref() == Some("$response.body") => {
                    let m = JSONPATH_EQ.captures(part)?;
                    let path = m.get(1)?.as_str();
                    let pointer: String = path
                        .replace('[', ".")
                        .replace(']', "")
                        .split('.')
                        .filter(|t| !t.is_empty())
                        .map(|t| format!("/{t}"))
                        .collect();
                    (pointer, m.get(2).or(m.get(3))?.as_str().to_owned())
                }
                CriterionType::Simple => {
                    let m = SIMPLE_EQ.captures(part)?;
                    (m.get(1)?.as_str().to_owned(), m.get(2)?.as_str().to_owned())
                }
                _ => return None,
            };
            match &field {
                Some(f) if *f != pointer => return None,
                _ => field = Some(pointer),
            }
            values.push(value);
        }
    }
    field.map(|f| (f, values))
}

/// The `enum` of the response field at `pointer`, from the step's operation's 2xx response.
fn enum_values(step: &StepNode<'_>, pointer: &str) -> Option<Vec<String>> {
    let Call::Operation {
        lookup: OperationLookup::Found { source, operation },
        ..
    } = &step.call
    else {
        return None;
    };
    let api = source.api()?;
    let op = api.document.pointer(&operation.pointer)?;
    let responses = op.get("responses")?.as_object()?;
    let (_, response) = responses.iter().find(|(code, _)| code.starts_with('2'))?;
    let response = deref(api, response)?;
    let schema = match response.get("content").and_then(Value::as_object) {
        Some(content) => content.values().next()?.get("schema")?,
        None => response.get("schema")?,
    };
    let mut schema = deref(api, schema)?;
    for token in pointer.split('/').skip(1) {
        schema = match (
            schema.get("properties").and_then(|p| p.get(token)),
            schema.get("items"),
        ) {
            (Some(s), _) => deref(api, s)?,
            (None, Some(items)) if token.parse::<usize>().is_ok() => deref(api, items)?,
            _ => return None,
        };
    }
    let values = schema.get("enum")?.as_array()?;
    Some(
        values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
    )
}

/// Follows local `$ref`s (the common case inside one API description).
fn deref<'a>(api: &'a ApiDescription, mut v: &'a Value) -> Option<&'a Value> {
    for _ in 0..16 {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => v = api.document.pointer(r.strip_prefix('#')?)?,
            None => return Some(v),
        }
    }
    None
}

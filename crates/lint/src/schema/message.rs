//! Turning JSON Schema errors into messages that name the object ("step `poll`") and point
//! at the node to fix.

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;
use telaio_model::ArazzoDocument;

use super::{Compiled, SchemaQuirk, SchemaRule, allowed_fields, is_unevaluated, quirk, relevant};
use crate::context::did_you_mean;
use crate::{Diagnostic, Rule};

pub(super) fn diagnostic(
    doc: &ArazzoDocument,
    rule: &Rule,
    pointer: &str,
    key: bool,
    message: String,
) -> Diagnostic {
    let at = doc.root.locate(pointer);
    let span = if key {
        at.key_span.unwrap_or(at.span)
    } else {
        at.span
    };
    Diagnostic::new(rule, &doc.source, span, message)
}

pub(super) fn describe_error(
    doc: &ArazzoDocument,
    compiled: &Compiled,
    error: &ValidationError<'_>,
) -> Vec<Diagnostic> {
    let pointer = error.instance_path().as_str().to_owned();
    let schema_path = error.schema_path().as_str();
    let what = describe_object(&doc.json, &pointer);
    if let Some(message) = quirk(&doc.json, &pointer, schema_path) {
        return vec![diagnostic(doc, &SchemaQuirk::RULE, &pointer, true, message)];
    }
    let rule = &SchemaRule::RULE;
    let instance = doc.json.pointer(&pointer).unwrap_or(&Value::Null);
    match error.kind() {
        ValidationErrorKind::UnevaluatedProperties { unexpected }
        | ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed = allowed_fields(&compiled.schema, schema_path);
            unexpected
                .iter()
                .map(|field| {
                    let field_pointer = format!("{pointer}/{}", telaio_model::escape_token(field));
                    let d = diagnostic(
                        doc,
                        rule,
                        &field_pointer,
                        true,
                        format!("unknown field `{field}` in {what}"),
                    );
                    if let Some(hint) = other_tools_habit(&pointer, field) {
                        return d.with_hint(hint);
                    }
                    match did_you_mean(field, allowed.iter().map(String::as_str)) {
                        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                        None if !field.starts_with("x-") && !allowed.is_empty() => {
                            d.with_hint(format!(
                                "allowed fields: {}; extensions start with `x-`",
                                allowed.join(", ")
                            ))
                        }
                        None => d,
                    }
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let property = property.as_str().unwrap_or_default();
            if covered_by_semantic_rule(&doc.json, &pointer, property) {
                return Vec::new();
            }
            vec![diagnostic(
                doc,
                rule,
                &pointer,
                true,
                format!("{what} is missing the required field `{property}`"),
            )]
        }
        ValidationErrorKind::Type { kind } => {
            let expected: Vec<String> = match kind {
                TypeKind::Single(t) => vec![type_words(t.as_str())],
                TypeKind::Multiple(set) => set.iter().map(|t| type_words(t.as_str())).collect(),
            };
            let wants_string = expected.iter().any(|t| t == "a string");
            vec![
                diagnostic(
                    doc,
                    rule,
                    &pointer,
                    false,
                    format!(
                        "{what} must be {}, not {}",
                        expected.join(" or "),
                        json_type(instance)
                    ),
                )
                .with_hint_if(
                    instance.is_number() && wants_string,
                    "quote the value: YAML reads unquoted numbers like 1.0 as numbers",
                ),
            ]
        }
        ValidationErrorKind::Enum { options } => {
            let options: Vec<String> = options
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|o| {
                            format!(
                                "`{}`",
                                o.as_str().map_or_else(|| o.to_string(), str::to_owned)
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            vec![diagnostic(
                doc,
                rule,
                &pointer,
                false,
                format!(
                    "{what} is {}, which is not one of {}",
                    short(instance),
                    options.join(", ")
                ),
            )]
        }
        ValidationErrorKind::Pattern { pattern } => {
            let message = if pointer == "/arazzo" {
                format!(
                    "`{}` is not an Arazzo version this schema accepts (expected {})",
                    short_str(instance),
                    if pattern.contains("1\\.1") {
                        "1.1.x"
                    } else {
                        "1.0.x"
                    }
                )
            } else {
                format!(
                    "{what} is {}, which does not match the pattern `{pattern}`",
                    short(instance)
                )
            };
            vec![diagnostic(doc, rule, &pointer, false, message)]
        }
        ValidationErrorKind::Constant { expected_value } => {
            vec![diagnostic(
                doc,
                rule,
                &pointer,
                false,
                format!(
                    "{what} must be {}, not {}",
                    short(expected_value),
                    short(instance)
                ),
            )]
        }
        ValidationErrorKind::MinItems { limit } => {
            vec![diagnostic(
                doc,
                rule,
                &pointer,
                false,
                format!(
                    "{what} must have at least {limit} item{}",
                    if *limit == 1 { "" } else { "s" }
                ),
            )]
        }
        ValidationErrorKind::UniqueItems => {
            vec![diagnostic(
                doc,
                rule,
                &pointer,
                false,
                format!("{what} has duplicate entries"),
            )]
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            // A branch that fails only on the 1.0 schema's quirks is the one the document
            // means: report those quirks and nothing else.
            let is_quirk = |e: &ValidationError<'_>| {
                quirk(
                    &doc.json,
                    e.instance_path().as_str(),
                    e.schema_path().as_str(),
                )
                .is_some()
            };
            if let Some(branch) = context.iter().find(|b| {
                b.iter().any(is_quirk) && b.iter().all(|e| is_quirk(e) || is_unevaluated(e))
            }) {
                return branch
                    .iter()
                    .filter(|e| is_quirk(e))
                    .flat_map(|e| describe_error(doc, compiled, e))
                    .collect();
            }
            // Otherwise the branch that came closest says the most useful thing; within it,
            // "unknown field" errors caused by its other failures are noise.
            let best = context.iter().min_by_key(|branch| {
                let real = branch.iter().filter(|e| !is_unevaluated(e)).count();
                let unknown_fields: usize = branch
                    .iter()
                    .map(|e| match e.kind() {
                        ValidationErrorKind::UnevaluatedProperties { unexpected }
                        | ValidationErrorKind::AdditionalProperties { unexpected } => {
                            unexpected.len()
                        }
                        _ => 0,
                    })
                    .sum();
                // Ties go to the branch that knows more of the object's fields: a step with
                // `channelPath` is an AsyncAPI step, whatever else is wrong with it.
                let unknown_keys = instance.as_object().map_or(0, |o| {
                    o.keys()
                        .filter(|k| !branch_fields(compiled, branch).contains(*k))
                        .count()
                });
                (real + unknown_fields, unknown_keys, real)
            });
            match best.map(|b| relevant(compiled, b)) {
                Some(branch) if !branch.is_empty() && branch.len() <= 3 => branch
                    .into_iter()
                    .flat_map(|e| describe_error(doc, compiled, e))
                    .collect(),
                _ => vec![diagnostic(
                    doc,
                    rule,
                    &pointer,
                    false,
                    format!("{what} matches none of the shapes the schema allows here"),
                )],
            }
        }
        ValidationErrorKind::OneOfMultipleValid { .. } if is_step(&pointer) => Vec::new(),
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            vec![diagnostic(
                doc,
                rule,
                &pointer,
                false,
                format!(
                    "{what} matches more than one of the shapes the schema allows here; it must match exactly one"
                ),
            )]
        }
        ValidationErrorKind::FalseSchema => {
            vec![diagnostic(
                doc,
                rule,
                &pointer,
                true,
                format!("{what} is not allowed here"),
            )]
        }
        ValidationErrorKind::Not { .. } => {
            vec![diagnostic(
                doc,
                rule,
                &pointer,
                true,
                format!("{what} has a combination of fields the schema forbids"),
            )]
        }
        _ => vec![diagnostic(
            doc,
            rule,
            &pointer,
            false,
            format!("{what}: {}", error.masked()),
        )],
    }
}

/// The fields the schema branch that produced `branch` knows (its `$defs` object).
/// The fix for a field other tools write where Arazzo has none.
fn other_tools_habit(pointer: &str, field: &str) -> Option<String> {
    match (pointer, field) {
        ("", "$schema") => Some(
            "an Arazzo document names its version with `arazzo:`, not `$schema`; remove it (an editor that wants a schema can take it from a `# yaml-language-server: $schema=<url>` comment or its settings)"
                .to_owned(),
        ),
        (p, "$ref") if !p.contains("/inputs") => Some(
            "`$ref` belongs to JSON Schema (workflow `inputs`); elsewhere an Arazzo document reuses a component with `reference: $components.<type>.<name>`, written where it is used"
                .to_owned(),
        ),
        (p, "operation" | "operationRef" | "source" | "sourceDescription" | "api")
            if is_step(p) =>
        {
            Some(format!(
                "a step names its operation with `operationId` (`$sourceDescriptions.<source>.<operationId>` when there are several sources) or `operationPath`, not `{field}`"
            ))
        }
        _ => None,
    }
}

fn branch_fields(compiled: &Compiled, branch: &[ValidationError<'_>]) -> Vec<String> {
    let Some(first) = branch.first() else {
        return Vec::new();
    };
    let path = first.schema_path().as_str();
    let mut parts = path.split('/').skip(1);
    match (parts.next(), parts.next()) {
        (Some("$defs"), Some(name)) => {
            allowed_fields(&compiled.schema, &format!("/$defs/{name}/x"))
        }
        _ => Vec::new(),
    }
}

/// Whether a missing field is reported, with a better message, by a semantic rule that always
/// runs alongside the schema: a criterion's `context` (`criterion-context`) and a step's
/// target (`step-target`).
fn covered_by_semantic_rule(json: &Value, pointer: &str, property: &str) -> bool {
    let names_no_target = json.pointer(pointer).is_some_and(|step| {
        ["operationId", "operationPath", "workflowId", "channelPath"]
            .iter()
            .all(|k| step.get(k).is_none())
    });
    let criterion = pointer.rsplit_once('/').is_some_and(|(up, i)| {
        i.parse::<usize>().is_ok()
            && (up.ends_with("/successCriteria") || up.ends_with("/criteria"))
    });
    (criterion && property == "context")
        || (is_step(pointer)
            && matches!(
                property,
                "operationId" | "operationPath" | "workflowId" | "channelPath"
            )
            && names_no_target)
}

fn is_step(pointer: &str) -> bool {
    pointer
        .rsplit_once('/')
        .is_some_and(|(up, i)| i.parse::<usize>().is_ok() && up.ends_with("/steps"))
}

trait HintIf {
    fn with_hint_if(self, cond: bool, hint: &str) -> Self;
}

impl HintIf for Diagnostic {
    fn with_hint_if(self, cond: bool, hint: &str) -> Self {
        if cond { self.with_hint(hint) } else { self }
    }
}

/// "step `createSession`", "`dependsOn` of step `poll`", "`info`": how to name the value
/// at a pointer.
fn describe_object(json: &Value, pointer: &str) -> String {
    if pointer.is_empty() {
        return "the document".into();
    }
    if let Some(named) = named_object(json, pointer) {
        return named;
    }
    // A field (or item) of a named object: say whose.
    let mut parent = pointer;
    while let Some((up, _)) = parent.rsplit_once('/') {
        if let Some(owner) = named_object(json, up) {
            let rest = &pointer[up.len() + 1..];
            return format!("`{}` of {owner}", rest.replace('/', "."));
        }
        parent = up;
    }
    format!("`{pointer}`")
}

fn named_object(json: &Value, pointer: &str) -> Option<String> {
    let (up, last) = pointer.rsplit_once('/')?;
    last.parse::<usize>().ok()?;
    let kind_key = up.rsplit('/').next()?;
    let value = json.pointer(pointer)?;
    let field = |k: &str| value.get(k).and_then(Value::as_str);
    let named = |kind: &str, key: &str| {
        Some(match field(key) {
            Some(id) => format!("{kind} `{id}`"),
            None => format!("{kind} #{}", last.parse::<usize>().unwrap_or(0) + 1),
        })
    };
    match kind_key {
        "workflows" => named("workflow", "workflowId"),
        "steps" => named("step", "stepId"),
        "sourceDescriptions" => named("source description", "name"),
        "parameters" => named("parameter", "name"),
        "onSuccess" | "successActions" => named("success action", "name"),
        "onFailure" | "failureActions" => named("failure action", "name"),
        "successCriteria" | "criteria" => Some(format!(
            "criterion #{}",
            last.parse::<usize>().unwrap_or(0) + 1
        )),
        "replacements" => Some(format!(
            "payload replacement #{}",
            last.parse::<usize>().unwrap_or(0) + 1
        )),
        _ => None,
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn type_words(t: &str) -> String {
    match t {
        "string" | "number" | "integer" | "boolean" => format!("a {t}"),
        "object" | "array" => format!("an {t}"),
        other => other.to_owned(),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

fn short_str(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

//! Validation against the official Arazzo JSON Schemas (embedded; compiled once per process),
//! with each error turned into a message that names the object and points at the right node.
//!
//! The 1.0 schema disagrees with the specification text in a few places (it requires
//! `retryAfter` and a target on every `retry`, and a string `value` in payload replacements,
//! while the spec makes them optional / Any). Those errors are reported as `schema-quirk`
//! warnings that say so, not as errors.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value;
use telaio_model::{ArazzoDocument, LoadOptions, SpecVersion, parse_text};

use crate::context::did_you_mean;
use crate::rule::declare_rule;
use crate::{Diagnostic, Rule};

declare_rule! {
    /// ## What it checks
    /// That the document conforms to the official JSON Schema of its Arazzo version
    /// (`schema-1.0.json` for 1.0.x, `schema-1.1.yaml` for 1.1.x): required fields, types,
    /// allowed fields, patterns.
    ///
    /// ## Why it matters
    /// A document the schema rejects may be read differently by every tool, or not at all.
    ///
    /// ## Example
    /// ```yaml
    /// steps:
    ///   - stepId: create
    ///     operationID: createPet   # wrong case: an unknown field
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    /// steps:
    ///   - stepId: create
    ///     operationId: createPet
    /// ```
    SchemaRule = "schema", Error, "the document conforms to the official JSON Schema";
}

declare_rule! {
    /// ## What it checks
    /// Places where the official Arazzo 1.0 JSON Schema is stricter than the specification
    /// text: a `retry` action without `retryAfter`, a `retry` without `stepId`/`workflowId`,
    /// and a payload replacement whose `value` is not a string.
    ///
    /// ## Why it matters
    /// The specification is the source of truth (the schema's own README says so), and its
    /// examples use these forms. Other tools that validate only against the schema will reject
    /// such documents, so it is worth knowing.
    ///
    /// ## Example
    /// ```yaml
    /// onFailure:
    ///   - name: retryOnce
    ///     type: retry
    /// ```
    ///
    /// ## Instead
    /// Nothing needs to change for Telaio. For schema-only tools, add `retryAfter: 1`.
    SchemaQuirk = "schema-quirk", Warning, "the document uses a form the spec allows but the official schema rejects";
}

const SCHEMA_1_0: &str = include_str!("../schemas/schema-1.0.json");
const SCHEMA_1_1: &str = include_str!("../schemas/schema-1.1.yaml");

struct Compiled {
    validator: Validator,
    schema: Value,
}

fn compiled(version: SpecVersion) -> &'static Result<Compiled, String> {
    static V1_0: OnceLock<Result<Compiled, String>> = OnceLock::new();
    static V1_1: OnceLock<Result<Compiled, String>> = OnceLock::new();
    let (cell, text) = match version {
        SpecVersion::V1_0 => (&V1_0, SCHEMA_1_0),
        SpecVersion::V1_1 => (&V1_1, SCHEMA_1_1),
    };
    cell.get_or_init(|| {
        let schema = parse_text(text, &LoadOptions::default().parse)
            .map_err(|e| e.to_string())?
            .root
            .to_json();
        let validator = jsonschema::validator_for(&schema).map_err(|e| e.to_string())?;
        Ok(Compiled { validator, schema })
    })
}

/// The rules this module reports under.
pub(crate) const RULES: [Rule; 2] = [SchemaRule::RULE, SchemaQuirk::RULE];

pub(crate) fn check(doc: &ArazzoDocument, version: SpecVersion, out: &mut Vec<Diagnostic>) {
    let compiled = match compiled(version) {
        Ok(c) => c,
        Err(e) => {
            // Cannot happen with the embedded schemas; say so rather than panic.
            out.push(diagnostic(
                doc,
                &SchemaRule::RULE,
                "",
                false,
                format!("the embedded schema does not compile: {e}"),
            ));
            return;
        }
    };
    let errors: Vec<ValidationError<'_>> = compiled.validator.iter_errors(&doc.json).collect();
    let mut seen = std::collections::HashSet::new();
    for error in relevant(compiled, &errors) {
        for d in describe_error(doc, compiled, error) {
            // The schema reports some problems through several keywords; say each once.
            if seen.insert((d.span.map(|s| s.start), d.message.clone())) {
                out.push(d);
            }
        }
    }
}

fn is_unevaluated(e: &ValidationError<'_>) -> bool {
    matches!(
        e.kind(),
        ValidationErrorKind::UnevaluatedProperties { .. }
            | ValidationErrorKind::AdditionalProperties { .. }
    )
}

/// Drops "unknown field" errors that are only a consequence of another failure at the same
/// object: in JSON Schema 2020-12 a failing branch evaluates none of its fields, so every
/// field looks unknown. A field that no branch of the object's schema knows is kept: that one
/// is a real typo.
fn relevant<'e, 'v>(
    compiled: &Compiled,
    errors: &'e [ValidationError<'v>],
) -> Vec<&'e ValidationError<'v>> {
    errors
        .iter()
        .filter(|e| {
            if !is_unevaluated(e) {
                return true;
            }
            let at = e.instance_path().as_str();
            let explained = errors
                .iter()
                .any(|o| !is_unevaluated(o) && o.instance_path().as_str().starts_with(at));
            if !explained {
                return true;
            }
            let known = allowed_fields(&compiled.schema, e.schema_path().as_str());
            match e.kind() {
                ValidationErrorKind::UnevaluatedProperties { unexpected }
                | ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
                    .iter()
                    .any(|f| !known.contains(f) && !all_fields(&compiled.schema).contains(f)),
                _ => true,
            }
        })
        .collect()
}

/// Every property name the schema knows anywhere (for telling typos from misplaced fields).
fn all_fields(schema: &Value) -> &'static std::collections::HashSet<String> {
    static V1_0: OnceLock<std::collections::HashSet<String>> = OnceLock::new();
    static V1_1: OnceLock<std::collections::HashSet<String>> = OnceLock::new();
    let cell = if schema
        .get("$id")
        .and_then(Value::as_str)
        .is_some_and(|id| id.contains("/1.1/"))
    {
        &V1_1
    } else {
        &V1_0
    };
    cell.get_or_init(|| {
        let mut out = std::collections::HashSet::new();
        let mut stack = vec![schema];
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(o) => {
                    if let Some(Value::Object(p)) = o.get("properties") {
                        out.extend(p.keys().cloned());
                    }
                    stack.extend(o.values());
                }
                Value::Array(a) => stack.extend(a),
                _ => {}
            }
        }
        out
    })
}

fn diagnostic(
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
    Diagnostic {
        rule: rule.id,
        severity: rule.severity,
        message,
        file: doc.source.name.clone(),
        span: Some(span),
        source: Some(doc.source.clone()),
        hint: None,
    }
}

fn describe_error(
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
                (real + unknown_fields, real)
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

trait HintIf {
    fn with_hint_if(self, cond: bool, hint: &str) -> Self;
}

impl HintIf for Diagnostic {
    fn with_hint_if(self, cond: bool, hint: &str) -> Self {
        if cond { self.with_hint(hint) } else { self }
    }
}

/// Errors of the 1.0 schema that the specification text does not back.
fn quirk(json: &Value, pointer: &str, schema_path: &str) -> Option<String> {
    if schema_path.ends_with("/failure-action-object/allOf/1/then/required") {
        return Some("the official 1.0 JSON Schema requires `retryAfter` on `retry` actions, but the specification makes it optional; Telaio follows the specification".into());
    }
    let is_retry = json
        .pointer(pointer)
        .and_then(|a| a.get("type"))
        .and_then(Value::as_str)
        == Some("retry");
    if is_retry && schema_path.contains("/failure-action-object/allOf/0/then/oneOf") {
        return Some("the official 1.0 JSON Schema requires `stepId` or `workflowId` on `retry` actions, but the specification makes them optional (a plain retry repeats the step); Telaio follows the specification".into());
    }
    if schema_path.ends_with("/payload-replacement-object/properties/value/type") {
        return Some("the official 1.0 JSON Schema requires a string `value` in payload replacements, but the specification allows any value; Telaio follows the specification".into());
    }
    None
}

/// The property names the schema object around `schema_path`'s keyword allows, gathered
/// through `$ref`, `allOf`, `oneOf` and `anyOf` (step objects spread their fields that way).
fn allowed_fields(schema: &Value, schema_path: &str) -> Vec<String> {
    let parent = schema_path.rsplit_once('/').map_or("", |(p, _)| p);
    let mut out = Vec::new();
    if let Some(obj) = schema.pointer(parent) {
        collect_fields(schema, obj, 0, &mut out);
    }
    out
}

fn collect_fields(schema: &Value, obj: &Value, depth: usize, out: &mut Vec<String>) {
    if depth > 8 {
        return;
    }
    for k in obj
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.keys())
    {
        if !out.contains(k) {
            out.push(k.clone());
        }
    }
    if let Some(target) = obj
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| schema.pointer(p))
    {
        collect_fields(schema, target, depth + 1, out);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for branch in obj.get(key).and_then(Value::as_array).into_iter().flatten() {
            collect_fields(schema, branch, depth + 1, out);
        }
    }
}

/// "step `createSession`", "`dependsOn` of step `poll`", "`info`": how to name the value
/// at a pointer.
pub(crate) fn describe_object(json: &Value, pointer: &str) -> String {
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

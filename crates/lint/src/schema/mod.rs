//! Validation against the official Arazzo JSON Schemas (embedded; compiled once per process),
//! with each error turned into a message that names the object and points at the right node.
//!
//! The 1.0 schema disagrees with the specification text in a few places (it requires
//! `retryAfter` and a target on every `retry`, and a string `value` in payload replacements,
//! while the spec makes them optional / Any). Those errors are reported as `schema-quirk`
//! warnings that say so, not as errors.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;
use telaio_model::{ArazzoDocument, LoadOptions, SpecVersion, parse_text};

mod message;

use crate::rule::declare_rule;
use crate::{Diagnostic, Rule};
use message::{describe_error, diagnostic};

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
    /// a payload replacement whose `value` is not a string, and a Criterion Expression Type
    /// Object nested under `type` (as the specification's field table has it; the schema
    /// wants its fields beside `condition`).
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

const SCHEMA_1_0: &str = include_str!("../../schemas/schema-1.0.json");
const SCHEMA_1_1: &str = include_str!("../../schemas/schema-1.1.yaml");

pub(super) struct Compiled {
    validator: Validator,
    pub(super) schema: Value,
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

pub(super) fn is_unevaluated(e: &ValidationError<'_>) -> bool {
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
pub(super) fn relevant<'e, 'v>(
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
/// Errors of the 1.0 schema that the specification text does not back.
pub(super) fn quirk(json: &Value, pointer: &str, schema_path: &str) -> Option<String> {
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
    let nested_type = json
        .pointer(pointer)
        .and_then(|c| c.get("type"))
        .is_some_and(Value::is_object);
    if nested_type && schema_path.ends_with("/criterion-object/anyOf") {
        return Some("the official 1.0 JSON Schema expects a Criterion Expression Type Object's `type` and `version` beside `condition`, while the specification nests the object under `type`; Telaio reads both".into());
    }
    if schema_path.ends_with("/payload-replacement-object/properties/value/type") {
        return Some("the official 1.0 JSON Schema requires a string `value` in payload replacements, but the specification allows any value; Telaio follows the specification".into());
    }
    None
}

/// The property names the schema object around `schema_path`'s keyword allows, gathered
/// through `$ref`, `allOf`, `oneOf` and `anyOf` (step objects spread their fields that way).
pub(super) fn allowed_fields(schema: &Value, schema_path: &str) -> Vec<String> {
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

//! One MCP tool per served workflow: a stable, unique name within MCP's rules, its summary
//! and description, its inputs schema as `inputSchema`, an `outputSchema` of the result, and
//! annotations from what it calls. Built once, when the server starts.

use std::collections::HashMap;
use std::sync::Arc;

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};
use telaio_serve::{Catalog, ServedWorkflow, Target};

use crate::effects::{Effects, effects};

/// The longest tool name MCP allows.
const MAX_NAME: usize = 128;

/// The served workflows as tools, and which workflow each name runs.
#[derive(Debug)]
pub struct ToolSet {
    tools: Vec<Tool>,
    /// By tool name: the workflow's index in the catalog.
    by_name: HashMap<String, usize>,
    /// Each tool's name and workflow (its index in the catalog), in the catalog's order.
    named: Vec<(String, usize)>,
    /// Each tool's `outputSchema`, compiled (by tool, in order).
    checks: Vec<jsonschema::Validator>,
}

impl ToolSet {
    /// A tool for each workflow of `catalog` (run against its default target).
    pub fn new(catalog: &Catalog) -> ToolSet {
        let served: Vec<(usize, &ServedWorkflow)> = catalog
            .workflows()
            .iter()
            .enumerate()
            .filter(|(_, w)| {
                catalog.len() == catalog.workflows().len() || w.target() == Target::Servers
            })
            .collect();
        let names = names(
            served
                .iter()
                .map(|(_, w)| (w.workflow_id.as_str(), w.document.as_str())),
            crate::helpers::NAMES,
        );
        let named: Vec<(String, usize)> = served
            .iter()
            .zip(names)
            .map(|((index, _), name)| (name, *index))
            .collect();
        let by_name = named.iter().cloned().collect();
        let (tools, checks) = named
            .iter()
            .map(|(name, index)| tool(catalog.get(*index), name.clone()))
            .unzip();
        ToolSet {
            tools,
            by_name,
            named,
            checks,
        }
    }

    /// Each workflow tool's name and its workflow's index in the catalog.
    pub fn named(&self) -> &[(String, usize)] {
        &self.named
    }

    /// The tools, in the catalog's order.
    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    /// Whether `structured` (a call's result) is what the tool `name`'s `outputSchema` says;
    /// when not, why (the first few places, for a person). An API that answers otherwise
    /// than its description says makes such a result.
    pub fn conforms(&self, name: &str, structured: &Value) -> Result<(), String> {
        let Some(at) = self.named.iter().position(|(n, _)| n == name) else {
            return Ok(());
        };
        let check = &self.checks[at];
        let problems: Vec<String> = check
            .iter_errors(structured)
            .take(3)
            .map(|e| match e.instance_path().as_str() {
                "" => e.to_string(),
                at => format!("{at}: {e}"),
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    /// The catalog index of the workflow the tool `name` runs.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }
}

/// The tool of workflow `w`, named `name`, and its `outputSchema` compiled.
fn tool(w: &ServedWorkflow, name: String) -> (Tool, jsonschema::Validator) {
    let description = match (&w.summary, &w.description) {
        (Some(s), Some(d)) => format!("{}\n\n{}", s.trim(), d.trim()),
        (Some(t), None) | (None, Some(t)) => t.trim().to_owned(),
        (None, None) => format!(
            "Runs the Arazzo workflow `{}` of {}.",
            w.workflow_id, w.document
        ),
    };
    let title = w.summary.clone().unwrap_or_else(|| w.workflow_id.clone());
    let Effects {
        read_only,
        destructive,
        idempotent,
    } = effects(&w.plan, &w.workflow_id);
    let annotations = ToolAnnotations::with_title(title.clone())
        .read_only(read_only)
        .destructive(destructive)
        .idempotent(idempotent)
        .open_world(true);
    let (output_schema, check) = output_schema(w);
    let tool = Tool::new(name, description, Arc::new(object(input_schema(w))))
        .with_title(title)
        .with_raw_output_schema(Arc::new(object(output_schema)))
        .with_annotations(annotations);
    (tool, check)
}

/// The workflow's inputs schema, an object schema as MCP asks (`type: object` added when
/// the workflow's leaves it out).
pub(crate) fn input_schema(w: &ServedWorkflow) -> Value {
    let mut schema = w.inputs_schema();
    if let Value::Object(map) = &mut schema
        && !map.contains_key("type")
    {
        map.insert("type".to_owned(), json!("object"));
    }
    schema
}

/// What a call's `structuredContent` holds: the run's id, its status and the workflow's
/// outputs, each typed as far as the document and its API descriptions tell (and also
/// `null`, for a value missing, or the mask of a secret); or why the inputs were refused.
/// Compiled once here: a type a document makes that is no valid JSON Schema (a `pattern`
/// of another regex dialect) is left open rather than published broken.
fn output_schema(w: &ServedWorkflow) -> (Value, jsonschema::Validator) {
    let outputs = w.plan.outputs_schema(&w.workflow_id);
    let typed = result_schema(outputs.clone());
    if let Ok(check) = jsonschema::validator_for(&typed) {
        return (typed, check);
    }
    let mut open = outputs;
    if let Some(properties) = open["properties"].as_object_mut() {
        for schema in properties.values_mut() {
            if jsonschema::validator_for(schema).is_err() {
                *schema = json!({});
            }
        }
    }
    let open = result_schema(open);
    let check = jsonschema::validator_for(&open)
        .or_else(|_| jsonschema::validator_for(&json!({})))
        .expect("the empty schema compiles");
    (open, check)
}

/// What a call's `structuredContent` holds: the run's id, its status and the workflow's
/// `outputs` (see [`telaio_engine::Plan::outputs_schema`]); or why the inputs were refused.
fn result_schema(mut outputs: Value) -> Value {
    outputs["description"] = json!("The workflow's outputs.");
    json!({
        "type": "object",
        "properties": {
            "runId": {"type": "string", "description": "The run's id in the store (`telaio runs show`)."},
            "status": {"type": "string", "description": "How the run ended: `succeeded`, `failed`, `cancelled`, ..."},
            "outputs": outputs,
            "problems": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Why the inputs were refused (status `invalid-inputs`): every problem."
            },
            "error": {
                "type": "object",
                "description": "Why the run failed: the step and the reason.",
                "properties": {"stepId": {"type": ["string", "null"]}, "reason": {"type": "string"}}
            }
        },
        "required": ["status"]
    })
}

/// A JSON object as rmcp keeps one (empty for anything else).
fn object(v: Value) -> JsonObject {
    match v {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    }
}

/// A name for each `(workflowId, document)`: the workflow id within MCP's rules (letters,
/// digits, `_`, `-`, `.`; at most 128), prefixed by the document's name where ids clash (or
/// take a `reserved` name), and numbered where even that clashes. The same documents give
/// the same names.
pub fn names<'a>(
    workflows: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    reserved: &[&str],
) -> Vec<String> {
    let mut ids: HashMap<String, usize> = reserved.iter().map(|r| ((*r).to_owned(), 1)).collect();
    for (id, _) in workflows.clone() {
        *ids.entry(allowed(id)).or_default() += 1;
    }
    let mut taken: std::collections::HashSet<String> =
        reserved.iter().map(|r| (*r).to_owned()).collect();
    workflows
        .map(|(id, document)| {
            let base = allowed(id);
            let name = if ids[&base] > 1 {
                allowed(&format!("{}.{id}", stem(document)))
            } else {
                base
            };
            // Numbered from 2 until free: a numbered name may be another workflow's own.
            let mut free = name.clone();
            let mut n = 1;
            while taken.contains(&free) {
                n += 1;
                let suffix = format!("-{n}");
                free = format!("{}{suffix}", cut(&name, MAX_NAME - suffix.len()));
            }
            taken.insert(free.clone());
            free
        })
        .collect()
}

/// `text` with every character MCP does not allow in a name as `_`, cut to its length.
fn allowed(text: &str) -> String {
    let name: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = if name.is_empty() {
        "_".to_owned()
    } else {
        name
    };
    cut(&name, MAX_NAME).to_owned()
}

/// The first `most` bytes of an ASCII name.
fn cut(name: &str, most: usize) -> &str {
    &name[..name.len().min(most)]
}

/// A document's name without its folder and extensions (`users.arazzo.yaml` → `users`).
fn stem(document: &str) -> &str {
    let file = document.rsplit(['/', '\\']).next().unwrap_or(document);
    [
        ".arazzo.yaml",
        ".arazzo.yml",
        ".arazzo.json",
        ".yaml",
        ".yml",
        ".json",
    ]
    .iter()
    .find_map(|ext| file.strip_suffix(ext))
    .unwrap_or(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_names_and_clashes_take_the_document() {
        let got = names(
            [
                ("createUser", "a/users.arazzo.yaml"),
                ("createUser", "b/people.yml"),
                ("login", "a/users.arazzo.yaml"),
                ("log in!", "x.json"),
                ("get_run", "runs.yaml"),
            ]
            .into_iter(),
            &["get_run"],
        );
        assert_eq!(
            got,
            [
                "users.createUser",
                "people.createUser",
                "login",
                "log_in_",
                "runs.get_run"
            ]
        );
    }

    #[test]
    fn a_numbered_name_never_takes_one_given() {
        let got = names(
            [("a", "x.yaml"), ("a", "y/x.yaml"), ("x.a-2", "z.yaml")].into_iter(),
            &[],
        );
        assert_eq!(got, ["x.a", "x.a-2", "x.a-2-2"]);
    }

    #[test]
    fn names_stay_unique_and_short() {
        let long = "w".repeat(200);
        let got = names(
            [(long.as_str(), "a.yaml"), (long.as_str(), "a.yaml")].into_iter(),
            &[],
        );
        assert_eq!(got[0].len(), MAX_NAME);
        assert_eq!(got[1].len(), MAX_NAME);
        assert_ne!(got[0], got[1]);
        assert!(got[1].ends_with("-2"), "{}", got[1]);
    }
}

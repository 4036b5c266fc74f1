//! Every workflow of the sample catalog in `../shared/corpus` that plans becomes a tool: its
//! name unique and within MCP's rules, its `inputSchema` and `outputSchema` valid JSON Schema
//! (checked with the `jsonschema` crate) of type `object`. Skipped, with a note, when
//! `../shared` is absent.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use telaio_engine::{DocumentIdentity, Plan, PlanOptions};
use telaio_mcp::ToolSet;
use telaio_model::{LoadOptions, Loader};
use telaio_serve::{Catalog, ServedWorkflow};

#[test]
fn every_corpus_workflow_is_a_tool_with_valid_schemas() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("note: {} is absent; skipping", corpus.display());
        return;
    }
    let loader = Loader::new(LoadOptions::default());
    let mut workflows = Vec::new();
    let mut declared = 0;
    let mut unplanned = Vec::new();
    for path in telaio_model::arazzo_files(&corpus).unwrap() {
        let bundle = loader
            .load_bundle(&Loader::url_for_path(&path).unwrap())
            .unwrap();
        let Ok(model) = &bundle.document.model else {
            continue;
        };
        let identity = DocumentIdentity::of(&bundle);
        for w in &model.workflows {
            let Some(id) = w.workflow_id.clone() else {
                continue;
            };
            declared += 1;
            match Plan::compile_workflow(&bundle, &PlanOptions::default(), &id) {
                Ok(plan) => workflows.push(ServedWorkflow {
                    workflow_id: id,
                    document: path.display().to_string(),
                    summary: w.summary.clone(),
                    description: w.description.clone(),
                    plan: Arc::new(plan),
                    identity: identity.clone(),
                    plan_options: PlanOptions::default(),
                    loading: Default::default(),
                    mock: false,
                }),
                Err(_) => unplanned.push(format!("{id} of {}", path.display())),
            }
        }
    }
    let planned = workflows.len();
    assert!(planned > 150, "{planned} of {declared} planned");
    let tools = ToolSet::new(&Catalog::new(workflows));
    let tools = tools.tools();
    assert_eq!(tools.len(), planned);
    let names: HashSet<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names.len(), tools.len(), "tool names are unique");
    for tool in tools {
        let name = tool.name.as_ref();
        assert!(
            (1..=128).contains(&name.len())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')),
            "{name}"
        );
        for (what, schema) in [
            ("inputSchema", Some(&tool.input_schema)),
            ("outputSchema", tool.output_schema.as_ref()),
        ] {
            let schema = serde_json::Value::Object(schema.unwrap().as_ref().clone());
            assert_eq!(schema["type"], "object", "{name}: {what} {schema}");
            if let Err(e) = jsonschema::meta::validate(&schema) {
                panic!("{name}: {what} is not valid JSON Schema: {e}\n{schema}");
            }
            assert!(
                jsonschema::validator_for(&schema).is_ok(),
                "{name}: {what} does not compile: {schema}"
            );
        }
    }
    // Outputs typed from what the API descriptions say, and the largest output schema.
    let (mut outputs, mut typed, mut largest, mut total) = (0, 0, 0, 0);
    for tool in tools {
        let schema = tool.output_schema.as_ref().unwrap();
        let declared = schema["properties"]["outputs"]["properties"]
            .as_object()
            .unwrap();
        outputs += declared.len();
        typed += declared
            .values()
            .filter(|s| s.get("anyOf").is_some())
            .count();
        let size = serde_json::to_string(schema).unwrap().len();
        largest = largest.max(size);
        total += size;
    }
    eprintln!(
        "{} tools from {declared} workflows; {typed} of {outputs} outputs typed; largest \
         outputSchema {largest} bytes, all {total} bytes; not planned: {unplanned:?}",
        tools.len()
    );
    assert!(typed * 2 > outputs, "{typed} of {outputs} outputs typed");
    // What an agent reads of a tool stays small: a large response is typed to a depth.
    assert!(largest < 16_000, "an outputSchema of {largest} bytes");
}

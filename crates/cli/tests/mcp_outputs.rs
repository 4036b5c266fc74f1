//! What a workflow's outputs become for an MCP client (the official Python SDK): masked
//! where the API marks them sensitive, and an error result, still read, where the API
//! answers otherwise than its description says. Against a small API on 127.0.0.1.
#![cfg(unix)]

mod mcp_harness;
mod support;

use std::path::Path;

use mcp_harness::{client, python, stdio};
use serde_json::{Value, json};
use support::Dir;

/// A token the API marks `x-sensitive`, a workflow output, reaches the client by its size
/// only; a workflow that only reads is hinted read-only and idempotent.
#[test]
fn sensitive_outputs_reach_the_client_masked() {
    let Some(python) = python() else { return };
    let (seen, server) = items_call(&python, support::items::API, "getToken", "token");
    let text = seen.to_string();
    assert!(!text.contains("canary-token-2f9"), "{text}");
    let hints = &seen["ops"][0]["tools"][0]["annotations"];
    assert_eq!(hints["readOnlyHint"], true, "{hints}");
    assert_eq!(hints["idempotentHint"], true, "{hints}");
    let result = &seen["ops"][1]["result"];
    assert_eq!(
        result["structuredContent"]["outputs"]["token"], "<sensitive: 16 bytes>",
        "{result}"
    );
    // The server did answer with the token.
    assert_eq!(server.seen.lock().unwrap().len(), 1);
}

/// An API that answers otherwise than its description says (a number where it promises a
/// string) makes outputs that do not fit the tool's `outputSchema`: the result is an error
/// naming the output, the outputs as the API sent them in its text, and what is structured
/// fits the schema, for clients that check it (the Python SDK does).
#[test]
fn outputs_the_description_does_not_allow_are_an_error_result() {
    let Some(python) = python() else { return };
    let api = support::items::API.replace(
        "'200': {description: items, content: {application/json: {schema: {type: object}}}}",
        "'200': {description: items, content: {application/json: {schema: {type: object, \
         properties: {count: {type: string}}}}}}",
    );
    assert_ne!(api, support::items::API);
    let (seen, _server) = items_call(&python, &api, "getItems", "count");
    let count =
        &seen["ops"][0]["tools"][0]["outputSchema"]["properties"]["outputs"]["properties"]["count"];
    assert_eq!(count["anyOf"][0]["type"], "string", "{count}");
    let result = &seen["ops"][1]["result"];
    assert_eq!(result["isError"], true, "{result}");
    // What the client checks fits the schema (some check even an error result); the
    // outputs are in the text, as sent.
    assert_eq!(result["structuredContent"]["status"], "succeeded");
    assert_eq!(result["structuredContent"]["outputs"], json!({}));
    let text = result["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("/outputs/count"), "{text}");
    assert!(text.contains(r#"{"count":3}"#), "{text}");
    assert!(text.contains("not what the API descriptions say"), "{text}");
}

/// A workflow `output` of one step calling `operation` of the items API as `api` describes
/// it, served over stdio: what the client saw listing the tools and calling it (the tool is
/// named `output`), and the API's server.
fn items_call(
    python: &Path,
    api: &str,
    operation: &str,
    output: &str,
) -> (Value, support::items::Items) {
    let d = Dir::new();
    d.write("items.openapi.yaml", api);
    let flow = d.write(
        "one.arazzo.yaml",
        format!(
            "arazzo: 1.0.1
info: {{title: One, version: '1'}}
sourceDescriptions: [{{name: items, url: ./items.openapi.yaml}}]
workflows:
  - workflowId: {output}
    steps:
      - stepId: one
        operationId: {operation}
        successCriteria: [{{condition: $statusCode == 200}}]
        outputs: {{{output}: $response.body#/{output}}}
    outputs: {{{output}: $steps.one.outputs.{output}}}
"
        ),
    );
    let server = support::items::items_server(0, std::time::Duration::ZERO);
    let seen = client(
        python,
        &stdio(&d, &flow, &format!("items={}", server.url), &[]),
        "current",
        json!([
            {"op": "list"},
            {"op": "call", "name": output, "args": {}},
        ]),
    );
    (seen, server)
}

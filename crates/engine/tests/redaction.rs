//! Secrets the run computes are masked too: a value passed into a called workflow's input
//! marked `format: password` never shows in an event, the outcome or the journal, though the
//! server gets it.

mod support;

use serde_json::json;
use support::{Reply, Server, doc, run_redacted};

const CANARY: &str = "tok-canary-9b2e";

#[tokio::test]
async fn a_secret_input_of_a_called_workflow_is_masked_everywhere() {
    let server = Server::start(|req, _| {
        if req.method == "POST" {
            Reply::json(201, json!({"token": CANARY}))
        } else {
            // Echo the query back, as a careless API might.
            Reply::json(200, json!({"echo": req.query}))
        }
    })
    .await;
    let arazzo = doc(r#"
workflows:
  - workflowId: main
    steps:
      - stepId: login
        operationId: createItem
        outputs: {token: $response.body#/token}
      - stepId: use
        workflowId: use
        parameters: [{name: token, value: $steps.login.outputs.token}]
        outputs: {echo: $outputs.echo}
    outputs: {echo: $steps.use.outputs.echo}
  - workflowId: use
    inputs:
      type: object
      properties: {token: {type: string, format: password}}
    steps:
      - stepId: call
        operationId: listItems
        parameters:
          - {name: t, in: query, value: $inputs.token}
          - {name: X-Token, in: header, value: 'Token {$inputs.token}'}
        outputs: {echo: $response.body#/echo}
    outputs: {echo: $steps.call.outputs.echo}
"#);
    let (outcome, events, journal) = run_redacted(&server, &arazzo, "main").await;
    assert!(outcome.succeeded, "{outcome:#?}");
    // The server got the token...
    let r = server.requests();
    assert_eq!(r[1].query, format!("t={CANARY}"));
    assert_eq!(r[1].headers["x-token"], format!("Token {CANARY}"));
    // ...and nothing reported shows it: not the request event, not the outputs.
    let shown = serde_json::to_string(&events).unwrap() + &serde_json::to_string(&outcome).unwrap();
    assert!(!shown.contains("canary-9b2e"), "{shown}");
    // Nor the journal: the login response that carried the token is recorded after the
    // token became a secret of the called workflow.
    let journal = journal.join("\n");
    assert!(journal.contains("\"entry\":\"response\""), "{journal}");
    assert!(!journal.contains("canary-9b2e"), "{journal}");
    assert_eq!(outcome.outputs, json!({"echo": "t=***"}));
}

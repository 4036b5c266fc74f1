//! How control moves between workflows and steps, end to end against a local server: `goto`
//! another workflow, `dependsOn` of workflows and of steps, inputs of called workflows,
//! `Retry-After` dates, and loops that send nothing.

mod support;

use serde_json::json;
use support::{Reply, Server, doc, fast, run, run_fast};
use telaio_engine::{DriverOptions, Event, RunOptions};

fn requests(server: &Server) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test]
async fn goto_a_workflow_hands_the_run_over_with_parameters() {
    let server = Server::start(|req, _| {
        if req.path == "/v1/items" {
            Reply::json(503, json!({"message": "down"}))
        } else {
            Reply::json(200, json!({"id": req.path.rsplit('/').next()}))
        }
    })
    .await;
    let arazzo = doc(r#"
workflows:
  - workflowId: main
    steps:
      - stepId: list
        operationId: listItems
        onFailure:
          - name: recover
            type: goto
            workflowId: fallback
            parameters: [{name: code, value: $statusCode}]
      - {stepId: never, operationId: createItem}
    outputs: {never: 'main outputs are not the run outputs'}
  - workflowId: fallback
    inputs:
      type: object
      required: [code]
      properties: {code: {type: integer}, mode: {type: string, default: slow}}
    steps:
      - stepId: read
        operationId: getItem
        parameters: [{name: id, in: path, value: 'c{$inputs.code}-{$inputs.mode}'}]
        outputs: {id: $response.body#/id}
    outputs: {id: $steps.read.outputs.id}
"#);
    let (outcome, events) = run_fast(&server, &arazzo, "main", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(outcome.workflow_id, "fallback");
    assert_eq!(outcome.outputs, json!({"id": "c503-slow"}));
    assert_eq!(
        requests(&server),
        ["GET /v1/items", "GET /v1/items/c503-slow"]
    );
    // The workflow that handed over is reported as ended, failed, not as still running.
    assert!(events.iter().any(|e| matches!(
        e,
        Event::WorkflowFinished { workflow_id, succeeded: false } if workflow_id == "main"
    )));
}

#[tokio::test]
async fn goto_a_workflow_from_a_called_workflow_answers_the_calling_step() {
    let server = Server::start(|_, _| Reply::json(200, json!({"id": "x"}))).await;
    let arazzo = doc(r#"
workflows:
  - workflowId: main
    steps:
      - stepId: call
        workflowId: first
        outputs: {from: $outputs.who}
    outputs: {from: $steps.call.outputs.from}
  - workflowId: first
    steps:
      - stepId: hop
        operationId: listItems
        onSuccess: [{name: on, type: goto, workflowId: second}]
    outputs: {who: first}
  - workflowId: second
    steps:
      - {stepId: land, operationId: listItems}
    outputs: {who: second}
"#);
    let (outcome, _) = run_fast(&server, &arazzo, "main", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(outcome.outputs, json!({"from": "second"}));
}

/// `top` depends on `left` and `right`, which both depend on `base` (given separately).
const DIAMOND: &str = r#"
  - workflowId: left
    dependsOn: [base]
    steps: [{stepId: l, operationId: createItem}]
  - workflowId: right
    dependsOn: [base]
    steps: [{stepId: r, operationId: createItem}]
  - workflowId: top
    dependsOn: [left, right]
    steps:
      - {stepId: t, operationId: getItem, parameters: [{name: id, in: path, value: top}]}
    outputs: {base: $workflows.base.outputs.from}
"#;

#[tokio::test]
async fn a_prerequisite_shared_by_two_runs_once() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let base = "workflows:\n  - workflowId: base\n    steps: [{stepId: b, operationId: listItems}]\n    outputs: {from: base}";
    let (outcome, _) = run_fast(&server, &doc(&format!("{base}{DIAMOND}")), "top", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(
        requests(&server),
        [
            "GET /v1/items",
            "POST /v1/items",
            "POST /v1/items",
            "GET /v1/items/top"
        ]
    );
}

#[tokio::test]
async fn a_failed_prerequisite_fails_the_workflow_before_its_first_step() {
    let server = Server::start(|_, _| Reply::json(500, json!({}))).await;
    let arazzo = doc(r#"
workflows:
  - workflowId: base
    steps: [{stepId: b, operationId: listItems}]
  - workflowId: top
    dependsOn: [base]
    steps: [{stepId: t, operationId: createItem}]
"#);
    let (outcome, _) = run_fast(&server, &arazzo, "top", vec![]).await;
    assert!(!outcome.succeeded);
    let error = outcome.error.unwrap();
    assert_eq!(error.step_id, None, "no step of `top` ran");
    assert_eq!(
        error.reason,
        "workflow `base`, which this one depends on, failed: HTTP 500"
    );
    assert_eq!(requests(&server), ["GET /v1/items"]);
}

#[tokio::test]
async fn prerequisites_in_a_circle_fail_without_running_forever() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let arazzo = doc(r#"
workflows:
  - workflowId: a
    dependsOn: [b]
    steps: [{stepId: s, operationId: listItems}]
  - workflowId: b
    dependsOn: [a]
    steps: [{stepId: s, operationId: listItems}]
"#);
    let (outcome, _) = run_fast(&server, &arazzo, "a", vec![]).await;
    assert!(!outcome.succeeded);
    assert!(
        outcome.error.unwrap().reason.contains("circle"),
        "the reason names the cycle"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_called_workflow_gets_defaults_and_its_inputs_are_validated() {
    let server = Server::start(|_, _| Reply::json(201, json!({}))).await;
    let arazzo = doc(r#"
workflows:
  - workflowId: make
    inputs:
      type: object
      required: [label]
      properties: {label: {type: string}, size: {type: integer, default: 3}}
    steps:
      - stepId: create
        operationId: createItem
        requestBody: {payload: {label: $inputs.label, size: $inputs.size}}
  - workflowId: good
    steps:
      - {stepId: call, workflowId: make, parameters: [{name: label, value: ok}]}
  - workflowId: bad
    steps:
      - stepId: call
        workflowId: make
        parameters: [{name: size, value: 7}]
        onFailure: [{name: fallback, type: goto, stepId: instead}]
      - {stepId: skipped, operationId: listItems}
      - {stepId: instead, operationId: getJob, parameters: [{name: id, in: path, value: j}]}
"#);
    let (outcome, _) = run_fast(&server, &arazzo, "good", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(
        server.requests()[0].json(),
        json!({"label": "ok", "size": 3})
    );

    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let (outcome, events) = run_fast(&server, &arazzo, "bad", vec![]).await;
    // The call step failed (missing `label`), so its failure action ran.
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(requests(&server), ["GET /v1/jobs/j"]);
    let reason = events
        .iter()
        .find_map(|e| match e {
            Event::StepFinished {
                step_id,
                reason: Some(r),
                ..
            } if step_id == "call" => Some(r.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        reason.starts_with("workflow `make` cannot start: ") && reason.contains("label"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_step_waits_for_the_steps_it_depends_on() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let arazzo = doc(r#"
workflows:
  - workflowId: w
    steps:
      - {stepId: first, operationId: listItems}
      - stepId: second
        operationId: createItem
        dependsOn: [first]
      - stepId: early
        operationId: getJob
        parameters: [{name: id, in: path, value: j}]
        dependsOn: [later]
      - {stepId: later, operationId: listItems}
"#);
    let (outcome, _) = run_fast(&server, &arazzo, "w", vec![]).await;
    assert!(!outcome.succeeded);
    let error = outcome.error.unwrap();
    assert_eq!(error.step_id.as_deref(), Some("early"));
    assert_eq!(
        error.reason,
        "step `later` must succeed before this one (dependsOn), and has not"
    );
    // `early` sent nothing.
    assert_eq!(requests(&server), ["GET /v1/items", "POST /v1/items"]);
}

#[tokio::test]
async fn a_path_without_a_value_for_its_parameter_is_not_sent() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let arazzo = doc(r#"
workflows:
  - workflowId: w
    steps:
      - stepId: read
        operationId: getItem
        parameters: [{name: id, in: path, value: $inputs.missing}]
"#);
    let (outcome, events) = run_fast(&server, &arazzo, "w", vec![]).await;
    assert!(!outcome.succeeded);
    let reason = outcome.error.unwrap().reason;
    assert!(
        reason.starts_with("path parameter `id` has no value, so the request was not sent: "),
        "{reason}"
    );
    assert!(reason.contains("$inputs.missing"), "{reason}");
    assert!(server.requests().is_empty());
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::RequestSent { .. }))
    );
}

/// A workflow step calling its own workflow, with a failure action that goes back to the
/// same step, sends nothing and never ends by itself: only `max_steps` stops it, and the
/// machine's stack stays flat however long it runs.
#[tokio::test]
async fn a_loop_that_sends_nothing_ends_at_the_step_limit() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let arazzo = doc(r#"
workflows:
  - workflowId: again
    steps:
      - stepId: self
        workflowId: again
        onFailure: [{name: loop, type: goto, stepId: self}]
"#);
    let options = RunOptions {
        max_steps: 200_000,
        max_depth: 4,
        ..fast()
    };
    let (outcome, _) = run(
        &server,
        &arazzo,
        "again",
        vec![],
        options,
        DriverOptions::default(),
    )
    .await;
    assert!(!outcome.succeeded);
    let error = outcome.error.unwrap();
    assert_eq!(
        (error.reason.as_str(), error.limit),
        (
            "the run reached the limit of 200000 step executions",
            Some(telaio_engine::Limit::Steps)
        )
    );
    assert!(server.requests().is_empty());
}

/// A server where `GET /v1/items` answers 401 until a `POST /v1/items` (a login) has
/// been made since the last 401.
async fn needs_login() -> Server {
    let state = std::sync::Arc::new(std::sync::Mutex::new(false));
    Server::start(move |req, _| {
        let mut logged_in = state.lock().unwrap();
        match req.method.as_str() {
            "POST" => {
                *logged_in = true;
                Reply::json(201, json!({"token": "t"}))
            }
            _ if *logged_in => Reply::json(200, json!({"items": []})),
            _ => Reply::json(401, json!({})),
        }
    })
    .await
}

#[tokio::test]
async fn a_retry_with_a_workflow_runs_it_first() {
    let server = needs_login().await;
    let arazzo = doc(r#"
workflows:
  - workflowId: main
    steps:
      - stepId: call
        operationId: listItems
        onFailure:
          - {name: relogin, type: retry, workflowId: login, retryLimit: 2, criteria: [{condition: $statusCode == 401}]}
  - workflowId: login
    steps:
      - {stepId: post, operationId: createItem}
"#);
    let (outcome, _) = run_fast(&server, &arazzo, "main", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(
        requests(&server),
        ["GET /v1/items", "POST /v1/items", "GET /v1/items"]
    );
    let call = outcome.steps.iter().find(|s| s.step_id == "call").unwrap();
    assert_eq!((call.attempts, call.status_code), (2, Some(200)));
}

#[tokio::test]
async fn a_retry_with_a_step_runs_that_step_alone_and_comes_back() {
    let server = needs_login().await;
    let arazzo = doc(r#"
workflows:
  - workflowId: main
    steps:
      - stepId: call
        operationId: listItems
        onFailure:
          - {name: relogin, type: retry, stepId: login, retryLimit: 1}
      # Run as a retry's first step, its own actions are not followed: no `end` here.
      - stepId: login
        operationId: createItem
        onSuccess: [{name: stop, type: end}]
"#);
    let (outcome, events) = run_fast(&server, &arazzo, "main", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(
        requests(&server),
        // call (401), login (as the retry's first step), call again (200), then login in
        // its own turn, whose `end` finishes the workflow.
        [
            "GET /v1/items",
            "POST /v1/items",
            "GET /v1/items",
            "POST /v1/items"
        ]
    );
    let started: Vec<(String, u32)> = events
        .iter()
        .filter_map(|e| match e {
            Event::StepStarted {
                step_id, attempt, ..
            } => Some((step_id.clone(), *attempt)),
            _ => None,
        })
        .collect();
    assert_eq!(
        started,
        [
            ("call".into(), 1),
            ("login".into(), 1),
            ("call".into(), 2),
            ("login".into(), 1)
        ]
    );
}

#[tokio::test]
async fn values_with_holes_are_not_sent() {
    let server = Server::start(|_, _| Reply::json(200, json!([]))).await;
    let arazzo = doc(r#"
workflows:
  - workflowId: w
    steps:
      - stepId: find
        operationId: listItems
        parameters:
          # A template with a hole is missing as a whole, not `pre-`.
          - {name: q, in: query, value: 'pre-{$inputs.missing}'}
        outputs: {firstId: $response.body#/0/id}
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: $steps.find.outputs.firstId}]
"#);
    let (outcome, _) = run_fast(&server, &arazzo, "w", vec![]).await;
    assert_eq!(server.requests()[0].query, "", "no `q=pre-`");
    // The list was empty, so `firstId` has no value, and `/v1/items/` is not sent.
    assert_eq!(requests(&server), ["GET /v1/items"]);
    let error = outcome.error.unwrap();
    assert_eq!(error.step_id.as_deref(), Some("get"));
    assert!(
        error.reason.contains("$steps.find.outputs.firstId"),
        "{}",
        error.reason
    );
}

#[tokio::test]
async fn a_prerequisite_that_hands_over_by_goto_still_runs_once() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let base = r#"
workflows:
  - workflowId: base
    steps:
      - stepId: b
        operationId: listItems
        onSuccess: [{name: on, type: goto, workflowId: other}]
  - workflowId: other
    steps:
      - {stepId: o, operationId: getJob, parameters: [{name: id, in: path, value: other}]}
    outputs: {from: other}"#;
    let (outcome, _) = run_fast(&server, &doc(&format!("{base}{DIAMOND}")), "top", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(
        requests(&server),
        [
            "GET /v1/items",
            "GET /v1/jobs/other",
            "POST /v1/items",
            "POST /v1/items",
            "GET /v1/items/top"
        ]
    );
    // `base` ended with `other`, so its outputs are `other`'s.
    assert_eq!(outcome.outputs, json!({"base": "other"}));
}

#[tokio::test]
async fn input_schemas_whose_references_fan_out_still_plan() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    // Each level names `node` four times: inlined naively, 4^16 copies.
    let arazzo = doc(r#"
workflows:
  - workflowId: w
    inputs: {$ref: '#/components/inputs/node'}
    steps: [{stepId: s, operationId: listItems}]
components:
  inputs:
    node:
      type: object
      properties:
        a: {$ref: '#/components/inputs/node'}
        b: {$ref: '#/components/inputs/node'}
        c: {$ref: '#/components/inputs/node'}
        d: {$ref: '#/components/inputs/node'}
        name: {type: string}
"#);
    let (outcome, _) = run_fast(
        &server,
        &arazzo,
        "w",
        vec![(
            "a",
            telaio_engine::InputSource::Json(json!({"b": {"name": "x"}})),
        )],
    )
    .await;
    assert!(outcome.succeeded, "{outcome:#?}");
}

/// Actions without a name are neither overridden nor override: a step's unnamed action and
/// the workflow's unnamed one both apply (the schema asks for names; they still run).
#[tokio::test]
async fn unnamed_actions_are_not_merged_away() {
    let server = Server::start(|req, _| {
        if req.path.ends_with("/items") {
            Reply::json(500, json!({}))
        } else {
            Reply::json(200, json!({}))
        }
    })
    .await;
    let arazzo = doc(r#"
workflows:
  - workflowId: w
    failureActions:
      - {type: goto, stepId: fallback}
    steps:
      - stepId: first
        operationId: listItems
        onFailure:
          - {type: end, criteria: [{condition: $statusCode == 404}]}
      - stepId: skipped
        operationId: createItem
      - stepId: fallback
        operationId: getItem
        parameters: [{name: id, in: path, value: x}]
"#);
    let (outcome, _) = run_fast(&server, &arazzo, "w", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/v1/items", "/v1/items/x"]);
}

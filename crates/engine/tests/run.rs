//! The engine end to end against local servers on 127.0.0.1: the seed's polling shape,
//! parameters and bodies, every action path, sub-workflows, limits and transport failures.

mod support;

use std::time::Duration;

use serde_json::json;
use support::{Reply, Server, doc, fast, run, run_fast};
use telaio_engine::{DriverOptions, Event, InputSource, RunOptions};

/// The seed's shape: create, then poll with `goto` until a terminal status.
const POLL: &str = r#"
workflows:
  - workflowId: poll
    inputs: {type: object, properties: {token: {type: string}}}
    steps:
      - stepId: create
        operationId: createItem
        requestBody:
          contentType: application/json
          payload: {token: $inputs.token}
        successCriteria: [{condition: $statusCode == 201}]
        outputs: {id: $response.body#/id}
      - stepId: wait
        operationId: getJob
        parameters: [{name: id, in: path, value: $steps.create.outputs.id}]
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {status: $response.body#/Status, confidence: $response.body#/Confidence}
        onSuccess:
          - name: again
            type: goto
            stepId: wait
            criteria: [{context: $response.body, condition: "$.Status == 'IN_PROGRESS'", type: jsonpath}]
          - name: done
            type: end
            criteria: [{condition: "$response.body#/Status == 'SUCCEEDED'"}]
    outputs:
      id: $steps.create.outputs.id
      status: $steps.wait.outputs.status
      confidence: $steps.wait.outputs.confidence
"#;

fn poller(
    final_status: &'static str,
    polls: usize,
) -> impl Fn(&support::Seen, usize) -> Reply + Send + Sync {
    move |req, n| {
        if req.method == "POST" {
            return Reply::json(201, json!({"id": "job-7"}));
        }
        let status = if n < polls {
            "IN_PROGRESS"
        } else {
            final_status
        };
        Reply::json(200, json!({"Status": status, "Confidence": 97.5}))
    }
}

#[tokio::test]
async fn polls_until_a_terminal_status() {
    let server = Server::start(poller("SUCCEEDED", 5)).await;
    let (outcome, events) = run(
        &server,
        &doc(POLL),
        "poll",
        vec![("token", InputSource::Text("t-1".into()))],
        fast(),
        DriverOptions::default(),
    )
    .await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(
        outcome.outputs,
        json!({"id": "job-7", "status": "SUCCEEDED", "confidence": 97.5})
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 6, "1 create + 5 polls");
    assert_eq!(requests[0].json(), json!({"token": "t-1"}));
    assert_eq!(requests[0].headers["content-type"], "application/json");
    assert!(requests[1..].iter().all(|r| r.path == "/v1/jobs/job-7"));
    let wait = outcome.steps.iter().find(|s| s.step_id == "wait").unwrap();
    assert_eq!(
        (wait.attempts, wait.status, wait.status_code),
        (5, telaio_engine::StepStatus::Succeeded, Some(200))
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::ActionTaken { name, .. } if name == "again"))
    );
    assert!(matches!(
        events.last(),
        Some(Event::RunFinished {
            succeeded: true,
            ..
        })
    ));
}

#[tokio::test]
async fn an_unhandled_terminal_status_falls_through_and_ends_as_success() {
    // Like the seed: FAILED matches no onSuccess action; the last step falls through.
    let server = Server::start(poller("FAILED", 2)).await;
    let (outcome, _) = run(
        &server,
        &doc(POLL),
        "poll",
        vec![],
        fast(),
        DriverOptions::default(),
    )
    .await;
    assert!(outcome.succeeded);
    assert_eq!(outcome.outputs["status"], "FAILED");
}

#[tokio::test]
async fn polling_waits_the_poll_interval() {
    let server = Server::start(poller("SUCCEEDED", 3)).await;
    let options = RunOptions {
        poll_interval: Duration::from_millis(50),
        ..RunOptions::default()
    };
    let start = std::time::Instant::now();
    let (outcome, events) = run(
        &server,
        &doc(POLL),
        "poll",
        vec![],
        options,
        DriverOptions::default(),
    )
    .await;
    assert!(outcome.succeeded);
    let waits: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            Event::Waited { millis, .. } => Some(*millis),
            _ => None,
        })
        .collect();
    assert_eq!(waits, vec![50, 50]);
    assert!(start.elapsed() >= Duration::from_millis(100));
}

const RETRY: &str = r#"
workflows:
  - workflowId: retry
    steps:
      - stepId: flaky
        operationId: listItems
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
          - name: tryAgain
            type: retry
            retryAfter: 0
            retryLimit: 2
            criteria: [{condition: $statusCode == 503}]
          - name: giveUp
            type: end
"#;

#[tokio::test]
async fn retries_within_the_limit_then_succeeds() {
    let server = Server::start(|_, n| {
        if n < 2 {
            Reply::json(503, json!({})).with_header("retry-after", "0")
        } else {
            Reply::json(200, json!({}))
        }
    })
    .await;
    let (outcome, _) = run(
        &server,
        &doc(RETRY),
        "retry",
        vec![],
        fast(),
        DriverOptions::default(),
    )
    .await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(server.requests().len(), 3);
    assert_eq!(outcome.steps[0].attempts, 3);
}

#[tokio::test]
async fn an_exhausted_retry_gives_way_to_the_next_failure_action() {
    let server = Server::start(|_, _| Reply::json(503, json!({}))).await;
    let (outcome, events) = run(
        &server,
        &doc(RETRY),
        "retry",
        vec![],
        fast(),
        DriverOptions::default(),
    )
    .await;
    assert!(!outcome.succeeded);
    assert_eq!(server.requests().len(), 3, "1 attempt + 2 retries");
    let error = outcome.error.unwrap();
    assert_eq!(error.step_id.as_deref(), Some("flaky"));
    assert_eq!(error.reason, "success criterion 1 did not hold (HTTP 503)");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::ActionTaken { name, .. } if name == "giveUp"))
    );
}

/// A server that answers the first request 429 with `Retry-After: retry_after`, then 200.
async fn throttled_once(retry_after: &'static str) -> Server {
    Server::start(move |_, n| {
        if n == 0 {
            Reply::json(429, json!({})).with_header("retry-after", retry_after)
        } else {
            Reply::json(200, json!({}))
        }
    })
    .await
}

#[tokio::test]
async fn retry_after_from_the_response_overrules_the_action() {
    let server = throttled_once("0.2").await;
    let arazzo = doc(r#"
workflows:
  - workflowId: throttled
    steps:
      - stepId: call
        operationId: listItems
        onFailure: [{name: backOff, type: retry, retryAfter: 5}]
"#);
    let start = std::time::Instant::now();
    let (outcome, events) = run_fast(&server, &arazzo, "throttled", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Waited { millis: 200, .. })),
        "{events:#?}"
    );
    assert!(start.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn workflow_level_actions_apply_and_steps_override_them_by_name() {
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
  - workflowId: shared
    failureActions:
      - {name: recover, type: goto, stepId: fallback}
    successActions:
      - {name: finish, type: end}
    steps:
      - stepId: first
        operationId: listItems
      - stepId: skipped
        operationId: getJob
      - stepId: fallback
        operationId: getItem
        parameters: [{name: id, in: path, value: x}]
"#);
    let (outcome, _) = run_fast(&server, &arazzo, "shared", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        ["/v1/items", "/v1/items/x"],
        "the failure goes to fallback, whose success ends the workflow"
    );
}

#[tokio::test]
async fn reusable_components() {
    let server = Server::start(|_, n| {
        if n == 0 {
            Reply::json(500, json!({}))
        } else {
            Reply::json(200, json!({}))
        }
    })
    .await;
    let arazzo = doc(r#"
workflows:
  - workflowId: reuse
    steps:
      - stepId: call
        operationId: listItems
        parameters:
          - reference: $components.parameters.page
            value: 2
        onFailure:
          - reference: $components.failureActions.retryOnce
components:
  parameters:
    page: {name: page, in: query, value: 1}
  failureActions:
    retryOnce: {name: retryOnce, type: retry, retryAfter: 0}
"#);
    let (outcome, _) = run_fast(&server, &arazzo, "reuse", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    let r = server.requests();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].query, "page=2");
}

#[tokio::test]
async fn sub_workflows_and_depends_on() {
    let server = Server::start(|req, _| {
        if req.path.ends_with("/items") && req.method == "POST" {
            Reply::json(201, json!({"id": "new-1"}))
        } else {
            Reply::json(
                200,
                json!({"id": req.path.rsplit('/').next().unwrap_or_default()}),
            )
        }
    })
    .await;
    let arazzo = doc(r#"
workflows:
  - workflowId: setup
    steps:
      - {stepId: prepare, operationId: listItems}
    outputs: {ready: 'yes'}
  - workflowId: make
    inputs: {type: object, properties: {label: {type: string}}}
    steps:
      - stepId: create
        operationId: createItem
        requestBody: {payload: {label: $inputs.label}}
        outputs: {id: $response.body#/id}
    outputs: {id: $steps.create.outputs.id}
  - workflowId: main
    dependsOn: [setup]
    steps:
      - stepId: sub
        workflowId: make
        parameters: [{name: label, value: from-main}]
        outputs: {made: $outputs.id}
      - stepId: read
        operationId: getItem
        parameters: [{name: id, in: path, value: $steps.sub.outputs.made}]
        outputs: {id: $response.body#/id}
    outputs:
      id: $steps.read.outputs.id
      ready: $workflows.setup.outputs.ready
"#);
    let (outcome, _) = run_fast(&server, &arazzo, "main", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(outcome.outputs, json!({"id": "new-1", "ready": "yes"}));
    let r = server.requests();
    assert_eq!(
        r.iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect::<Vec<_>>(),
        ["GET /v1/items", "POST /v1/items", "GET /v1/items/new-1"]
    );
    assert_eq!(r[1].json(), json!({"label": "from-main"}));
}

#[tokio::test]
async fn limits_end_the_run_with_a_reason() {
    let server = Server::start(|_, _| Reply::json(200, json!({"Status": "IN_PROGRESS"}))).await;
    let forever = doc(r#"
workflows:
  - workflowId: forever
    steps:
      - stepId: spin
        operationId: getJob
        parameters: [{name: id, in: path, value: j1}]
        onSuccess: [{name: again, type: goto, stepId: spin}]
"#);
    let options = RunOptions {
        max_steps: 25,
        ..fast()
    };
    let (outcome, _) = run(
        &server,
        &forever,
        "forever",
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
            "the run reached the limit of 25 step executions",
            Some(telaio_engine::Limit::Steps)
        )
    );
    assert_eq!(server.requests().len(), 25);

    let slow =
        Server::start(|_, _| Reply::json(200, json!({})).after(Duration::from_secs(2))).await;
    let driver = DriverOptions {
        request_timeout: Duration::from_millis(100),
        ..DriverOptions::default()
    };
    let (outcome, events) = run(&slow, &forever, "forever", vec![], fast(), driver).await;
    assert!(!outcome.succeeded);
    assert!(events.iter().any(|e| matches!(e, Event::TransportFailed { reason, .. } if reason.starts_with("no response within 0.1 s"))), "{events:#?}");

    let driver = DriverOptions {
        deadline: Duration::from_millis(300),
        ..DriverOptions::default()
    };
    let options = RunOptions {
        poll_interval: Duration::from_millis(100),
        ..RunOptions::default()
    };
    let (outcome, _) = run(&server, &forever, "forever", vec![], options, driver).await;
    let error = outcome.error.unwrap();
    assert_eq!(
        (error.reason.as_str(), error.limit),
        (
            "the run reached its deadline of 0.3 s",
            Some(telaio_engine::Limit::Deadline)
        )
    );
}

#[tokio::test]
async fn a_refused_connection_fails_the_step_so_on_failure_can_act() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    // A port nobody listens on, on loopback.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let arazzo = "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n  - {name: api, url: ./api.yaml}\n  - {name: dead, url: ./dead.yaml}\nworkflows:\n  - workflowId: w\n    steps:\n      - stepId: call\n        operationId: $sourceDescriptions.dead.deadCall\n        onFailure: [{name: fallback, type: goto, stepId: other}]\n      - stepId: skipped\n        operationId: $sourceDescriptions.api.getJob\n      - stepId: other\n        operationId: $sourceDescriptions.api.listItems\n".to_string();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), support::API).unwrap();
    std::fs::write(dir.path().join("dead.yaml"), format!("openapi: 3.0.3\ninfo: {{title: d, version: '1'}}\nservers: [{{url: '{dead}'}}]\npaths:\n  /x:\n    get: {{operationId: deadCall, responses: {{'200': {{description: ok}}}}}}\n")).unwrap();
    let doc_path = dir.path().join("flow.arazzo.yaml");
    std::fs::write(&doc_path, arazzo).unwrap();
    let loader = telaio_model::Loader::new(telaio_model::LoadOptions::default());
    let bundle = loader
        .load_bundle(&telaio_model::Loader::url_for_path(&doc_path).unwrap())
        .unwrap();
    let servers = [("api".to_owned(), format!("{}/v1", server.url))]
        .into_iter()
        .collect();
    let plan = telaio_engine::Plan::compile(
        &bundle,
        &telaio_engine::PlanOptions {
            servers,
            ..telaio_engine::PlanOptions::default()
        },
    )
    .unwrap();
    let driver = telaio_engine::Driver::new(DriverOptions::default()).unwrap();
    let mut events = Vec::new();
    let outcome = driver
        .run(
            &plan,
            "w",
            json!({}),
            fast(),
            &mut |e: &telaio_engine::Record| events.push(e.event.clone()),
        )
        .await;
    assert!(outcome.succeeded, "{outcome:#?}");
    let failure = events
        .iter()
        .find_map(|e| match e {
            Event::TransportFailed { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .unwrap();
    assert!(failure.to_lowercase().contains("connect"), "{failure}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn steps_without_criteria_succeed_on_2xx_only() {
    let server = Server::start(|_, _| Reply::json(404, json!({"message": "nope"}))).await;
    let arazzo = doc(
        "workflows:\n  - workflowId: w\n    steps:\n      - {stepId: get, operationId: getJob, parameters: [{name: id, in: path, value: j1}]}\n",
    );
    let (outcome, _) = run_fast(&server, &arazzo, "w", vec![]).await;
    assert!(!outcome.succeeded);
    assert_eq!(outcome.error.unwrap().reason, "HTTP 404");
}

#[tokio::test]
async fn retry_after_as_a_date_in_the_past_means_no_wait() {
    let server = throttled_once("Wed, 21 Oct 2015 07:28:00 GMT").await;
    let arazzo = doc(r#"
workflows:
  - workflowId: w
    steps:
      - stepId: call
        operationId: listItems
        onFailure: [{name: again, type: retry, retryAfter: 30}]
"#);
    let (outcome, events) = run_fast(&server, &arazzo, "w", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(server.requests().len(), 2);
    // The server's date overrules the document's 30 s; a past date asks for no wait.
    assert!(!events.iter().any(|e| matches!(e, Event::Waited { .. })));
}

//! Step timeouts end to end against a local server: a step's `timeout` bounds its request,
//! and on a step that calls a workflow, the whole called workflow.

mod support;

use std::time::Duration;

use serde_json::json;
use support::{Reply, Server, doc, run, run_fast};
use telaio_engine::{DriverOptions, Event, RunOptions};

#[tokio::test]
async fn a_step_timeout_bounds_its_request() {
    let server =
        Server::start(|_, _| Reply::json(200, json!({})).after(Duration::from_secs(3))).await;
    let arazzo = doc(r#"
workflows:
  - workflowId: w
    steps:
      - {stepId: slow, operationId: listItems, timeout: 150}
"#);
    let started = std::time::Instant::now();
    let (outcome, _) = run_fast(&server, &arazzo, "w", vec![]).await;
    assert!(!outcome.succeeded);
    assert_eq!(
        outcome.error.unwrap().reason,
        "no response within 0.15 s (the step's timeout)"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A step that calls a workflow bounds the whole called workflow: here one that polls a job
/// which never finishes, with a poll interval, and a second one stuck in a slow request.
#[tokio::test]
async fn a_step_timeout_bounds_the_workflow_it_calls() {
    let server = Server::start(|req, _| {
        if req.path == "/v1/items/slow" {
            Reply::json(200, json!({})).after(Duration::from_secs(3))
        } else {
            Reply::json(200, json!({"status": "RUNNING"}))
        }
    })
    .await;
    let arazzo = doc(r#"
workflows:
  - workflowId: main
    steps:
      - stepId: wait
        workflowId: poll
        timeout: 300
        onFailure: [{name: next, type: goto, stepId: stuck}]
      - stepId: skipped
        operationId: createItem
      - stepId: stuck
        workflowId: slow
        timeout: 200
        onFailure: [{name: give-up, type: end}]
  - workflowId: poll
    steps:
      - stepId: check
        operationId: getJob
        parameters: [{name: id, in: path, value: j1}]
        onSuccess:
          - {name: again, type: goto, stepId: check, criteria: [{condition: "$response.body#/status == 'RUNNING'"}]}
  - workflowId: slow
    steps:
      - {stepId: call, operationId: getItem, parameters: [{name: id, in: path, value: slow}]}
"#);
    let options = RunOptions {
        poll_interval: Duration::from_millis(40),
        ..RunOptions::default()
    };
    let started = std::time::Instant::now();
    let (outcome, events) = run(
        &server,
        &arazzo,
        "main",
        vec![],
        options,
        DriverOptions::default(),
    )
    .await;
    let took = started.elapsed();
    assert!(!outcome.succeeded, "{outcome:#?}");
    let failures: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::StepFinished {
                step_id,
                reason: Some(reason),
                ..
            } if step_id != "call" => Some(format!("{step_id}: {reason}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        failures,
        [
            "wait: workflow `poll` did not end within the step's timeout of 300 ms",
            "stuck: workflow `slow` did not end within the step's timeout of 200 ms",
        ]
    );
    // The polls stopped at the deadline: about 300 ms / 40 ms of them, not more.
    let polls = server
        .requests()
        .iter()
        .filter(|r| r.path == "/v1/jobs/j1")
        .count();
    assert!((5..=9).contains(&polls), "{polls} polls");
    assert!(
        !server
            .requests()
            .iter()
            .any(|r| r.method == "POST" && r.path == "/v1/items"),
        "the step after the timed-out one did not run"
    );
    assert!(took < Duration::from_secs(2), "{took:?}");
}

/// A `Retry-After` longer than a retry may wait, or than the run has left, fails the step at
/// once with that reason, instead of holding the run until its deadline.
#[tokio::test]
async fn a_retry_after_the_run_cannot_afford_fails_at_once() {
    let server = Server::start(|_, _| {
        Reply::json(503, json!({"message": "busy"})).with_header("retry-after", "3600")
    })
    .await;
    let arazzo = doc(r#"
workflows:
  - workflowId: w
    steps:
      - stepId: busy
        operationId: listItems
        onFailure: [{name: again, type: retry, retryLimit: 3}]
"#);
    let started = std::time::Instant::now();
    let (outcome, events) = run_fast(&server, &arazzo, "w", vec![]).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    let error = outcome.error.unwrap();
    assert!(
        error.reason.ends_with(
            "; the server asks to wait 3600 s (Retry-After), longer than the 300 s a retry may wait"
        ),
        "{error:?}"
    );
    assert_eq!(error.limit, Some(telaio_engine::Limit::RetryWait));
    assert_eq!(server.requests().len(), 1);
    assert!(!events.iter().any(|e| matches!(e, Event::Waited { .. })));

    // Within the cap but past the run's deadline: the same, naming the time left.
    let server = Server::start(|_, _| {
        Reply::json(503, json!({"message": "busy"})).with_header("retry-after", "5")
    })
    .await;
    let started = std::time::Instant::now();
    let (outcome, _) = run(
        &server,
        &arazzo,
        "w",
        vec![],
        RunOptions::default(),
        DriverOptions {
            deadline: Duration::from_secs(2),
            ..DriverOptions::default()
        },
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(1));
    let reason = outcome.error.unwrap().reason;
    // What is left of the 2 s: the first exchange took well under a second (on a fast
    // machine so little that it rounds to 2).
    let left: f64 = reason
        .strip_suffix(" s left")
        .and_then(|r| r.rsplit_once("the run has "))
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or_else(|| panic!("{reason}"));
    assert!(
        reason.contains("the server asks to wait 5 s (Retry-After), and the run has ")
            && (1.0..=2.0).contains(&left),
        "{reason}"
    );
}

/// A retry the run cannot afford gives way to the next failure action that matches.
#[tokio::test]
async fn an_unaffordable_retry_gives_way_to_the_next_action() {
    let server = Server::start(|req, _| {
        if req.path.ends_with("/items") {
            Reply::json(503, json!({})).with_header("retry-after", "3600")
        } else {
            Reply::json(200, json!({"ok": true}))
        }
    })
    .await;
    let arazzo = doc(r#"
workflows:
  - workflowId: w
    steps:
      - stepId: busy
        operationId: listItems
        onFailure:
          - {name: again, type: retry, retryLimit: 3}
          - {name: fallback, type: goto, stepId: other}
      - stepId: skipped
        operationId: createItem
      - stepId: other
        operationId: getItem
        parameters: [{name: id, in: path, value: x}]
"#);
    let started = std::time::Instant::now();
    let (outcome, _) = run_fast(&server, &arazzo, "w", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/v1/items", "/v1/items/x"]);
}

/// A wait cut short by the run's deadline is recorded as the time really waited.
#[tokio::test]
async fn a_wait_cut_short_records_what_was_waited() {
    let server = Server::start(|_, _| Reply::json(200, json!({"status": "RUNNING"}))).await;
    let arazzo = doc(r#"
workflows:
  - workflowId: w
    steps:
      - stepId: poll
        operationId: listItems
        onSuccess: [{name: again, type: goto, stepId: poll}]
"#);
    let (outcome, events) = run(
        &server,
        &arazzo,
        "w",
        vec![],
        RunOptions {
            poll_interval: Duration::from_secs(30),
            ..RunOptions::default()
        },
        DriverOptions {
            deadline: Duration::from_millis(600),
            ..DriverOptions::default()
        },
    )
    .await;
    assert!(!outcome.succeeded);
    let waited: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            Event::Waited { millis, .. } => Some(*millis),
            _ => None,
        })
        .collect();
    assert_eq!(waited.len(), 1, "{waited:?}");
    assert!(waited[0] <= 600, "{waited:?}");
}

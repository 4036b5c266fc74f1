//! The run core through every action path, driven by a script: no socket, no clock. Each
//! test reads what the machine asked for (requests, waits) and what it decided (actions,
//! outcome).

mod support;

use std::time::Duration;

use serde_json::json;
use support::{Answer, fast, plan, run};
use telaio_run::{Event, RunOptions, WaitReason};

const POLL: &str = r#"
workflows:
  - workflowId: poll
    steps:
      - stepId: create
        operationId: createJob
        successCriteria: [{condition: $statusCode == 201}]
        outputs: {id: $response.body#/id}
      - stepId: check
        operationId: getJob
        parameters: [{name: id, in: query, value: $steps.create.outputs.id}]
        successCriteria: [{condition: $statusCode == 200}]
        onSuccess:
          - {name: again, type: goto, stepId: check, criteria: [{condition: $response.body#/done == false}]}
          - {name: stop, type: end, criteria: [{condition: $response.body#/state == 'cancelled'}]}
        onFailure:
          - {name: later, type: retry, retryAfter: 2, retryLimit: 3, criteria: [{condition: $statusCode == 503}]}
          - {name: give-up, type: end}
        outputs: {state: $response.body#/state}
      - stepId: report
        operationId: getJob
    outputs: {state: $steps.check.outputs.state}
"#;

fn jobs(
    states: &'static [(u16, &'static str, bool)],
) -> impl FnMut(&telaio_run::Request, usize) -> Answer {
    move |r, n| {
        if r.method == "POST" {
            return Answer::Json(201, json!({"id": "j-1"}));
        }
        let (status, state, done) = states.get(n - 1).copied().unwrap_or((200, "done", true));
        Answer::Json(status, json!({"state": state, "done": done}))
    }
}

#[test]
fn goto_a_step_polls_until_its_criteria_stop_holding() {
    let plan = plan("1.0.1", POLL);
    let options = RunOptions {
        poll_interval: Duration::from_millis(300),
        ..RunOptions::default()
    };
    let ran = run(
        &plan,
        "poll",
        json!({}),
        options,
        jobs(&[(200, "running", false), (200, "running", false)]),
    );
    assert!(ran.outcome.succeeded, "{:?}", ran.outcome);
    assert_eq!(
        ran.calls(),
        [
            "POST /jobs",
            "GET /jobs",
            "GET /jobs",
            "GET /jobs",
            "GET /jobs"
        ]
    );
    assert_eq!(ran.requests[1].url, "http://jobs.test/v1/jobs?id=j-1");
    assert_eq!(ran.actions(), ["check: goto check", "check: goto check"]);
    // The poll interval before each going back, and nothing else.
    assert_eq!(ran.waits, [Duration::from_millis(300); 2]);
    assert!(ran.events().iter().any(|e| matches!(
        e,
        Event::Waited {
            reason: WaitReason::PollInterval,
            millis: 300,
            ..
        }
    )));
    assert_eq!(ran.outcome.outputs, json!({"state": "done"}));
    assert_eq!(ran.outcome.steps[1].attempts, 3);
}

#[test]
fn end_after_success_ends_the_workflow_successfully() {
    let plan = plan("1.0.1", POLL);
    let ran = run(
        &plan,
        "poll",
        json!({}),
        fast(),
        jobs(&[(200, "cancelled", true)]),
    );
    assert!(ran.outcome.succeeded);
    assert_eq!(ran.actions(), ["check: end"]);
    // `report` never ran.
    assert_eq!(ran.calls(), ["POST /jobs", "GET /jobs"]);
}

#[test]
fn retry_waits_retry_after_and_stops_at_its_limit_then_the_next_action_applies() {
    let plan = plan("1.0.1", POLL);
    let ran = run(
        &plan,
        "poll",
        json!({}),
        fast(),
        jobs(&[(503, "", false); 4]),
    );
    assert!(!ran.outcome.succeeded);
    assert_eq!(
        ran.actions(),
        [
            "check: retry 1/3",
            "check: retry 2/3",
            "check: retry 3/3",
            "check: end"
        ]
    );
    assert_eq!(ran.waits, [Duration::from_secs(2); 3]);
    let error = ran.outcome.error.unwrap();
    assert_eq!(error.step_id.as_deref(), Some("check"));
    assert_eq!(error.reason, "success criterion 1 did not hold (HTTP 503)");
}

#[test]
fn the_server_s_retry_after_overrules_the_document_s() {
    let plan = plan("1.0.1", POLL);
    let ran = run(&plan, "poll", json!({}), fast(), |r, n| {
        match (r.method.as_str(), n) {
            ("POST", _) => Answer::Json(201, json!({"id": "j"})),
            (_, 1) => Answer::RetryAfter(503, Duration::from_secs(7)),
            _ => Answer::Json(200, json!({"done": true, "state": "ok"})),
        }
    });
    assert!(ran.outcome.succeeded);
    assert_eq!(ran.waits, [Duration::from_secs(7)]);
}

#[test]
fn a_retry_after_longer_than_the_run_allows_fails_the_step_at_once() {
    let plan = plan("1.0.1", POLL);
    let options = RunOptions {
        max_retry_wait: Duration::from_secs(5),
        ..fast()
    };
    let ran = run(&plan, "poll", json!({}), options, |r, _| {
        match r.method.as_str() {
            "POST" => Answer::Json(201, json!({"id": "j"})),
            _ => Answer::RetryAfter(503, Duration::from_secs(60)),
        }
    });
    assert!(!ran.outcome.succeeded);
    assert!(ran.waits.is_empty(), "{:?}", ran.waits);
    // The retry gave way to the next failure action, which ended the workflow.
    assert_eq!(ran.actions(), ["check: end"]);
    let reason = ran.outcome.error.unwrap().reason;
    assert!(
        reason.contains(
            "the server asks to wait 60 s (Retry-After), longer than the 5 s a retry may wait"
        ),
        "{reason}"
    );
}

const FLOW: &str = r#"
workflows:
  - workflowId: main
    dependsOn: [setup]
    inputs: {type: object, properties: {n: {type: integer, default: 2}}}
    steps:
      - stepId: make
        operationId: createJob
        onFailure:
          - {name: relogin, type: retry, stepId: login, criteria: [{condition: $statusCode == 401}]}
          - {name: elsewhere, type: goto, workflowId: fallback, criteria: [{condition: $statusCode == 409}]}
      - stepId: sub
        workflowId: child
        parameters: [{name: n, value: $inputs.n}]
        outputs: {twice: $outputs.twice}
      - stepId: login
        operationId: login
        onSuccess: [{name: done, type: end}]
    outputs: {child: $steps.sub.outputs.twice, setup: $workflows.setup.outputs.ok}
  - workflowId: setup
    steps:
      - {stepId: warm, operationId: getJob}
    outputs: {ok: $steps.warm.outputs.ok}
  - workflowId: child
    inputs: {type: object, required: [n], properties: {n: {type: integer}}}
    steps:
      - stepId: one
        operationId: getJob
        outputs: {twice: $inputs.n}
    outputs: {twice: $steps.one.outputs.twice}
  - workflowId: fallback
    steps:
      - {stepId: other, operationId: getJob}
    outputs: {fell: true}
"#;

#[test]
fn depends_on_runs_first_then_a_sub_workflow_gets_its_inputs_and_gives_its_outputs() {
    let plan = plan("1.0.1", FLOW);
    let ran = run(&plan, "main", json!({"n": 5}), fast(), |_, _| {
        Answer::Json(200, json!({}))
    });
    assert!(ran.outcome.succeeded, "{:?}", ran.outcome);
    assert_eq!(
        ran.calls(),
        ["GET /jobs", "POST /jobs", "GET /jobs", "POST /login"]
    );
    assert_eq!(ran.outcome.outputs["child"], json!(5));
    let started: Vec<_> = ran
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::WorkflowStarted { workflow_id, depth } => Some(format!("{workflow_id}@{depth}")),
            _ => None,
        })
        .collect();
    assert_eq!(started, ["main@0", "setup@1", "child@1"]);
}

#[test]
fn retry_with_a_step_runs_that_step_first_then_retries() {
    let plan = plan("1.0.1", FLOW);
    let ran = run(&plan, "main", json!({"n": 2}), fast(), |r, n| {
        match (r.method.as_str(), n) {
            ("POST", 1) if r.url.ends_with("/jobs") => Answer::Json(401, json!({})),
            _ => Answer::Json(200, json!({})),
        }
    });
    assert!(ran.outcome.succeeded, "{:?}", ran.outcome);
    assert_eq!(
        ran.calls(),
        [
            "GET /jobs",
            "POST /jobs",
            "POST /login",
            "POST /jobs",
            "GET /jobs",
            "POST /login"
        ]
    );
    // The step the retry ran first did not follow its own actions (its `end`).
    assert_eq!(ran.actions(), ["make: retry 1/1", "login: end"]);
}

#[test]
fn goto_a_workflow_hands_the_run_over_to_it() {
    let plan = plan("1.0.1", FLOW);
    let ran = run(&plan, "main", json!({"n": 2}), fast(), |r, n| {
        match (r.method.as_str(), n) {
            ("POST", 1) => Answer::Json(409, json!({})),
            _ => Answer::Json(200, json!({})),
        }
    });
    assert!(ran.outcome.succeeded, "{:?}", ran.outcome);
    assert_eq!(ran.actions(), ["make: goto workflow fallback"]);
    assert_eq!(ran.calls(), ["GET /jobs", "POST /jobs", "GET /jobs"]);
    assert_eq!(ran.outcome.outputs, json!({"fell": true}));
}

#[test]
fn a_failure_with_no_matching_action_fails_the_workflow_and_says_why() {
    let plan = plan("1.0.1", FLOW);
    let ran = run(&plan, "main", json!({"n": 2}), fast(), |_, n| {
        Answer::Json(if n == 1 { 500 } else { 200 }, json!({}))
    });
    assert!(!ran.outcome.succeeded);
    assert!(ran.actions().is_empty());
    let error = ran.outcome.error.unwrap();
    assert_eq!(
        (error.step_id.as_deref(), error.reason.as_str()),
        (Some("make"), "HTTP 500")
    );
}

#[test]
fn a_transport_failure_is_a_failed_step() {
    let plan = plan("1.0.1", FLOW);
    let ran = run(&plan, "main", json!({"n": 2}), fast(), |_, n| {
        if n == 1 {
            Answer::Failed("connection refused", Duration::from_millis(3))
        } else {
            Answer::Json(200, json!({}))
        }
    });
    assert!(!ran.outcome.succeeded);
    assert_eq!(ran.outcome.error.unwrap().reason, "connection refused");
}

const WORKFLOW_ACTIONS: &str = r#"
workflows:
  - workflowId: w
    successActions:
      - {name: finish-early, type: end, criteria: [{condition: $response.body#/last == true}]}
    failureActions:
      - {name: again, type: retry, retryAfter: 1}
    steps:
      - {stepId: a, operationId: getJob}
      - stepId: b
        operationId: getJob
        onFailure: [{name: own, type: end}]
      - {stepId: c, operationId: getJob}
"#;

#[test]
fn workflow_level_actions_apply_where_a_step_has_none_of_its_own() {
    let plan = plan("1.0.1", WORKFLOW_ACTIONS);
    // `a` fails once and is retried by the workflow's action (its default limit is 1).
    let ran = run(&plan, "w", json!({}), fast(), |_, n| match n {
        0 => Answer::Json(500, json!({})),
        _ => Answer::Json(200, json!({"last": false})),
    });
    assert!(ran.outcome.succeeded, "{:?}", ran.outcome);
    assert_eq!(ran.actions(), ["a: retry 1/1"]);
    assert_eq!(ran.waits, [Duration::from_secs(1)]);
    assert_eq!(ran.calls().len(), 4);
    // A step's own failure action comes before the workflow's.
    let ran = run(&plan, "w", json!({}), fast(), |_, n| match n {
        1 => Answer::Json(500, json!({})),
        _ => Answer::Json(200, json!({"last": false})),
    });
    assert!(!ran.outcome.succeeded);
    assert_eq!(ran.actions(), ["b: end"]);
    // The workflow's success action ends it at the first step whose response matches.
    let ran = run(&plan, "w", json!({}), fast(), |_, _| {
        Answer::Json(200, json!({"last": true}))
    });
    assert!(ran.outcome.succeeded);
    assert_eq!(ran.actions(), ["a: end"]);
    assert_eq!(ran.calls().len(), 1);
}

#[test]
fn the_step_limit_ends_a_loop_that_never_stops() {
    let plan = plan("1.0.1", POLL);
    let options = RunOptions {
        max_steps: 50,
        ..fast()
    };
    let ran = run(&plan, "poll", json!({}), options, |r, _| {
        match r.method.as_str() {
            "POST" => Answer::Json(201, json!({"id": "j"})),
            _ => Answer::Json(200, json!({"done": false})),
        }
    });
    assert!(!ran.outcome.succeeded);
    assert_eq!(ran.requests.len(), 50);
    let reason = ran.outcome.error.unwrap().reason;
    assert!(
        reason.starts_with("the run reached the limit of 50 step executions"),
        "{reason}"
    );
}

#[test]
fn the_depth_limit_ends_a_recursion() {
    let plan = plan(
        "1.0.1",
        "workflows:\n  - workflowId: r\n    steps:\n      - {stepId: self, workflowId: r}\n",
    );
    let options = RunOptions {
        max_depth: 6,
        ..fast()
    };
    let ran = run(&plan, "r", json!({}), options, |_, _| {
        Answer::Json(200, json!({}))
    });
    assert!(!ran.outcome.succeeded);
    assert!(ran.requests.is_empty());
    let depth = ran
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::WorkflowStarted { depth, .. } => Some(*depth),
            _ => None,
        })
        .max();
    assert_eq!(depth, Some(6));
}

#[test]
fn the_run_s_deadline_counts_the_time_the_driver_reports() {
    let plan = plan("1.0.1", POLL);
    let options = RunOptions {
        deadline: Some(Duration::from_secs(10)),
        ..fast()
    };
    let ran = run(&plan, "poll", json!({}), options, |r, _| {
        match r.method.as_str() {
            "POST" => Answer::Json(201, json!({"id": "j"})),
            _ => Answer::Slow(200, json!({"done": false}), Duration::from_secs(3)),
        }
    });
    assert!(!ran.outcome.succeeded);
    // 3 s per poll: the fourth takes the run past 10 s, and it stops there.
    assert_eq!(ran.requests.len(), 5);
    assert_eq!(ran.records.last().unwrap().at_us, 12_001_000);
}

#[test]
fn a_step_timeout_bounds_the_workflow_it_calls() {
    let plan = plan(
        "1.1.0",
        r#"
workflows:
  - workflowId: outer
    steps:
      - {stepId: call, workflowId: slow, timeout: 5000}
  - workflowId: slow
    steps:
      - stepId: poll
        operationId: getJob
        onSuccess: [{name: again, type: goto, stepId: poll, criteria: [{condition: $response.body#/done == false}]}]
"#,
    );
    let ran = run(&plan, "outer", json!({}), fast(), |_, _| {
        Answer::Slow(200, json!({"done": false}), Duration::from_secs(2))
    });
    assert!(!ran.outcome.succeeded);
    assert_eq!(ran.requests.len(), 3);
    let reason = ran.outcome.error.unwrap().reason;
    assert_eq!(
        reason,
        "workflow `slow` did not end within the step's timeout of 5000 ms"
    );
}

//! The machine driven by hand: commands checked one by one, with no network and no clock.

use std::time::Duration;

use serde_json::{Value, json};
use telaio_expr::Body;
use telaio_model::{LoadOptions, Loader};

use super::{Command, Input, Machine, RunOptions};
use crate::http::Response;
use telaio_plan::{Plan, PlanOptions};

const API: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers: [{url: 'http://127.0.0.1:9/v1'}]\npaths:\n  /jobs:\n    get:\n      operationId: getJob\n      responses: {'200': {description: ok}}\n";

fn plan(workflows: &str) -> Plan {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), API).unwrap();
    let doc = dir.path().join("flow.arazzo.yaml");
    let text = format!(
        "arazzo: 1.0.1\ninfo: {{title: t, version: '1'}}\nsourceDescriptions:\n  - {{name: api, url: ./api.yaml, type: openapi}}\n{workflows}"
    );
    std::fs::write(&doc, text).unwrap();
    let bundle = Loader::new(LoadOptions::default())
        .load_bundle(&Loader::url_for_path(&doc).unwrap())
        .unwrap();
    Plan::compile(&bundle, &PlanOptions::default()).unwrap()
}

fn answer(status: u16, body: Value, retry_after: Option<Duration>) -> Input {
    Input::Response {
        response: Response {
            status,
            headers: Vec::new(),
            body: Some(Body::json(body)),
            body_bytes: 0,
            retry_after,
        },
        elapsed_us: 0,
    }
}

const POLL: &str = r#"
workflows:
  - workflowId: poll
    steps:
      - stepId: check
        operationId: getJob
        onSuccess:
          - {name: again, type: goto, stepId: check, criteria: [{condition: $response.body#/done == false}]}
        onFailure: [{name: wait, type: retry, retryAfter: 5, retryLimit: 1}]
"#;

#[test]
fn polling_asks_for_the_poll_interval_between_attempts() {
    let plan = plan(POLL);
    let options = RunOptions {
        poll_interval: Duration::from_millis(250),
        ..RunOptions::default()
    };
    let mut m = Machine::new(&plan, options);
    assert!(matches!(m.start("poll", json!({})), Command::Send(_)));
    let wait = m.resume(answer(200, json!({"done": false}), None));
    assert_eq!(wait, Command::Wait(Duration::from_millis(250)));
    assert!(matches!(m.resume(Input::Waited), Command::Send(_)));
    let Command::Finished(outcome) = m.resume(answer(200, json!({"done": true}), None)) else {
        panic!("the poll should end");
    };
    assert!(outcome.succeeded);
    assert_eq!(outcome.steps[0].attempts, 2);
}

#[test]
fn the_servers_retry_after_overrules_the_documents() {
    let plan = plan(POLL);
    let mut m = Machine::new(&plan, RunOptions::default());
    m.start("poll", json!({}));
    assert_eq!(
        m.resume(answer(503, json!({}), Some(Duration::from_secs(2)))),
        Command::Wait(Duration::from_secs(2))
    );
    assert!(matches!(m.resume(Input::Waited), Command::Send(_)));
    // Without a header, the document's `retryAfter`; but the one retry is spent.
    let Command::Finished(outcome) = m.resume(answer(503, json!({}), None)) else {
        panic!("the retry budget is one");
    };
    assert!(!outcome.succeeded);
    assert_eq!(outcome.error.unwrap().reason, "HTTP 503");
}

#[test]
fn an_answer_the_machine_did_not_ask_for_ends_the_run_cleanly() {
    let plan = plan(POLL);
    let mut m = Machine::new(&plan, RunOptions::default());
    m.start("poll", json!({}));
    let Command::Finished(outcome) = m.resume(Input::Waited) else {
        panic!("a wrong answer must end the run");
    };
    assert!(!outcome.succeeded);
    assert!(outcome.error.unwrap().reason.starts_with("internal: "));
}

#[test]
fn stop_ends_the_run_at_the_current_step() {
    let plan = plan(POLL);
    let mut m = Machine::new(&plan, RunOptions::default());
    m.start("poll", json!({}));
    let Command::Finished(outcome) = m.stop("the run reached its deadline".into(), None) else {
        panic!("stop ends the run");
    };
    let error = outcome.error.unwrap();
    assert_eq!(error.step_id.as_deref(), Some("check"));
    assert_eq!(error.reason, "the run reached its deadline");
}

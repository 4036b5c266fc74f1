//! A scripted driver: the run core driven with no socket and no clock. A script answers
//! each request (by its method and path, and how many came before); every wait is over at
//! once; events and journal entries are kept for the test to read.

#![allow(dead_code)]

use std::time::Duration;

use serde_json::Value;
use telaio_expr::Body;
use telaio_model::{LoadOptions, Loader};
use telaio_plan::{Plan, PlanOptions};
use telaio_run::{
    Command, Entry, Event, Input, Observer, Outcome, Record, Redactor, Request, Response,
    RunOptions, Session, Stop,
};

/// The API every scripted document calls.
pub const API: &str = r#"openapi: 3.0.3
info: {title: jobs, version: '1'}
servers: [{url: 'http://jobs.test/v1'}]
paths:
  /jobs:
    get:
      operationId: getJob
      parameters: [{name: id, in: query, schema: {type: string}}]
      responses: {'200': {description: ok}}
    post:
      operationId: createJob
      responses: {'201': {description: created}}
  /login:
    post:
      operationId: login
      responses: {'200': {description: ok}}
"#;

/// Plans a document made of `workflows` (YAML from `workflows:` on) over [`API`].
pub fn plan(version: &str, workflows: &str) -> Plan {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), API).unwrap();
    let doc = dir.path().join("flow.arazzo.yaml");
    let text = format!(
        "arazzo: {version}\ninfo: {{title: t, version: '1'}}\nsourceDescriptions:\n  - {{name: api, url: ./api.yaml, type: openapi}}\n{workflows}"
    );
    std::fs::write(&doc, text).unwrap();
    let bundle = Loader::new(LoadOptions::default())
        .load_bundle(&Loader::url_for_path(&doc).unwrap())
        .unwrap();
    Plan::compile(&bundle, &PlanOptions::default()).unwrap_or_else(|e| panic!("{e:#?}"))
}

/// What the script answers.
pub enum Answer {
    /// A JSON response.
    Json(u16, Value),
    /// A response asking to wait (`Retry-After`).
    RetryAfter(u16, Duration),
    /// No response: the connection failed, after this long.
    Failed(&'static str, Duration),
    /// A response that took this long to come.
    Slow(u16, Value, Duration),
}

impl Answer {
    fn input(self) -> Input {
        let response = |status, body: Option<Value>, retry_after| Response {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: body.map(Body::json),
            body_bytes: 2,
            retry_after,
        };
        match self {
            Answer::Json(status, body) => Input::Response {
                response: response(status, Some(body), None),
                elapsed_us: 1_000,
            },
            Answer::RetryAfter(status, wait) => Input::Response {
                response: response(status, None, Some(wait)),
                elapsed_us: 1_000,
            },
            Answer::Failed(reason, took) => Input::TransportFailed {
                reason: reason.to_owned(),
                elapsed_us: took.as_micros() as u64,
                limit: None,
            },
            Answer::Slow(status, body, took) => Input::Response {
                response: response(status, Some(body), None),
                elapsed_us: took.as_micros() as u64,
            },
        }
    }
}

/// What a scripted run left: its outcome, its events, its journal and the requests sent.
pub struct Ran {
    pub outcome: Outcome,
    pub records: Vec<Record>,
    pub entries: Vec<Entry>,
    pub requests: Vec<Request>,
    /// The waits asked for, in order.
    pub waits: Vec<Duration>,
}

impl Ran {
    pub fn events(&self) -> Vec<&Event> {
        self.records.iter().map(|r| &r.event).collect()
    }

    /// `METHOD /path` of each request sent.
    pub fn calls(&self) -> Vec<String> {
        self.requests
            .iter()
            .map(|r| {
                let path = r.url.trim_start_matches("http://jobs.test/v1");
                let path = path.split('?').next().unwrap_or(path);
                format!("{} {path}", r.method)
            })
            .collect()
    }

    /// The actions taken, as `step: kind`.
    pub fn actions(&self) -> Vec<String> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Event::ActionTaken {
                    step_id, action, ..
                } => Some(format!("{step_id}: {action}")),
                _ => None,
            })
            .collect()
    }
}

/// Keeps every event and entry.
#[derive(Default)]
pub struct Keep {
    pub records: Vec<Record>,
    pub entries: Vec<Entry>,
}

impl Observer for Keep {
    fn event(&mut self, record: &Record) {
        self.records.push(record.clone());
    }
    fn journaling(&self) -> bool {
        true
    }
    fn entry(&mut self, entry: &Entry) -> Result<(), String> {
        self.entries.push(entry.clone());
        Ok(())
    }
}

/// Runs `workflow` with `script` answering the `n`th request (0-based); a run that asks
/// for more than `max_commands` commands is a failure of the test.
pub fn run(
    plan: &Plan,
    workflow: &str,
    inputs: Value,
    options: RunOptions,
    mut script: impl FnMut(&Request, usize) -> Answer,
) -> Ran {
    run_stopping(plan, workflow, inputs, options, &mut script, |_| None)
}

/// [`run`], with `stop` asked before each command whether the run is stopped from outside.
pub fn run_stopping(
    plan: &Plan,
    workflow: &str,
    inputs: Value,
    options: RunOptions,
    script: &mut dyn FnMut(&Request, usize) -> Answer,
    mut stop: impl FnMut(usize) -> Option<Stop>,
) -> Ran {
    let mut keep = Keep::default();
    let mut requests = Vec::new();
    let mut waits = Vec::new();
    let outcome = {
        let mut session = Session::new(plan, options, Redactor::new(), &mut keep);
        let mut command = session.start(workflow, inputs);
        let mut n = 0;
        loop {
            assert!(n < 100_000, "the run does not end");
            if !matches!(command, Command::Finished(_))
                && let Some(s) = stop(n)
            {
                command = session.stop(s);
            }
            command = match command {
                Command::Finished(outcome) => break outcome,
                Command::Wait(d) => {
                    waits.push(d);
                    session.resume(Input::Waited)
                }
                Command::Send(request) => {
                    let answer = script(&request, requests.len());
                    requests.push(request);
                    session.resume(answer.input())
                }
            };
            n += 1;
        }
    };
    Ran {
        outcome,
        records: keep.records,
        entries: keep.entries,
        requests,
        waits,
    }
}

/// Options for tests: no poll interval, the default limits.
pub fn fast() -> RunOptions {
    RunOptions {
        poll_interval: Duration::ZERO,
        ..RunOptions::default()
    }
}

//! Per-step engine overhead, without the network: the seed workflow (create, then poll with
//! `goto` until SUCCEEDED) driven through the sans-IO machine with responses made in memory.
//! Everything a real run does per step is here (building the request, evaluating criteria,
//! outputs and actions, recording events) except the HTTP exchange itself.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use telaio_engine::{
    Command, Entry, Input, Machine, Observer, Plan, PlanOptions, Record, Redactor, Response,
    RunOptions,
};
use telaio_expr::Body;
use telaio_model::{LoadOptions, Loader};
use telaio_run::Session;

const POLLS: usize = 100;

fn plan() -> Plan {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml",
    );
    let loader = Loader::new(LoadOptions::default());
    let bundle = loader
        .load_bundle(&Loader::url_for_path(&seed).unwrap())
        .unwrap();
    let servers = [("rekognitionApi".to_owned(), "http://127.0.0.1:1".to_owned())]
        .into_iter()
        .collect();
    Plan::compile(
        &bundle,
        &PlanOptions {
            servers,
            ..PlanOptions::default()
        },
    )
    .unwrap()
}

fn response(status: &str) -> Response {
    Response {
        status: 200,
        headers: vec![("content-type".into(), "application/x-amz-json-1.1".into())],
        body: Some(Body::json(
            json!({"SessionId": "0f0b5a5e", "Status": status, "Confidence": 99.1}),
        )),
        body_bytes: 80,
        retry_after: None,
    }
}

/// Drives a run to its end from its first command, answering POLLS polls IN_PROGRESS and
/// the next SUCCEEDED; returns the number of requests sent.
fn drive(
    first: Command,
    mut resume: impl FnMut(Input) -> Command,
    in_progress: &Response,
    done: &Response,
) -> usize {
    let mut command = first;
    let mut steps = 0;
    loop {
        command = match command {
            Command::Send(_request) => {
                steps += 1;
                let response = if steps <= POLLS {
                    in_progress.clone()
                } else {
                    done.clone()
                };
                resume(Input::Response {
                    response,
                    elapsed_us: 0,
                })
            }
            Command::Wait(_) => resume(Input::Waited),
            Command::Finished(outcome) => {
                assert!(outcome.succeeded);
                return steps;
            }
        };
    }
}

fn options() -> RunOptions {
    RunOptions {
        poll_interval: Duration::ZERO,
        ..RunOptions::default()
    }
}

fn inputs() -> serde_json::Value {
    json!({"clientRequestToken": "demo-1"})
}

/// One whole run through the machine alone: 1 create + POLLS polls.
fn run(plan: &Plan, in_progress: &Response, done: &Response) -> usize {
    let mut machine = Machine::new(plan, options());
    let first = machine.start("face-liveness-session", inputs());
    let steps = drive(
        first,
        |input| {
            let next = machine.resume(input);
            black_box(machine.take_events());
            next
        },
        in_progress,
        done,
    );
    black_box(machine.take_events());
    steps
}

/// The same run as a driver makes it: through a session, which masks every event, stamps it
/// on the run's clock and hands it to an observer (here one that keeps nothing), and with a
/// journal observer when `journal` (each entry masked and serialised).
fn run_in_session(plan: &Plan, in_progress: &Response, done: &Response, journal: bool) -> usize {
    struct Sink(bool, usize);
    impl Observer for Sink {
        fn event(&mut self, record: &Record) {
            black_box(record);
        }
        fn journaling(&self) -> bool {
            self.0
        }
        fn entry(&mut self, entry: &Entry) -> Result<(), String> {
            self.1 += serde_json::to_vec(entry).map_err(|e| e.to_string())?.len();
            Ok(())
        }
    }
    let mut sink = Sink(journal, 0);
    let mut session = Session::new(plan, options(), Redactor::new(), &mut sink);
    let first = session.start("face-liveness-session", inputs());
    drive(first, |input| session.resume(input), in_progress, done)
}

fn bench(c: &mut Criterion) {
    let plan = plan();
    let (in_progress, done) = (response("IN_PROGRESS"), response("SUCCEEDED"));
    assert_eq!(run(&plan, &in_progress, &done), POLLS + 1);
    c.bench_function(
        &format!("seed run, {} steps, in-process transport", POLLS + 1),
        |b| b.iter(|| run(&plan, &in_progress, &done)),
    );
    c.bench_function(
        &format!("seed run, {} steps, through a session", POLLS + 1),
        |b| b.iter(|| run_in_session(&plan, &in_progress, &done, false)),
    );
    c.bench_function(
        &format!(
            "seed run, {} steps, through a session with a journal",
            POLLS + 1
        ),
        |b| b.iter(|| run_in_session(&plan, &in_progress, &done, true)),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Invariants of the run core over generated runs: any document of a set, any answers, any
//! limits, stopped from outside or not. Every run ends within its limits, every started step
//! finishes, nothing is sent outside a started step, `RunFinished` is last, and replaying
//! the run's journal gives back its events and its outcome.

mod support;

use std::sync::OnceLock;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::json;
use support::{Answer, plan, run_stopping};
use telaio_plan::{Plan, PlanOptions};
use telaio_run::{
    Event, JOURNAL_FORMAT, JournalHeader, Record, Redactor, RunOptions, Stop, StopCause, replay,
};

const DOCUMENTS: [(&str, &str, &str); 3] = [
    (
        "poll",
        "1.0.1",
        r#"
workflows:
  - workflowId: poll
    steps:
      - stepId: create
        operationId: createJob
        outputs: {id: $response.body#/id}
      - stepId: check
        operationId: getJob
        parameters: [{name: id, in: query, value: $steps.create.outputs.id}]
        successCriteria: [{condition: $statusCode == 200}]
        onSuccess:
          - {name: again, type: goto, stepId: check, criteria: [{condition: $response.body#/done == false}]}
        onFailure:
          - {name: later, type: retry, retryAfter: 1, retryLimit: 2, criteria: [{condition: $statusCode == 503}]}
          - {name: relogin, type: retry, stepId: login, criteria: [{condition: $statusCode == 401}]}
      - stepId: login
        operationId: login
"#,
    ),
    (
        "main",
        "1.1.0",
        r#"
workflows:
  - workflowId: main
    dependsOn: [setup]
    failureActions:
      - {name: again, type: retry, retryAfter: 0.5, retryLimit: 3, criteria: [{condition: $statusCode == 500}]}
    steps:
      - stepId: make
        operationId: createJob
        onFailure:
          - {name: elsewhere, type: goto, workflowId: fallback, criteria: [{condition: $statusCode == 409}]}
          - {name: first, type: retry, workflowId: setup, criteria: [{condition: $statusCode == 401}]}
      - {stepId: sub, workflowId: child, timeout: 4000}
      - {stepId: again, workflowId: main, criteria: []}
  - workflowId: setup
    steps:
      - {stepId: warm, operationId: getJob}
  - workflowId: child
    steps:
      - stepId: one
        operationId: getJob
        onSuccess: [{name: loop, type: goto, stepId: one, criteria: [{condition: $response.body#/done == false}]}]
  - workflowId: fallback
    steps:
      - {stepId: other, operationId: login}
"#,
    ),
    (
        "w",
        "1.0.1",
        r#"
workflows:
  - workflowId: w
    successActions:
      - {name: finish, type: end, criteria: [{condition: $response.body#/done == true}]}
    failureActions:
      - {name: again, type: retry, retryAfter: 1, retryLimit: 2}
    steps:
      - {stepId: a, operationId: getJob}
      - stepId: b
        operationId: getJob
        onSuccess: [{name: back, type: goto, stepId: a, criteria: [{condition: $statusCode == 202}]}]
"#,
    ),
];

fn plans() -> &'static Vec<Plan> {
    static PLANS: OnceLock<Vec<Plan>> = OnceLock::new();
    PLANS.get_or_init(|| {
        DOCUMENTS
            .iter()
            .map(|(_, version, text)| plan(version, text))
            .collect()
    })
}

/// One answer of a script.
#[derive(Clone, Debug)]
struct Step {
    status: u16,
    done: bool,
    retry_after: Option<u64>,
    failed: bool,
    millis: u64,
}

fn answer() -> impl Strategy<Value = Step> {
    (
        prop::sample::select(vec![200u16, 201, 202, 401, 409, 500, 503]),
        any::<bool>(),
        prop::option::weighted(0.1, 0u64..5),
        prop::bool::weighted(0.1),
        0u64..3_000,
    )
        .prop_map(|(status, done, retry_after, failed, millis)| Step {
            status,
            done,
            retry_after,
            failed,
            millis,
        })
}

fn options() -> impl Strategy<Value = RunOptions> {
    (
        0u64..2_000,
        1u64..80,
        0usize..5,
        0u64..4,
        prop::option::of(1u64..60),
    )
        .prop_map(
            |(poll, max_steps, max_depth, retry_wait, deadline)| RunOptions {
                poll_interval: Duration::from_millis(poll),
                max_steps,
                max_depth,
                max_retry_wait: Duration::from_secs(retry_wait),
                deadline: deadline.map(Duration::from_secs),
                idempotency_seed: None,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn every_run_keeps_the_core_s_invariants(
        document in 0usize..DOCUMENTS.len(),
        script in prop::collection::vec(answer(), 1..12),
        options in options(),
        stop_at in prop::option::weighted(0.2, 0usize..40),
    ) {
        let plan = &plans()[document];
        let workflow = DOCUMENTS[document].0;
        let mut answers = |_: &telaio_run::Request, n: usize| {
            let s = &script[n % script.len()];
            let took = Duration::from_millis(s.millis);
            if s.failed {
                return Answer::Failed("connection reset", took);
            }
            match s.retry_after {
                Some(secs) => Answer::RetryAfter(s.status, Duration::from_secs(secs)),
                None => Answer::Slow(s.status, json!({"done": s.done, "id": "j"}), took),
            }
        };
        let stop = |n: usize| {
            (Some(n) == stop_at).then(|| Stop {
                cause: StopCause::Signal { number: 15 },
                reason: "stopped by SIGTERM".to_owned(),
            })
        };
        let ran = run_stopping(plan, workflow, json!({}), options, &mut answers, stop);
        let events: Vec<&Event> = ran.events();

        // RunFinished is last, and only last.
        let finished = events.iter().filter(|e| matches!(e, Event::RunFinished { .. })).count();
        prop_assert_eq!(finished, 1);
        let ends = matches!(events.last(), Some(Event::RunFinished { .. }));
        let begins = matches!(events.first(), Some(Event::RunStarted { .. }));
        prop_assert!(ends && begins, "{:#?}", events);

        // Within its limits: steps executed, depth of calls.
        let started = events.iter().filter(|e| matches!(e, Event::StepStarted { .. })).count();
        prop_assert!(started as u64 <= options.max_steps, "{started} steps > {}", options.max_steps);
        for e in &events {
            if let Event::WorkflowStarted { depth, .. } = e {
                prop_assert!(*depth <= options.max_depth + 1);
            }
        }

        // Every started step finishes, innermost first; nothing is sent, and no response
        // arrives, outside a started step; the clock never goes back.
        let mut open: Vec<&str> = Vec::new();
        let mut last_at = 0;
        for r in &ran.records {
            prop_assert!(r.at_us >= last_at);
            last_at = r.at_us;
            match &r.event {
                Event::StepStarted { step_id, .. } => open.push(step_id),
                Event::StepFinished { step_id, .. } => {
                    prop_assert_eq!(open.pop(), Some(step_id.as_str()), "{:#?}", events);
                }
                Event::RequestSent { step_id, .. } | Event::ResponseReceived { step_id, .. } => {
                    prop_assert_eq!(open.last().copied(), Some(step_id.as_str()));
                }
                _ => {}
            }
        }
        prop_assert!(open.is_empty(), "steps never finished: {open:?}");
        // Every request the script answered was announced; a stop may come between the
        // announcement and the sending.
        let sent = events.iter().filter(|e| matches!(e, Event::RequestSent { .. })).count();
        let stopped = ran.entries.iter().any(|e| matches!(e, telaio_run::Entry::Stopped { .. }));
        prop_assert!(sent == ran.requests.len() || (stopped && sent == ran.requests.len() + 1));

        // The journal, replayed with no I/O, gives back every event and the outcome.
        let header = JournalHeader {
            format: JOURNAL_FORMAT.to_owned(),
            telaio: "test".to_owned(),
        run_id: None,
            started_at_ms: 0,
            document: telaio_run::DocumentIdentity {
                url: "file:///flow.arazzo.yaml".to_owned(),
                path: None,
                sources: Default::default(),
                sha256: String::new(),
                parts: Default::default(),
            },
            workflow_id: workflow.to_owned(),
            inputs: json!({}),
            options,
            plan: PlanOptions::default(),
            show_sensitive: false,
            mock: false,
            loading: Default::default(),
            driver: None,
            origin: None,
        };
        // Through text, as a journal file holds it.
        let text: Vec<String> = ran.entries.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
        let entries = text.iter().map(|t| serde_json::from_str(t).unwrap());
        let mut replayed: Vec<Record> = Vec::new();
        let again = replay(plan, &header, entries, Redactor::new(), &mut |r: &Record| replayed.push(r.clone()));
        let again = again.map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&again.outcome, &ran.outcome);
        prop_assert_eq!(&replayed, &ran.records);
        // And events read back from their JSON are the events.
        for r in &ran.records {
            let back: Record = serde_json::from_str(&serde_json::to_string(r).unwrap()).unwrap();
            prop_assert_eq!(&back, r);
        }
    }
}

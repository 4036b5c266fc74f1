//! Durable runs: every run is recorded in the store; one killed outright (SIGKILL) goes on
//! with `telaio runs resume` from what it had recorded, sending again only what is safe.
//! Real processes, a real SQLite store, servers on 127.0.0.1.

mod support;

use std::process::{Child, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;
use support::{Dir, count, repo, response, serve_raw, stderr, stdout, wait_until};

const SEED: &str =
    "examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml";

/// `telaio` in `d`, recording in `d/runs.db`.
fn telaio(args: &[&str], d: &Dir) -> Output {
    support::command(args, d.path())
        .env("TELAIO_STORE", d.path().join("runs.db"))
        .output()
        .unwrap()
}

/// Starts `telaio` in `d`, recording in `d/runs.db`.
fn start(args: &[&str], d: &Dir) -> Child {
    support::command(args, d.path())
        .env("TELAIO_STORE", d.path().join("runs.db"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(o), stderr(o)))
}

/// The id of the newest run in `d`'s store.
fn newest_run(d: &Dir) -> String {
    let o = telaio(&["runs", "list", "--output", "json"], d);
    json(&o)[0]["runId"].as_str().unwrap().to_owned()
}

/// A separate `telaio mock` of the seed whose session stays IN_PROGRESS for ten polls,
/// logging each request to `d/mock.log`; returns it and the `--server` argument for it.
fn long_mock(d: &Dir) -> (Child, String) {
    let scenario = std::fs::read_to_string(repo("examples/rekognition/scenarios/succeeded.yaml"))
        .unwrap()
        .replace(
            "      - body: {SessionId: \"{{key}}\", Status: IN_PROGRESS}\n      - body: {SessionId: \"{{key}}\", Status: IN_PROGRESS}\n",
            &"      - body: {SessionId: \"{{key}}\", Status: IN_PROGRESS}\n".repeat(10),
        );
    d.write("long.yaml", scenario);
    let seed = repo(SEED);
    let log = d.path().join("mock.log");
    let mut command = support::command(
        &["mock", seed.to_str().unwrap(), "--scenario", "long.yaml"],
        d.path(),
    );
    command.stderr(std::fs::File::create(&log).unwrap());
    let (mock, url) = support::listening(command);
    (mock, format!("rekognitionApi={url}"))
}

/// The seed against a separate `telaio mock` whose session stays IN_PROGRESS for ten polls,
/// killed with SIGKILL in its polling loop, goes on with `runs resume`: it ends SUCCEEDED,
/// the session was created once, and the polls went on rather than starting over.
#[cfg(unix)]
#[test]
fn a_run_killed_while_polling_resumes_where_it_was() {
    let d = Dir::new();
    let (mut mock, server) = long_mock(&d);
    let seed = repo(SEED);
    let log = d.path().join("mock.log");
    let run = [
        "run",
        seed.to_str().unwrap(),
        "--server",
        &server,
        "--input",
        "clientRequestToken=t-1",
        "--poll-interval",
        "0.1",
    ];
    let mut child = start(&run, &d);
    wait_until("fourth poll", || {
        count(&log, "GetFaceLivenessSessionResults") >= 4
    });
    child.kill().unwrap();
    let _ = child.wait();
    let polled_before = count(&log, "GetFaceLivenessSessionResults");
    let id = newest_run(&d);
    let listed = json(&telaio(&["runs", "list", "--output", "json"], &d));
    assert_eq!(listed[0]["status"], "interrupted", "{listed}");

    let o = telaio(&["runs", "resume", &id[..13], "--output", "json"], &d);
    let _ = mock.kill();
    let _ = mock.wait();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let result = json(&o);
    assert_eq!(result["status"], "succeeded", "{result}");
    assert_eq!(result["outputs"]["status"], "SUCCEEDED");
    assert_eq!(result["outputs"]["confidence"], 99.1);
    assert_eq!(result["runId"], id.as_str());
    // Created once, by the run before it was killed: the resume replayed that answer.
    assert_eq!(count(&log, "CreateFaceLivenessSession"), 1);
    // Two CREATED, ten IN_PROGRESS, SUCCEEDED: thirteen polls in all, one more when the
    // poll in flight at the kill was answered but not recorded (a read, sent again).
    let polls = count(&log, "GetFaceLivenessSessionResults");
    assert!((13..=14).contains(&polls), "{polls} polls");
    assert!(polled_before >= 4 && polled_before < polls);
    let listed = json(&telaio(&["runs", "list", "--output", "json"], &d));
    assert_eq!(listed[0]["status"], "succeeded");
    assert_eq!(listed.as_array().unwrap().len(), 1, "one run, not two");
    // Its HTTP Archive has every exchange, before the kill and after the resume, in order.
    let har = json(&telaio(&["runs", "export", &id, "--format", "har"], &d));
    let entries = har["log"]["entries"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        1 + result["steps"][1]["attempts"].as_u64().unwrap() as usize
    );
    assert_eq!(
        entries[0]["request"]["headers"][0]["value"],
        "RekognitionService.CreateFaceLivenessSession"
    );
    assert!(
        entries.last().unwrap()["response"]["content"]["text"]
            .as_str()
            .unwrap()
            .contains("SUCCEEDED")
    );
    // An ended run is not resumed again.
    let o = telaio(&["runs", "resume", &id], &d);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("has ended (succeeded)"),
        "{}",
        stderr(&o)
    );
}

/// A run stopped with SIGTERM is recorded as interrupted, says how to resume it, and
/// resumes.
#[cfg(unix)]
#[test]
fn a_run_stopped_by_sigterm_says_how_to_resume_it() {
    let d = Dir::new();
    let (mut mock, server) = long_mock(&d);
    let seed = repo(SEED);
    let log = d.path().join("mock.log");
    let child = support::command(
        &[
            "run",
            seed.to_str().unwrap(),
            "--server",
            &server,
            "--input",
            "clientRequestToken=t-2",
            "--poll-interval",
            "0.1",
        ],
        d.path(),
    )
    .env("TELAIO_STORE", d.path().join("runs.db"))
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    wait_until("second poll", || {
        count(&log, "GetFaceLivenessSessionResults") >= 2
    });
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(143), "{}", stderr(&o));
    let id = newest_run(&d);
    assert!(
        stderr(&o).contains(&format!("resume it with: telaio runs resume {id}")),
        "{}",
        stderr(&o)
    );
    let listed = json(&telaio(&["runs", "list", "--output", "json"], &d));
    assert_eq!(listed[0]["status"], "interrupted");
    let o = telaio(&["runs", "resume", &id, "--output", "json"], &d);
    let _ = mock.kill();
    let _ = mock.wait();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let resumed = json(&o);
    assert_eq!(resumed["outputs"]["status"], "SUCCEEDED");
    assert_eq!(count(&log, "CreateFaceLivenessSession"), 1);
    // The interruption was taken back: the record reads as one run, replayed offline to the
    // same result, and shown to its end.
    let o = telaio(&["runs", "replay", &id, "--output", "json"], &d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["outputs"], resumed["outputs"]);
    let shown = stdout(&telaio(&["runs", "show", &id], &d));
    assert!(shown.contains("succeeded · outputs"), "{shown}");
    assert!(!shown.contains("cut short"), "{shown}");
    // Each answer's body, as recorded, under its line.
    assert!(shown.contains(r#""Status":"SUCCEEDED""#), "{shown}");
}

/// An API with a `POST` that declares no idempotency key, and one that declares the header.
fn orders_api(declares_key: bool) -> String {
    let key = if declares_key {
        "\n      parameters:\n        - {name: Idempotency-Key, in: header, required: false, schema: {type: string}}"
    } else {
        ""
    };
    format!(
        "openapi: 3.0.3\ninfo: {{title: Orders, version: '1'}}\nservers: [{{url: 'http://127.0.0.1:1'}}]\npaths:\n  /orders:\n    post:\n      operationId: placeOrder{key}\n      requestBody: {{content: {{application/json: {{schema: {{type: object}}}}}}}}\n      responses:\n        '201': {{description: placed, content: {{application/json: {{schema: {{type: object}}}}}}}}\n"
    )
}

/// A workflow that places an order with a `POST` of the API in `api`, setting an
/// idempotency key itself or not.
fn orders(api: &str, keyed: bool) -> String {
    let key = if keyed {
        "\n        parameters: [{name: Idempotency-Key, in: header, value: order-7}]"
    } else {
        ""
    };
    format!(
        "arazzo: 1.0.1\ninfo: {{title: Orders, version: '1'}}\nsourceDescriptions: [{{name: orders, url: ./{api}}}]\nworkflows:\n  - workflowId: place\n    steps:\n      - stepId: place\n        operationId: placeOrder{key}\n        requestBody: {{contentType: application/json, payload: {{item: book}}}}\n        successCriteria: [{{condition: $statusCode == 201}}]\n"
    )
}

/// Runs `document` against `url` and kills it (SIGKILL) once `arrived` reaches `requests`:
/// its `POST` is then in flight.
#[cfg(unix)]
fn killed_in_flight(d: &Dir, document: &str, url: &str, arrived: &AtomicUsize, requests: usize) {
    let server = format!("orders={url}");
    let mut child = start(&["run", document, "--server", &server], d);
    wait_until("request", || arrived.load(Ordering::SeqCst) >= requests);
    child.kill().unwrap();
    let _ = child.wait();
}

/// A `POST` cut short may have taken effect: a resume does not send it again unless told,
/// says which it is and leaves the run `in-doubt`; `--in-doubt fail` ends it failed and
/// `--in-doubt resend` sends it again. With an idempotency key, the step's own or one Telaio
/// adds because the operation declares the header, it is sent again unasked, with the same
/// key.
#[cfg(unix)]
#[test]
fn a_post_cut_short_is_in_doubt() {
    let arrived = Arc::new(AtomicUsize::new(0));
    let seen = arrived.clone();
    let keys = Arc::new(std::sync::Mutex::new(Vec::new()));
    let heard = keys.clone();
    // The first, second, fourth and sixth requests hang until the run is killed.
    let url = serve_raw(move |n, request| {
        let key = request
            .headers
            .iter()
            .find(|(k, _)| k == "idempotency-key")
            .map(|(_, v)| v.clone());
        heard.lock().unwrap().push(key);
        seen.fetch_add(1, Ordering::SeqCst);
        if [0, 1, 3, 5].contains(&n) {
            std::thread::sleep(Duration::from_secs(30));
        }
        response(201, &[("content-type", "application/json")], r#"{"id": 7}"#)
    });
    let d = Dir::new();
    d.write("orders.openapi.yaml", orders_api(false));
    d.write("keyed.openapi.yaml", orders_api(true));
    d.write("place.arazzo.yaml", orders("orders.openapi.yaml", false));
    d.write("keyed.arazzo.yaml", orders("keyed.openapi.yaml", true));
    d.write("declared.arazzo.yaml", orders("keyed.openapi.yaml", false));

    killed_in_flight(&d, "place.arazzo.yaml", &url, &arrived, 1);
    let first = newest_run(&d);
    let o = telaio(&["runs", "resume", &first], &d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said = stderr(&o);
    assert!(
        said.contains("POST http://127.0.0.1:")
            && said.contains("may or may not have taken effect")
            && said.contains("--in-doubt resend"),
        "{said}"
    );
    let listed = json(&telaio(&["runs", "list", "--output", "json"], &d));
    assert_eq!(listed[0]["status"], "in-doubt", "{listed}");
    let o = telaio(
        &[
            "runs",
            "resume",
            &first,
            "--in-doubt",
            "fail",
            "--output",
            "json",
        ],
        &d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let result = json(&o);
    assert_eq!(result["status"], "failed");
    assert!(
        result["error"]["reason"]
            .as_str()
            .unwrap()
            .contains("was not sent again"),
        "{result}"
    );
    assert_eq!(arrived.load(Ordering::SeqCst), 1, "nothing sent again");

    killed_in_flight(&d, "place.arazzo.yaml", &url, &arrived, 2);
    let second = newest_run(&d);
    assert_ne!(first, second);
    let o = telaio(
        &[
            "runs",
            "resume",
            &second,
            "--in-doubt",
            "resend",
            "--output",
            "json",
        ],
        &d,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["status"], "succeeded");
    assert_eq!(arrived.load(Ordering::SeqCst), 3, "sent again, as asked");

    killed_in_flight(&d, "keyed.arazzo.yaml", &url, &arrived, 4);
    let keyed = newest_run(&d);
    let o = telaio(&["runs", "resume", &keyed, "--output", "json"], &d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["status"], "succeeded");
    assert_eq!(arrived.load(Ordering::SeqCst), 5, "sent again with its key");

    // The operation declares the header and the step sets none: Telaio adds a key made
    // from the run's id, and the resume, rebuilding the request, sends the same one.
    killed_in_flight(&d, "declared.arazzo.yaml", &url, &arrived, 6);
    let declared = newest_run(&d);
    let o = telaio(&["runs", "resume", &declared, "--output", "json"], &d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["status"], "succeeded");
    let keys = keys.lock().unwrap();
    assert_eq!(keys.len(), 7);
    assert_eq!(keys[0], None, "no key where the operation declares none");
    let added = keys[5].clone().expect("a key added");
    assert_eq!(added.len(), 32);
    assert_eq!(
        keys[6].as_deref(),
        Some(added.as_str()),
        "the same key, sent again"
    );
    assert_eq!(
        keys[3].as_deref(),
        Some("order-7"),
        "the step's own key is kept"
    );
}

/// Two runs at once record into one store; both are there.
#[test]
fn two_processes_share_a_store() {
    let d = Dir::new();
    let seed = repo(SEED);
    let scenario = repo("examples/rekognition/scenarios/succeeded.yaml");
    let args = [
        "run",
        seed.to_str().unwrap(),
        "--mock",
        scenario.to_str().unwrap(),
        "--poll-interval",
        "0",
        "--input",
        "clientRequestToken=t-1",
    ];
    // One syncs each entry to the disk, one does not: they share the store either way.
    let runs: Vec<Child> = ["1", "0"]
        .into_iter()
        .map(|fsync| {
            support::command(&args, d.path())
                .env("TELAIO_STORE", d.path().join("runs.db"))
                .env("TELAIO_STORE_FSYNC", fsync)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for run in runs {
        let o = run.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let listed = json(&telaio(&["runs", "list", "--output", "json"], &d));
    let statuses: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["succeeded", "succeeded"]);
    // A run against an in-process mock has nothing to go back to.
    let id = newest_run(&d);
    let o = telaio(&["runs", "resume", &id], &d);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("in-process mock"), "{}", stderr(&o));
    // `--no-store` records nothing.
    let mut quiet = args.to_vec();
    quiet.push("--no-store");
    assert_eq!(telaio(&quiet, &d).status.code(), Some(0));
    let listed = json(&telaio(&["runs", "list", "--output", "json"], &d));
    assert_eq!(listed.as_array().unwrap().len(), 2);
    // Pruning runs that ended over a day ago keeps these.
    let o = telaio(&["runs", "prune", "--older-than", "1d"], &d);
    assert!(stderr(&o).contains("pruned 0 runs"), "{}", stderr(&o));
}

/// A file that is not a run store is refused, naming it, before anything runs.
#[test]
fn a_store_that_is_not_one_is_refused() {
    let d = Dir::new();
    d.write("runs.db", "not a database at all ".repeat(200));
    let o = telaio(&["runs", "list"], &d);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("runs.db is not a Telaio run store"),
        "{}",
        stderr(&o)
    );
    let seed = repo(SEED);
    let o = telaio(&["run", seed.to_str().unwrap(), "--mock"], &d);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is not a Telaio run store"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"));
}

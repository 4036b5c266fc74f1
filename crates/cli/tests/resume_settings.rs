//! What a resumed run goes on with: the limits it was started with (flags given to `resume`
//! over them), never a credential the store did not keep, and never a stand-in for a value
//! the store keeps masked. Real processes killed with SIGKILL, a real SQLite store, servers on
//! 127.0.0.1.
#![cfg(unix)]

mod support;

use std::process::{Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;
use support::items::{API, Items, items_server, workflow};
use support::{Dir, repo, response, serve_raw, stderr, wait_until};

const SEED: &str =
    "examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml";

fn telaio(args: &[&str], d: &Dir) -> Output {
    support::command(args, d.path())
        .env("TELAIO_STORE", d.path().join("runs.db"))
        .output()
        .unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", support::stdout(o), stderr(o)))
}

/// Runs `items.arazzo.yaml` with `args` and kills it (SIGKILL) once its `/items` request has
/// arrived `arrivals` times in all: that request is then in flight.
fn killed_at_items(d: &Dir, server: &Items, arrivals: usize, args: &[&str]) -> String {
    let mut run = vec!["run", "items.arazzo.yaml"];
    run.extend_from_slice(args);
    let mut child = support::command(&run, d.path())
        .env("TELAIO_STORE", d.path().join("runs.db"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until("the items request", || {
        server.items.load(Ordering::SeqCst) >= arrivals
    });
    child.kill().unwrap();
    let _ = child.wait();
    let listed = json(&telaio(&["runs", "list", "--output", "json"], d));
    listed[0]["runId"].as_str().unwrap().to_owned()
}

fn setup(pass: bool, place: &str) -> Dir {
    let d = Dir::new();
    d.write("items.openapi.yaml", API);
    d.write("items.arazzo.yaml", workflow(pass, place));
    d
}

/// A run started with `--timeout 2` keeps it when resumed: the request sent again times out
/// after 2 s where the default would have waited 30. `--timeout` given to the resume is
/// taken over the run's.
#[test]
fn a_resume_keeps_the_runs_limits_and_takes_new_ones() {
    let d = setup(false, "header");
    let server = items_server(2, Duration::from_secs(4));
    let api = format!("items={}", server.url);
    let flags = ["--server", api.as_str(), "--timeout", "2"];
    let first = killed_at_items(&d, &server, 1, &flags);
    let exported = telaio(&["runs", "export", &first], &d);
    let header: Value =
        serde_json::from_str(support::stdout(&exported).lines().next().unwrap()).unwrap();
    assert_eq!(header["driver"]["requestTimeoutMs"], 2000, "{header}");
    assert_eq!(header["driver"]["transportRetries"], 2, "{header}");

    let second = killed_at_items(&d, &server, 2, &flags);
    // Hangs of its own are over: the `/items` requests sent again take 4 s each.
    let o = telaio(&["runs", "resume", &first, "--output", "json"], &d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let result = json(&o);
    assert!(
        result["error"]["reason"].as_str().unwrap().contains("2 s"),
        "the run's own timeout: {result}"
    );
    let o = telaio(
        &[
            "runs",
            "resume",
            &second,
            "--timeout",
            "10",
            "--output",
            "json",
        ],
        &d,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["status"], "succeeded");
}

/// A server given with credentials in its URL: the store never holds them (nor anything
/// shown), and a resume asks for the server again rather than send the mask.
#[test]
fn server_credentials_are_not_stored_and_are_asked_for_again() {
    let d = setup(false, "header");
    let server = items_server(1, Duration::ZERO);
    let with_password = server.url.replace("http://", "http://me:canary-pw-81c@");
    let api = format!("items={with_password}");
    let id = killed_at_items(&d, &server, 1, &["--server", &api]);
    let db = std::fs::read(d.path().join("runs.db")).unwrap();
    let wal = std::fs::read(d.path().join("runs.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(10).any(|w| w == b"canary-pw-"),
            "the password is in the store"
        );
    }
    let o = telaio(&["runs", "resume", &id], &d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("give it again with --server items=URL"),
        "{}",
        stderr(&o)
    );
    let o = telaio(
        &["runs", "resume", &id, "--server", &api, "--output", "json"],
        &d,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let shown = format!("{}{}", support::stdout(&o), stderr(&o));
    assert!(!shown.contains("canary-pw-"), "{shown}");
    for args in [vec!["runs", "show", &id], vec!["runs", "export", &id]] {
        let o = telaio(&args, &d);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let shown = format!("{}{}", support::stdout(&o), stderr(&o));
        assert!(!shown.contains("canary-pw-"), "{shown}");
    }
}

/// A token the API marks sensitive is journaled by its size; a resume that would send it
/// (it knows only the stand-in), in a header or percent-encoded in the query, stops instead
/// of sending the stand-in.
#[test]
fn a_resume_never_sends_a_stand_in_for_a_masked_value() {
    for place in ["header", "query"] {
        let d = setup(true, place);
        let server = items_server(1, Duration::ZERO);
        let api = format!("items={}", server.url);
        let id = killed_at_items(&d, &server, 1, &["--server", &api]);
        let o = telaio(&["runs", "resume", &id, "--output", "json"], &d);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let result = json(&o);
        assert_eq!(result["status"], "failed", "{result}");
        let reason = result["error"]["reason"].as_str().unwrap();
        assert!(
            reason.contains("would carry a value the store keeps masked"),
            "{result}"
        );
        assert!(
            !reason.contains("telaiomasked"),
            "the marker is masked: {reason}"
        );
        let seen = server.seen.lock().unwrap();
        assert_eq!(seen.len(), 2, "nothing sent after the resume");
        let sent = if place == "header" {
            seen[1]
                .headers
                .iter()
                .find(|(k, _)| k == "x-token")
                .map(|(_, v)| v.clone())
        } else {
            seen[1]
                .target
                .split_once("token=")
                .map(|(_, v)| v.to_owned())
        };
        assert_eq!(
            sent.as_deref(),
            Some("canary-token-2f9"),
            "the run itself sent the token"
        );
    }
}

/// A run about to wait longer than its lease lasts holds the lease through the wait, so a
/// process of another machine sharing the store does not take over a run that is only
/// waiting.
#[test]
fn a_waiting_run_holds_its_lease_through_the_wait() {
    let d = Dir::new();
    let seed = repo(SEED);
    let scenario = repo("examples/rekognition/scenarios/succeeded.yaml");
    let mut child = support::command(
        &[
            "run",
            seed.to_str().unwrap(),
            "--mock",
            scenario.to_str().unwrap(),
            "--poll-interval",
            "600",
            "--input",
            "clientRequestToken=t-1",
        ],
        d.path(),
    )
    .env("TELAIO_STORE", d.path().join("runs.db"))
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let store = || telaio_store::Store::open(&d.path().join("runs.db")).unwrap();
    let held_until = || {
        let runs = store().list(&telaio_store::ListFilter::default()).unwrap();
        runs.first().and_then(|r| r.lease_until_ms)
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    // The first poll answers CREATED; the run then waits ten minutes, holding the lease
    // beyond them (a minute's lease would have run out).
    wait_until("the lease held through the wait", || {
        held_until().is_some_and(|until| until >= now + 600_000)
    });
    child.kill().unwrap();
    let _ = child.wait();
}

/// A run stopped by SIGTERM while its first `POST` is in flight lets that answer in and
/// stops before its second `POST`: a resume knows that one was never sent, and sends it
/// without asking (no call is in doubt).
#[test]
fn after_a_stop_at_a_safe_point_the_next_post_is_not_in_doubt() {
    let arrived = Arc::new(AtomicUsize::new(0));
    let seen = arrived.clone();
    let url = serve_raw(move |n, _| {
        seen.fetch_add(1, Ordering::SeqCst);
        if n == 0 {
            std::thread::sleep(Duration::from_millis(1500));
        }
        response(201, &[("content-type", "application/json")], r#"{"id": 7}"#)
    });
    let d = Dir::new();
    d.write(
        "orders.openapi.yaml",
        "openapi: 3.0.3\ninfo: {title: Orders, version: '1'}\nservers: [{url: 'http://127.0.0.1:1'}]\npaths:\n  /orders:\n    post:\n      operationId: placeOrder\n      requestBody: {content: {application/json: {schema: {type: object}}}}\n      responses:\n        '201': {description: placed, content: {application/json: {schema: {type: object}}}}\n",
    );
    d.write(
        "two.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: Orders, version: '1'}\nsourceDescriptions: [{name: orders, url: ./orders.openapi.yaml}]\nworkflows:\n  - workflowId: two\n    steps:\n      - stepId: first\n        operationId: placeOrder\n        requestBody: {contentType: application/json, payload: {item: book}}\n        successCriteria: [{condition: $statusCode == 201}]\n      - stepId: second\n        operationId: placeOrder\n        requestBody: {contentType: application/json, payload: {item: pen}}\n        successCriteria: [{condition: $statusCode == 201}]\n",
    );
    let server = format!("orders={url}");
    let child = support::command(&["run", "two.arazzo.yaml", "--server", &server], d.path())
        .env("TELAIO_STORE", d.path().join("runs.db"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until("the first POST", || arrived.load(Ordering::SeqCst) >= 1);
    let killed = std::process::Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(143));
    assert_eq!(
        arrived.load(Ordering::SeqCst),
        1,
        "the second POST was not sent"
    );
    let listed = json(&telaio(&["runs", "list", "--output", "json"], &d));
    let id = listed[0]["runId"].as_str().unwrap().to_owned();
    let o = telaio(&["runs", "resume", &id, "--output", "json"], &d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["status"], "succeeded");
    assert_eq!(
        arrived.load(Ordering::SeqCst),
        2,
        "the second POST, sent once"
    );
}

//! `telaio restate serve` end to end: the real Restate server (npm `@restatedev/restate-server`,
//! its binary run directly), a separate `telaio mock` process for Rekognition, endpoints killed
//! with SIGKILL. Everything on 127.0.0.1.
#![cfg(unix)]

mod restate_harness;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use restate_harness::{
    Restate, SEED, SeedMock, balancer, base58, endpoint, endpoint_of, free_port, journal,
    restate_in_folder, restate_server, scenario, ticks,
};
use serde_json::json;
use support::{Dir, Running, count, repo, wait_until};

/// The seed through Restate's ingress against each of the mock's scenarios: the result is
/// `telaio run --output json`'s, the session was created once, and `progress` tells the
/// steps.
#[test]
fn the_seed_runs_through_restate() {
    let Some((_turn, d, restate)) = restate_in_folder() else {
        return;
    };
    for (name, session, confidence, retried) in [
        ("succeeded", "SUCCEEDED", Some(99.1), false),
        ("failed", "FAILED", Some(12.5), false),
        ("expired", "EXPIRED", None, false),
        ("throttled", "SUCCEEDED", Some(97.0), true),
    ] {
        let log = d.path().join(format!("mock-{name}.log"));
        let (mock, mock_url) = support::seed_mock(d.path(), &scenario(name), &log);
        let _mock = Running(mock);
        let (endpoint, url) = endpoint(&d, &mock_url, 0);
        let _endpoint = Running(endpoint);
        restate.register(&url);
        let run = format!("run-{name}");
        restate.start_run(&run, &format!("t-{name}"));
        let (code, result) = restate.result(&run);
        assert_eq!(code, 200, "{name}: {result}");
        assert_eq!(result["status"], "succeeded", "{name}: {result}");
        assert_eq!(result["runId"], run.as_str());
        assert_eq!(result["outputs"]["status"], session, "{name}: {result}");
        assert_eq!(
            result["outputs"]["confidence"].as_f64(),
            confidence,
            "{name}"
        );
        assert_eq!(count(&log, "CreateFaceLivenessSession"), 1, "{name}");
        let polls = result["steps"][1]["attempts"].as_u64().unwrap() as usize;
        // Each poll the run made was answered once; a throttled one was tried again by the
        // driver, after a durable wait.
        let received = count(&log, "GetFaceLivenessSessionResults");
        assert_eq!(received, polls + usize::from(retried), "{name}");
        let progress = restate.progress(&run);
        assert_eq!(progress["status"], "succeeded", "{progress}");
        assert_eq!(progress["steps"][1]["stepId"], "pollResults");
        // Restate's journal names each exchange by its step and what it calls.
        let names: Vec<String> = journal(&restate, &run)
            .iter()
            .filter_map(|r| r["name"].as_str().map(str::to_owned))
            .collect();
        assert!(
            names.iter().any(|n| n == "createSession: POST"),
            "{names:?}"
        );
        let sends = names.iter().filter(|n| *n == "pollResults: POST").count();
        assert_eq!(sends, polls, "{names:?}");
        // Exported, the journal replays offline to the same result.
        if name == "succeeded" {
            let none = support::telaio(
                &[
                    "restate",
                    "export",
                    "never-ran",
                    "--admin",
                    &restate.admin(""),
                ],
                d.path(),
            );
            assert_eq!(none.status.code(), Some(2));
            assert_eq!(
                support::stderr(&none).trim(),
                "error: Restate has no journal of run `never-ran` (never started, or past Restate's journal retention)"
            );
        }
        let (_, code, replayed) = restate.export_and_replay(&run, d.path());
        assert_eq!(code, 0, "{name}: {replayed}");
        assert_eq!(replayed, result, "{name}");
    }
}

/// The Restate server killed (SIGKILL) while a run polls, and started again on its data:
/// the run finishes with the same guarantees.
#[test]
fn a_lost_restate_server_comes_back_and_the_run_goes_on() {
    let Some((_turn, d, mut restate)) = restate_in_folder() else {
        return;
    };
    let mock = SeedMock::start(&d, &support::long_scenario(&d));
    let (endpoint, url) = endpoint(&d, &mock.url, 0);
    let _endpoint = Running(endpoint);
    restate.register(&url);
    restate.start_run("server-lost-1", "s-1");
    wait_until("polls", || {
        count(&mock.log, "GetFaceLivenessSessionResults") >= 5
    });
    restate.kill();
    let before = count(&mock.log, "GetFaceLivenessSessionResults");
    restate.restart();
    went_on(&restate, "server-lost-1", &mock.log, before);
}

/// Run `run` finished after a loss, with every guarantee: it succeeded, its session was
/// created once, at most the one poll in flight at the loss went out twice (every answered
/// one was fed from Restate's journal), and it polled again after the loss (`before` polls).
fn went_on(restate: &Restate, run: &str, log: &Path, before: usize) {
    let (code, result) = restate.result(run);
    assert_eq!(code, 200, "{result}");
    assert_eq!(result["outputs"]["status"], "SUCCEEDED", "{result}");
    assert_eq!(count(log, "CreateFaceLivenessSession"), 1);
    let polls = result["steps"][1]["attempts"].as_u64().unwrap() as usize;
    let received = count(log, "GetFaceLivenessSessionResults");
    assert!(
        received <= polls + 1,
        "{received} polls received, {polls} made"
    );
    assert!(before < received, "the run polled again after the loss");
}

/// An endpoint killed (SIGKILL) while its run polls is replaced by another on the same
/// address: the run finishes, the session was created once, and no answered poll went out
/// again.
#[test]
fn a_lost_endpoint_is_replaced_and_nothing_is_sent_twice() {
    let Some((_turn, d, restate)) = restate_in_folder() else {
        return;
    };
    let mock = SeedMock::start(&d, &support::long_scenario(&d));
    let port = free_port();
    let (endpoint_1, url) = endpoint(&d, &mock.url, port);
    let mut endpoint_1 = Running(endpoint_1);
    restate.register(&url);
    restate.start_run("lost-1", "l-1");
    wait_until("polls", || {
        count(&mock.log, "GetFaceLivenessSessionResults") >= 5
    });
    let _ = endpoint_1.0.kill();
    let _ = endpoint_1.0.wait();
    let before = count(&mock.log, "GetFaceLivenessSessionResults");
    let (endpoint_2, _) = endpoint(&d, &mock.url, port);
    let _endpoint_2 = Running(endpoint_2);
    went_on(&restate, "lost-1", &mock.log, before);
}

/// A request that is not safe to send twice (a `POST` without an idempotency key), in flight
/// when its endpoint is killed: the endpoint that takes over does not send it again, and the
/// run ends `in-doubt`, naming it.
#[test]
fn a_request_in_doubt_is_not_sent_again() {
    let Some((_turn, d, restate)) = restate_in_folder() else {
        return;
    };
    let (flow, log, mock_url, _mock) = shop(&d, 4000);
    let port = free_port();
    let server = format!("shop={mock_url}");
    let (endpoint_1, url) = endpoint_of(&d, &flow, &server, port, &[]);
    let mut endpoint_1 = Running(endpoint_1);
    restate.register(&url);
    let _ = restate.send("order-1", &json!({"workflowId": "order"}));
    wait_until("the order placed", || count(&log, "POST") >= 1);
    let _ = endpoint_1.0.kill();
    let _ = endpoint_1.0.wait();
    let (endpoint_2, _) = endpoint_of(&d, &flow, &server, port, &[]);
    let _endpoint_2 = Running(endpoint_2);
    let (code, result) = restate.result("order-1");
    assert_eq!(code, 200, "{result}");
    assert_eq!(result["status"], "in-doubt", "{result}");
    let reason = result["error"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("POST http://127.0.0.1") && reason.contains("/orders"),
        "{reason}"
    );
    assert!(reason.contains("not safe to send again"), "{reason}");
    assert_eq!(count(&log, "POST"), 1, "the order was placed once");
    let names: Vec<String> = journal(&restate, "order-1")
        .iter()
        .filter_map(|r| r["name"].as_str().map(str::to_owned))
        .collect();
    assert!(
        names.contains(&"intent: place: POST".to_owned()),
        "{names:?}"
    );
}

/// A shop whose one operation, `POST /orders` (no idempotency key), answers after `delay_ms`,
/// a workflow `order` that calls it, and a `telaio mock` of it: the workflow, the mock's log,
/// its URL and its process.
fn shop(d: &Dir, delay_ms: u64) -> (PathBuf, PathBuf, String, Running) {
    d.write(
        "shop.yaml",
        "openapi: 3.0.3\ninfo: {title: shop, version: '1'}\nservers: [{url: 'http://127.0.0.1:9'}]\npaths:\n  /orders:\n    post:\n      operationId: placeOrder\n      responses:\n        '201': {description: placed, content: {application/json: {schema: {type: object}}}}\n",
    );
    let flow = d.write(
        "order.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: orders, version: '1'}\nsourceDescriptions: [{name: shop, url: ./shop.yaml, type: openapi}]\nworkflows:\n  - workflowId: order\n    steps:\n      - stepId: place\n        operationId: placeOrder\n        successCriteria: [{condition: $statusCode == 201}]\n",
    );
    let scenario = d.write(
        "slow-order.yaml",
        format!(
            "operations:\n  placeOrder:\n    responses:\n      - {{status: 201, delayMs: {delay_ms}, body: {{id: o-1}}}}\n"
        ),
    );
    let log = d.path().join("mock.log");
    let mut mock = support::command(
        &[
            "mock",
            flow.to_str().unwrap(),
            "--scenario",
            scenario.to_str().unwrap(),
        ],
        d.path(),
    );
    mock.stderr(std::fs::File::create(&log).unwrap());
    let (mock, mock_url) = support::listening(mock);
    (flow, log, mock_url, Running(mock))
}

/// A request that takes longer than `--suspend-after` is not cut short by the suspension of a
/// run that waits: it is answered, recorded once, and the run goes on.
#[test]
fn a_slow_request_outlasts_the_suspension_timeout() {
    let Some((_turn, d, restate)) = restate_in_folder() else {
        return;
    };
    let (flow, log, mock_url, _mock) = shop(&d, 2500);
    let server = format!("shop={mock_url}");
    let (endpoint, url) = endpoint_of(&d, &flow, &server, 0, &["--suspend-after", "0.5"]);
    let _endpoint = Running(endpoint);
    restate.register(&url);
    let _ = restate.send("slow-1", &json!({"workflowId": "order"}));
    let (code, result) = restate.result("slow-1");
    assert_eq!(code, 200, "{result}");
    assert_eq!(result["status"], "succeeded", "{result}");
    assert_eq!(count(&log, "POST"), 1, "the order was placed once");
}

/// A run that waits longer than `--suspend-after` leaves the endpoint (Restate suspends it)
/// and comes back when its timer fires, its journal replayed: it finishes, and nothing
/// answered was sent again.
#[test]
fn a_waiting_run_leaves_the_endpoint_and_comes_back() {
    let Some((_turn, d, restate)) = restate_in_folder() else {
        return;
    };
    let mock = SeedMock::start(&d, &scenario("succeeded"));
    let server = mock.server();
    let (endpoint, url) = endpoint_of(
        &d,
        &repo(SEED),
        &server,
        0,
        &["--poll-interval", "1", "--suspend-after", "0.3"],
    );
    let _endpoint = Running(endpoint);
    restate.register(&url);
    restate.start_run("waits-1", "w-1");
    wait_until("the run suspended", || {
        restate
            .query(
                "SELECT status FROM sys_invocation WHERE target_service_key = 'waits-1' \
                 AND target_handler_name = 'run'",
            )
            .first()
            .is_some_and(|r| r["status"] == "suspended")
    });
    let (code, result) = restate.result("waits-1");
    assert_eq!(code, 200, "{result}");
    assert_eq!(result["outputs"]["status"], "SUCCEEDED", "{result}");
    assert_eq!(count(&mock.log, "CreateFaceLivenessSession"), 1);
    let polls = result["steps"][1]["attempts"].as_u64().unwrap() as usize;
    assert_eq!(count(&mock.log, "GetFaceLivenessSessionResults"), polls);
}

/// With `--identity-key`, the endpoint answers only the Restate server holding the matching
/// private key: that server runs workflows through it, another cannot even register it.
#[test]
fn only_the_restate_server_with_the_key_is_answered() {
    let Some((binary, _turn)) = restate_server() else {
        return;
    };
    let d = Dir::new();
    let pem = d.path().join("identity.pem");
    let made = Command::new("openssl")
        .args(["genpkey", "-algorithm", "ed25519", "-out"])
        .arg(&pem)
        .status()
        .expect("openssl, to make a key pair");
    assert!(made.success());
    let public = Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(&pem)
        .output()
        .unwrap()
        .stdout;
    // The raw key is the last 32 bytes of its DER form; Restate writes it in base58.
    let key = format!("publickeyv1_{}", base58(&public[public.len() - 32..]));
    let bad = support::telaio(
        &[
            "restate",
            "serve",
            &repo(SEED).to_string_lossy(),
            "--identity-key",
            "nonsense",
        ],
        d.path(),
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(support::stderr(&bad).contains("is not a Restate identity key"));

    let mock = SeedMock::start(&d, &scenario("succeeded"));
    let server = mock.server();
    let (endpoint, url) = endpoint_of(&d, &repo(SEED), &server, 0, &["--identity-key", &key]);
    let _endpoint = Running(endpoint);

    let stranger_dir = d.path().join("stranger");
    std::fs::create_dir_all(&stranger_dir).unwrap();
    let stranger = Restate::start(binary.clone(), &stranger_dir);
    let (registered, answer) = stranger.try_register(&url);
    assert!(
        !registered,
        "a server without the key registered it: {answer}"
    );
    drop(stranger);

    let signing = vec![(
        "RESTATE_WORKER__INVOKER__REQUEST_IDENTITY_PRIVATE_KEY_PEM_FILE".to_owned(),
        pem.to_string_lossy().into_owned(),
    )];
    let restate = Restate::start_with(binary, d.path(), signing);
    restate.register(&url);
    restate.start_run("signed-1", "k-1");
    let (code, result) = restate.result("signed-1");
    assert_eq!(code, 200, "{result}");
    assert_eq!(result["outputs"]["status"], "SUCCEEDED", "{result}");
}

/// Two endpoints behind one balancer share 200 runs started at once; one is killed halfway:
/// every run finishes with a session of its own.
#[test]
fn two_endpoints_share_the_runs_and_one_may_be_lost() {
    let Some((_turn, d, restate)) = restate_in_folder() else {
        return;
    };
    let mock = SeedMock::start(&d, &scenario("succeeded"));
    let server = mock.server();
    let poll = ["--poll-interval", "0.2"];
    let (one, url_one) = endpoint_of(&d, &repo(SEED), &server, 0, &poll);
    let (two, url_two) = endpoint_of(&d, &repo(SEED), &server, 0, &poll);
    let port = |url: &str| url.rsplit(':').next().unwrap().parse::<u16>().unwrap();
    let mut one = Running(one);
    let two = Running(two);
    let balanced = balancer(vec![port(&url_one), port(&url_two)]);
    restate.register(&format!("http://127.0.0.1:{balanced}"));
    const RUNS: usize = 200;
    let idle = (ticks(one.0.id()), ticks(two.0.id()));
    for i in 0..RUNS {
        restate.start_run(&format!("shared-{i}"), &format!("s-{i}"));
    }
    wait_until("half the polls", || {
        count(&mock.log, "GetFaceLivenessSessionResults") >= RUNS * 5 / 2
    });
    let worked = (ticks(one.0.id()) - idle.0, ticks(two.0.id()) - idle.1);
    let _ = one.0.kill();
    let _ = one.0.wait();
    let mut attempts = 0;
    let mut sessions = std::collections::HashSet::new();
    for i in 0..RUNS {
        let (code, result) = restate.result(&format!("shared-{i}"));
        assert_eq!(code, 200, "run {i}: {result}");
        assert_eq!(
            result["outputs"]["status"], "SUCCEEDED",
            "run {i}: {result}"
        );
        attempts += result["steps"][1]["attempts"].as_u64().unwrap() as usize;
        sessions.insert(result["outputs"]["sessionId"].as_str().unwrap().to_owned());
    }
    assert!(
        worked.0 > 0 && worked.1 > 0,
        "both endpoints ran runs: {worked:?}"
    );
    // Each run has a session of its own. A create in flight on the lost endpoint carries its
    // ClientRequestToken, so it may go again: the mock, as AWS, answers it with the same
    // session.
    assert_eq!(sessions.len(), RUNS, "a session per run");
    let creates = count(&mock.log, "CreateFaceLivenessSession");
    assert!(
        (RUNS..RUNS * 2).contains(&creates),
        "{creates} creates for {RUNS} runs"
    );
    let received = count(&mock.log, "GetFaceLivenessSessionResults");
    // Only the polls in flight on the lost endpoint went out twice.
    assert!(
        received <= attempts + RUNS,
        "{received} polls received, {attempts} made"
    );
    drop(two);
}

/// A run cancelled through Restate's admin API stops at its next wait, and `progress` says it
/// is over.
#[test]
fn a_cancelled_run_stops_and_says_so() {
    let Some((_turn, d, restate)) = restate_in_folder() else {
        return;
    };
    let mock = SeedMock::start(&d, &support::long_scenario(&d));
    let server = mock.server();
    let (endpoint, url) = endpoint_of(&d, &repo(SEED), &server, 0, &["--poll-interval", "0.3"]);
    let _endpoint = Running(endpoint);
    restate.register(&url);
    let invocation = restate.start_run("cancelled-1", "x-1");
    wait_until("polls", || {
        count(&mock.log, "GetFaceLivenessSessionResults") >= 2
    });
    let r = restate
        .client
        .patch(restate.admin(&format!("/invocations/{invocation}/cancel")))
        .send()
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().unwrap());
    let (code, result) = restate.result("cancelled-1");
    assert_ne!(code, 200, "{result}");
    assert_eq!(restate.progress("cancelled-1")["status"], "failed");
    let polls = count(&mock.log, "GetFaceLivenessSessionResults");
    assert!(polls < 30, "the run stopped polling: {polls}");
    // Exported, the journal replays to the stop, after the polls it answered.
    let (_, code, replayed) = restate.export_and_replay("cancelled-1", d.path());
    assert_ne!(code, 0, "{replayed}");
    assert_eq!(replayed["status"], "failed", "{replayed}");
    assert_eq!(
        replayed["error"]["reason"], "Restate ended the run: cancelled (409)",
        "{replayed}"
    );
    let attempts = replayed["steps"][1]["attempts"].as_u64().unwrap() as usize;
    assert!(
        (2..=polls).contains(&attempts),
        "{attempts} of {polls}: {replayed}"
    );
}

/// An export with no Restate server to ask says so, and writes nothing; one given no URL
/// says what it takes.
#[test]
fn an_export_without_restate_says_so() {
    let d = Dir::new();
    let o = support::telaio(
        &["restate", "export", "r-1", "--admin", "localhost"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        support::stderr(&o).trim(),
        "error: --admin takes the URL of Restate's admin API (http://127.0.0.1:9070), not `localhost`"
    );
    let port = free_port();
    let admin = format!("http://127.0.0.1:{port}");
    let o = support::telaio(&["restate", "export", "r-1", "--admin", &admin], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let stderr = support::stderr(&o);
    assert!(
        stderr.starts_with(&format!(
            "error: cannot ask Restate's admin API at {admin}/query: "
        )),
        "{stderr}"
    );
}

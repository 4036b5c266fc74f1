//! `telaio serve` end to end: a real server process, a separate `telaio mock` process for
//! Rekognition, real HTTP on 127.0.0.1, a real SQLite store. Every answer is checked against
//! the server's own `/openapi.json`.
#![cfg(unix)]

mod serve_harness;
mod support;

use serde_json::{Value, json};
use serve_harness::{SEED, Served, WORKFLOW, scenario, serve, served};
use support::{Dir, repo, wait_until};

/// The seed through the API against each of the mock's scenarios: the run's events end with
/// its result, which `GET /runs/{id}` gives too.
#[test]
fn the_seed_runs_through_the_api() {
    for (name, status, session, confidence) in [
        ("succeeded", "succeeded", "SUCCEEDED", Some(99.1)),
        ("failed", "succeeded", "FAILED", Some(12.5)),
        ("expired", "succeeded", "EXPIRED", None),
        ("throttled", "succeeded", "SUCCEEDED", Some(97.0)),
    ] {
        let d = Dir::new();
        let s = served(&d, &scenario(name), &[]);
        let (code, workflows) = s.get("/workflows");
        assert_eq!(code, 200);
        s.conforms("Workflow", &workflows[0]);
        assert_eq!(
            workflows[0]["inputs"]["properties"]["clientRequestToken"]["type"],
            "string"
        );
        let run = s.start("t-1");
        let (events, end) = s.events(&run, 0, None);
        let end = end.expect("the stream ends with the result");
        s.conforms("Run", &end);
        // The outputs are what the listing said they would be, typed from the description.
        let outputs = &workflows[0]["outputs"];
        assert_eq!(
            outputs["properties"]["confidence"]["anyOf"][0]["type"],
            "number"
        );
        let check = jsonschema::validator_for(outputs).unwrap();
        assert!(
            check.is_valid(&end["outputs"]),
            "{name}: {}",
            end["outputs"]
        );
        assert_eq!(end["status"], status, "{name}: {end}");
        assert_eq!(end["outputs"]["status"], session, "{name}: {end}");
        assert_eq!(end["outputs"]["confidence"].as_f64(), confidence, "{name}");
        let ids: Vec<usize> = events.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, (1..=events.len()).collect::<Vec<_>>());
        assert_eq!(events.last().unwrap().1["event"], "runFinished");
        let (code, got) = s.get(&format!("/runs/{run}"));
        assert_eq!(code, 200);
        assert_eq!(got, end);
        let (_, listed) = s.get("/runs");
        s.conforms("RunSummary", &listed[0]);
        assert_eq!(listed[0]["runId"], run.as_str());
        assert_eq!(s.count("CreateFaceLivenessSession"), 1);
        // A throttled poll is tried again by the driver, which the events show.
        let retried = events.iter().any(|(_, e)| e["event"] == "requestRetried");
        assert_eq!(retried, name == "throttled", "{name}");
    }
}

/// With `--allow-mock`, each run chooses: the configured servers (unless it asks) or the
/// in-process mock, whose runs send nothing to the servers.
#[test]
fn the_operator_may_offer_the_mock_beside_the_servers() {
    let d = Dir::new();
    let s = served(&d, &scenario("failed"), &["--allow-mock"]);
    let (_, workflows) = s.get("/workflows");
    assert_eq!(
        workflows.as_array().unwrap().len(),
        1,
        "listed once: {workflows}"
    );
    s.conforms("Workflow", &workflows[0]);
    assert_eq!(workflows[0]["targets"], json!(["servers", "mock"]));
    let started = |body: Value| {
        let r = s.post("/runs", &body);
        assert_eq!(r.status().as_u16(), 202);
        let v: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
        s.conforms("Started", &v);
        v
    };
    let mocked = started(json!({
        "workflowId": WORKFLOW, "target": "mock", "inputs": {"clientRequestToken": "m-1"}
    }));
    assert_eq!(mocked["target"], "mock");
    let (_, end) = s.events(mocked["runId"].as_str().unwrap(), 0, None);
    let end = end.unwrap();
    assert_eq!(
        end["outputs"]["status"], "SUCCEEDED",
        "the mock's own answer: {end}"
    );
    assert_eq!(
        s.count("CreateFaceLivenessSession"),
        0,
        "nothing reached the servers"
    );
    let served = started(json!({"workflowId": WORKFLOW, "inputs": {"clientRequestToken": "s-1"}}));
    assert_eq!(served["target"], "servers");
    let (_, end) = s.events(served["runId"].as_str().unwrap(), 0, None);
    assert_eq!(
        end.unwrap()["outputs"]["status"],
        "FAILED",
        "the servers' scenario"
    );
    assert_eq!(s.count("CreateFaceLivenessSession"), 1);
    // The events of a run against the mock read back from the store once it is over.
    let (events, end) = s.events(mocked["runId"].as_str().unwrap(), 0, None);
    assert_eq!(end.unwrap()["outputs"]["status"], "SUCCEEDED");
    assert!(!events.is_empty());

    // With `--mock`, every run goes to the mock, asked or not; none to the servers.
    let (serve, url) = support::serve_seed(d.path(), &["--mock", "--poll-interval", "0"]);
    let _serve = support::Running(serve);
    let only_mock = Served {
        processes: Vec::new(),
        url,
        mock_url: String::new(),
        mock_log: s.mock_log.clone(),
        client: s.client.clone(),
        openapi: s.openapi.clone(),
    };
    let (_, workflows) = only_mock.get("/workflows");
    assert_eq!(workflows[0]["targets"], json!(["mock"]));
    let run = only_mock.start("all-mock");
    let (_, end) = only_mock.events(&run, 0, None);
    assert_eq!(end.unwrap()["outputs"]["status"], "SUCCEEDED");
    let r = only_mock.post(
        "/runs",
        &json!({"workflowId": WORKFLOW, "target": "servers", "inputs": {"clientRequestToken": "x"}}),
    );
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(s.count("CreateFaceLivenessSession"), 1);
}

/// What the API refuses, and how: every answer an `Error`, with the status that says why.
#[test]
fn bad_requests_are_refused_with_their_reason() {
    let d = Dir::new();
    let s = served(
        &d,
        &support::long_scenario(&d),
        &["--concurrency", "1", "--queue", "1"],
    );
    let r = s.post(
        "/runs",
        &json!({"workflowId": WORKFLOW, "inputs": {"clientRequestToken": 7}}),
    );
    assert_eq!(r.status().as_u16(), 422);
    let v: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
    s.conforms("Error", &v);
    assert!(
        v["problems"][0]
            .as_str()
            .unwrap()
            .contains("clientRequestToken"),
        "{v}"
    );
    let r = s.post("/runs", &json!({"workflowId": "nope"}));
    assert_eq!(r.status().as_u16(), 404);
    // Unless the operator allows it, a run cannot ask for the mock.
    let r = s.post(
        "/runs",
        &json!({"workflowId": WORKFLOW, "target": "mock", "inputs": {"clientRequestToken": "m"}}),
    );
    assert_eq!(r.status().as_u16(), 422);
    let v: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
    s.conforms("Error", &v);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("not run against mock"),
        "{v}"
    );
    let r = s.post(
        "/runs",
        &json!({"workflowId": WORKFLOW, "target": "https://attacker.example"}),
    );
    assert_eq!(r.status().as_u16(), 422, "a target is a name, never a URL");
    let r = s.post("/runs", &json!({"workflow": WORKFLOW}));
    assert_eq!(r.status().as_u16(), 422, "an unknown field");
    let (code, v) = s.get("/runs/01a23c4a-8a0d-722e-a7e6-29ff02feb9f8");
    assert_eq!(code, 404);
    s.conforms("Error", &v);
    let r = s
        .client
        .post(format!("{}/runs", s.url))
        .header("content-type", "application/json")
        .header("origin", "http://attacker.example")
        .body(json!({"workflowId": WORKFLOW}).to_string())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403, "a page of another origin");
    // One run goes on, one waits its turn: a third is refused until there is room.
    let first = s.start("q-1");
    s.start("q-2");
    let r = s.post(
        "/runs",
        &json!({"workflowId": WORKFLOW, "inputs": {"clientRequestToken": "q-3"}}),
    );
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    let r = s.post(&format!("/runs/{first}/cancel"), &json!({}));
    assert_eq!(r.status().as_u16(), 202);
    let (_, end) = s.events(&first, 0, None);
    let end = end.unwrap();
    assert_eq!(end["status"], "interrupted", "{end}");
}

/// A client that loses its connection and comes back with `Last-Event-ID` gets every event
/// after the last it saw, once: together, the same events as one whole read.
#[test]
fn a_client_that_reconnects_misses_nothing_and_sees_nothing_twice() {
    let d = Dir::new();
    let s = served(&d, &scenario("succeeded"), &[]);
    let run = s.start("sse-1");
    let (first, end) = s.events(&run, 0, Some(5));
    assert!(end.is_none());
    let last = first.last().unwrap().0;
    let (rest, end) = s.events(&run, last, None);
    assert!(end.is_some());
    let mut joined = first.clone();
    joined.extend(rest);
    // Read again whole, after the end: from the store, the same events.
    let (whole, _) = s.events(&run, 0, None);
    assert_eq!(joined, whole);
    let ids: Vec<usize> = joined.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, (1..=joined.len()).collect::<Vec<_>>());
}

/// SIGTERM while runs poll: each stops at a safe point and is recorded; the server started
/// again resumes them, and every run ends with exactly one `CreateFaceLivenessSession`.
#[test]
fn a_server_stopped_while_runs_poll_resumes_them_when_it_starts_again() {
    let d = Dir::new();
    let mut s = served(&d, &support::long_scenario(&d), &[]);
    let runs: Vec<String> = (0..3).map(|i| s.start(&format!("r-{i}"))).collect();
    wait_until("polls", || s.count("GetFaceLivenessSessionResults") >= 9);
    let mut server = s.processes.remove(0);
    let killed = std::process::Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", server.id())])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = server.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "{}",
        std::fs::read_to_string(d.path().join("serve.log")).unwrap()
    );
    let polled = s.count("GetFaceLivenessSessionResults");
    assert!(
        polled < 3 * 33,
        "the runs stopped before their end ({polled} polls)"
    );

    let log = std::fs::read_to_string(d.path().join("serve.log")).unwrap();
    assert!(log.contains("stopping (SIGTERM)"), "{log}");
    let (again, url) = serve(&d, &s.mock_url, &[]);
    s.processes.insert(0, again);
    s.url = url;
    for run in &runs {
        wait_until("the run's end", || {
            s.get(&format!("/runs/{run}")).1["status"] == "succeeded"
        });
        let (_, v) = s.get(&format!("/runs/{run}"));
        s.conforms("Run", &v);
        assert_eq!(v["outputs"]["status"], "SUCCEEDED");
    }
    assert_eq!(
        s.count("CreateFaceLivenessSession"),
        3,
        "one session per run"
    );
    let log = std::fs::read_to_string(d.path().join("serve.log")).unwrap();
    assert_eq!(log.matches("resuming run").count(), 3, "{log}");
}

/// Beyond loopback only with a token; with one, a request without it is refused.
#[test]
fn a_token_guards_the_api() {
    let d = Dir::new();
    let seed = repo(SEED);
    let o = support::command(
        &[
            "serve",
            seed.to_str().unwrap(),
            "--listen",
            "0.0.0.0:0",
            "--mock",
        ],
        d.path(),
    )
    .env("TELAIO_STORE", d.path().join("runs.db"))
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        support::stderr(&o).contains("--token-file"),
        "{}",
        support::stderr(&o)
    );
    let token = "canary-token-0123456789";
    d.write("token", format!("{token}\n"));
    let (server, url) = support::serve_seed(d.path(), &["--mock", "--token-file", "token"]);
    let _server = support::Running(server);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::new();
    let r = client.get(format!("{url}/workflows")).send().unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let r = client
        .get(format!("{url}/workflows"))
        .bearer_auth("canary-token-0123456788")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 401, "a near miss is a miss");
    let r = client
        .get(format!("{url}/workflows"))
        .bearer_auth(token)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

/// Secrets (a credential, a secret input) never reach an answer, an event or the store.
#[test]
fn secrets_never_reach_an_answer_an_event_or_the_store() {
    const KEY: &str = "canary-key-5e1b";
    const PASSWORD: &str = "canary-pw-93d2";
    let api = support::serve_raw(|_, request| {
        let key = request
            .headers
            .iter()
            .find(|(k, _)| k == "x-api-key")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let body: Value = serde_json::from_str(&request.body).unwrap_or_default();
        let echo = format!("{}-{key}", body["password"].as_str().unwrap_or_default());
        support::response(
            200,
            &[("content-type", "application/json")],
            &json!({ "echo": echo }).to_string(),
        )
    });
    let d = Dir::new();
    d.write(
        "api.yaml",
        "openapi: 3.0.3\ninfo: {title: Login, version: '1'}\nservers: [{url: 'http://127.0.0.1:1'}]\ncomponents:\n  securitySchemes:\n    key: {type: apiKey, in: header, name: X-Api-Key}\nsecurity: [{key: []}]\npaths:\n  /login:\n    post:\n      operationId: login\n      requestBody: {content: {application/json: {schema: {type: object}}}}\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {type: object}}}}\n",
    );
    d.write(
        "login.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: Login, version: '1'}\nsourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]\nworkflows:\n  - workflowId: login\n    inputs: {type: object, properties: {password: {type: string, format: password}}}\n    steps:\n      - stepId: login\n        operationId: login\n        requestBody: {contentType: application/json, payload: {password: $inputs.password}}\n        successCriteria: [{condition: $statusCode == 200}]\n        outputs: {echo: $response.body#/echo}\n    outputs: {echo: $steps.login.outputs.echo}\n",
    );
    let server = format!("api={api}");
    let mut command = support::command(
        &[
            "serve",
            "login.arazzo.yaml",
            "--listen",
            "127.0.0.1:0",
            "--server",
            &server,
        ],
        d.path(),
    );
    command
        .env("TELAIO_STORE", d.path().join("runs.db"))
        .env("TELAIO_AUTH_API_KEY", KEY)
        .stderr(std::fs::File::create(d.path().join("serve.log")).unwrap());
    let (server, url) = support::listening(command);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let s = Served {
        processes: vec![server],
        url: url.clone(),
        mock_url: String::new(),
        mock_log: d.path().join("none.log"),
        client: reqwest::blocking::Client::new(),
        openapi: Value::Null,
    };
    let r = s.post(
        "/runs",
        &json!({"workflowId": "login", "inputs": {"password": PASSWORD}}),
    );
    assert_eq!(r.status().as_u16(), 202);
    let run = serde_json::from_str::<Value>(&r.text().unwrap()).unwrap()["runId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (events, end) = s.events(&run, 0, None);
    let end = end.unwrap();
    assert_eq!(end["status"], "succeeded", "{end}");
    assert_eq!(end["outputs"]["echo"], "***-***", "{end}");
    let (_, got) = s.get(&format!("/runs/{run}"));
    let (_, listed) = s.get("/runs");
    let (replayed, _) = s.events(&run, 0, None);
    let seen = format!("{events:?}{end}{got}{listed}{replayed:?}");
    for canary in [KEY, PASSWORD] {
        assert!(!seen.contains(canary), "{canary} in an answer: {seen}");
    }
    for file in ["runs.db", "runs.db-wal", "serve.log"] {
        let bytes = std::fs::read(d.path().join(file)).unwrap_or_default();
        for canary in [KEY, PASSWORD] {
            assert!(
                !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
                "{canary} in {file}"
            );
        }
    }
}

/// The API drives itself: `examples/serve/run-and-wait.arazzo.yaml` (valid, as `telaio
/// validate` says) run with `telaio run` against a server starts the seed there and waits for
/// its result.
#[test]
fn an_arazzo_workflow_drives_the_api() {
    let d = Dir::new();
    let s = served(&d, &scenario("succeeded"), &[]);
    let example = repo("examples/serve/run-and-wait.arazzo.yaml");
    let o = support::command(&["validate", example.to_str().unwrap()], d.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", support::stdout(&o));
    let server = format!("telaio={}", s.url);
    let o = support::command(
        &[
            "run",
            example.to_str().unwrap(),
            "--server",
            &server,
            "--input",
            &format!("workflowId={WORKFLOW}"),
            "--input-json",
            r#"inputs={"clientRequestToken": "api-1"}"#,
            "--no-store",
            "--output",
            "json",
        ],
        d.path(),
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    let result: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(result["outputs"]["status"], "succeeded", "{result}");
    assert_eq!(
        result["outputs"]["outputs"]["status"], "SUCCEEDED",
        "{result}"
    );
    let run = result["outputs"]["runId"].as_str().unwrap();
    let (code, got) = s.get(&format!("/runs/{run}"));
    assert_eq!(code, 200);
    assert_eq!(got["outputs"], result["outputs"]["outputs"]);
}

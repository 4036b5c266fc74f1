//! `telaio restate serve` end to end: the real Restate server (npm `@restatedev/restate-server`,
//! its binary run directly), a separate `telaio mock` process for Rekognition, endpoints killed
//! with SIGKILL. Everything on 127.0.0.1.
#![cfg(unix)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use support::{Dir, Running, count, repo, wait_until};

const SEED: &str =
    "examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml";
const WORKFLOW: &str = "face-liveness-session";

/// One test at a time: each starts a Restate server (with RocksDB and its own threads), and
/// several at once on a small machine start slowly enough to fail for no fault of theirs.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The Restate server binary (`TELAIO_RESTATE_SERVER`, or the one `.ci/run` installs) and the
/// turn of the calling test. None (the test is skipped) only when `TELAIO_REQUIRE_RESTATE` is
/// not set.
fn restate_server() -> Option<(PathBuf, std::sync::MutexGuard<'static, ()>)> {
    let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let found = std::env::var_os("TELAIO_RESTATE_SERVER")
        .map(PathBuf::from)
        .or_else(|| {
            let installed = repo(
                "target/ci-tools/node_modules/@restatedev/restate-server-linux-x64/bin/restate-server",
            );
            installed.exists().then_some(installed)
        })
        .filter(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("TELAIO_REQUIRE_RESTATE").is_none(),
            "TELAIO_REQUIRE_RESTATE is set and there is no Restate server: set TELAIO_RESTATE_SERVER"
        );
        eprintln!("note: no Restate server; skipping");
    }
    found.map(|f| (f, turn))
}

/// A free port of 127.0.0.1 (free a moment ago).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn client() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A Restate server on 127.0.0.1 with its data in a folder of its own.
struct Restate {
    binary: PathBuf,
    base: PathBuf,
    /// More of the server's settings, as environment variables.
    env: Vec<(String, String)>,
    ports: [u16; 3],
    process: Option<Child>,
    client: reqwest::blocking::Client,
}

impl Restate {
    fn start(binary: PathBuf, base: &Path) -> Restate {
        Restate::start_with(binary, base, Vec::new())
    }

    fn start_with(binary: PathBuf, base: &Path, env: Vec<(String, String)>) -> Restate {
        let mut r = Restate {
            binary,
            base: base.to_owned(),
            env,
            ports: [free_port(), free_port(), free_port()],
            process: None,
            client: client(),
        };
        r.restart();
        r
    }

    /// Starts the server (again) on the same ports and data folder.
    fn restart(&mut self) {
        let [ingress, admin, node] = self.ports;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.base.join("restate.log"))
            .unwrap();
        let child = Command::new(&self.binary)
            .args([
                "--no-logo",
                "--listen-mode",
                "tcp",
                "--default-num-partitions",
                "2",
            ])
            .arg("--base-dir")
            .arg(self.base.join("data"))
            .env(
                "RESTATE_INGRESS__BIND_ADDRESS",
                format!("127.0.0.1:{ingress}"),
            )
            .env("RESTATE_ADMIN__BIND_ADDRESS", format!("127.0.0.1:{admin}"))
            .env("RESTATE_BIND_ADDRESS", format!("127.0.0.1:{node}"))
            .env(
                "RESTATE_ADVERTISED_ADDRESS",
                format!("http://127.0.0.1:{node}"),
            )
            .env("RESTATE_DISABLE_TELEMETRY", "true")
            .env("RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE", "256MB")
            .env("RESTATE_ADMIN__DISABLE_WEB_UI", "true")
            // A lost endpoint is tried again soon, so that a test need not wait a minute.
            .env("RESTATE_DEFAULT_RETRY_POLICY__INITIAL_INTERVAL", "100ms")
            .env("RESTATE_DEFAULT_RETRY_POLICY__MAX_INTERVAL", "500ms")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.process = Some(child);
        let health = format!("http://127.0.0.1:{admin}/health");
        let ingress_health = format!("http://127.0.0.1:{ingress}/restate/health");
        wait_until("Restate server", || {
            self.client
                .get(&health)
                .send()
                .is_ok_and(|r| r.status().is_success())
                && self
                    .client
                    .get(&ingress_health)
                    .send()
                    .is_ok_and(|r| r.status().is_success())
        });
    }

    fn kill(&mut self) {
        if let Some(mut p) = self.process.take() {
            let _ = p.kill();
            let _ = p.wait();
        }
    }

    fn admin(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.ports[1])
    }

    fn ingress(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.ports[0])
    }

    /// Registers the endpoint at `url` (its services read again).
    fn register(&self, url: &str) {
        let (ok, text) = self.try_register(url);
        assert!(ok, "{text}");
    }

    /// Asks to register the endpoint at `url`: whether it was, and the answer.
    fn try_register(&self, url: &str) -> (bool, String) {
        let r = self
            .client
            .post(self.admin("/deployments"))
            .header("content-type", "application/json")
            .body(json!({"uri": url, "force": true}).to_string())
            .send()
            .unwrap();
        (r.status().is_success(), r.text().unwrap())
    }

    /// Starts run `id` of the seed with `token`.
    fn start_run(&self, id: &str, token: &str) -> String {
        self.send(
            id,
            &json!({"workflowId": WORKFLOW, "inputs": {"clientRequestToken": token}}),
        )
    }

    /// Starts run `id` as `asked` says: its invocation's id.
    fn send(&self, id: &str, asked: &Value) -> String {
        let r = self
            .client
            .post(self.ingress(&format!("/telaio/{id}/run/send")))
            .header("content-type", "application/json")
            .body(asked.to_string())
            .send()
            .unwrap();
        let status = r.status().as_u16();
        let answer: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
        assert_eq!(status, 202, "{answer}");
        answer["invocationId"].as_str().unwrap().to_owned()
    }

    /// The result of run `id`, once it is over.
    fn result(&self, id: &str) -> (u16, Value) {
        let r = self
            .client
            .get(self.ingress(&format!("/restate/workflow/telaio/{id}/attach")))
            .send()
            .unwrap();
        let status = r.status().as_u16();
        (status, serde_json::from_str(&r.text().unwrap()).unwrap())
    }

    fn progress(&self, id: &str) -> Value {
        let r = self
            .client
            .get(self.ingress(&format!("/telaio/{id}/progress")))
            .send()
            .unwrap();
        serde_json::from_str(&r.text().unwrap()).unwrap()
    }

    /// Rows of an introspection query.
    fn query(&self, sql: &str) -> Vec<Value> {
        let r = self
            .client
            .post(self.admin("/query"))
            .header("accept", "application/json")
            .header("content-type", "application/json")
            .body(json!({"query": sql}).to_string())
            .send()
            .unwrap();
        let v: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
        v["rows"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for Restate {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `telaio restate serve` of the seed against the mock at `mock_url`, on `port` (0: any).
fn endpoint(d: &Dir, mock_url: &str, port: u16) -> (Child, String) {
    endpoint_of(
        d,
        &repo(SEED),
        &format!("rekognitionApi={mock_url}"),
        port,
        &[],
    )
}

/// `telaio restate serve` of `document` with `--server SERVER` and `extra`, on `port` (0:
/// any).
fn endpoint_of(
    d: &Dir,
    document: &Path,
    server: &str,
    port: u16,
    extra: &[&str],
) -> (Child, String) {
    let listen = format!("127.0.0.1:{port}");
    let mut args = vec![
        "restate",
        "serve",
        document.to_str().unwrap(),
        "--server",
        server,
        "--listen",
        &listen,
    ];
    if !extra.contains(&"--poll-interval") {
        args.extend_from_slice(&["--poll-interval", "0.05"]);
    }
    args.extend_from_slice(extra);
    let mut c = support::command(&args, d.path());
    c.stderr(
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(d.path().join("endpoint.log"))
            .unwrap(),
    );
    support::listening(c)
}

fn scenario(name: &str) -> PathBuf {
    repo(&format!("examples/rekognition/scenarios/{name}.yaml"))
}

/// The seed through Restate's ingress against each of the mock's scenarios: the result is
/// `telaio run --output json`'s, the session was created once, and `progress` tells the
/// steps.
#[test]
fn the_seed_runs_through_restate() {
    let Some((binary, _turn)) = restate_server() else {
        return;
    };
    let d = Dir::new();
    let restate = Restate::start(binary, d.path());
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
    }
}

/// The rows of run `run`'s journal in Restate, in order.
fn journal(restate: &Restate, run: &str) -> Vec<Value> {
    restate.query(&format!(
        "SELECT j.index, j.entry_type, j.name, j.entry_json FROM sys_journal j \
         JOIN sys_invocation i ON j.id = i.id \
         WHERE i.target_service_key = '{run}' AND i.target_handler_name = 'run' ORDER BY j.index"
    ))
}

/// The Restate server killed (SIGKILL) while a run polls, and started again on its data:
/// the run finishes with the same guarantees.
#[test]
fn a_lost_restate_server_comes_back_and_the_run_goes_on() {
    let Some((binary, _turn)) = restate_server() else {
        return;
    };
    let d = Dir::new();
    let mut restate = Restate::start(binary, d.path());
    let log = d.path().join("mock.log");
    let (mock, mock_url) = support::seed_mock(d.path(), &support::long_scenario(&d), &log);
    let _mock = Running(mock);
    let (endpoint, url) = endpoint(&d, &mock_url, 0);
    let _endpoint = Running(endpoint);
    restate.register(&url);
    restate.start_run("server-lost-1", "s-1");
    wait_until("polls", || {
        count(&log, "GetFaceLivenessSessionResults") >= 5
    });
    restate.kill();
    let before = count(&log, "GetFaceLivenessSessionResults");
    restate.restart();
    went_on(&restate, "server-lost-1", &log, before);
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

/// Data the API marks `x-sensitive` (a biometric image) never reaches Restate: not its
/// journal, not the run's state, not its data folder, not the result.
#[test]
fn sensitive_data_never_reaches_restate() {
    let Some((binary, _turn)) = restate_server() else {
        return;
    };
    const CANARY: &str = "Q0FOQVJZLWJpb21ldHJpYy1pbWFnZS03ZjNh";
    let d = Dir::new();
    let restate = Restate::start(binary, d.path());
    let sensitive = std::fs::read_to_string(scenario("succeeded"))
        .unwrap()
        .replace(
            "Confidence: 99.1}",
            &format!("Confidence: 99.1, ReferenceImage: {{Bytes: \"{CANARY}\"}}}}"),
        );
    assert!(sensitive.contains(CANARY));
    let scenario = d.write("sensitive.yaml", sensitive);
    let log = d.path().join("mock.log");
    let (mock, mock_url) = support::seed_mock(d.path(), &scenario, &log);
    let _mock = Running(mock);
    let (endpoint, url) = endpoint(&d, &mock_url, 0);
    let _endpoint = Running(endpoint);
    restate.register(&url);
    restate.start_run("sensitive-1", "c-1");
    let (code, result) = restate.result("sensitive-1");
    assert_eq!(code, 200, "{result}");
    assert_eq!(result["outputs"]["status"], "SUCCEEDED", "{result}");
    let rows = journal(&restate, "sensitive-1");
    assert!(rows.len() > 10, "{rows:?}");
    let state = restate.query("SELECT key, value_utf8 FROM state WHERE service_name = 'telaio'");
    for (what, text) in [
        ("the journal", Value::Array(rows).to_string()),
        ("the state", Value::Array(state).to_string()),
        ("the result", result.to_string()),
        ("the progress", restate.progress("sensitive-1").to_string()),
    ] {
        assert!(
            !text.contains(CANARY),
            "the sensitive value in {what}: {text}"
        );
    }
    // The journal holds the answer, its sensitive value masked by its size.
    let journal = Value::Array(journal(&restate, "sensitive-1")).to_string();
    assert!(journal.contains("sensitive"), "{journal}");
    let mut files = vec![d.path().join("data")];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if let Ok(bytes) = std::fs::read(&path) {
            assert!(
                !bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()),
                "the sensitive value in {}",
                path.display()
            );
        }
    }
}

/// An endpoint killed (SIGKILL) while its run polls is replaced by another on the same
/// address: the run finishes, the session was created once, and no answered poll went out
/// again.
#[test]
fn a_lost_endpoint_is_replaced_and_nothing_is_sent_twice() {
    let Some((binary, _turn)) = restate_server() else {
        return;
    };
    let d = Dir::new();
    let restate = Restate::start(binary, d.path());
    let log = d.path().join("mock.log");
    let (mock, mock_url) = support::seed_mock(d.path(), &support::long_scenario(&d), &log);
    let _mock = Running(mock);
    let port = free_port();
    let (endpoint_1, url) = endpoint(&d, &mock_url, port);
    let mut endpoint_1 = Running(endpoint_1);
    restate.register(&url);
    restate.start_run("lost-1", "l-1");
    wait_until("polls", || {
        count(&log, "GetFaceLivenessSessionResults") >= 5
    });
    let _ = endpoint_1.0.kill();
    let _ = endpoint_1.0.wait();
    let before = count(&log, "GetFaceLivenessSessionResults");
    let (endpoint_2, _) = endpoint(&d, &mock_url, port);
    let _endpoint_2 = Running(endpoint_2);
    went_on(&restate, "lost-1", &log, before);
}

/// A request that is not safe to send twice (a `POST` without an idempotency key), in flight
/// when its endpoint is killed: the endpoint that takes over does not send it again, and the
/// run ends `in-doubt`, naming it.
#[test]
fn a_request_in_doubt_is_not_sent_again() {
    let Some((binary, _turn)) = restate_server() else {
        return;
    };
    let d = Dir::new();
    let restate = Restate::start(binary, d.path());
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
    let Some((binary, _turn)) = restate_server() else {
        return;
    };
    let d = Dir::new();
    let restate = Restate::start(binary, d.path());
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
    let Some((binary, _turn)) = restate_server() else {
        return;
    };
    let d = Dir::new();
    let restate = Restate::start(binary, d.path());
    let log = d.path().join("mock.log");
    let (mock, mock_url) = support::seed_mock(d.path(), &scenario("succeeded"), &log);
    let _mock = Running(mock);
    let server = format!("rekognitionApi={mock_url}");
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
    assert_eq!(count(&log, "CreateFaceLivenessSession"), 1);
    let polls = result["steps"][1]["attempts"].as_u64().unwrap() as usize;
    assert_eq!(count(&log, "GetFaceLivenessSessionResults"), polls);
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

    let log = d.path().join("mock.log");
    let (mock, mock_url) = support::seed_mock(d.path(), &scenario("succeeded"), &log);
    let _mock = Running(mock);
    let server = format!("rekognitionApi={mock_url}");
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

/// `bytes` in base58 (Bitcoin's alphabet), as Restate writes its public keys.
fn base58(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut digits: Vec<u8> = Vec::new();
    for &byte in bytes {
        let mut carry = u32::from(byte);
        for d in &mut digits {
            carry += u32::from(*d) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    std::iter::repeat_n(b'1', zeros)
        .chain(digits.iter().rev().map(|d| ALPHABET[*d as usize]))
        .map(char::from)
        .collect()
}

/// A round-robin TCP proxy on 127.0.0.1, as a load balancer before several endpoints: each
/// connection goes to the next target that accepts it. Its port.
fn balancer(targets: Vec<u16>) -> u16 {
    use std::net::{Shutdown, TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut turn = 0;
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let upstream = (0..targets.len()).find_map(|i| {
                TcpStream::connect(("127.0.0.1", targets[(turn + i) % targets.len()])).ok()
            });
            turn += 1;
            let Some(upstream) = upstream else { continue };
            for (mut from, mut to) in [
                (client.try_clone().unwrap(), upstream.try_clone().unwrap()),
                (upstream, client),
            ] {
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from, &mut to);
                    let _ = to.shutdown(Shutdown::Both);
                });
            }
        }
    });
    port
}

/// CPU time a process has used, in clock ticks.
fn ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    fields
        .get(11)
        .and_then(|u| u.parse::<u64>().ok())
        .unwrap_or(0)
        + fields
            .get(12)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0)
}

/// Two endpoints behind one balancer share 200 runs started at once; one is killed halfway:
/// every run finishes, each session was created once.
#[test]
fn two_endpoints_share_the_runs_and_one_may_be_lost() {
    let Some((binary, _turn)) = restate_server() else {
        return;
    };
    let d = Dir::new();
    let restate = Restate::start(binary, d.path());
    let log = d.path().join("mock.log");
    let (mock, mock_url) = support::seed_mock(d.path(), &scenario("succeeded"), &log);
    let _mock = Running(mock);
    let server = format!("rekognitionApi={mock_url}");
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
        count(&log, "GetFaceLivenessSessionResults") >= RUNS * 5 / 2
    });
    let worked = (ticks(one.0.id()) - idle.0, ticks(two.0.id()) - idle.1);
    let _ = one.0.kill();
    let _ = one.0.wait();
    let mut attempts = 0;
    for i in 0..RUNS {
        let (code, result) = restate.result(&format!("shared-{i}"));
        assert_eq!(code, 200, "run {i}: {result}");
        assert_eq!(
            result["outputs"]["status"], "SUCCEEDED",
            "run {i}: {result}"
        );
        attempts += result["steps"][1]["attempts"].as_u64().unwrap() as usize;
    }
    assert!(
        worked.0 > 0 && worked.1 > 0,
        "both endpoints ran runs: {worked:?}"
    );
    assert_eq!(
        count(&log, "CreateFaceLivenessSession"),
        RUNS,
        "each session created once"
    );
    let received = count(&log, "GetFaceLivenessSessionResults");
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
    let Some((binary, _turn)) = restate_server() else {
        return;
    };
    let d = Dir::new();
    let restate = Restate::start(binary, d.path());
    let log = d.path().join("mock.log");
    let (mock, mock_url) = support::seed_mock(d.path(), &support::long_scenario(&d), &log);
    let _mock = Running(mock);
    let server = format!("rekognitionApi={mock_url}");
    let (endpoint, url) = endpoint_of(&d, &repo(SEED), &server, 0, &["--poll-interval", "0.3"]);
    let _endpoint = Running(endpoint);
    restate.register(&url);
    let invocation = restate.start_run("cancelled-1", "x-1");
    wait_until("polls", || {
        count(&log, "GetFaceLivenessSessionResults") >= 2
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
    let polls = count(&log, "GetFaceLivenessSessionResults");
    assert!(polls < 30, "the run stopped polling: {polls}");
}

//! `run --journal` and `telaio replay`: the journal is the run's record. Replayed with its
//! servers gone, it gives the run's result, events and exit status; it holds no secret; a
//! run killed mid-way leaves what it had done; a changed document is refused.

mod support;

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use support::{Dir, repo, response, serve_raw, stderr, stdout, telaio};

const SEED: &str =
    "examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml";

/// Runs `document` (the seed, or a copy of it) in `d` against the mock with the seed's
/// `scenario`, with no poll interval, and `more` arguments.
fn seed_with_mock(d: &Dir, document: &str, scenario: &str, more: &[&str]) -> std::process::Output {
    let scenario = repo(&format!("examples/rekognition/scenarios/{scenario}.yaml"));
    let mut args = vec![
        "run",
        document,
        "--mock",
        scenario.to_str().unwrap(),
        "--poll-interval",
        "0",
        "--input",
        "clientRequestToken=t-1",
    ];
    args.extend_from_slice(more);
    telaio(&args, d.path())
}

/// Runs the seed against the mock with `scenario`, keeping a journal and a trace; then
/// replays the journal (the mock is gone with the run) with a trace of its own.
fn run_and_replay(
    d: &Dir,
    scenario: &str,
    output: &str,
) -> (std::process::Output, std::process::Output) {
    let seed = repo(SEED);
    let run = seed_with_mock(
        d,
        seed.to_str().unwrap(),
        scenario,
        &[
            "--journal",
            "run.journal.jsonl",
            "--trace",
            "run.trace.jsonl",
            "--output",
            output,
        ],
    );
    let replay = telaio(
        &[
            "replay",
            "run.journal.jsonl",
            "--trace",
            "replay.trace.jsonl",
            "--output",
            output,
        ],
        d.path(),
    );
    (run, replay)
}

fn read(d: &Dir, name: &str) -> String {
    std::fs::read_to_string(d.path().join(name)).unwrap()
}

#[test]
fn a_replayed_seed_run_gives_the_run_s_result_events_and_status() {
    for (scenario, code, status) in [
        ("succeeded", 0, "SUCCEEDED"),
        ("failed", 0, "FAILED"),
        ("expired", 0, "EXPIRED"),
        ("session-not-found", 1, ""),
        ("throttled", 0, "SUCCEEDED"),
    ] {
        let d = Dir::new();
        let (run, replay) = run_and_replay(&d, scenario, "json");
        assert_eq!(
            run.status.code(),
            Some(code),
            "{scenario}: {}",
            stderr(&run)
        );
        assert_eq!(
            replay.status.code(),
            Some(code),
            "{scenario}: {}",
            stderr(&replay)
        );
        assert_eq!(stdout(&replay), stdout(&run), "{scenario}");
        if !status.is_empty() {
            let v: serde_json::Value = serde_json::from_str(&stdout(&run)).unwrap();
            assert_eq!(v["outputs"]["status"], status, "{scenario}: {v}");
        }
        // Every event, timestamps on the run's clock included.
        let events = read(&d, "run.trace.jsonl");
        assert!(events.lines().count() > 5, "{scenario}: {events}");
        assert_eq!(read(&d, "replay.trace.jsonl"), events, "{scenario}");
        // Each line of the journal after its header is an entry; the throttled scenario
        // records the driver's own retries.
        let journal = read(&d, "run.journal.jsonl");
        assert!(
            journal
                .lines()
                .next()
                .unwrap()
                .contains("\"format\":\"telaio-journal/1\"")
        );
        if scenario == "throttled" {
            assert!(
                journal.contains("\"entry\":\"requestRetried\""),
                "{journal}"
            );
            assert!(events.contains("\"event\":\"requestRetried\""), "{events}");
        }
    }
}

#[test]
fn the_human_replay_prints_what_the_run_printed() {
    let d = Dir::new();
    let (run, replay) = run_and_replay(&d, "succeeded", "human");
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(replay.status.code(), Some(0), "{}", stderr(&replay));
    assert_eq!(stdout(&replay), stdout(&run));
    assert_eq!(stderr(&replay), stderr(&run));
}

#[test]
fn a_journal_of_a_changed_document_is_refused_unless_forced() {
    let d = Dir::new();
    let api = std::fs::read_to_string(repo(
        "examples/rekognition/openapi/amazon-rekognition-openapi.yml",
    ))
    .unwrap();
    let doc = std::fs::read_to_string(repo(SEED))
        .unwrap()
        .replace("../openapi/amazon-rekognition-openapi.yml", "./api.yml");
    d.write("api.yml", &api);
    d.write("flow.yml", &doc);
    let journaled = ["--journal", "j.jsonl", "--output", "json"];
    let run = seed_with_mock(&d, "flow.yml", "succeeded", &journaled);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    d.write("flow.yml", format!("{doc}\n# edited\n"));
    let o = telaio(&["replay", "j.jsonl"], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("flow.yml changed since the run started (the document changed)"),
        "{}",
        stderr(&o)
    );
    let o = telaio(
        &["replay", "j.jsonl", "--force", "--output", "json"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), stdout(&run));
    // The API description counts as part of the document.
    d.write("flow.yml", &doc);
    d.write("api.yml", api.replace("title:", "title: changed"));
    let o = telaio(&["replay", "j.jsonl"], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("(source rekognitionApi changed)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_journal_holds_no_secret() {
    let d = Dir::new();
    d.write(
        "api.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /me:\n    get:\n      operationId: me\n      security: [{token: []}]\n      parameters: [{name: pin, in: query, schema: {type: string}}]\n      responses: {'200': {description: ok}}\ncomponents:\n  securitySchemes:\n    token: {type: http, scheme: bearer}\n",
    );
    d.write(
        "flow.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: api, url: ./api.yaml}]\nworkflows:\n  - workflowId: w\n    inputs: {type: object, properties: {pin: {type: string, format: password}}}\n    steps:\n      - stepId: me\n        operationId: me\n        parameters: [{name: pin, in: query, value: $inputs.pin}]\n        outputs: {echo: $response.body}\n    outputs: {echo: $steps.me.outputs.echo}\n",
    );
    // A careless server echoes what it was sent, in its headers and its body.
    let url = serve_raw(|_, seen| {
        let auth = seen
            .headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let body = serde_json::json!({"auth": auth, "path": seen.target}).to_string();
        response(
            200,
            &[("content-type", "application/json"), ("x-echo", &auth)],
            &body,
        )
    });
    let o = support::command(
        &[
            "run",
            "flow.arazzo.yaml",
            "--server",
            &format!("api={url}"),
            "--input",
            "pin=canary-pin-5521",
            "--journal",
            "j.jsonl",
            "--output",
            "json",
        ],
        d.path(),
    )
    .env("TELAIO_AUTH_API_TOKEN", "canary-token-8830")
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let journal = read(&d, "j.jsonl");
    assert!(journal.contains("\"entry\":\"response\""), "{journal}");
    for canary in ["canary-pin-5521", "canary-token-8830"] {
        assert!(!journal.contains(canary), "{canary} leaked: {journal}");
        assert!(
            !stdout(&o).contains(canary),
            "{canary} leaked: {}",
            stdout(&o)
        );
    }
    // The replay, from the masked record, ends as the run did.
    let r = telaio(&["replay", "j.jsonl", "--output", "json"], d.path());
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    assert_eq!(stdout(&r), stdout(&o));
}

/// The seed run against `url`, keeping a journal in `d`, with its output piped; returns
/// once `requests` requests have reached the server.
#[cfg(unix)]
fn seed_in_flight(
    d: &Dir,
    url: &str,
    arrived: &AtomicUsize,
    requests: usize,
) -> std::process::Child {
    let seed = repo(SEED);
    let server = format!("rekognitionApi={url}");
    let args = [
        "run",
        seed.to_str().unwrap(),
        "--server",
        &server,
        "--input",
        "clientRequestToken=t-1",
        "--journal",
        "j.jsonl",
        "--output",
        "json",
    ];
    let child = support::command(&args, d.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while arrived.load(Ordering::SeqCst) < requests {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no request {requests}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// A run killed outright (SIGKILL) while it waits for its second response: the journal
/// holds the first response, written before the second request was sent, and the replay
/// says the run was cut short.
#[cfg(unix)]
#[test]
fn a_killed_run_leaves_a_journal_of_what_it_did() {
    let arrived = Arc::new(AtomicUsize::new(0));
    let seen = arrived.clone();
    let url = serve_raw(move |n, _| {
        seen.fetch_add(1, Ordering::SeqCst);
        if n == 0 {
            return response(
                200,
                &[("content-type", "application/x-amz-json-1.1")],
                r#"{"SessionId": "s-1"}"#,
            );
        }
        std::thread::sleep(Duration::from_secs(20));
        response(200, &[], "{}")
    });
    let d = Dir::new();
    let mut child = seed_in_flight(&d, &url, &arrived, 2);
    child.kill().unwrap();
    let _ = child.wait();
    let journal = read(&d, "j.jsonl");
    assert_eq!(journal.lines().count(), 2, "{journal}");
    assert!(journal.contains("s-1"), "{journal}");
    let o = telaio(&["replay", "j.jsonl"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("the journal ends after 1 entries, before the run did: it was cut short"),
        "{}",
        stderr(&o)
    );
}

/// A run stopped by SIGTERM replays as stopped, with the same status.
#[cfg(unix)]
#[test]
fn a_signalled_run_replays_with_its_status() {
    let arrived = Arc::new(AtomicUsize::new(0));
    let seen = arrived.clone();
    // The first answer takes a second and a half: the signal comes while it is in flight,
    // and the run stops once it is in.
    let url = serve_raw(move |_, _| {
        seen.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(1500));
        response(
            200,
            &[("content-type", "application/x-amz-json-1.1")],
            r#"{"SessionId": "s-1"}"#,
        )
    });
    let d = Dir::new();
    let child = seed_in_flight(&d, &url, &arrived, 1);
    let killed = std::process::Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .unwrap();
    assert!(killed.success());
    let run = child.wait_with_output().unwrap();
    assert_eq!(run.status.code(), Some(143), "{}", stderr(&run));
    let o = telaio(&["replay", "j.jsonl", "--output", "json"], d.path());
    assert_eq!(o.status.code(), Some(143), "{}", stderr(&o));
    assert_eq!(stdout(&o), stdout(&run));
}

#[test]
fn a_bad_journal_is_refused_at_its_line() {
    let d = Dir::new();
    d.write("empty.jsonl", "");
    let o = telaio(&["replay", "empty.jsonl"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("empty.jsonl is empty: not a journal"),
        "{}",
        stderr(&o)
    );
    d.write("other.jsonl", "{\"format\": \"someone-else/9\"}\n");
    let o = telaio(&["replay", "other.jsonl"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("other.jsonl:1: a journal in format `someone-else/9`"),
        "{}",
        stderr(&o)
    );
    // A real header, then a line that is no entry.
    let run = run_and_replay(&d, "succeeded", "json").0;
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let header = read(&d, "run.journal.jsonl")
        .lines()
        .next()
        .unwrap()
        .to_owned();
    d.write(
        "bad.jsonl",
        format!("{header}\n{{\"entry\": \"teleport\"}}\n"),
    );
    let o = telaio(&["replay", "bad.jsonl"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.jsonl:2:"), "{}", stderr(&o));
    assert!(stderr(&o).contains("teleport"), "{}", stderr(&o));
    // Entries that do not fit the workflow: a wait where a response is due.
    d.write(
        "wrong.jsonl",
        format!("{header}\n{{\"entry\": \"waited\", \"millis\": 5}}\n"),
    );
    let o = telaio(&["replay", "wrong.jsonl"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("entry 1 records a wait, but here the run sends a request"),
        "{}",
        stderr(&o)
    );
    // A last line cut off mid-write (a killed run) ends the journal: cut short, not broken.
    let journal = read(&d, "run.journal.jsonl");
    let first = journal.lines().nth(1).unwrap();
    d.write(
        "cut.jsonl",
        format!("{header}\n{first}\n{}", &first[..first.len() / 2]),
    );
    let o = telaio(&["replay", "cut.jsonl"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("it was cut short"), "{}", stderr(&o));
    // A journal must not ask a replay for a run without end.
    let greedy = header.replace("\"maxDepth\":32", "\"maxDepth\":1000000000");
    assert_ne!(greedy, header);
    d.write("greedy.jsonl", format!("{greedy}\n"));
    let o = telaio(&["replay", "greedy.jsonl"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("a replay allows at most"),
        "{}",
        stderr(&o)
    );
}

/// Data an API marks `x-sensitive` is in the journal by its size only, and a replay shows
/// it as the run did (by the same size), in the outputs too.
#[test]
fn sensitive_data_replays_as_the_run_showed_it() {
    let d = Dir::new();
    d.write(
        "api.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /img:\n    get:\n      operationId: getImage\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  Bytes: {type: string, x-sensitive: true}\n",
    );
    d.write(
        "flow.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: api, url: ./api.yaml}]\nworkflows:\n  - workflowId: w\n    steps:\n      - stepId: get\n        operationId: getImage\n        outputs: {image: $response.body#/Bytes}\n    outputs: {image: $steps.get.outputs.image}\n",
    );
    let image = "canary-face-".repeat(100);
    let body = format!(r#"{{"Bytes": "{image}"}}"#);
    let url = serve_raw(move |_, _| response(200, &[("content-type", "application/json")], &body));
    let server = format!("api={url}");
    let run = telaio(
        &[
            "run",
            "flow.arazzo.yaml",
            "--server",
            &server,
            "--journal",
            "j.jsonl",
            "--output",
            "json",
        ],
        d.path(),
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(
        stdout(&run).contains("<sensitive: 1200 bytes>"),
        "{}",
        stdout(&run)
    );
    let journal = read(&d, "j.jsonl");
    assert!(!journal.contains("canary-face"), "{journal}");
    let o = telaio(&["replay", "j.jsonl", "--output", "json"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), stdout(&run));
}

/// A replay reads the sources the run read, as the run read them: a `--source` substitute
/// is recorded (absolute) and used again, from any folder.
#[test]
fn a_replay_reads_the_sources_the_run_was_given() {
    let d = Dir::new();
    std::fs::create_dir_all(d.path().join("copies")).unwrap();
    d.write(
        "copies/api.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /jobs:\n    get:\n      operationId: getJob\n      responses: {'200': {description: ok}}\n",
    );
    // The document names a file that is not there: only the substitute makes it run.
    d.write(
        "flow.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: api, url: ./gone.yaml}]\nworkflows:\n  - workflowId: w\n    steps:\n      - {stepId: get, operationId: getJob}\n",
    );
    let url = serve_raw(|_, _| response(200, &[("content-type", "application/json")], "{}"));
    let server = format!("api={url}");
    let args = [
        "run",
        "flow.arazzo.yaml",
        "--server",
        &server,
        "--source",
        "api=copies/api.yaml",
        "--journal",
        "j.jsonl",
        "--output",
        "json",
    ];
    let run = telaio(&args, d.path());
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    std::fs::create_dir_all(d.path().join("elsewhere")).unwrap();
    let o = telaio(
        &["replay", "../j.jsonl", "--output", "json"],
        &d.path().join("elsewhere"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), stdout(&run));
}

/// `--document` reads the document from a given place (a journal written elsewhere, a
/// document since moved): the same content replays; another is refused as changed.
#[test]
fn a_replay_can_be_told_where_the_document_is() {
    let d = Dir::new();
    // A repository of its own: the document's sources beside its folder are inside it.
    std::fs::create_dir_all(d.path().join(".git")).unwrap();
    std::fs::create_dir_all(d.path().join("arazzo")).unwrap();
    std::fs::create_dir_all(d.path().join("openapi")).unwrap();
    let seed = std::fs::read_to_string(repo(SEED)).unwrap();
    let api = std::fs::read_to_string(repo(
        "examples/rekognition/openapi/amazon-rekognition-openapi.yml",
    ))
    .unwrap();
    d.write("arazzo/flow.yml", &seed);
    d.write("openapi/amazon-rekognition-openapi.yml", &api);
    let journaled = ["--journal", "j.jsonl", "--output", "json"];
    let run = seed_with_mock(&d, "arazzo/flow.yml", "succeeded", &journaled);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    std::fs::rename(
        d.path().join("arazzo/flow.yml"),
        d.path().join("arazzo/moved.yml"),
    )
    .unwrap();
    let o = telaio(&["replay", "j.jsonl"], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("replay needs it where the run read it"),
        "{}",
        stderr(&o)
    );
    let o = telaio(
        &[
            "replay",
            "j.jsonl",
            "--document",
            "arazzo/moved.yml",
            "--output",
            "json",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), stdout(&run));
    d.write(
        "arazzo/other.yml",
        seed.replace("Face Liveness", "Face  Liveness"),
    );
    let o = telaio(
        &["replay", "j.jsonl", "--document", "arazzo/other.yml"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("changed since the run started"),
        "{}",
        stderr(&o)
    );
}

//! Hostile input from outside: documents, servers and pipes that try to stall Telaio, take its
//! memory, write to the terminal or crash it. Each class of the trust issue has its cases here.

mod support;

use std::process::Stdio;

use support::{Dir, repo, response, serve_raw, stderr, stdout, telaio};

const SEED: &str =
    "examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml";

/// What a terminal must never receive raw from outside text.
fn assert_no_controls(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| {
            (c.is_control() && *c != '\n' && *c != '\t') || ('\u{202a}'..='\u{202e}').contains(c)
        })
        .collect();
    assert!(bad.is_empty(), "{what} holds raw controls {bad:?}:\n{text}");
}

#[test]
fn a_closed_stdout_ends_each_command_quietly() {
    let d = Dir::new();
    d.write(
        "pets.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      responses: {'200': {description: ok}}\n",
    );
    let doc = "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: pets, url: ./pets.yaml}]\nworkflows:\n  - workflowId: w\n    steps:\n      - {stepId: s, operationId: listPet}\n";
    d.write(
        "docs/pets.yaml",
        std::fs::read(d.path().join("pets.yaml")).unwrap(),
    );
    for i in 0..3 {
        d.write(&format!("docs/{i}.arazzo.yaml"), doc);
    }
    d.write("flow.arazzo.yaml", doc);
    // Each ends with its own status: the documents have errors (1), the rest succeed (0).
    let commands: &[(&[&str], i32)] = &[
        (&["validate", "--format", "json", "docs"], 1),
        (&["validate", "--format", "sarif", "docs"], 1),
        (&["validate", "docs"], 1),
        (&["validate", "--list-rules"], 0),
        (&["validate", "--explain", "unknown-operation"], 0),
        (&["docs", "flow.arazzo.yaml"], 0),
        (&["docs", "--format", "markdown", "flow.arazzo.yaml"], 0),
        (&["expr", "$statusCode"], 0),
    ];
    for &(args, status) in commands {
        let mut child = support::command(args, d.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader is gone before the first byte is written.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(status),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

/// An AWS error whose message tries to retitle the terminal, overwrite the line with a fake
/// success, write the clipboard (OSC 52) and start a C1 control sequence.
const EVIL: &str =
    "\u{1b}]0;pwned\u{7}\r\u{1b}[32msucceeded\u{1b}]52;c;ZXZpbA==\u{7}\u{9b}31m\u{202e}";

#[test]
fn a_servers_error_text_reaches_the_terminal_escaped() {
    let url = serve_raw(|_, _| {
        let body =
            serde_json::json!({"__type": "AccessDeniedException", "Message": EVIL}).to_string();
        response(
            400,
            &[("content-type", "application/x-amz-json-1.1")],
            &body,
        )
    });
    let server = format!("rekognitionApi={url}");
    let d = Dir::new();
    let seed = repo(SEED);
    let seed = seed.to_str().unwrap();
    let args = [
        "run",
        seed,
        "--server",
        &server,
        "--input",
        "clientRequestToken=t-1",
    ];
    let human = telaio(&args, d.path());
    assert_eq!(human.status.code(), Some(1), "{}", stderr(&human));
    assert_no_controls("stderr", &stderr(&human));
    assert_no_controls("stdout", &stdout(&human));
    assert!(stderr(&human).contains("\\x1b]52;c;"), "{}", stderr(&human));

    let mut json_args = args.to_vec();
    json_args.extend(["--output", "json"]);
    let json = telaio(&json_args, d.path());
    assert_no_controls("json stdout", &stdout(&json));
    // Escaped as JSON, the reason is intact.
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert!(v["error"]["reason"].as_str().unwrap().contains(EVIL), "{v}");
}

#[test]
fn a_documents_text_reaches_the_terminal_escaped() {
    let d = Dir::new();
    // A step id with escapes written as YAML escapes, and a raw right-to-left override in
    // the source line itself.
    d.write(
        "flow.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: pets, url: ./pets.yaml}]\nworkflows:\n  - workflowId: \"w\\e]0;x\\a\"\n    steps:\n      - stepId: \"s\\r\\e[2K\"\n        operationId: \"nope\u{202e}\"\n",
    );
    d.write(
        "pets.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n",
    );
    let o = telaio(&["validate", "flow.arazzo.yaml"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert_no_controls("validate", &stdout(&o));
    assert!(stdout(&o).contains("\\u{202e}"), "{}", stdout(&o));
    let o = telaio(&["run", "flow.arazzo.yaml"], d.path());
    assert_no_controls("run", &stderr(&o));
    let o = telaio(
        &["docs", "--format", "markdown", "flow.arazzo.yaml"],
        d.path(),
    );
    assert_no_controls("markdown", &stdout(&o));
}

#[test]
fn a_one_line_document_quotes_only_a_window_of_its_line() {
    let d = Dir::new();
    let steps: Vec<String> = (0..2000)
        .map(|i| format!(r#"{{"stepId":"s{i}","operationId":"op{i}"}}"#))
        .collect();
    let doc = format!(
        r#"{{"arazzo":"1.0.1","info":{{"title":"t","version":"1"}},"sourceDescriptions":[{{"name":"a","url":"./a.yaml"}}],"workflows":[{{"workflowId":"w","steps":[{}]}}]}}"#,
        steps.join(",")
    );
    d.write("flow.arazzo.json", doc);
    d.write(
        "a.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n",
    );
    let o = telaio(&["validate", "flow.arazzo.json"], d.path());
    let out = stdout(&o);
    assert_eq!(
        out.matches("error[unknown-operation]").count(),
        2000,
        "{out}"
    );
    let longest = out.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(longest < 200, "a line of {longest} characters");
    // The caret is under the operationId of the 1500th step.
    let at = out.find("no operation `op1500`").unwrap();
    let block: Vec<&str> = out[at..].lines().take(5).collect();
    let (quoted, caret) = (block[3], block[4]);
    let column = caret.chars().position(|c| c == '^').unwrap();
    let under: String = quoted.chars().skip(column).take(8).collect();
    assert_eq!(under, "\"op1500\"", "{}", block.join("\n"));
}

/// Ctrl-C or SIGTERM during a request: the run lets the request finish, records its answer
/// and stops before the next one; the trace is kept, the result says what was done and where
/// the run stopped, and the status is 130 or 143.
#[cfg(unix)]
#[test]
fn a_signal_stops_a_run_with_its_record() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    for (signal, code, format) in [("-INT", 130, "json"), ("-TERM", 143, "human")] {
        let arrived = Arc::new(AtomicUsize::new(0));
        let seen = arrived.clone();
        // The session is created after a second and a half: the signal comes meanwhile.
        let url = serve_raw(move |_, _| {
            seen.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(1500));
            response(
                200,
                &[("content-type", "application/x-amz-json-1.1")],
                r#"{"SessionId": "s-1"}"#,
            )
        });
        let d = Dir::new();
        let seed = repo(SEED);
        let trace = d.path().join("trace.jsonl");
        let child = support::command(
            &[
                "run",
                seed.to_str().unwrap(),
                "--server",
                &format!("rekognitionApi={url}"),
                "--input",
                "clientRequestToken=t-1",
                "--trace",
                trace.to_str().unwrap(),
                "--output",
                format,
            ],
            d.path(),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        let started = std::time::Instant::now();
        support::wait_until("request", || arrived.load(Ordering::SeqCst) > 0);
        // The shell's own `kill`: no other program is needed.
        let killed = std::process::Command::new("sh")
            .args(["-c", &format!("kill {signal} {}", child.id())])
            .status()
            .unwrap();
        assert!(killed.success());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        let events = std::fs::read_to_string(&trace).unwrap();
        assert!(events.contains("\"requestSent\""), "{events}");
        // The answer in flight was let in; nothing more was sent.
        assert!(events.contains("\"responseReceived\""), "{events}");
        assert_eq!(arrived.load(Ordering::SeqCst), 1);
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
            assert_eq!(v["status"], "interrupted", "{v}");
            assert_eq!(v["steps"][0]["status"], "succeeded", "{v}");
            assert_eq!(v["error"]["reason"], "interrupted (Ctrl-C)", "{v}");
        } else {
            let err = stderr(&out);
            assert!(err.contains("interrupted: workflow `"), "{err}");
            assert!(err.contains("stopped by SIGTERM"), "{err}");
            assert!(err.contains("again to stop at once"), "{err}");
        }
    }
}

/// A signal that comes while the run's last request is in flight: the answer ends the run,
/// which finished on its own, so it is no interruption (status and exit as without one).
#[cfg(unix)]
#[test]
fn a_run_that_finishes_before_its_stop_is_not_interrupted() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let arrived = Arc::new(AtomicUsize::new(0));
    let seen = arrived.clone();
    // The session is created at once; the one poll answers SUCCEEDED after a second.
    let url = serve_raw(move |n, _| {
        seen.fetch_add(1, Ordering::SeqCst);
        let body = if n == 0 {
            r#"{"SessionId": "s-1"}"#
        } else {
            std::thread::sleep(std::time::Duration::from_secs(1));
            r#"{"SessionId": "s-1", "Status": "SUCCEEDED", "Confidence": 97.5}"#
        };
        response(200, &[("content-type", "application/x-amz-json-1.1")], body)
    });
    let d = Dir::new();
    let seed = repo(SEED);
    let child = support::command(
        &[
            "run",
            seed.to_str().unwrap(),
            "--server",
            &format!("rekognitionApi={url}"),
            "--input",
            "clientRequestToken=t-1",
            "--output",
            "json",
        ],
        d.path(),
    )
    .env("TELAIO_STORE", d.path().join("runs.db"))
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    support::wait_until("the poll", || arrived.load(Ordering::SeqCst) > 1);
    let killed = std::process::Command::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["status"], "succeeded", "{v}");
    assert_eq!(v["outputs"]["confidence"], 97.5, "{v}");
    assert!(!stderr(&out).contains("resume it with"), "{}", stderr(&out));
    let listed = support::command(&["runs", "list", "--output", "json"], d.path())
        .env("TELAIO_STORE", d.path().join("runs.db"))
        .output()
        .unwrap();
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed[0]["status"], "succeeded", "{listed}");
}

/// A second signal does not wait for the request in flight: the run exits at once.
#[cfg(unix)]
#[test]
fn a_second_signal_stops_at_once() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let arrived = Arc::new(AtomicUsize::new(0));
    let seen = arrived.clone();
    let url = serve_raw(move |_, _| {
        seen.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(std::time::Duration::from_secs(20));
        response(200, &[], "{}")
    });
    let d = Dir::new();
    let seed = repo(SEED);
    let child = support::command(
        &[
            "run",
            seed.to_str().unwrap(),
            "--server",
            &format!("rekognitionApi={url}"),
            "--input",
            "clientRequestToken=t-1",
        ],
        d.path(),
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let started = std::time::Instant::now();
    support::wait_until("request", || arrived.load(Ordering::SeqCst) > 0);
    let kill = || {
        std::process::Command::new("sh")
            .args(["-c", &format!("kill -INT {}", child.id())])
            .status()
            .unwrap()
    };
    assert!(kill().success());
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(kill().success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

/// An XPath criterion that would take seconds and gigabytes is stopped at its bounds in a
/// child process: the criterion fails with the reason, the run goes on, the process stays
/// small.
#[test]
fn an_xpath_criterion_is_bounded_in_time_and_memory() {
    let url = serve_raw(|_, _| {
        response(
            200,
            &[("content-type", "application/xml")],
            "<a><b>1</b></a>",
        )
    });
    let d = Dir::new();
    d.write(
        "api.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {operationId: getA, responses: {'200': {description: ok}}}\n",
    );
    d.write(
        "flow.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: api, url: ./api.yaml}]\nworkflows:\n  - workflowId: w\n    steps:\n      - stepId: bomb\n        operationId: getA\n        successCriteria:\n          - {context: $response.body, type: xpath, condition: 'count(for $i in 1 to 20000000 return $i) > 0'}\n      - stepId: fine\n        operationId: getA\n        successCriteria:\n          - {context: $response.body, type: xpath, condition: '/a/b = 1'}\n",
    );
    let started = std::time::Instant::now();
    let o = telaio(
        &[
            "run",
            "flow.arazzo.yaml",
            "--server",
            &format!("api={url}"),
            "--output",
            "json",
        ],
        d.path(),
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["error"]["stepId"], "bomb", "{v}");
    let reason = v["error"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("longer than 5 s") || reason.contains("more than 1024 MiB"),
        "{reason}"
    );
    // The same document's sound XPath still works.
    let o = telaio(
        &[
            "expr",
            "--type",
            "xpath",
            "/a/b = 1",
            "--context",
            "ctx.yaml",
        ],
        &{
            d.write("ctx.yaml", "response:\n  body: '<a><b>1</b></a>'\n  headers: {content-type: application/xml}\n");
            d.path().to_path_buf()
        },
    );
    assert_eq!(stdout(&o).trim(), "true", "{}", stderr(&o));
}

/// A trace that cannot be written (a full disk) fails the command loudly.
#[cfg(target_os = "linux")]
#[test]
fn a_trace_that_cannot_be_written_is_reported() {
    let d = Dir::new();
    let seed = repo(SEED);
    let scenario = repo("examples/rekognition/scenarios/succeeded.yaml");
    let o = telaio(
        &[
            "run",
            seed.to_str().unwrap(),
            "--mock",
            scenario.to_str().unwrap(),
            "--poll-interval",
            "0",
            "--input",
            "clientRequestToken=t-1",
            "--trace",
            "/dev/full",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the trace could not be written to /dev/full"),
        "{}",
        stderr(&o)
    );
}

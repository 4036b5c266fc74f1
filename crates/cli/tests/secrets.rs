//! Canary secrets never leave a run: not on stdout, stderr, in the trace, or in a dry run.

mod support;
use support::telaio_command;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};

const KEY: &str = "canary-key-7f3a9c";
const TOKEN: &str = "canary-token-51d2e8";
/// Spaces, `/`, `&` and quotes: it travels percent-encoded in the query and escaped in the
/// JSON body, and must be masked in those forms too.
const PASSWORD: &str = "canary input/c0ffee&\"x\"";

/// A piece of each canary that survives any encoding.
const CORES: [&str; 3] = ["7f3a9c", "51d2e8", "c0ffee"];

fn telaio(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut c = telaio_command();
    c.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("TELAIO_STORE", cwd.join("runs.db"));
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run telaio")
}

/// Runs telaio, which must succeed.
fn succeed(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let o = telaio(args, cwd, env);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    o
}

/// Echoes what it received into the response body, so a careless engine would print it.
fn echo_server(log: Arc<Mutex<Vec<String>>>) -> String {
    echo_server_until(log, usize::MAX)
}

/// [`echo_server`], which stops answering from its `hang_from`th request (0-based) on.
fn echo_server_until(log: Arc<Mutex<Vec<String>>>, hang_from: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let log = log.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut stream = stream;
                loop {
                    let mut head = String::new();
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        head.push_str(&line);
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    let received = format!("{head}\n{}", String::from_utf8_lossy(&body));
                    let n = {
                        let mut log = log.lock().unwrap();
                        log.push(received.clone());
                        log.len() - 1
                    };
                    if n >= hang_from {
                        std::thread::sleep(std::time::Duration::from_secs(30));
                        return;
                    }
                    let payload = serde_json::json!({"echo": received}).to_string();
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{payload}",
                        payload.len()
                    );
                    if stream.write_all(response.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

fn setup(dir: &Path, url: &str) {
    std::fs::write(dir.join("api.yaml"), format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\nservers: [{{url: '{url}'}}]\nsecurity: [{{key: []}}, {{bearer: []}}]\npaths:\n  /a:\n    post: {{operationId: a, responses: {{'200': {{description: ok}}}}}}\n  /b:\n    get: {{operationId: b, security: [{{bearer: []}}], responses: {{'200': {{description: ok}}}}}}\ncomponents:\n  securitySchemes:\n    key: {{type: apiKey, in: header, name: X-Secret-Key}}\n    bearer: {{type: http, scheme: bearer}}\n"
    )).unwrap();
    std::fs::write(dir.join("flow.arazzo.yaml"), "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: api, url: ./api.yaml}]\nworkflows:\n  - workflowId: w\n    inputs:\n      type: object\n      properties: {password: {type: string, format: password}}\n    steps:\n      - stepId: a\n        operationId: a\n        requestBody: {payload: {password: $inputs.password}}\n        outputs: {echo: $response.body#/echo}\n      - stepId: b\n        operationId: b\n        parameters: [{name: q, in: query, value: $inputs.password}]\n    outputs: {echo: $steps.a.outputs.echo}\n").unwrap();
}

fn assert_clean(what: &str, text: &str) {
    for core in CORES {
        assert!(
            !text.contains(core),
            "{what} leaks a canary ({core}):\n{text}"
        );
    }
}

#[test]
fn secrets_are_masked_everywhere() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let url = echo_server(log.clone());
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), &url);
    std::fs::write(
        dir.path().join("creds.yaml"),
        format!("api:\n  bearer: {TOKEN}\n"),
    )
    .unwrap();
    let env = [("TELAIO_AUTH_API_KEY", KEY)];
    let input = format!("password={PASSWORD}");
    let run = [
        "run",
        "flow.arazzo.yaml",
        "--input",
        &input,
        "--credentials",
        "creds.yaml",
        "--trace",
        "trace.jsonl",
        "--output",
        "json",
    ];
    let o = succeed(&run, dir.path(), &env);
    // The server did get the secrets...
    let received = log.lock().unwrap().join("\n");
    assert!(
        received
            .to_ascii_lowercase()
            .contains(&format!("x-secret-key: {KEY}")),
        "{received}"
    );
    assert!(received.contains(&format!("Bearer {TOKEN}")), "{received}");
    assert!(
        received.contains("canary+input%2Fc0ffee%26%22x%22"),
        "{received}"
    );
    assert!(
        received.contains(r#""canary input/c0ffee&\"x\"""#),
        "{received}"
    );
    // ...and nothing Telaio wrote shows them, though the response echoed them back.
    assert_clean("stdout", &String::from_utf8_lossy(&o.stdout));
    assert_clean("stderr", &String::from_utf8_lossy(&o.stderr));
    let trace = std::fs::read_to_string(dir.path().join("trace.jsonl")).unwrap();
    assert_clean("the trace", &trace);
    assert!(
        trace.lines().count() >= 8 && trace.contains("\"event\":\"requestSent\""),
        "{trace}"
    );
    // Trace fields are camelCase, like every other JSON Telaio writes.
    assert!(
        trace.contains("\"stepId\":\"a\"") && !trace.contains("step_id"),
        "{trace}"
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("***"));
    // The run store holds the run, and no canary: not in the database file or its
    // write-ahead log (read as raw bytes), not in what `runs show` and `runs export` print.
    let result: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let run_id = result["runId"].as_str().expect("a run id").to_owned();
    for file in ["runs.db", "runs.db-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert_clean(file, &String::from_utf8_lossy(&bytes));
    }
    // (The log is folded into the file when the last process closes the store.)
    let db = std::fs::read(dir.path().join("runs.db")).unwrap();
    assert!(
        String::from_utf8_lossy(&db).contains(&run_id),
        "the run is recorded"
    );
    for show in [
        &["runs", "show", &run_id][..],
        &["runs", "show", &run_id, "--output", "json"],
        &["runs", "export", &run_id],
        &["runs", "export", &run_id, "--format", "har"],
    ] {
        let o = succeed(show, dir.path(), &[]);
        let shown = String::from_utf8_lossy(&o.stdout);
        assert_clean(&show.join(" "), &shown);
        assert!(
            shown.contains(&run_id[..8]) || show[1] == "export",
            "{shown}"
        );
    }
    let shown =
        String::from_utf8_lossy(&succeed(&["runs", "show", &run_id], dir.path(), &[]).stdout)
            .into_owned();
    assert!(
        shown.contains("→ GET") || shown.contains("→ POST"),
        "the timeline shows the requests: {shown}"
    );
    // Human output too.
    let o = telaio(&run[..run.len() - 2], dir.path(), &env);
    assert_clean("human stdout", &String::from_utf8_lossy(&o.stdout));
    assert_clean("human stderr", &String::from_utf8_lossy(&o.stderr));
    // A dry run sends nothing and shows nothing secret.
    let before = log.lock().unwrap().len();
    let o = telaio(
        &["run", "flow.arazzo.yaml", "--input", &input, "--dry-run"],
        dir.path(),
        &env,
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(log.lock().unwrap().len(), before);
    let shown = String::from_utf8_lossy(&o.stdout);
    assert_clean("the dry run", &shown);
    assert!(shown.contains("\"url\"") && shown.contains("/a"), "{shown}");
}

#[test]
fn explain_auth_says_where_it_looks_and_never_shows_values() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), "http://127.0.0.1:9");
    let o = telaio(
        &["run", "flow.arazzo.yaml", "--explain-auth"],
        dir.path(),
        &[("TELAIO_AUTH_API_KEY", KEY)],
    );
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("api.key: API key `X-Secret-Key` in header\n  found in TELAIO_AUTH_API_KEY"),
        "{out}"
    );
    assert!(out.contains("api.bearer: HTTP bearer\n  missing: set $TELAIO_AUTH_API_BEARER, or `api.bearer` in the credentials file"), "{out}");
    assert_clean("explain-auth", &out);
}

/// AWS keys: the secret key is only ever an input to the signature, and the session token,
/// which travels in `X-Amz-Security-Token`, is masked even when the server echoes it back.
#[test]
fn aws_keys_never_show() {
    const AWS_SECRET: &str = "canary-aws-secret-9e41b7";
    const AWS_TOKEN: &str = "canary-aws-token-3c8d20";
    let log = Arc::new(Mutex::new(Vec::new()));
    let url = echo_server(log.clone());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\nservers: [{{url: '{url}'}}]\nsecurity: [{{sigv4: []}}]\npaths:\n  /a:\n    post: {{operationId: a, responses: {{'200': {{description: ok}}}}}}\ncomponents:\n  securitySchemes:\n    sigv4: {{type: apiKey, in: header, name: Authorization, x-amazon-apigateway-authtype: awsSigv4}}\n"
    )).unwrap();
    std::fs::write(dir.path().join("flow.arazzo.yaml"), "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: api, url: ./api.yaml}]\nworkflows:\n  - workflowId: w\n    steps:\n      - stepId: a\n        operationId: a\n        requestBody: {contentType: application/x-amz-json-1.1, payload: {Hello: world}}\n        outputs: {echo: $response.body#/echo}\n    outputs: {echo: $steps.a.outputs.echo}\n").unwrap();
    let home = dir.path().to_string_lossy().into_owned();
    let env = [
        ("HOME", home.as_str()),
        ("AWS_ACCESS_KEY_ID", "AKIDCANARY"),
        ("AWS_SECRET_ACCESS_KEY", AWS_SECRET),
        ("AWS_SESSION_TOKEN", AWS_TOKEN),
        ("AWS_REGION", "eu-west-1"),
    ];
    let run = [
        "run",
        "flow.arazzo.yaml",
        "--aws-service",
        "execute-api",
        "--trace",
        "trace.jsonl",
        "--output",
        "json",
    ];
    let o = succeed(&run, dir.path(), &env);
    let received = log.lock().unwrap().join("\n").to_ascii_lowercase();
    assert!(
        received.contains(&format!("x-amz-security-token: {AWS_TOKEN}")),
        "{received}"
    );
    assert!(
        received.contains("authorization: aws4-hmac-sha256 credential=akidcanary/"),
        "{received}"
    );
    // The signature the server got (it echoed it back; a careless engine would print it).
    let signature = received
        .split("signature=")
        .nth(1)
        .map(|s| s[..64].to_owned())
        .unwrap();
    let trace = std::fs::read_to_string(dir.path().join("trace.jsonl")).unwrap();
    for (what, text) in [
        ("stdout", String::from_utf8_lossy(&o.stdout).into_owned()),
        ("stderr", String::from_utf8_lossy(&o.stderr).into_owned()),
        ("the trace", trace.clone()),
    ] {
        for canary in ["9e41b7", "3c8d20", &signature[..16]] {
            assert!(!text.contains(canary), "{what} leaks {canary}:\n{text}");
        }
    }
    // The echo reached the outputs, masked.
    let stdout = String::from_utf8_lossy(&o.stdout).to_ascii_lowercase();
    assert!(
        stdout.contains("signature=***") && stdout.contains("x-amz-security-token: ***"),
        "{stdout}"
    );
}

/// A workflow of another document (an `arazzo` source) uses its own API's key: masked too.
#[test]
fn secrets_of_other_documents_are_masked() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let url = echo_server(log.clone());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\nservers: [{{url: '{url}'}}]\nsecurity: [{{keyq: []}}]\npaths:\n  /a:\n    get: {{operationId: a, responses: {{'200': {{description: ok}}}}}}\ncomponents:\n  securitySchemes:\n    keyq: {{type: apiKey, in: query, name: key}}\n"
    )).unwrap();
    std::fs::write(dir.path().join("shared.arazzo.yaml"), "arazzo: 1.0.1\ninfo: {title: s, version: '1'}\nsourceDescriptions: [{name: api, url: ./api.yaml}]\nworkflows:\n  - workflowId: w\n    steps: [{stepId: a, operationId: a, outputs: {echo: $response.body#/echo}}]\n    outputs: {echo: $steps.a.outputs.echo}\n").unwrap();
    std::fs::write(dir.path().join("main.arazzo.yaml"), "arazzo: 1.0.1\ninfo: {title: m, version: '1'}\nsourceDescriptions: [{name: shared, url: ./shared.arazzo.yaml, type: arazzo}]\nworkflows:\n  - workflowId: main\n    steps: [{stepId: call, workflowId: $sourceDescriptions.shared.w, outputs: {echo: $outputs.echo}}]\n    outputs: {echo: $steps.call.outputs.echo}\n").unwrap();
    let run = [
        "run",
        "main.arazzo.yaml",
        "--trace",
        "trace.jsonl",
        "--output",
        "json",
    ];
    let o = succeed(&run, dir.path(), &[("TELAIO_AUTH_API_KEYQ", KEY)]);
    assert!(
        log.lock().unwrap().join("\n").contains(KEY),
        "the server got the key"
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("key=***"), "{stdout}");
    assert_clean("stdout", &stdout);
    assert_clean(
        "the trace",
        &std::fs::read_to_string(dir.path().join("trace.jsonl")).unwrap(),
    );
}

/// A run killed outright (SIGKILL) while its second request is in flight leaves its store's
/// write-ahead log behind, unfolded: neither it nor the database file holds a canary, though
/// the first response echoed them all. Resuming asks for the secret input again.
#[cfg(unix)]
#[test]
fn a_killed_run_leaves_no_secret_in_the_store() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let url = echo_server_until(log.clone(), 1);
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), &url);
    std::fs::write(
        dir.path().join("creds.yaml"),
        format!("api:\n  bearer: {TOKEN}\n"),
    )
    .unwrap();
    let input = format!("password={PASSWORD}");
    let mut child = telaio_command()
        .args([
            "run",
            "flow.arazzo.yaml",
            "--input",
            &input,
            "--credentials",
            "creds.yaml",
        ])
        .current_dir(dir.path())
        .env("TELAIO_STORE", dir.path().join("runs.db"))
        .env("TELAIO_AUTH_API_KEY", KEY)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while log.lock().unwrap().len() < 2 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "no second request"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    let _ = child.wait();
    let wal = std::fs::read(dir.path().join("runs.db-wal")).expect("the log, left by the kill");
    let db = std::fs::read(dir.path().join("runs.db")).unwrap();
    let both = format!(
        "{}{}",
        String::from_utf8_lossy(&db),
        String::from_utf8_lossy(&wal)
    );
    assert!(both.contains("echo"), "the first answer is recorded");
    assert_clean("the store and its log", &both);
    // A resume gets the secret input again: the store kept it masked.
    let o = telaio(&["runs", "list", "--output", "json"], dir.path(), &[]);
    let listed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let id = listed[0]["runId"].as_str().unwrap().to_owned();
    let o = telaio(&["runs", "resume", &id], dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("--input password="), "{said}");
    assert_clean("the resume's refusal", &said);
}

//! `telaio mcp` driven by an independent client, the official Python SDK (`mcp` on PyPI,
//! `tests/mcp/client.py`), over stdio and streamable HTTP, in the protocol's handshake era
//! (2025-11-25) and its current one (2026-07-28), with the seed against a separate
//! `telaio mock` process; everything on 127.0.0.1. What outputs reach a client is in
//! `mcp_outputs.rs`.
#![cfg(unix)]

mod mcp_harness;
mod support;

use mcp_harness::{SECRET, SEED, TOOL, client, progress_messages, python, runs, scenario, stdio};
use serde_json::{Value, json};
use support::{Dir, Running, count, repo, wait_until};

/// The seed is a typed tool: its inputs schema, an output schema of its outputs, hints from
/// what it calls. Called, it polls to `SUCCEEDED` with a progress notification per attempt,
/// and its run is in the store. Bad inputs are a tool error naming each problem; a tool that
/// does not exist is a protocol error. The same in both eras of the protocol.
#[test]
fn the_seed_is_a_typed_tool_over_stdio() {
    let Some(python) = python() else { return };
    let d = Dir::new();
    let log = d.path().join("mock.log");
    let (mock, mock_url) = support::seed_mock(d.path(), &scenario("succeeded"), &log);
    let _mock = Running(mock);
    let server = stdio(
        &d,
        &repo(SEED),
        &format!("rekognitionApi={mock_url}"),
        &["--poll-interval", "0.05"],
    );
    for (era, version) in [("handshake", "2025-11-25"), ("current", "2026-07-28")] {
        let token = format!("t-{era}");
        let seen = client(
            &python,
            &server,
            era,
            json!([
                {"op": "list"},
                {"op": "call", "name": TOOL, "args": {"clientRequestToken": token}},
                {"op": "call", "name": TOOL, "args": {"clientRequestToken": 7}},
                {"op": "bad", "name": "no-such-tool"},
                {"op": "call", "name": "list_workflows"},
                {"op": "call", "name": "describe_workflow", "args": {"tool": TOOL}},
                {"op": "call", "name": "get_run", "args": {"runId": "$last"}},
                {"op": "resources"},
                {"op": "read", "uri": "telaio://documents/0"},
                {"op": "read", "uri": "telaio://documents/0/page.md"},
                {"op": "read", "uri": "telaio://documents/9"},
                {"op": "call", "name": "validate"},
                {"op": "call", "name": "validate", "args": {"document": "elsewhere.yaml"}},
            ]),
        );
        assert_eq!(seen["protocolVersion"], version);
        let tools = seen["ops"][0]["tools"].as_array().unwrap();
        let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                TOOL,
                "list_workflows",
                "describe_workflow",
                "get_run",
                "validate"
            ]
        );
        let tool = &tools[0];
        assert_eq!(tool["name"], TOOL);
        assert_eq!(
            tool["inputSchema"]["properties"]["clientRequestToken"]["type"],
            "string"
        );
        assert_eq!(tool["inputSchema"]["type"], "object");
        let outputs = &tool["outputSchema"]["properties"]["outputs"]["properties"];
        // Typed from the operations' responses; a value may also be missing (`null`) or
        // masked. The client checked the call's result against this schema.
        assert_eq!(
            outputs["confidence"]["anyOf"][0]["type"], "number",
            "{outputs}"
        );
        assert_eq!(
            outputs["confidence"]["anyOf"][1]["type"], "null",
            "{outputs}"
        );
        assert_eq!(
            outputs["status"]["anyOf"][0]["enum"],
            json!(["CREATED", "IN_PROGRESS", "SUCCEEDED", "FAILED", "EXPIRED"])
        );
        assert_eq!(outputs["sessionId"]["anyOf"][0]["type"], "string");
        // Creating a session is a write; its ClientRequestToken comes from an input the
        // caller may leave out, so twice may create two. The polls only read.
        let hints = &tool["annotations"];
        assert_eq!(hints["readOnlyHint"], false, "{hints}");
        assert_eq!(hints["destructiveHint"], false, "{hints}");
        assert_eq!(hints["idempotentHint"], false, "{hints}");
        assert_eq!(hints["openWorldHint"], true, "{hints}");

        let call = &seen["ops"][1];
        let result = &call["result"];
        assert_eq!(result["isError"], false, "{result}");
        let content = &result["structuredContent"];
        assert_eq!(content["status"], "succeeded");
        assert_eq!(content["outputs"]["status"], "SUCCEEDED");
        assert_eq!(content["outputs"]["confidence"], 99.1);
        let text = result["content"][0]["text"].as_str().unwrap();
        assert!(text.contains("succeeded"), "{text}");
        let messages = progress_messages(call);
        for expected in [
            "createSession: POST /",
            "pollResults: attempt 2",
            "pollResults: stillRunning",
        ] {
            assert!(
                messages.iter().any(|m| m == expected),
                "{expected} in {messages:?}"
            );
        }
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("pollResults: waiting 50 ms")),
            "{messages:?}"
        );
        let numbers: Vec<f64> = call["progress"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["progress"].as_f64().unwrap())
            .collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
        // The run's last news (its end action) comes before the result, not lost to it.
        assert_eq!(
            messages.last().map(String::as_str),
            Some("pollResults: terminal"),
            "{messages:?}"
        );
        let run = content["runId"].as_str().unwrap();
        let stored = runs(&d);
        assert!(
            stored
                .iter()
                .any(|r| r["runId"] == run && r["status"] == "succeeded"),
            "{stored:?}"
        );

        let bad = &seen["ops"][2]["result"];
        assert_eq!(bad["isError"], true, "{bad}");
        let problems = &bad["structuredContent"]["problems"];
        assert_eq!(
            problems,
            &json!(["input `clientRequestToken`: value is not of type \"string\""]),
            "{bad}"
        );
        assert_eq!(seen["ops"][3]["error"]["code"], -32602);

        let listed = &seen["ops"][4]["result"]["structuredContent"]["workflows"];
        assert_eq!(listed[0]["tool"], TOOL, "{listed}");
        assert_eq!(listed[0]["workflowId"], TOOL, "{listed}");
        let described = &seen["ops"][5]["result"];
        let steps = &described["structuredContent"]["steps"];
        assert_eq!(steps[1]["stepId"], "pollResults", "{described}");
        assert_eq!(
            steps[1]["onSuccess"][1], "stillRunning: goto pollResults (when its criteria hold)",
            "{described}"
        );
        let flow = described["content"][0]["text"].as_str().unwrap();
        assert!(flow.contains("\n2. pollResults: POST /"), "{flow}");
        assert!(
            flow.contains(
                "\nOutputs: sessionId (string), status (one of CREATED, IN_PROGRESS, \
                 SUCCEEDED, FAILED, EXPIRED), confidence (number)"
            ),
            "{flow}"
        );
        // The run of the first call, as the store has it.
        let got = &seen["ops"][6]["result"]["structuredContent"];
        assert_eq!(got["runId"], run, "{got}");
        assert_eq!(got["status"], "succeeded", "{got}");

        // The document, and its page.
        let resources = &seen["ops"][7]["resources"];
        assert_eq!(resources[0]["uri"], "telaio://documents/0", "{resources}");
        assert_eq!(resources[1]["mimeType"], "text/markdown", "{resources}");
        let source = seen["ops"][8]["contents"][0]["text"].as_str().unwrap();
        assert_eq!(source, std::fs::read_to_string(repo(SEED)).unwrap());
        let page = seen["ops"][9]["contents"][0]["text"].as_str().unwrap();
        assert!(page.starts_with("# "), "{page}");
        assert!(page.contains("```mermaid"), "{page}");
        // No such resource: -32002 in the handshake era, invalid params since 2026-07-28.
        let not_found = if era == "handshake" { -32002 } else { -32602 };
        assert_eq!(
            seen["ops"][10]["error"]["code"], not_found,
            "{}",
            seen["ops"][10]
        );

        let checked = &seen["ops"][11]["result"]["structuredContent"];
        assert_eq!(checked["valid"], true, "{checked}");
        assert_eq!(
            checked["documents"].as_array().unwrap().len(),
            1,
            "{checked}"
        );
        assert_eq!(checked["documents"][0]["errors"], 0, "{checked}");
        let unknown = &seen["ops"][12]["result"];
        assert_eq!(unknown["isError"], true, "{unknown}");
    }
    assert_eq!(count(&log, "CreateFaceLivenessSession"), 2);
}

/// A run that fails (its API unreachable) is a tool result with `isError`, naming the
/// failing step and why; sessions that end `FAILED` or `EXPIRED` are workflows that
/// succeeded, with that status among their outputs.
#[test]
fn failures_are_tool_results() {
    let Some(python) = python() else { return };
    let d = Dir::new();
    let closed = format!(
        "rekognitionApi=http://127.0.0.1:{}",
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    );
    let seen = client(
        &python,
        &stdio(&d, &repo(SEED), &closed, &["--timeout", "5"]),
        "handshake",
        json!([{"op": "call", "name": TOOL, "args": {"clientRequestToken": "f-1"}}]),
    );
    let result = &seen["ops"][0]["result"];
    assert_eq!(result["isError"], true, "{result}");
    let content = &result["structuredContent"];
    assert_eq!(content["status"], "failed", "{content}");
    assert_eq!(content["error"]["stepId"], "createSession", "{content}");
    let text = result["content"][0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("`face-liveness-session` failed at step `createSession`"),
        "{text}"
    );
    for (name, status) in [("failed", "FAILED"), ("expired", "EXPIRED")] {
        let log = d.path().join(format!("mock-{name}.log"));
        let (mock, mock_url) = support::seed_mock(d.path(), &scenario(name), &log);
        let _mock = Running(mock);
        let server = format!("rekognitionApi={mock_url}");
        let seen = client(
            &python,
            &stdio(&d, &repo(SEED), &server, &["--poll-interval", "0"]),
            "current",
            json!([{"op": "call", "name": TOOL, "args": {"clientRequestToken": name}}]),
        );
        let result = &seen["ops"][0]["result"];
        assert_eq!(result["isError"], false, "{result}");
        assert_eq!(result["structuredContent"]["outputs"]["status"], status);
    }
}

/// A call the client cancels stops its run at a safe point: no poll after, and the store
/// records the run cancelled (interrupted, to be resumed by whoever wants it).
#[test]
fn a_cancelled_call_stops_its_run() {
    let Some(python) = python() else { return };
    let d = Dir::new();
    let log = d.path().join("mock.log");
    let (mock, mock_url) = support::seed_mock(d.path(), &support::long_scenario(&d), &log);
    let _mock = Running(mock);
    let server = format!("rekognitionApi={mock_url}");
    for era in ["handshake", "current"] {
        let before = count(&log, "GetFaceLivenessSessionResults");
        let seen = client(
            &python,
            &stdio(&d, &repo(SEED), &server, &["--poll-interval", "0.2"]),
            era,
            json!([
                {"op": "cancel", "name": TOOL, "args": {"clientRequestToken": format!("c-{era}")}, "after": 4},
                {"op": "sleep", "seconds": 1.0},
            ]),
        );
        assert_eq!(seen["ops"][0]["cancelled"], true);
        let polls = count(&log, "GetFaceLivenessSessionResults") - before;
        assert!(polls < 5, "{era}: the run stopped polling: {polls}");
        let newest = &runs(&d)[0];
        assert_eq!(newest["status"], "interrupted", "{era}: {newest}");
        let shown = support::command(
            &[
                "runs",
                "show",
                newest["runId"].as_str().unwrap(),
                "--output",
                "json",
            ],
            d.path(),
        )
        .env("TELAIO_STORE", d.path().join("runs.db"))
        .output()
        .unwrap();
        let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
        assert_eq!(
            shown["result"]["error"]["reason"], "cancelled",
            "{era}: {}",
            shown["result"]
        );
    }
}

/// `telaio mcp --transport http`: the same tools at `/mcp` in both eras; with a token file,
/// a request without the token is refused and the client with it is answered.
#[test]
fn over_http_with_and_without_a_token() {
    let Some(python) = python() else { return };
    let d = Dir::new();
    let log = d.path().join("mock.log");
    let (mock, mock_url) = support::seed_mock(d.path(), &scenario("succeeded"), &log);
    let _mock = Running(mock);
    let server = format!("rekognitionApi={mock_url}");
    let token = "mcp-token-0123456789abcdef";
    d.write("token", token);
    for with_token in [false, true] {
        let seed = repo(SEED);
        let mut args = vec![
            "mcp",
            seed.to_str().unwrap(),
            "--server",
            &server,
            "--poll-interval",
            "0.05",
            "--transport",
            "http",
            "--listen",
            "127.0.0.1:0",
        ];
        let token_file = d.path().join("token");
        if with_token {
            args.extend(["--token-file", token_file.to_str().unwrap()]);
        }
        let mut command = support::command(&args, d.path());
        command
            .env("TELAIO_STORE", d.path().join("runs.db"))
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .stderr(std::fs::File::create(d.path().join("http.log")).unwrap());
        let (process, url) = support::listening(command);
        let _process = Running(process);
        assert!(url.ends_with("/mcp"), "{url}");
        let ops = json!([
            {"op": "list"},
            {"op": "call", "name": TOOL, "args": {"clientRequestToken": format!("h-{with_token}")}},
        ]);
        let eras: &[&str] = if with_token {
            &["handshake"]
        } else {
            &["handshake", "current"]
        };
        for era in eras {
            let target = if with_token {
                json!({"http": url, "token": token})
            } else {
                json!({"http": url})
            };
            let seen = client(&python, &target, era, ops.clone());
            assert_eq!(seen["ops"][0]["tools"][0]["name"], TOOL, "{era}");
            let result = &seen["ops"][1]["result"];
            assert_eq!(
                result["structuredContent"]["outputs"]["status"],
                "SUCCEEDED"
            );
            assert!(!seen["ops"][1]["progress"].as_array().unwrap().is_empty());
        }
        // Refused: no token, a wrong one; a page of another origin, token or not.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let ping = |headers: &[(&str, &str)]| {
            let mut request = reqwest::blocking::Client::new()
                .post(&url)
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream");
            for (k, v) in headers {
                request = request.header(*k, *v);
            }
            let r = request
                .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
                .send()
                .unwrap();
            r.status().as_u16()
        };
        let bearer = format!("Bearer {token}");
        if with_token {
            assert_eq!(ping(&[]), 401);
            assert_eq!(
                ping(&[("authorization", "Bearer not-the-token-0123456789")]),
                401
            );
            // The console's session cookie opens `telaio serve`'s console, not this door,
            // even with the right token in it (a browser sends it to every port of a host).
            let cookie = format!("telaio_token={token}");
            assert_eq!(ping(&[("cookie", cookie.as_str())]), 401);
            // The bearer gets past the door (to the protocol, which wants a session first).
            assert_ne!(ping(&[("authorization", bearer.as_str())]), 401);
        }
        let origin = ("origin", "http://evil.example");
        let foreign = if with_token {
            ping(&[("authorization", bearer.as_str()), origin])
        } else {
            ping(&[origin])
        };
        assert_eq!(foreign, 403);
    }
    wait_until("the runs recorded", || runs(&d).len() == 3);
}

/// Flags of the HTTP door given for stdio are refused, not ignored.
#[test]
fn stdio_refuses_the_http_flags() {
    let d = Dir::new();
    let seed = repo(SEED);
    let o = support::command(
        &["mcp", seed.to_str().unwrap(), "--listen", "0.0.0.0:7879"],
        d.path(),
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty(), "stdout is the protocol's");
    assert!(
        support::stderr(&o).contains("--listen and --token-file are for --transport http"),
        "{}",
        support::stderr(&o)
    );
}

//! What Restate never holds: data an API marks `x-sensitive` (not in its journal, its state,
//! its data folder, nor a journal exported from it), and what a run does when it would need
//! a value the journal keeps masked. The real Restate server, endpoints killed with SIGKILL,
//! servers on 127.0.0.1.
#![cfg(unix)]

mod restate_harness;
mod support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use restate_harness::{
    SeedMock, endpoint, endpoint_of, free_port, journal, restate_in_folder, scenario,
};
use serde_json::{Value, json};
use support::items::{API, items_server, workflow};
use support::{Running, wait_until};

/// Data the API marks `x-sensitive` (a biometric image) never reaches Restate: not its
/// journal, not the run's state, not its data folder, not the result.
#[test]
fn sensitive_data_never_reaches_restate() {
    const CANARY: &str = "Q0FOQVJZLWJpb21ldHJpYy1pbWFnZS03ZjNh";
    let Some((_turn, d, restate)) = restate_in_folder() else {
        return;
    };
    let sensitive = std::fs::read_to_string(scenario("succeeded"))
        .unwrap()
        .replace(
            "Confidence: 99.1}",
            &format!("Confidence: 99.1, ReferenceImage: {{Bytes: \"{CANARY}\"}}}}"),
        );
    assert!(sensitive.contains(CANARY));
    let scenario = d.write("sensitive.yaml", sensitive);
    let mock = SeedMock::start(&d, &scenario);
    let (endpoint, url) = endpoint(&d, &mock.url, 0);
    let _endpoint = Running(endpoint);
    restate.register(&url);
    restate.start_run("sensitive-1", "c-1");
    let (code, result) = restate.result("sensitive-1");
    assert_eq!(code, 200, "{result}");
    assert_eq!(result["outputs"]["status"], "SUCCEEDED", "{result}");
    let rows = journal(&restate, "sensitive-1");
    assert!(rows.len() > 10, "{rows:?}");
    let state = restate.query("SELECT key, value_utf8 FROM state WHERE service_name = 'telaio'");
    // Restate shows a side effect's result as bytes; the export decodes them.
    let (exported, code, replayed) = restate.export_and_replay("sensitive-1", d.path());
    assert_eq!(code, 0, "{replayed}");
    let exported = std::fs::read_to_string(exported).unwrap();
    for (what, text) in [
        ("the journal", Value::Array(rows).to_string()),
        ("the exported journal", exported.clone()),
        ("the replay", replayed.to_string()),
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
    let masked = format!("<sensitive: {} bytes>", CANARY.len());
    assert!(exported.contains(&masked), "{exported}");
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

/// A token the API marks `x-sensitive` is journaled by its size. The endpoint sending the
/// request that carries it is lost; the endpoint that takes over knows the token only as the
/// journal's stand-in, so it stops the run, failed and saying why, rather than send the
/// stand-in (or anything) in its place.
#[test]
fn a_value_the_journal_keeps_masked_is_never_sent_as_its_stand_in() {
    let Some((_turn, d, restate)) = restate_in_folder() else {
        return;
    };
    d.write("items.openapi.yaml", API);
    let flow = d.write("items.arazzo.yaml", workflow(true, "header"));
    // The first `/items` request hangs until its endpoint is gone.
    let server = items_server(1, Duration::ZERO);
    let api = format!("items={}", server.url);
    let port = free_port();
    let (endpoint_1, url) = endpoint_of(&d, &flow, &api, port, &[]);
    let mut endpoint_1 = Running(endpoint_1);
    restate.register(&url);
    let _ = restate.send("masked-1", &json!({"workflowId": "items"}));
    wait_until("the items request", || {
        server.items.load(Ordering::SeqCst) >= 1
    });
    let _ = endpoint_1.0.kill();
    let _ = endpoint_1.0.wait();
    let (endpoint_2, _) = endpoint_of(&d, &flow, &api, port, &[]);
    let _endpoint_2 = Running(endpoint_2);
    let (code, result) = restate.result("masked-1");
    assert_eq!(code, 200, "{result}");
    assert_eq!(result["status"], "failed", "{result}");
    let reason = result["error"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("would carry a value the journal keeps masked"),
        "{result}"
    );
    assert!(
        !reason.contains("telaiomasked"),
        "the marker is masked: {reason}"
    );
    let seen = server.seen.lock().unwrap();
    let targets: Vec<&str> = seen.iter().map(|s| s.target.as_str()).collect();
    assert_eq!(targets, ["/token", "/items"], "nothing sent after the loss");
    let token = seen[1].headers.iter().find(|(k, _)| k == "x-token");
    assert_eq!(
        token.map(|(_, v)| v.as_str()),
        Some("canary-token-2f9"),
        "the run itself sent the token"
    );
    // Restate's journal keeps the token by its size only.
    let (exported, _, _) = restate.export_and_replay("masked-1", d.path());
    let exported = std::fs::read_to_string(exported).unwrap();
    assert!(!exported.contains("canary-token-2f9"), "{exported}");
    assert!(exported.contains("<sensitive: 16 bytes>"), "{exported}");
}

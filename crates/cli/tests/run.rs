//! `telaio run` end to end against a local server on 127.0.0.1.

use std::path::Path;

mod support;

use support::{Dir, response, serve_raw, stderr, stdout, telaio};

/// Serves `reply(method, target header, body, n)` as AWS JSON on 127.0.0.1; returns the base
/// URL.
fn serve(
    reply: impl Fn(&str, &str, &str, usize) -> (u16, String) + Send + Sync + 'static,
) -> String {
    serve_raw(move |n, seen| {
        let target = seen
            .headers
            .iter()
            .find(|(k, _)| k == "x-amz-target")
            .map_or("", |(_, v)| v.as_str());
        let (status, payload) = reply(&seen.method, target, &seen.body, n);
        response(
            status,
            &[("content-type", "application/x-amz-json-1.1")],
            &payload,
        )
    })
}

fn liveness(statuses: &'static [&'static str]) -> String {
    serve(move |_, target, body, n| {
        if target.ends_with("CreateFaceLivenessSession") {
            assert!(body.contains("\"ClientRequestToken\":\"demo-1\""), "{body}");
            return (
                200,
                r#"{"SessionId":"0f0b5a5e-3c2d-4b7a-9d33-7e4f1c2a9b10"}"#.into(),
            );
        }
        let status = statuses[(n - 1).min(statuses.len() - 1)];
        (
            200,
            format!(
                r#"{{"SessionId":"0f0b5a5e-3c2d-4b7a-9d33-7e4f1c2a9b10","Status":"{status}","Confidence":99.1}}"#
            ),
        )
    })
}

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// `telaio` run in the repository, recording in a store of its own (not below the
/// repository, which is the test's `HOME`).
fn in_repo(args: &[&str]) -> std::process::Output {
    let store = Dir::new();
    support::command(args, repo())
        .env("TELAIO_STORE", store.path().join("runs.db"))
        .output()
        .unwrap()
}

const SEED: &str =
    "examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml";

#[test]
fn the_seed_workflow_runs_against_a_local_server() {
    let url = liveness(&["CREATED", "IN_PROGRESS", "IN_PROGRESS", "SUCCEEDED"]);
    let o = in_repo(&[
        "run",
        SEED,
        "--server",
        &format!("rekognitionApi={url}"),
        "--input",
        "clientRequestToken=demo-1",
        "--poll-interval",
        "0",
        "--output",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "succeeded");
    assert_eq!(
        v["outputs"],
        serde_json::json!({"sessionId": "0f0b5a5e-3c2d-4b7a-9d33-7e4f1c2a9b10", "status": "SUCCEEDED", "confidence": 99.1})
    );
    assert_eq!(v["steps"][1]["stepId"], "pollResults");
    assert_eq!(v["steps"][1]["attempts"], 4);
}

#[test]
fn a_failed_session_ends_the_seed_as_its_author_wrote_it() {
    // FAILED matches no onSuccess action: the workflow falls through and ends; the outputs
    // carry the status.
    let url = liveness(&["IN_PROGRESS", "FAILED"]);
    let o = in_repo(&[
        "run",
        SEED,
        "--server",
        &format!("rekognitionApi={url}"),
        "--input",
        "clientRequestToken=demo-1",
        "--poll-interval",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "FAILED");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("succeeded: workflow `face-liveness-session`")
    );
}

#[test]
fn a_failing_run_exits_1_with_the_step_and_reason() {
    let url = serve(|_, _, _, _| {
        (
            400,
            r#"{"__type":"InvalidParameterException","Message":"bad token"}"#.into(),
        )
    });
    let o = in_repo(&[
        "run",
        SEED,
        "--server",
        &format!("rekognitionApi={url}"),
        "--input",
        "clientRequestToken=demo-1",
        "--output",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "failed");
    assert_eq!(v["error"]["stepId"], "createSession");
    // The AWS error the API names says more than the criterion it broke.
    assert_eq!(
        v["error"]["reason"],
        "InvalidParameterException: bad token (HTTP 400)"
    );
}

#[test]
fn input_document_and_usage_errors_exit_2_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers: [{url: 'http://127.0.0.1:9'}]\npaths:\n  /a:\n    get: {operationId: a, responses: {'200': {description: ok}}}\n").unwrap();
    let flow = "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: api, url: ./api.yaml}]\nworkflows:\n  - workflowId: one\n    inputs:\n      type: object\n      required: [n, name]\n      properties: {n: {type: integer, minimum: 1}, name: {type: string}, flag: {type: boolean}}\n    steps: [{stepId: s, operationId: a}]\n  - workflowId: two\n    steps: [{stepId: s, operationId: a}]\n";
    std::fs::write(dir.path().join("flow.arazzo.yaml"), flow).unwrap();
    let o = telaio(&["run", "flow.arazzo.yaml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("the document has 2 workflows; choose one with --workflow: one, two")
    );
    let o = telaio(
        &[
            "run",
            "flow.arazzo.yaml",
            "-w",
            "one",
            "--input",
            "n=zero",
            "--input",
            "flag=maybe",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("input `n`: `zero` is not integer"), "{err}");
    assert!(
        err.contains("input `flag`: `maybe` is not boolean"),
        "{err}"
    );
    let o = telaio(
        &["run", "flow.arazzo.yaml", "-w", "one", "--input", "n=0"],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("\"name\" is a required property"), "{err}");
    // Values are masked: inputs may be secrets.
    assert!(
        err.contains("input `n`: value is less than the minimum of 1"),
        "{err}"
    );
    std::fs::write(
        dir.path().join("broken.arazzo.yaml"),
        flow.replace(
            "operationId: a}]\n  - workflowId: two",
            "operationId: nope}]\n  - workflowId: two",
        ),
    )
    .unwrap();
    let o = telaio(
        &[
            "run",
            "broken.arazzo.yaml",
            "-w",
            "one",
            "--input",
            "n=1",
            "--input",
            "name=x",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("error[unknown-operation]"));
    // A workflow that does not reach the broken one is not stopped by it.
    let o = telaio(
        &["run", "broken.arazzo.yaml", "-w", "two", "--dry-run"],
        dir.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn source_reads_a_source_description_from_elsewhere() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/oai-examples");
    // The document names the Petstore by a remote URL; `--source` points it at a local copy.
    let args = [
        "run",
        "LoginAndRetrievePets.arazzo.yaml",
        "--source",
        "petStoreDescription=petstore.openapi.yaml",
        "--input",
        "username=ann",
        "--dry-run",
    ];
    let o = telaio(&args, &examples);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("https://petstore3.swagger.io/api/v3/user/login?username=ann"),
        "{out}"
    );
    // Without it, the remote source is not loaded and the run cannot be planned.
    let o = telaio(&args[..2], &examples);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("remote loading is off"));
    // A name the document does not have is an error, not a silent no-op.
    let o = telaio(
        &[
            "run",
            "LoginAndRetrievePets.arazzo.yaml",
            "--source",
            "petstore=x.yaml",
        ],
        &examples,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(
            "--source names `petstore`, but the source descriptions are petStoreDescription"
        ),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // So is a `--server` for no source, said as a problem of the run, not of a workflow.
    let o = telaio(
        &[
            "run",
            "LoginAndRetrievePets.arazzo.yaml",
            "--source",
            "petStoreDescription=petstore.openapi.yaml",
            "--server",
            "petstore=http://127.0.0.1:9",
        ],
        &examples,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(
            "error: --server names `petstore`, but the source descriptions are petStoreDescription"
        ),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A step whose success criterion does not hold points at the criterion, as `validate`
/// points at a finding: file, line and column, the line, a caret; the JSON result says where.
#[test]
fn a_failed_criterion_is_shown_where_it_is_written() {
    let d = Dir::new();
    d.write(
        "api.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /jobs:\n    get:\n      operationId: getJob\n      responses: {'200': {description: ok}}\n",
    );
    d.write(
        "flow.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: api, url: ./api.yaml}]\nworkflows:\n  - workflowId: w\n    steps:\n      - stepId: check\n        operationId: getJob\n        successCriteria:\n          - condition: $statusCode == 200\n          - condition: $response.body#/state == 'done'\n",
    );
    let url = serve_raw(|_, _| {
        response(
            200,
            &[("content-type", "application/json")],
            r#"{"state": "running"}"#,
        )
    });
    let server = format!("api={url}");
    let o = telaio(&["run", "flow.arazzo.yaml", "--server", &server], d.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("error at step `check`: success criterion 2 did not hold (HTTP 200)\n    --> flow.arazzo.yaml:11:24\n     |\n  11 |           - condition: $response.body#/state == 'done'\n     |                        ^\n"),
        "{err}"
    );
    let o = telaio(
        &[
            "run",
            "flow.arazzo.yaml",
            "--server",
            &server,
            "--output",
            "json",
        ],
        d.path(),
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v["error"]["at"],
        serde_json::json!({"file": "flow.arazzo.yaml", "line": 11, "column": 24})
    );
}

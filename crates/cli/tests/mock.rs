//! The reference job end to end: the seed workflow against `telaio mock`, in-process
//! (`run --mock`) with SigV4 signatures checked, and as a separate process.

mod support;
use support::telaio_command;

use std::path::Path;
use std::process::{Output, Stdio};

const SEED: &str =
    "examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml";

/// No polling pause, the seed's input, a JSON result.
const QUICK_JSON: [&str; 6] = [
    "--poll-interval",
    "0",
    "--input",
    "clientRequestToken=demo-1",
    "--output",
    "json",
];

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Runs telaio in the repository with a home of its own and no AWS settings from outside.
fn telaio(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut c = telaio_command();
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("AWS_")) {
        c.env_remove(k);
    }
    c.args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .env("HOME", home.path());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run telaio")
}

/// The JSON on stdout of a run that must have succeeded.
fn success(o: &Output) -> serde_json::Value {
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{stderr}"))
}

/// The seed against the in-process mock with a scenario; the JSON result.
fn seed_with(scenario: &str, extra: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let scenario = format!("examples/rekognition/scenarios/{scenario}.yaml");
    let mut args = vec!["run", SEED, "--mock", &scenario];
    args.extend_from_slice(&QUICK_JSON);
    args.extend_from_slice(extra);
    let o = telaio(&args, &[]);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{stderr}"));
    (o.status.code(), v, stderr)
}

#[test]
fn the_seed_succeeds_against_the_mock_with_signatures_checked() {
    // No scenario: every call gets the description's examples.
    let o = telaio(
        &[
            "run",
            SEED,
            "--mock",
            "--input",
            "clientRequestToken=demo-1",
        ],
        &[],
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["status"], "SUCCEEDED");
    assert_eq!(v["confidence"], 99.1);

    let (code, v, _) = seed_with("succeeded", &[]);
    assert_eq!(code, Some(0));
    assert_eq!(v["outputs"]["status"], "SUCCEEDED");
    assert_eq!(v["outputs"]["confidence"], 99.1);
    let session = v["outputs"]["sessionId"].as_str().unwrap();
    assert_eq!(session.len(), 36, "a generated id: {session}");
    // Create once, then CREATED, CREATED, IN_PROGRESS, IN_PROGRESS, SUCCEEDED.
    assert_eq!(v["steps"][1]["attempts"], 5);
}

#[test]
fn failed_and_expired_sessions_fall_through_as_the_seed_is_written() {
    for (scenario, status) in [("failed", "FAILED"), ("expired", "EXPIRED")] {
        let (code, v, _) = seed_with(scenario, &[]);
        // The seed has no action for these: the workflow ends "successfully", with the
        // terminal status in its outputs (the linter warns about exactly this).
        assert_eq!(code, Some(0), "{scenario}");
        assert_eq!(v["outputs"]["status"], status, "{scenario}");
    }
}

#[test]
fn throttling_is_absorbed_and_aws_errors_are_named() {
    let (code, v, _) = seed_with("throttled", &[]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["outputs"]["status"], "SUCCEEDED");

    let (code, v, _) = seed_with("session-not-found", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(v["error"]["stepId"], "pollResults");
    assert_eq!(
        v["error"]["reason"],
        "SessionNotFoundException: Session 00000000-0000-4000-8000-000000000000 was not found. (HTTP 400)"
    );

    let (code, v, _) = seed_with("slow", &["--timeout", "0.5"]);
    assert_eq!(code, Some(1));
    assert_eq!(v["error"]["reason"], "no response within 0.5 s (--timeout)");
}

/// `telaio mock --verify-sigv4` as its own process: the right keys pass, a wrong secret and
/// an expired session token are refused as AWS refuses them.
#[test]
fn a_separate_mock_checks_signatures() {
    let mut command = telaio_command();
    command
        .args([
            "mock",
            SEED,
            "--verify-sigv4",
            "--scenario",
            "examples/rekognition/scenarios/expired-credentials.yaml",
        ])
        .current_dir(repo())
        .stderr(Stdio::null());
    let (mut mock, url) = support::listening(command);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let server = format!("rekognitionApi={url}");
    let run = |secret: &str, token: &str| {
        telaio(
            &[["run", SEED, "--server", &server].as_slice(), &QUICK_JSON].concat(),
            &[
                ("AWS_ACCESS_KEY_ID", "AKIDTELAIOMOCK"),
                ("AWS_SECRET_ACCESS_KEY", secret),
                ("AWS_SESSION_TOKEN", token),
                ("AWS_REGION", "eu-west-1"),
            ],
        )
    };
    let right = "telaio-mock-secret-access-key";
    let good = run(right, "a-fresh-session-token");
    let bad = run("a-wrong-secret", "a-fresh-session-token");
    let expired = run(right, "telaio-expired-session-token");
    let _ = mock.kill();
    let _ = mock.wait();
    assert_eq!(
        good.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert_eq!(expired.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&expired.stdout).unwrap();
    assert_eq!(
        v["error"]["reason"],
        "ExpiredTokenException: The security token included in the request is expired (HTTP 403)"
    );
    assert_eq!(bad.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    let reason = v["error"]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with(
            "InvalidSignatureException: The request signature we calculated does not match"
        ) && reason.ends_with("(HTTP 403)"),
        "{reason}"
    );
}

/// Biometric images (`x-sensitive` in the description) show as sizes in the result and the
/// trace, and as themselves only with `--show-sensitive`.
#[test]
fn sensitive_images_show_by_size() {
    const IMAGE: &str = "Q0FOQVJZLWJpb21ldHJpYy1pbWFnZS1ieXRlcw==";
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("arazzo")).unwrap();
    std::fs::create_dir_all(dir.path().join("openapi")).unwrap();
    let openapi = "openapi/amazon-rekognition-openapi.yml";
    std::fs::copy(
        repo().join("examples/rekognition").join(openapi),
        dir.path().join(openapi),
    )
    .unwrap();
    // The seed, with the reference image among the workflow's outputs.
    let seed = std::fs::read_to_string(repo().join(SEED)).unwrap().replace(
        "  outputs:\n    sessionId:",
        "  outputs:\n    referenceImage: $steps.pollResults.outputs.referenceImage\n    bytes: $steps.pollResults.outputs.referenceImage.Bytes\n    sessionId:",
    );
    assert!(
        seed.contains("referenceImage: $steps"),
        "the seed's outputs moved"
    );
    std::fs::write(dir.path().join("arazzo/seed.yml"), seed).unwrap();
    std::fs::write(
        dir.path().join("scenario.yaml"),
        format!("operations:\n  getFaceLivenessSessionResults:\n    responses:\n      - body: {{Status: SUCCEEDED, Confidence: 99.1, ReferenceImage: {{Bytes: '{IMAGE}', BoundingBox: {{Width: 0.5}}}}}}\n"),
    )
    .unwrap();
    let trace = dir.path().join("trace.jsonl");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "arazzo/seed.yml",
            "--mock",
            "scenario.yaml",
            "--trace",
            trace.to_str().unwrap(),
            // The seed's layout (`arazzo/` beside `openapi/`) outside a repository.
            "--source-root",
            ".",
        ];
        args.extend_from_slice(&QUICK_JSON);
        args.extend_from_slice(extra);
        let mut c = telaio_command();
        c.args(&args)
            .current_dir(dir.path())
            .env("HOME", dir.path());
        let o = c.output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let shown = run(&[]);
    let v: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(
        v["outputs"]["referenceImage"]["Bytes"],
        format!("<sensitive: {} bytes>", IMAGE.len())
    );
    assert_eq!(v["outputs"]["referenceImage"]["BoundingBox"]["Width"], 0.5);
    // Also where the value stands without its property's name.
    assert_eq!(
        v["outputs"]["bytes"],
        format!("<sensitive: {} bytes>", IMAGE.len())
    );
    let trace_text = std::fs::read_to_string(&trace).unwrap();
    assert!(
        !shown.contains(IMAGE) && !trace_text.contains(IMAGE),
        "{shown}\n{trace_text}"
    );
    assert!(run(&["--show-sensitive"]).contains(IMAGE));
}

/// `--mock` stands in for every API, including those only another document (an `arazzo`
/// source) uses and those that are not AWS's.
#[test]
fn the_mock_serves_plain_apis_of_other_documents() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("api.yaml"),
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers: [{url: 'https://pets.example'}]\npaths:\n  /pets/{id}:\n    get:\n      operationId: getPet\n      responses:\n        '200':\n          description: ok\n          content: {application/json: {example: {id: 7, name: Rex}}}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("shared.arazzo.yaml"), "arazzo: 1.0.1\ninfo: {title: s, version: '1'}\nsourceDescriptions: [{name: pets, url: ./api.yaml}]\nworkflows:\n  - workflowId: w\n    steps: [{stepId: a, operationId: getPet, parameters: [{name: id, in: path, value: 7}], outputs: {name: $response.body#/name}}]\n    outputs: {name: $steps.a.outputs.name}\n").unwrap();
    std::fs::write(dir.path().join("main.arazzo.yaml"), "arazzo: 1.0.1\ninfo: {title: m, version: '1'}\nsourceDescriptions: [{name: shared, url: ./shared.arazzo.yaml, type: arazzo}]\nworkflows:\n  - workflowId: main\n    steps: [{stepId: call, workflowId: $sourceDescriptions.shared.w, outputs: {name: $outputs.name}}]\n    outputs: {name: $steps.call.outputs.name}\n").unwrap();
    let o = telaio_command()
        .args(["run", "main.arazzo.yaml", "--mock"])
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert_eq!(success(&o)["name"], "Rex");
}

/// No AWS keys anywhere: a setup error before anything is sent, saying where Telaio looked.
#[test]
fn missing_aws_credentials_stop_the_run_before_it_starts() {
    let o = telaio(
        &[
            "run",
            SEED,
            "--server",
            "rekognitionApi=http://127.0.0.1:9",
            "--input",
            "clientRequestToken=demo-1",
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("source `rekognitionApi` is signed with AWS SigV4, and there are no AWS credentials: Telaio looked in $AWS_ACCESS_KEY_ID"),
        "{stderr}"
    );
    // `--explain-auth` and `--dry-run` still work without keys.
    for extra in ["--explain-auth", "--dry-run"] {
        let o = telaio(
            &["run", SEED, extra, "--input", "clientRequestToken=x"],
            &[],
        );
        assert_eq!(o.status.code(), Some(0), "{extra}");
    }
}

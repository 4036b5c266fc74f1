//! The reference job's AWS side against a local server that checks every SigV4 signature
//! the way AWS does: the seed workflow signed with the user's keys (and session token),
//! throttling retried below the workflow, a wrong secret refused with AWS's message, missing
//! credentials named before anything is sent, and no secret in any event.

mod support;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use support::{Reply, Seen, Server, fast, plan_file, server_for};
use telaio_engine::{
    AwsCredentials, AwsSetup, Credentials, Driver, DriverOptions, Event, Outcome, Plan,
    PlanOptions, verify_sigv4,
};
use telaio_model::{LoadOptions, Loader};

const KEY_ID: &str = "AKIDTELAIOTEST";
const SECRET: &str = "CANARY-secret/key+with=odd&chars";
const TOKEN: &str = "CANARY-session-token";

fn seed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml",
    )
}

fn credentials(secret: &str) -> AwsCredentials {
    AwsCredentials {
        access_key_id: KEY_ID.into(),
        secret_access_key: secret.into(),
        session_token: Some(TOKEN.into()),
        found_in: "the test".into(),
    }
}

/// A Rekognition stand-in: refuses a bad signature with 403 as AWS does, creates a session,
/// reports CREATED, IN_PROGRESS then SUCCEEDED; `throttle` answers that many calls first
/// with `ThrottlingException`.
fn rekognition(
    url: String,
    throttle: usize,
) -> impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static {
    let polls = AtomicUsize::new(0);
    let throttled = AtomicUsize::new(0);
    move |req, _| {
        let headers: Vec<(String, String)> = req
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let expected = credentials(SECRET);
        let checked = verify_sigv4(
            &req.method,
            &format!("{url}{}", req.path),
            &headers,
            req.body.as_bytes(),
            &expected,
            Some("eu-west-1"),
            Some("rekognition"),
            std::time::SystemTime::now(),
        );
        if let Err(message) = checked {
            let (code, text) = message.split_once(": ").unwrap();
            return Reply::json(403, json!({"__type": code, "Message": text})).with_header(
                "x-amzn-ErrorType",
                &format!("{code}:http://internal.amazon.com/"),
            );
        }
        if throttled.fetch_add(1, Ordering::SeqCst) < throttle {
            return Reply::json(
                400,
                json!({"__type": "ThrottlingException", "Message": "Rate exceeded"}),
            );
        }
        match req.headers.get("x-amz-target").map(String::as_str) {
            Some("RekognitionService.CreateFaceLivenessSession") => {
                Reply::json(200, json!({"SessionId": "session-1"}))
            }
            Some("RekognitionService.GetFaceLivenessSessionResults") => {
                let n = polls.fetch_add(1, Ordering::SeqCst);
                let status = ["CREATED", "IN_PROGRESS", "SUCCEEDED"][n.min(2)];
                Reply::json(
                    200,
                    json!({"SessionId": "session-1", "Status": status, "Confidence": 98.5}),
                )
            }
            _ => Reply::json(400, json!({"__type": "UnknownOperationException"})),
        }
    }
}

async fn run(server: &Server, aws: AwsSetup, options: DriverOptions) -> (Outcome, Vec<Event>) {
    run_doc(&seed(), server, aws, options).await
}

async fn run_doc(
    doc: &Path,
    server: &Server,
    aws: AwsSetup,
    options: DriverOptions,
) -> (Outcome, Vec<Event>) {
    let plan = plan_file(
        &Loader::new(LoadOptions::default()),
        doc,
        server_for("rekognitionApi", &server.url),
    );
    let driver = Driver::new(options)
        .unwrap()
        .with_credentials(Credentials::new(Vec::new(), None).with_aws(aws));
    let mut events = Vec::new();
    let outcome = driver
        .run(
            &plan,
            "face-liveness-session",
            json!({"clientRequestToken": "demo-1"}),
            fast(),
            &mut |e: &telaio_engine::Record| events.push(e.event.clone()),
        )
        .await;
    (outcome, events)
}

fn setup(secret: &str) -> AwsSetup {
    AwsSetup {
        credentials: Some(credentials(secret)),
        looked: String::new(),
        region: Some("eu-west-1".into()),
        service: None,
    }
}

fn quick() -> DriverOptions {
    DriverOptions {
        transport_backoff: std::time::Duration::from_millis(5),
        ..DriverOptions::default()
    }
}

#[tokio::test]
async fn the_seed_runs_signed_and_every_signature_checks_out() {
    let server = Server::start_with(|url| rekognition(url, 0)).await;
    let (outcome, events) = run(&server, setup(SECRET), quick()).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(outcome.outputs["status"], "SUCCEEDED");
    assert_eq!(outcome.outputs["confidence"], 98.5);
    let seen = server.requests();
    assert_eq!(seen.len(), 4, "create, then three polls");
    for r in &seen {
        assert_eq!(r.headers["x-amz-security-token"], TOKEN);
        assert!(
            r.headers["authorization"]
                .starts_with(&format!("AWS4-HMAC-SHA256 Credential={KEY_ID}/"))
        );
        assert!(r.headers["authorization"].contains("/eu-west-1/rekognition/aws4_request"));
    }
    no_secret_in(&events, &outcome);
}

#[tokio::test]
async fn throttling_is_retried_below_the_workflow_and_shown() {
    let server = Server::start_with(|url| rekognition(url, 2)).await;
    let (outcome, events) = run(&server, setup(SECRET), quick()).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    let retries: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::RequestRetried {
                step_id,
                attempt,
                reason,
                ..
            } => Some(format!("{step_id} #{attempt}: {reason}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        retries,
        [
            "createSession #2: ThrottlingException (HTTP 400)",
            "createSession #3: ThrottlingException (HTTP 400)",
        ]
    );
    // The workflow saw one attempt of its step: the retries are the transport's.
    assert_eq!(outcome.steps[0].attempts, 1);
    // Three throttled or not, each attempt was signed again and checked.
    assert_eq!(server.requests().len(), 3 + 3);

    // With retries turned off, the throttling reaches the workflow, named.
    let server = Server::start_with(|url| rekognition(url, 1)).await;
    let options = DriverOptions {
        transport_retries: 0,
        ..quick()
    };
    let (outcome, _) = run(&server, setup(SECRET), options).await;
    assert!(!outcome.succeeded);
    assert_eq!(
        outcome.error.unwrap().reason,
        "ThrottlingException: Rate exceeded (HTTP 400)"
    );
}

/// Transport retries stay within the step's `timeout`: a `Retry-After` longer than what is
/// left ends the step instead of waiting past its limit.
#[tokio::test]
async fn transport_retries_stay_within_the_step_timeout() {
    let server = Server::start(|_, _| {
        Reply::json(503, json!({"__type": "ServiceUnavailableException"}))
            .with_header("retry-after", "2")
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("arazzo")).unwrap();
    std::fs::create_dir_all(dir.path().join("openapi")).unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/rekognition");
    let api = "openapi/amazon-rekognition-openapi.yml";
    std::fs::copy(examples.join(api), dir.path().join(api)).unwrap();
    let limited = std::fs::read_to_string(seed()).unwrap().replacen(
        "    operationId: createFaceLivenessSession\n",
        "    operationId: createFaceLivenessSession\n    timeout: 500\n",
        1,
    );
    assert!(limited.contains("timeout: 500"));
    let doc = dir.path().join("arazzo/seed.yml");
    std::fs::write(&doc, limited.replace("arazzo: 1.0.1", "arazzo: 1.1.0")).unwrap();
    let started = std::time::Instant::now();
    let (outcome, events) = run_doc(&doc, &server, setup(SECRET), quick()).await;
    assert!(!outcome.succeeded);
    assert!(started.elapsed() < std::time::Duration::from_millis(1500));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::RequestRetried { .. })),
        "a 2 s wait does not fit in 500 ms"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_wrong_secret_is_refused_with_aws_words_and_missing_keys_send_nothing() {
    let server = Server::start_with(|url| rekognition(url, 0)).await;
    let (outcome, events) = run(&server, setup("not-the-secret"), quick()).await;
    assert!(!outcome.succeeded);
    let error = outcome.error.clone().unwrap();
    assert_eq!(error.step_id.as_deref(), Some("createSession"));
    assert!(
        error.reason.starts_with(
            "InvalidSignatureException: The request signature we calculated does not match"
        ) && error.reason.ends_with("(HTTP 403)"),
        "{}",
        error.reason
    );
    assert_eq!(
        server.requests().len(),
        1,
        "a refused signature is not retried"
    );
    no_secret_in(&events, &outcome);

    let server = Server::start_with(|url| rekognition(url, 0)).await;
    let nothing = AwsSetup {
        credentials: None,
        looked: "Telaio looked in $AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY".into(),
        region: Some("eu-west-1".into()),
        service: None,
    };
    let (outcome, _) = run(&server, nothing, quick()).await;
    assert_eq!(
        outcome.error.unwrap().reason,
        "no AWS credentials to sign the request with: Telaio looked in $AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY"
    );
    assert!(server.requests().is_empty());
}

#[test]
fn the_region_fills_the_server_and_the_host_names_the_service() {
    let bundle = Loader::new(LoadOptions::default())
        .load_bundle(&Loader::url_for_path(&seed()).unwrap())
        .unwrap();
    let options = PlanOptions {
        server_variables: [("region".to_owned(), "ap-south-1".to_owned())]
            .into_iter()
            .collect(),
        ..PlanOptions::default()
    };
    let plan = Plan::compile(&bundle, &options).unwrap();
    let telaio_engine::TargetPlan::Operation(op) = &plan.workflows()[0].steps[0].target else {
        panic!("an operation step");
    };
    assert_eq!(
        op.server.as_deref(),
        Some("https://rekognition.ap-south-1.amazonaws.com")
    );
    assert_eq!(
        op.security[0][0].kind,
        telaio_engine::SchemeKind::AwsSigV4 {
            service: Some("rekognition".into())
        }
    );
}

/// Neither the secret key nor the session token appears in any event or in the outcome.
fn no_secret_in(events: &[Event], outcome: &Outcome) {
    let text = serde_json::to_string(&(events, outcome)).unwrap();
    for canary in [SECRET, TOKEN, "CANARY"] {
        assert!(!text.contains(canary), "`{canary}` leaked");
    }
    let _: Value = serde_json::from_str(&text).unwrap();
}

//! What the mock answers, request by request (no server: `Mock::answer` directly).

use std::path::Path;

use serde_json::{Value, json};
use telaio_mock::{Mock, MockOptions, MockRequest, Scenario};
use telaio_model::{Bundle, LoadOptions, Loader};

fn seed() -> Bundle {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml",
    );
    Loader::new(LoadOptions::default())
        .load_bundle(&Loader::url_for_path(&path).unwrap())
        .unwrap()
}

fn post(target: Option<&str>, body: Value) -> MockRequest {
    let mut headers = vec![("host".to_owned(), "127.0.0.1:1".to_owned())];
    if let Some(t) = target {
        headers.push(("x-amz-target".to_owned(), t.to_owned()));
    }
    MockRequest {
        method: "POST".into(),
        path: "/".into(),
        query: None,
        headers,
        body: body.to_string().into_bytes(),
    }
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap()
}

#[test]
fn aws_operations_are_told_apart_by_their_target() {
    let mock = Mock::new(&seed(), MockOptions::default());
    let create = mock.answer(&post(
        Some("RekognitionService.CreateFaceLivenessSession"),
        json!({}),
    ));
    assert_eq!(create.status, 200);
    assert!(json_of(&create.body)["SessionId"].is_string());
    assert!(
        create
            .headers
            .contains(&("content-type".into(), "application/x-amz-json-1.1".into()))
    );
    let get = mock.answer(&post(
        Some("RekognitionService.GetFaceLivenessSessionResults"),
        json!({}),
    ));
    assert_eq!(json_of(&get.body)["Status"], "SUCCEEDED");
    for target in [Some("RekognitionService.Typo"), None] {
        let unknown = mock.answer(&post(target, json!({})));
        assert_eq!(unknown.status, 400, "{target:?}");
        assert_eq!(
            json_of(&unknown.body)["__type"],
            "UnknownOperationException"
        );
    }
    let mut elsewhere = post(None, json!({}));
    elsewhere.path = "/nowhere".into();
    assert_eq!(mock.answer(&elsewhere).status, 404);
}

#[test]
fn scenarios_keep_state_per_key_and_recognise_their_ids() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/rekognition/scenarios/succeeded.yaml"),
    )
    .unwrap();
    let scenario = Scenario::parse("succeeded.yaml", &text).unwrap();
    let mock = Mock::new(
        &seed(),
        MockOptions {
            scenario: Some(scenario),
            verify_sigv4: false,
        },
    );
    let create = |token: &str| {
        json_of(
            &mock
                .answer(&post(
                    Some("X.CreateFaceLivenessSession"),
                    json!({"ClientRequestToken": token}),
                ))
                .body,
        )["SessionId"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (a, b) = (create("t-1"), create("t-2"));
    assert_ne!(a, b);
    assert_eq!(create("t-1"), a, "the same token, the same session");
    let status = |id: &str| {
        let r = mock.answer(&post(
            Some("X.GetFaceLivenessSessionResults"),
            json!({"SessionId": id}),
        ));
        (r.status, json_of(&r.body))
    };
    let seen_a: Vec<_> = (0..6).map(|_| status(&a).1["Status"].clone()).collect();
    assert_eq!(
        seen_a,
        [
            "CREATED",
            "CREATED",
            "IN_PROGRESS",
            "IN_PROGRESS",
            "SUCCEEDED",
            "SUCCEEDED"
        ]
    );
    // `b` has its own sequence; an id the mock never handed out is not found.
    assert_eq!(status(&b).1["Status"], "CREATED");
    let (code, body) = status("made-up");
    assert_eq!(code, 400);
    assert_eq!(body["__type"], "SessionNotFoundException");
    assert_eq!(body["Message"], "Session made-up was not found.");
}

#[test]
fn only_aws_operations_need_a_signature() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("api.yaml"),
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers: [{url: 'https://pets.example'}]\npaths:\n  /pets/{id}:\n    get:\n      operationId: getPet\n      responses: {'200': {description: ok, content: {application/json: {schema: {type: object, properties: {id: {type: integer}, name: {type: string}}}}}}}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("flow.arazzo.yaml"),
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: pets, url: ./api.yaml}]\nworkflows:\n  - workflowId: w\n    steps: [{stepId: s, operationId: getPet}]\n",
    )
    .unwrap();
    let bundle = Loader::new(LoadOptions::default())
        .load_bundle(&Loader::url_for_path(&dir.path().join("flow.arazzo.yaml")).unwrap())
        .unwrap();
    let pets = Mock::new(
        &bundle,
        MockOptions {
            scenario: None,
            verify_sigv4: true,
        },
    );
    let get = MockRequest {
        method: "GET".into(),
        path: "/pets/7".into(),
        ..MockRequest::default()
    };
    let answer = pets.answer(&get);
    assert_eq!(answer.status, 200, "an API without SigV4 is not refused");
    assert_eq!(json_of(&answer.body), json!({"id": 0, "name": "string"}));
    // The seed's operations are AWS's: unsigned, they are refused as AWS refuses them.
    let aws = Mock::new(
        &seed(),
        MockOptions {
            scenario: None,
            verify_sigv4: true,
        },
    );
    let refused = aws.answer(&post(Some("X.CreateFaceLivenessSession"), json!({})));
    assert_eq!(refused.status, 403);
    assert_eq!(
        json_of(&refused.body)["__type"],
        "MissingAuthenticationTokenException"
    );
}

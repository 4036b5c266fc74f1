//! Credentials from the environment or a file, applied as the sources' security schemes say,
//! with OAuth client-credentials tokens fetched once and reused.

mod support;

use serde_json::json;
use support::{Reply, Server, fast, plan_file, server_for};
use telaio_engine::{Credentials, Driver, DriverOptions};
use telaio_model::{LoadOptions, Loader};

fn api(token_url: &str) -> String {
    format!(
        r#"
openapi: 3.0.3
info: {{title: Secured, version: '1'}}
servers: [{{url: 'https://example.invalid'}}]
security: [{{keyAuth: []}}]
paths:
  /key:
    get: {{operationId: withKey, responses: {{'200': {{description: ok}}}}}}
  /query:
    get: {{operationId: withQueryKey, security: [{{queryKey: []}}], responses: {{'200': {{description: ok}}}}}}
  /basic:
    get: {{operationId: withBasic, security: [{{basicAuth: []}}], responses: {{'200': {{description: ok}}}}}}
  /either:
    get: {{operationId: withEither, security: [{{bearerAuth: []}}, {{keyAuth: []}}], responses: {{'200': {{description: ok}}}}}}
  /oauth:
    get: {{operationId: withOauth, security: [{{oauth: [read]}}], responses: {{'200': {{description: ok}}}}}}
components:
  securitySchemes:
    keyAuth: {{type: apiKey, in: header, name: X-API-Key}}
    queryKey: {{type: apiKey, in: query, name: api_key}}
    basicAuth: {{type: http, scheme: basic}}
    bearerAuth: {{type: http, scheme: bearer}}
    oauth:
      type: oauth2
      flows:
        clientCredentials: {{tokenUrl: '{token_url}', scopes: {{read: read things}}}}
"#
    )
}

const FLOW: &str = r#"
arazzo: 1.0.1
info: {title: Auth, version: 1.0.0}
sourceDescriptions: [{name: secured, url: ./api.yaml, type: openapi}]
workflows:
  - workflowId: all
    steps:
      - {stepId: key, operationId: withKey}
      - {stepId: query, operationId: withQueryKey}
      - {stepId: basic, operationId: withBasic}
      - {stepId: either, operationId: withEither}
      - {stepId: oauth1, operationId: withOauth}
      - {stepId: oauth2, operationId: withOauth}
"#;

#[tokio::test]
async fn every_scheme_is_applied_from_env_or_file() {
    let server = Server::start(|req, _| {
        if req.path == "/token" {
            Reply::json(
                200,
                json!({"access_token": "tok-123", "token_type": "bearer", "expires_in": 3600}),
            )
        } else {
            Reply::json(200, json!({}))
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("api.yaml"),
        api(&format!("{}/token", server.url)),
    )
    .unwrap();
    std::fs::write(dir.path().join("flow.arazzo.yaml"), FLOW).unwrap();
    let plan = plan_file(
        &Loader::new(LoadOptions::default()),
        &dir.path().join("flow.arazzo.yaml"),
        server_for("secured", &server.url),
    );
    let env = [
        (
            "TELAIO_AUTH_SECURED_KEYAUTH".to_owned(),
            "key-abc".to_owned(),
        ),
        (
            "TELAIO_AUTH_SECURED_QUERYKEY".to_owned(),
            "q s&t".to_owned(),
        ),
        (
            "TELAIO_AUTH_SECURED_OAUTH_CLIENT_ID".to_owned(),
            "client".to_owned(),
        ),
        (
            "TELAIO_AUTH_SECURED_OAUTH_CLIENT_SECRET".to_owned(),
            "shh".to_owned(),
        ),
        ("UNRELATED".to_owned(), "x".to_owned()),
    ];
    let file = json!({"secured": {"basicAuth": {"username": "ada", "password": "lovelace"}, "keyAuth": "from-file"}});
    let credentials = Credentials::new(env, Some(&file));
    let driver = Driver::new(DriverOptions::default())
        .unwrap()
        .with_credentials(credentials);
    let outcome = driver
        .run(
            &plan,
            "all",
            json!({}),
            fast(),
            &mut |_: &telaio_engine::Record| {},
        )
        .await;
    assert!(outcome.succeeded, "{outcome:#?}");
    let r = server.requests();
    let by_path = |p: &str| {
        r.iter()
            .filter(|x| x.path == p)
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        by_path("/key")[0].headers["x-api-key"],
        "key-abc",
        "the environment wins over the file"
    );
    assert_eq!(by_path("/query")[0].query, "api_key=q+s%26t");
    assert_eq!(
        by_path("/basic")[0].headers["authorization"],
        "Basic YWRhOmxvdmVsYWNl"
    );
    // No bearer token is configured, so the second alternative (the API key) is used.
    assert_eq!(by_path("/either")[0].headers["x-api-key"], "key-abc");
    assert!(!by_path("/either")[0].headers.contains_key("authorization"));
    let token_requests = by_path("/token");
    assert_eq!(
        token_requests.len(),
        1,
        "the token is fetched once and reused"
    );
    assert_eq!(
        token_requests[0].body,
        "grant_type=client_credentials&scope=read"
    );
    assert_eq!(
        token_requests[0].headers["authorization"],
        "Basic Y2xpZW50OnNoaA=="
    );
    assert!(
        by_path("/oauth")
            .iter()
            .all(|x| x.headers["authorization"] == "Bearer tok-123")
    );
    assert_eq!(by_path("/oauth").len(), 2);
}

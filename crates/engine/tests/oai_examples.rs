//! The OpenAPI Initiative's Arazzo examples (`tests/oai-examples/`, copied unchanged), each
//! run end to end against a local server that plays the API the way its description says.
//! Where an example cannot succeed as written, the test pins down how far it gets and the
//! reason Telaio gives.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::{Reply, Seen, Server, run_file};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/oai-examples")
        .join(name)
}

fn calls(server: &Server) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| {
            if r.query.is_empty() {
                format!("{} {}", r.method, r.path)
            } else {
                format!("{} {}?{}", r.method, r.path, r.query)
            }
        })
        .collect()
}

/// A form body as JSON, for comparing.
fn form(seen: &Seen) -> Value {
    url::form_urlencoded::parse(seen.body.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The pet store of `pet-coupons.openapi.yaml`.
async fn pet_store() -> Server {
    Server::start(|req, _| match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/pet/findByTags") => Reply::json(200, json!([{"id": 42, "name": "Rex"}])),
        ("GET", "/pet/findByStatus") => Reply::json(200, json!([{"id": 7, "name": "Tom"}])),
        ("GET", "/pet/42/coupons") => Reply::json(200, json!({"couponCode": "SPRING10"})),
        ("POST", "/store/order") => {
            let pet = req.json()["petId"].as_i64().unwrap_or_default();
            Reply::json(200, json!({"id": 1000 + pet, "status": "placed"}))
        }
        _ => Reply::json(404, json!({"message": "no such route"})),
    })
    .await
}

#[tokio::test]
async fn pet_coupons_apply_coupon() {
    let server = pet_store().await;
    let (outcome, _) = run_file(
        &example("pet-coupons.arazzo.yaml"),
        &[],
        &[("pet-coupons", &server.url)],
        "apply-coupon",
        json!({"my_pet_tags": ["dog", "small"], "store_id": "pets.example.com"}),
    )
    .await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(outcome.outputs, json!({"apply_coupon_pet_order_id": 1042}));
    assert_eq!(
        calls(&server),
        [
            "GET /pet/findByTags?pet_tags=dog&pet_tags=small",
            // The example names the path parameter `pet_id`; the path says `{petId}`.
            "GET /pet/42/coupons",
            "POST /store/order"
        ]
    );
    // The order carries the pet and the coupon; the quantity was never given.
    assert_eq!(
        server.requests()[2].json(),
        json!({"petId": 42, "quantity": null, "couponCode": "SPRING10", "status": "placed", "complete": false})
    );
}

#[tokio::test]
async fn pet_coupons_buy_available_pet() {
    let server = pet_store().await;
    let (outcome, _) = run_file(
        &example("pet-coupons.arazzo.yaml"),
        &[],
        &[("pet-coupons", &server.url)],
        "buy-available-pet",
        json!({}),
    )
    .await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(outcome.outputs, json!({"buy_pet_order_id": 1007}));
    // Reusable parameters from `components`, with the step's values overriding theirs.
    assert_eq!(
        calls(&server)[0],
        "GET /pet/findByStatus?status=available&page=1&pageSize=10"
    );
}

#[tokio::test]
async fn login_and_retrieve_pets() {
    let server = Server::start(|req, _| match req.path.as_str() {
        "/user/login" => Reply {
            status: 200,
            headers: vec![
                ("content-type", "text/plain".into()),
                ("x-rate-limit", "5000".into()),
                ("x-expires-after", "2026-11-26T12:00:00Z".into()),
            ],
            body: "session-7d1f".into(),
            delay: std::time::Duration::ZERO,
        },
        "/pet/findByStatus"
            if req.headers.get("authorization").map(String::as_str) == Some("session-7d1f") =>
        {
            Reply::json(
                200,
                json!([{"id": 1, "name": "Rex", "status": "available"}]),
            )
        }
        _ => Reply::json(401, json!({"message": "log in first"})),
    })
    .await;
    let petstore = example("petstore.openapi.yaml");
    let (outcome, _) = run_file(
        &example("LoginAndRetrievePets.arazzo.yaml"),
        &[("petStoreDescription", &petstore)],
        &[("petStoreDescription", &server.url)],
        "loginUserRetrievePet",
        json!({"username": "ann", "password": "s3cret"}),
    )
    .await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(
        outcome.outputs,
        json!({"available": [{"id": 1, "name": "Rex", "status": "available"}]})
    );
    assert_eq!(
        calls(&server),
        [
            "GET /user/login?username=ann&password=s3cret",
            "GET /pet/findByStatus?status=available"
        ]
    );
    // The session token from the login body went out as `Authorization`.
    assert_eq!(
        server.requests()[1].headers["authorization"],
        "session-7d1f"
    );
}

/// The authorization server of `oauth.openapi.yaml`.
async fn auth_server() -> Server {
    Server::start(|req, _| match req.path.as_str() {
        // The example also asks the authorize response for an `access_token`.
        "/authorize" => Reply::json(200, json!({"code": "code-1", "access_token": "preview"})),
        "/oauth/token" => {
            let body = form(req);
            match body["grant_type"].as_str() {
                Some("authorization_code") if body["code"] == "code-1" => Reply::json(
                    200,
                    json!({"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 3600}),
                ),
                Some("refresh_token") if body["refresh_token"] == "rt-1" => Reply::json(
                    200,
                    json!({"access_token": "at-2", "refresh_token": "rt-2", "expires_in": 3600}),
                ),
                Some("client_credentials") if body["client_secret"] == "cs" => {
                    Reply::json(200, json!({"access_token": "cc-1", "expires_in": 600}))
                }
                _ => Reply::json(400, json!({"error": "invalid_grant"})),
            }
        }
        _ => Reply::json(404, json!({})),
    })
    .await
}

#[tokio::test]
async fn oauth_refresh_token_flow_runs_the_authorization_code_flow_first() {
    let server = auth_server().await;
    let (outcome, _) = run_file(
        &example("oauth.arazzo.yaml"),
        &[],
        &[("apim-auth", &server.url)],
        "refresh-token-flow",
        json!({"my_client_id": "app", "my_client_secret": "cs", "my_redirect_uri": "https://app.example/cb"}),
    )
    .await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(
        outcome.outputs,
        json!({"access_token": "at-2", "refresh_token": "rt-2", "expires_in": 3600})
    );
    let r = server.requests();
    assert_eq!(
        r[0].query,
        "client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code&scope=read&state=12345"
    );
    assert_eq!(
        form(&r[1]),
        json!({"grant_type": "authorization_code", "code": "code-1", "redirect_uri": "https://app.example/cb", "client_id": "app", "client_secret": "cs"})
    );
    assert_eq!(
        form(&r[2]),
        json!({"grant_type": "refresh_token", "refresh_token": "rt-1"})
    );
    assert_eq!(
        r[2].headers["content-type"],
        "application/x-www-form-urlencoded"
    );
}

#[tokio::test]
async fn oauth_client_credentials_flow() {
    let server = auth_server().await;
    let (outcome, _) = run_file(
        &example("oauth.arazzo.yaml"),
        &[],
        &[("apim-auth", &server.url)],
        "client-credentials-flow",
        json!({"client_id": "app", "client_secret": "cs"}),
    )
    .await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(outcome.outputs, json!({"access_token": "cc-1"}));
    assert_eq!(calls(&server), ["POST /oauth/token"]);
}

#[tokio::test]
async fn fapi_pushed_authorization_then_code_then_token() {
    let server = Server::start(|req, _| match req.path.as_str() {
        "/as/par.oauth2" => Reply::json(
            200,
            json!({"request_uri": "urn:example:bwc4JK", "expires_in": 90}),
        ),
        "/as/authorize.oauth2" => Reply::json(302, json!({"code": "fapi-code"}))
            .with_header("location", "https://tpp.example/cb?code=fapi-code"),
        "/as/token.oauth2" if req.json()["code"] == "fapi-code" => Reply::json(
            200,
            json!({"access_token": "fapi-at", "token_type": "Bearer", "expires_in": 300}),
        ),
        _ => Reply::json(400, json!({"error": "invalid_request"})),
    })
    .await;
    let assertion = json!({"iss": "tpp", "sub": "tpp", "aud": "https://as.example", "exp": "1700000300", "iat": "1700000000", "jti": "j-1"});
    let (outcome, _) = run_file(
        &example("FAPI-PAR.arazzo.yaml"),
        &[],
        &[("auth-api", &server.url)],
        "OIDC-PAR-AuthzCode",
        json!({
            "client_id": "tpp",
            "client_assertion": assertion,
            "redirect_uri": "https://tpp.example/cb",
            "code_verifier": "verifier-1",
            "PARrequestBody": {"response_type": "code", "client_id": "tpp", "scope": "openid accounts", "state": "s-1"},
            "TokenRequestBody": {"grant_type": "authorization_code", "code": "x", "redirect_uri": "https://tpp.example/cb", "code_verifier": "verifier-1"}
        }),
    )
    .await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(
        outcome.outputs,
        json!({"access_token": {"access_token": "fapi-at", "token_type": "Bearer", "expires_in": 300}})
    );
    let r = server.requests();
    assert_eq!(r.len(), 3);
    // `client_assertion` declares JSON `content`, so it travels as JSON text.
    let query: Vec<(String, String)> = url::form_urlencoded::parse(r[0].query.as_bytes())
        .into_owned()
        .collect();
    let sent: Value = serde_json::from_str(&query[2].1).unwrap();
    assert_eq!((query[2].0.as_str(), sent), ("client_assertion", assertion));
    assert_eq!(
        r[0].json(),
        json!({"response_type": "code", "client_id": "tpp", "scope": "openid accounts", "state": "s-1"})
    );
    // The 302 was the answer the step wanted, not a redirect to follow.
    assert_eq!(
        r[1].query,
        "request_uri=urn%3Aexample%3Abwc4JK&client_id=tpp"
    );
    // The templated JSON token request, with the code from the authorize step.
    assert_eq!(
        r[2].json(),
        json!({"grant_type": "authorization_code", "code": "fapi-code", "redirect_uri": "https://tpp.example/cb", "code_verifier": "verifier-1"})
    );
}

/// The BNPL example reads `$steps.initiateBnplTransaction.outputs.loanTransactionId`, an
/// output that step does not declare, for the path of its last two calls. Everything before
/// runs as written (templated JSON with whole objects spliced in, `goto` by status and by
/// earlier outputs); then Telaio refuses to send `/loan-transactions/{loanTransactionId}`
/// and says why, where a looser runner would send the template literally.
#[tokio::test]
async fn bnpl_runs_until_the_output_it_never_declared() {
    let server = Server::start(|req, _| match (req.method.as_str(), req.path.as_str()) {
        ("POST", "/products") => Reply::json(
            200,
            json!({"existingCustomerNotEligible": true, "eligibilityCheckRequired": true,
                   "products": req.json()["products"], "totalAmount": {"currency": "EUR", "amount": 120}}),
        ),
        ("GET", "/terms-and-conditions") => Reply::json(200, json!({"termsAndConditions": "…"})),
        ("POST", "/customers") => Reply::json(
            201,
            json!({"links": {"self": "https://bnpl.example/customers/c-9"}}),
        ),
        ("POST", "/loan-transactions") => Reply::json(
            202,
            json!({"redirectAuthToken": null, "links": {"self": "https://bnpl.example/loan-transactions/t-5"}}),
        ),
        _ => Reply::json(404, json!({})),
    })
    .await;
    let products =
        json!([{"productCode": "tv-55", "purchaseAmount": {"currency": "EUR", "amount": 120}}]);
    let (outcome, _) = run_file(
        &example("bnpl-arazzo.yaml"),
        &[("BnplApi", &example("bnpl-openapi.yaml"))],
        &[("BnplApi", &server.url)],
        "ApplyForLoanAtCheckout",
        json!({
            "customer": {"firstName": "Ann", "lastName": "Lee", "dateOfBirth": "1990-01-02T00:00:00Z", "postalCode": "10115"},
            "products": products
        }),
    )
    .await;
    assert_eq!(
        calls(&server),
        [
            "POST /products",
            "GET /terms-and-conditions",
            "POST /customers",
            "POST /loan-transactions"
        ]
    );
    let r = server.requests();
    // `"customer": "{$inputs.customer}"` in the templated body is the object itself.
    assert_eq!(r[0].json()["customer"]["firstName"], "Ann");
    assert_eq!(r[0].json()["products"], products);
    assert_eq!(
        r[2].json(),
        json!({"firstName": "Ann", "lastName": "Lee", "dateOfBirth": "1990-01-02T00:00:00Z",
               "postalCode": "10115", "termsAndConditionsAccepted": true})
    );
    assert_eq!(
        r[3].json()["newCustomer"],
        "https://bnpl.example/customers/c-9"
    );
    assert!(!outcome.succeeded);
    let error = outcome.error.unwrap();
    assert_eq!(
        error.step_id.as_deref(),
        Some("retrieveFinalizedPaymentPlan")
    );
    assert!(
        error.reason.starts_with(
            "path parameter `loanTransactionId` has no value, so the request was not sent: "
        ) && error
            .reason
            .contains("$steps.initiateBnplTransaction.outputs.loanTransactionId"),
        "{}",
        error.reason
    );
}

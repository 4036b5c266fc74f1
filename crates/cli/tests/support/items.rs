//! An API of two reads, a token its description marks `x-sensitive` and items sent that
//! token, served on 127.0.0.1 by a server that can hang: for the tests of what a run goes on
//! with after its driver was lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::{Seen, response, serve_raw};

/// An API of two reads: `GET /token` answers a token its description marks `x-sensitive`,
/// `GET /items` takes a header.
pub const API: &str = "openapi: 3.0.3
info: {title: Items, version: '1'}
servers: [{url: 'http://127.0.0.1:1'}]
paths:
  /token:
    get:
      operationId: getToken
      responses:
        '200':
          description: a token
          content:
            application/json:
              schema:
                type: object
                properties:
                  token: {type: string, x-sensitive: true}
  /items:
    get:
      operationId: getItems
      parameters:
        - {name: X-Token, in: header, required: false, schema: {type: string}}
        - {name: token, in: query, required: false, schema: {type: string}}
      responses:
        '200': {description: items, content: {application/json: {schema: {type: object}}}}
";

/// First the token, then the items, sending the token (`pass: true`) or a constant, in a
/// header or in the query (`place`).
pub fn workflow(pass: bool, place: &str) -> String {
    let name = if place == "header" {
        "X-Token"
    } else {
        "token"
    };
    let token = if pass {
        "$steps.token.outputs.token"
    } else {
        "constant"
    };
    format!(
        "arazzo: 1.0.1
info: {{title: Items, version: '1'}}
sourceDescriptions: [{{name: items, url: ./items.openapi.yaml}}]
workflows:
  - workflowId: items
    steps:
      - stepId: token
        operationId: getToken
        successCriteria: [{{condition: $statusCode == 200}}]
        outputs: {{token: $response.body#/token}}
      - stepId: items
        operationId: getItems
        parameters: [{{name: {name}, in: {place}, value: {token}}}]
        successCriteria: [{{condition: $statusCode == 200}}]
        outputs: {{count: $response.body#/count}}
"
    )
}

/// A server whose every `/items` request after the first `hang` ones waits `slow` before it
/// answers; the first `hang` wait 30 s (until the run is killed). Counts the requests.
pub struct Items {
    pub url: String,
    pub items: Arc<AtomicUsize>,
    pub seen: Arc<std::sync::Mutex<Vec<Seen>>>,
}

pub fn items_server(hang: usize, slow: Duration) -> Items {
    let items = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (counted, kept) = (items.clone(), seen.clone());
    let url = serve_raw(move |_, request| {
        kept.lock().unwrap().push(request.clone());
        if request.target == "/token" {
            return response(
                200,
                &[("content-type", "application/json")],
                r#"{"token": "canary-token-2f9"}"#,
            );
        }
        let n = counted.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(if n < hang {
            Duration::from_secs(30)
        } else {
            slow
        });
        response(
            200,
            &[("content-type", "application/json")],
            r#"{"count": 3}"#,
        )
    });
    Items { url, items, seen }
}

//! Requests as they reach the server: parameters serialised where and how the operation
//! declares them, bodies encoded for their content type, templated JSON, replacements.

mod support;

use serde_json::json;
use support::{Reply, Server, doc, run_fast};
use telaio_engine::InputSource;

#[tokio::test]
async fn parameters_go_where_the_operation_declares() {
    let server = Server::start(|_, _| Reply::json(200, json!({"ok": true}))).await;
    let arazzo = doc(r#"
workflows:
  - workflowId: params
    inputs: {type: object, properties: {id: {type: string}}}
    parameters:
      - {name: X-Shared, in: header, value: shared}
      - {name: X-Override, in: header, value: workflow}
    steps:
      - stepId: list
        operationId: listItems
        parameters:
          - {name: tags, in: query, value: [a, b]}
          - {name: ids, in: query, value: [1, 2]}
          - {name: filter, in: query, value: {color: red}}
          - {name: q, in: query, value: 'a b&c'}
          - {name: X-Override, in: header, value: step}
          - {name: session, in: cookie, value: abc}
          - {name: lang, in: cookie, value: en}
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: 'a/b {$inputs.id}'}
"#);
    let (outcome, _) = run_fast(
        &server,
        &arazzo,
        "params",
        vec![("id", InputSource::Text("7".into()))],
    )
    .await;
    assert!(outcome.succeeded, "{outcome:#?}");
    let r = server.requests();
    assert_eq!(r[0].path, "/v1/items");
    assert_eq!(
        r[0].query,
        "tags=a&tags=b&ids=1%2C2&filter%5Bcolor%5D=red&q=a+b%26c"
    );
    assert_eq!(r[0].headers["x-shared"], "shared");
    assert_eq!(
        r[0].headers["x-override"], "step",
        "a step parameter overrides the workflow's"
    );
    assert_eq!(r[0].headers["cookie"], "session=abc; lang=en");
    assert_eq!(r[1].path, "/v1/items/a%2Fb%207");
}

#[tokio::test]
async fn bodies_are_encoded_for_their_content_type() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let arazzo = doc(r#"
workflows:
  - workflowId: bodies
    inputs: {type: object, properties: {n: {type: integer}, name: {type: string}}}
    steps:
      - stepId: json
        operationId: createItem
        requestBody:
          contentType: application/x-amz-json-1.1
          payload: {count: $inputs.n, label: 'item-{$inputs.name}', nested: {keep: '{not an expression}'}}
          replacements: [{target: /nested/extra, value: $inputs.name}]
        successCriteria: [{condition: $statusCode == 200}]
      - stepId: form
        operationId: postForm
        requestBody:
          contentType: application/x-www-form-urlencoded
          payload: {grant_type: client_credentials, scope: 'read write'}
      - stepId: text
        operationId: postForm
        requestBody:
          contentType: application/xml
          payload: '<item><name>{$inputs.name}</name></item>'
"#);
    let inputs = vec![
        ("n", InputSource::Text("3".into())),
        ("name", InputSource::Text("rex".into())),
    ];
    let (outcome, _) = run_fast(&server, &arazzo, "bodies", inputs).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    let r = server.requests();
    assert_eq!(
        r[0].json(),
        json!({"count": 3, "label": "item-rex", "nested": {"keep": "{not an expression}", "extra": "rex"}})
    );
    assert_eq!(r[0].headers["content-type"], "application/x-amz-json-1.1");
    assert_eq!(r[1].body, "grant_type=client_credentials&scope=read+write");
    assert_eq!(r[2].body, "<item><name>rex</name></item>");
    assert_eq!(r[2].headers["content-type"], "application/xml");
}

#[tokio::test]
async fn header_values_are_sent_as_written() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let arazzo = doc(r#"
workflows:
  - workflowId: w
    steps:
      - stepId: list
        operationId: listItems
        parameters:
          - {name: X-Note, in: header, value: 'a b/c;d=e'}
          - {name: X-List, in: header, value: [x y, z]}
"#);
    let (outcome, _) = run_fast(&server, &arazzo, "w", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    let r = server.requests();
    // Percent-encoding belongs to URLs; a header carries the value itself.
    assert_eq!(r[0].headers["x-note"], "a b/c;d=e");
    assert_eq!(r[0].headers["x-list"], "x y,z");
}

#[tokio::test]
async fn a_json_body_written_as_a_string_is_sent_as_written() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    // The specification's own examples write JSON payloads as templated text.
    let arazzo = doc(r#"
workflows:
  - workflowId: w
    inputs: {type: object, properties: {name: {type: string}}}
    steps:
      - stepId: create
        operationId: createItem
        requestBody:
          contentType: application/json
          payload: |
            {"name": "{$inputs.name}",   "count": 2}
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {count: $request.body#/count, name: $request.body#/name}
    outputs: {count: $steps.create.outputs.count, name: $steps.create.outputs.name}
"#);
    let inputs = vec![("name", InputSource::Text("rex".into()))];
    let (outcome, _) = run_fast(&server, &arazzo, "w", inputs).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    let r = server.requests();
    assert_eq!(r[0].body, "{\"name\": \"rex\",   \"count\": 2}\n");
    assert_eq!(r[0].headers["content-type"], "application/json");
    // `$request.body` reads the JSON it is.
    assert_eq!(outcome.outputs, json!({"count": 2, "name": "rex"}));
}

/// The JSON body a single `createItem` step sends with this `requestBody` (YAML, indented
/// for the step).
async fn json_sent(request_body: &str) -> serde_json::Value {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let arazzo = doc(&format!(
        "workflows:\n  - workflowId: w\n    steps:\n      - stepId: create\n        operationId: createItem\n        requestBody:\n{request_body}"
    ));
    let (outcome, _) = run_fast(&server, &arazzo, "w", vec![]).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    server.requests()[0].json()
}

#[tokio::test]
async fn a_replacement_at_dash_appends_to_an_array() {
    let sent = json_sent(
        r#"          contentType: application/json
          payload: {tags: [a], meta: {}}
          replacements:
            - {target: /tags/-, value: b}
            - {target: /tags/-, value: c}
            - {target: /tags/0, value: A}
"#,
    )
    .await;
    assert_eq!(sent, json!({"tags": ["A", "b", "c"], "meta": {}}));
}

#[tokio::test]
async fn an_xml_payload_takes_replacements_by_xpath() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let arazzo = doc(r#"
workflows:
  - workflowId: w
    inputs: {type: object, properties: {name: {type: string}}}
    steps:
      - stepId: order
        operationId: postForm
        requestBody:
          contentType: application/xml
          payload: '<order status="draft"><pet>?</pet><qty>0</qty></order>'
          replacements:
            - {target: /order/pet, value: $inputs.name}
            - {target: /order/qty, value: 2}
            - {target: /order/@status, value: placed}
"#);
    let inputs = vec![("name", InputSource::Text("Rex & Co".into()))];
    let (outcome, _) = run_fast(&server, &arazzo, "w", inputs).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(
        server.requests()[0].body,
        r#"<order status="placed"><pet>Rex &amp; Co</pet><qty>2</qty></order>"#
    );
}

#[tokio::test]
async fn a_jsonpath_replacement_target_sets_every_node_it_selects() {
    let sent = json_sent(
        r#"          contentType: application/json
          payload: {items: [{price: 1, name: a}, {price: 2, name: b}]}
          replacements:
            - {target: '$.items[*].price', targetSelectorType: jsonpath, value: 0}
            - {target: /items/0/name, targetSelectorType: jsonpointer, value: A}
"#,
    )
    .await;
    assert_eq!(
        sent,
        json!({"items": [{"price": 0, "name": "A"}, {"price": 0, "name": "b"}]})
    );
}

/// Arazzo 1.0.1 names of any characters, as real documents write them: inputs named
/// `page[limit]` and `$orderby`, a step id with a space, and an index into an output.
#[tokio::test]
async fn names_of_any_characters_resolve_as_written() {
    let server = Server::start(|seen, _| {
        if seen.path.ends_with("/items") {
            Reply::json(200, json!([{"id": "p-1"}, {"id": "p-2"}]))
        } else {
            Reply::json(200, json!({"ok": true}))
        }
    })
    .await;
    let arazzo = doc(r#"
workflows:
  - workflowId: search
    inputs:
      type: object
      properties:
        page[limit]: {type: integer}
        $orderby: {type: string}
    steps:
      - stepId: Search Pets
        operationId: listItems
        parameters:
          - {name: tags, in: query, value: '$inputs.page[limit]'}
          - {name: X-Order, in: header, value: 'by {$inputs.$orderby}'}
        outputs:
          pets: $response.body
      - stepId: show
        operationId: getItem
        parameters:
          - {name: id, in: path, value: '$steps.Search Pets.outputs.pets[1].id'}
    outputs:
      first: '$steps.Search Pets.outputs.pets[0].id'
"#);
    let (outcome, _) = run_fast(
        &server,
        &arazzo,
        "search",
        vec![
            ("page[limit]", InputSource::Text("5".into())),
            ("$orderby", InputSource::Text("name".into())),
        ],
    )
    .await;
    assert!(outcome.succeeded, "{outcome:#?}");
    let r = server.requests();
    assert_eq!(r[0].query, "tags=5");
    assert_eq!(r[0].headers["x-order"], "by name");
    assert_eq!(r[1].path, "/v1/items/p-2");
    assert_eq!(outcome.outputs["first"], "p-1");
}

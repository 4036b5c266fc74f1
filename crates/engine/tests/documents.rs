//! Workflows of other Arazzo documents (`arazzo` sources), end to end against a local server:
//! called by a step, gone to by an action, depended on; each runs against its own document's
//! sources and components, and problems name the document's workflow by its plan id.

mod support;

use serde_json::json;
use support::{Reply, Server, plan_documents, run_documents};

/// A document whose sources are the test API (`api`) and `more`, given by the caller.
fn with_sources(more: &str, body: &str) -> String {
    format!(
        "arazzo: 1.1.0\ninfo: {{title: T, version: '1'}}\nsourceDescriptions:\n  - {{name: api, url: ./api.yaml, type: openapi}}\n{more}{body}"
    )
}

/// The shared document: a login workflow with a prerequisite, its own components and `$self`.
const SHARED: &str = r#"arazzo: 1.1.0
$self: https://example.com/shared.arazzo.yaml
info: {title: Shared, version: '1'}
sourceDescriptions:
  - {name: api, url: ./api.yaml, type: openapi}
workflows:
  - workflowId: prepare
    steps:
      - {stepId: list, operationId: listItems, outputs: {count: $response.body#/count}}
    outputs: {count: $steps.list.outputs.count}
  - workflowId: login
    dependsOn: [prepare]
    inputs: {type: object, properties: {user: {type: string}}, required: [user]}
    steps:
      - stepId: fetch
        operationId: getItem
        dependsOn: [$workflows.prepare.steps.list]
        parameters: [{reference: $components.parameters.itemId}]
        outputs: {token: $response.body#/id}
    outputs:
      token: $steps.fetch.outputs.token
      user: $inputs.user
      seen: $workflows.prepare.outputs.count
      self: $self
  - workflowId: broken
    steps: [{stepId: nothing, operationId: noSuchOperation}]
components:
  parameters:
    itemId: {name: id, in: path, value: $inputs.user}
"#;

/// Runs workflow `main` of `main` beside [`SHARED`].
async fn run_main(
    server: &Server,
    main: &str,
) -> (telaio_engine::Outcome, Vec<telaio_engine::Event>) {
    let files = [("main.arazzo.yaml", main), ("shared.arazzo.yaml", SHARED)];
    run_documents(server, &files, "main", json!({})).await
}

fn echo() -> impl Fn(&support::Seen, usize) -> Reply + Send + Sync + 'static {
    |req, _| match req.path.as_str() {
        "/v1/items" => Reply::json(200, json!({"count": 3})),
        p => Reply::json(200, json!({"id": p.rsplit('/').next()})),
    }
}

#[tokio::test]
async fn a_step_calls_a_workflow_of_another_document_with_its_own_sources_and_components() {
    let server = Server::start(echo()).await;
    let main = with_sources(
        "  - {name: shared, url: ./shared.arazzo.yaml, type: arazzo}\n",
        r#"workflows:
  - workflowId: main
    steps:
      - stepId: signIn
        workflowId: $sourceDescriptions.shared.login
        parameters: [{name: user, value: alice}]
        outputs: {token: $outputs.token, user: $outputs.user, seen: $outputs.seen, self: $outputs.self}
    outputs:
      token: $steps.signIn.outputs.token
      seen: $steps.signIn.outputs.seen
      self: $steps.signIn.outputs.self
"#,
    );
    let (outcome, events) = run_main(&server, &main).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    assert_eq!(outcome.outputs["token"], "alice");
    assert_eq!(outcome.outputs["seen"], 3);
    // `$self` inside the called workflow is its own document's.
    assert_eq!(
        outcome.outputs["self"],
        "https://example.com/shared.arazzo.yaml"
    );
    let ran: Vec<_> = outcome
        .steps
        .iter()
        .map(|s| format!("{}/{}", s.workflow_id, s.step_id))
        .collect();
    assert_eq!(
        ran,
        ["shared.prepare/list", "shared.login/fetch", "main/signIn"]
    );
    let started: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            telaio_engine::Event::WorkflowStarted { workflow_id, .. } => Some(workflow_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(started, ["main", "shared.login", "shared.prepare"]);
}

#[tokio::test]
async fn goto_and_depends_on_reach_workflows_of_another_document() {
    let server = Server::start(echo()).await;
    let main = with_sources(
        "  - {name: shared, url: ./shared.arazzo.yaml, type: arazzo}\n",
        r#"workflows:
  - workflowId: main
    dependsOn: [$sourceDescriptions.shared.prepare]
    steps:
      - stepId: first
        operationId: listItems
        onSuccess:
          - name: handOver
            type: goto
            workflowId: $sourceDescriptions.shared.login
            parameters: [{name: user, value: bob}]
"#,
    );
    let (outcome, _) = run_main(&server, &main).await;
    assert!(outcome.succeeded, "{outcome:#?}");
    // The workflow gone to ends the run: its outputs are the run's.
    assert_eq!(outcome.outputs["token"], "bob");
    // `prepare` ran once, as `main`'s prerequisite; `login`'s own dependsOn found it done.
    let list_calls = server
        .requests()
        .iter()
        .filter(|r| r.path == "/v1/items")
        .count();
    assert_eq!(list_calls, 2, "main's first step and prepare's");
}

#[test]
fn documents_that_name_each_other_plan_and_unreached_problems_stop_nothing() {
    let main = with_sources(
        "  - {name: shared, url: ./shared.arazzo.yaml, type: arazzo}\n",
        "workflows:\n  - workflowId: main\n    steps: [{stepId: s, workflowId: $sourceDescriptions.shared.login}]\n",
    );
    // `shared` names `main`'s document back; `broken` is reached by no one.
    let shared = SHARED.replace(
        "  - {name: api, url: ./api.yaml, type: openapi}\n",
        "  - {name: api, url: ./api.yaml, type: openapi}\n  - {name: back, url: ./main.arazzo.yaml, type: arazzo}\n",
    );
    let planned = plan_documents(&[("main.arazzo.yaml", &main), ("shared.arazzo.yaml", &shared)]);
    // `login` and its prerequisite are planned; `broken` is not.
    assert_eq!(
        planned,
        Ok(vec![
            "main".to_owned(),
            "shared.login".to_owned(),
            "shared.prepare".to_owned()
        ])
    );
}

#[test]
fn problems_in_reached_workflows_and_bad_references_are_reported_by_plan_id() {
    let main = with_sources(
        "  - {name: shared, url: ./shared.arazzo.yaml, type: arazzo}\n",
        r#"workflows:
  - workflowId: main
    steps:
      - {stepId: a, workflowId: $sourceDescriptions.shared.broken}
      - {stepId: b, workflowId: $sourceDescriptions.api.login}
      - {stepId: c, workflowId: $sourceDescriptions.nowhere.login}
      - {stepId: d, workflowId: $sourceDescriptions.shared.absent}
"#,
    );
    let errors =
        plan_documents(&[("main.arazzo.yaml", &main), ("shared.arazzo.yaml", SHARED)]).unwrap_err();
    assert_eq!(
        errors,
        [
            "workflow `main`, step `b`: `$sourceDescriptions.api.login`: source `api` is an API description, which has no workflows",
            "workflow `main`, step `c`: `$sourceDescriptions.nowhere.login`: there is no source description `nowhere`",
            "workflow `main`, step `d`: there is no workflow `$sourceDescriptions.shared.absent`",
            "workflow `shared.broken`, step `nothing`: no operation `noSuchOperation` in the source descriptions",
        ]
    );
}

/// A component that is only a `$ref` to itself has neither name nor type: the plan says so
/// in words, not as a Rust value.
#[test]
fn an_action_without_name_or_type_is_named_plainly() {
    let main = format!(
        "{}workflows:\n  - workflowId: w\n    steps:\n      - stepId: s\n        operationId: listItems\n        onSuccess: [{{reference: $components.successActions.x}}]\ncomponents:\n  successActions:\n    x: {{$ref: '#/components/successActions/x'}}\n",
        support::HEAD
    );
    let errors = plan_documents(&[("main.arazzo.yaml", &main)]).unwrap_err();
    assert_eq!(
        errors,
        ["workflow `w`, step `s`: an action with no `name` has no `type`; it must be end or goto"]
    );
}

//! The hints a workflow's tool carries, from what its plan calls: documents written to a
//! temporary folder, read and planned as `telaio mcp` plans them.

use telaio_engine::{Plan, PlanOptions};
use telaio_mcp::{Effects, effects};
use telaio_model::{LoadOptions, Loader};

/// An API of a read, a replace, a create and a delete.
const API: &str = "openapi: 3.0.3
info: {title: Pets, version: '1'}
servers: [{url: 'http://127.0.0.1:1'}]
paths:
  /pets/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: getPet, responses: {'200': {description: ok}}}
    put: {operationId: putPet, responses: {'200': {description: ok}}}
    delete: {operationId: deletePet, responses: {'204': {description: gone}}}
  /pets:
    post:
      operationId: addPet
      parameters: [{name: Idempotency-Key, in: header, required: false, schema: {type: string}}]
      responses: {'201': {description: made}}
";

/// The effects of each workflow of a document with these `workflows` (YAML, indented as a
/// list under `workflows:`).
fn hints(workflows: &str) -> Vec<(String, Effects)> {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("pets.openapi.yaml"), API).unwrap();
    let doc = format!(
        "arazzo: 1.0.1
info: {{title: Pets, version: '1'}}
sourceDescriptions: [{{name: pets, url: ./pets.openapi.yaml}}]
workflows:
{workflows}"
    );
    let path = d.path().join("pets.arazzo.yaml");
    std::fs::write(&path, doc).unwrap();
    let loader = Loader::new(LoadOptions::default());
    let bundle = loader
        .load_bundle(&Loader::url_for_path(&path).unwrap())
        .unwrap();
    let plan = Plan::compile(&bundle, &PlanOptions::default()).unwrap();
    plan.workflows()
        .iter()
        .map(|w| (w.id.clone(), effects(&plan, &w.id)))
        .collect()
}

fn of(all: &[(String, Effects)], id: &str) -> Effects {
    all.iter().find(|(w, _)| w == id).unwrap().1
}

const fn hint(read_only: bool, destructive: bool, idempotent: bool) -> Effects {
    Effects {
        read_only,
        destructive,
        idempotent,
    }
}

#[test]
fn reads_writes_deletes_and_keys() {
    let all = hints(
        "  - workflowId: read
    steps:
      - {stepId: get, operationId: getPet, parameters: [{name: id, in: path, value: '1'}]}
  - workflowId: replace
    steps:
      - {stepId: put, operationId: putPet, parameters: [{name: id, in: path, value: '1'}]}
  - workflowId: remove
    steps:
      - {stepId: get, operationId: getPet, parameters: [{name: id, in: path, value: '1'}]}
      - {stepId: delete, operationId: deletePet, parameters: [{name: id, in: path, value: '1'}]}
  - workflowId: add
    steps:
      - {stepId: add, operationId: addPet}
  - workflowId: addOnce
    inputs: {type: object, properties: {key: {type: string}}, required: [key]}
    steps:
      - {stepId: add, operationId: addPet, parameters: [{name: Idempotency-Key, in: header, value: $inputs.key}]}
  - workflowId: addMaybeOnce
    inputs: {type: object, properties: {key: {type: string}}}
    steps:
      - {stepId: add, operationId: addPet, parameters: [{name: Idempotency-Key, in: header, value: $inputs.key}]}
  - workflowId: callsRemove
    steps:
      - {stepId: sub, workflowId: remove}
",
    );
    assert_eq!(of(&all, "read"), hint(true, false, true));
    assert_eq!(of(&all, "replace"), hint(false, false, true));
    assert_eq!(of(&all, "remove"), hint(false, true, true));
    assert_eq!(of(&all, "add"), hint(false, false, false));
    // A key always sent (a required input) makes a create idempotent; one that may be left
    // out does not.
    assert_eq!(of(&all, "addOnce"), hint(false, false, true));
    assert_eq!(of(&all, "addMaybeOnce"), hint(false, false, false));
    // What a called workflow does, its caller does.
    assert_eq!(of(&all, "callsRemove"), hint(false, true, true));
}

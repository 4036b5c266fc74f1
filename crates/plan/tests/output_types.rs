//! The type of each workflow output, read from what its expressions reach: documents written
//! to a temporary folder, loaded and planned as a run plans them.

use serde_json::{Value, json};
use telaio_model::{LoadOptions, Loader};
use telaio_plan::{Plan, PlanOptions, masked_schema};

/// An OpenAPI 3.0 description with what JSON Schema 2020-12 says otherwise (`nullable`,
/// boolean exclusive bounds), references (one of them a cycle), an `allOf`, a 201 answered
/// otherwise than the 200, and a property marked sensitive.
const API: &str = r##"openapi: 3.0.3
info: {title: Pets, version: '1'}
servers: [{url: 'http://127.0.0.1:1'}]
paths:
  /pets/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      operationId: getPet
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}
        '404':
          description: gone
          content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}
  /pets/{id}/photo:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      operationId: getPhoto
      responses:
        '200': {description: a photo, content: {image/png: {schema: {type: string, format: binary}}}}
  /pets:
    post:
      operationId: addPet
      responses:
        '200':
          description: known already
          content: {application/json: {schema: {type: object, properties: {known: {type: boolean}}}}}
        '201':
          description: made
          content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}
    delete:
      operationId: clear
      responses: {'204': {description: none}}
components:
  schemas:
    Pet:
      allOf:
        - $ref: '#/components/schemas/Named'
        - type: object
          required: [id, password]
          properties:
            id: {type: integer, format: int64}
            password: {type: string, writeOnly: true}
            owner: {$ref: '#/components/schemas/Named', nullable: true}
            friend: {type: object, nullable: true, allOf: [{$ref: '#/components/schemas/Named'}]}
            kind: {oneOf: [{type: string, pattern: '^[a-z]+$'}, {type: integer}]}
            weight: {type: number, minimum: 0, exclusiveMinimum: true, nullable: true}
            parent: {$ref: '#/components/schemas/Pet'}
            secret: {type: string, x-sensitive: true}
            tags: {type: array, items: {type: string, enum: [a, b], nullable: true}}
          example: {id: 1}
    Named:
      type: object
      properties:
        name: {type: string, description: What it answers to.}
    Problem:
      type: object
      properties:
        title: {type: string}
"##;

/// The output types of each workflow of a document with these `workflows` (YAML, indented
/// as a list under `workflows:`).
fn types(workflows: &str) -> Vec<(String, Vec<(String, Value)>)> {
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
        .map(|w| (w.id.clone(), plan.output_types(&w.id)))
        .collect()
}

fn of<'a>(all: &'a [(String, Vec<(String, Value)>)], id: &str, output: &str) -> &'a Value {
    let outputs = &all.iter().find(|(w, _)| w == id).unwrap().1;
    &outputs.iter().find(|(n, _)| n == output).unwrap().1
}

#[test]
fn outputs_take_the_type_of_the_response_field_they_read() {
    let all = types(
        "  - workflowId: get
    inputs:
      type: object
      properties:
        id: {type: string, format: uuid}
        key: {type: string, format: password}
    steps:
      - stepId: read
        operationId: getPet
        parameters: [{name: id, in: path, value: $inputs.id}]
        successCriteria: [{condition: $statusCode == 200}]
        outputs:
          pet: $response.body
          id: $response.body#/id
          name: $response.body#/name
          weight: $response.body#/weight
          tags: $response.body#/tags/0
          secret: $response.body#/secret
          grandparent: $response.body#/parent/parent/id
    outputs:
      id: $steps.read.outputs.id
      name: $steps.read.outputs.name
      weight: $steps.read.outputs.weight
      tag: $steps.read.outputs.tags
      secret: $steps.read.outputs.secret
      grandparent: $steps.read.outputs.grandparent
      status: $statusCode
      given: $inputs.id
      key: $inputs.key
      link: 'https://pets.example/{$inputs.id}'
      fixed: 3
      both: [$steps.read.outputs.id, 'x']
      nested: {pet: $steps.read.outputs.pet}
      parentName: $steps.read.outputs.pet#/parent/name
      unknown: $steps.read.outputs.nothing
",
    );
    assert_eq!(*of(&all, "get", "id"), json!({"type": "integer"}));
    assert_eq!(
        *of(&all, "get", "name"),
        json!({"type": "string", "description": "What it answers to."})
    );
    // 3.0's `nullable` and boolean `exclusiveMinimum`, as JSON Schema 2020-12 says them.
    assert_eq!(
        *of(&all, "get", "weight"),
        json!({"type": ["number", "null"], "exclusiveMinimum": 0})
    );
    assert_eq!(
        *of(&all, "get", "tag"),
        json!({"type": ["string", "null"], "enum": ["a", "b", null]})
    );
    // Shown by size, or as sent with `--show-sensitive`; a secret input masked.
    let or_masked = |t: Value| json!({"anyOf": [t, masked_schema()]});
    assert_eq!(
        *of(&all, "get", "secret"),
        or_masked(json!({"type": "string"}))
    );
    assert_eq!(
        *of(&all, "get", "key"),
        or_masked(json!({"type": "string"}))
    );
    assert_eq!(*of(&all, "get", "grandparent"), json!({"type": "integer"}));
    assert_eq!(*of(&all, "get", "status"), json!({"type": "integer"}));
    // Formats left out: clients that assert them reject what APIs send loosely.
    assert_eq!(*of(&all, "get", "given"), json!({"type": "string"}));
    assert_eq!(*of(&all, "get", "link"), json!({"type": "string"}));
    assert_eq!(*of(&all, "get", "fixed"), json!({"type": "integer"}));
    assert_eq!(
        *of(&all, "get", "both"),
        json!({"type": "array", "prefixItems": [
            {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            {"type": "string"}
        ]})
    );
    assert_eq!(
        *of(&all, "get", "parentName"),
        json!({"type": "string", "description": "What it answers to."})
    );
    assert_eq!(*of(&all, "get", "unknown"), json!({}));

    // The whole body: the `allOf` inlined, the cycle cut, the example left out.
    let nested = of(&all, "get", "nested");
    let pet = &nested["properties"]["pet"]["anyOf"][0];
    assert_eq!(pet["allOf"][0]["properties"]["name"]["type"], "string");
    let own = &pet["allOf"][1];
    // A `writeOnly` property is never answered: not required in a response.
    assert_eq!(own["required"], json!(["id"]));
    assert_eq!(
        own["properties"]["secret"],
        json!({"anyOf": [or_masked(json!({"type": "string"})), {"type": "null"}]})
    );
    assert!(own.get("example").is_none(), "{own}");
    let parent = &own["properties"]["parent"];
    assert_eq!(parent["allOf"][1]["properties"]["parent"], json!({}));
    let compiled = jsonschema::validator_for(nested).unwrap();
    assert!(compiled.is_valid(&json!({"pet": {"id": 1, "name": "Rex", "parent": {"id": 2}}})));
    assert!(!compiled.is_valid(&json!({"pet": {"id": "one"}})));
}

#[test]
fn the_statuses_a_step_takes_for_success_choose_the_response() {
    let all = types(
        "  - workflowId: add
    steps:
      - stepId: created
        operationId: addPet
        successCriteria: [{condition: $statusCode == 201}]
        outputs: {id: $response.body#/id}
      - stepId: either
        operationId: addPet
        outputs: {id: $response.body#/id, known: $response.body#/known}
      - stepId: found
        operationId: getPet
        parameters: [{name: id, in: path, value: '1'}]
        successCriteria: [{condition: $statusCode == 404}]
        outputs: {title: $response.body#/title}
      - stepId: anything
        operationId: getPet
        parameters: [{name: id, in: path, value: '1'}]
        successCriteria: [{condition: $response.body#/title != null}]
        outputs: {title: $response.body#/title}
      - stepId: empty
        operationId: clear
        outputs: {body: $response.body}
    outputs:
      created: $steps.created.outputs.id
      either: $steps.either.outputs.id
      known: $steps.either.outputs.known
      found: $steps.found.outputs.title
      anything: $steps.anything.outputs.title
      empty: $steps.empty.outputs.body
",
    );
    let id = json!({"type": "integer"});
    assert_eq!(*of(&all, "add", "created"), id);
    // No criterion: any 2xx, and the 200 has no `id`.
    assert_eq!(*of(&all, "add", "either"), json!({}));
    assert_eq!(*of(&all, "add", "known"), json!({}));
    assert_eq!(*of(&all, "add", "found"), json!({"type": "string"}));
    // Criteria that test no status: the 200's `title` says nothing; the schema stays open.
    assert_eq!(*of(&all, "add", "anything"), json!({}));
    assert_eq!(*of(&all, "add", "empty"), json!({}));
}

#[test]
fn what_json_schema_says_otherwise_is_said_its_way() {
    let all = types(
        "  - workflowId: odd
    steps:
      - stepId: read
        operationId: getPet
        parameters: [{name: id, in: path, value: '1'}]
        successCriteria: [{condition: $statusCode == 200}]
        outputs:
          owner: $response.body#/owner
          kind: $response.body#/kind
          friend: $response.body#/friend
      - stepId: photo
        operationId: getPhoto
        parameters: [{name: id, in: path, value: '1'}]
        outputs: {png: $response.body}
      - stepId: find
        operationId: getPet
        parameters: [{name: id, in: path, value: '2'}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: elsewhere, type: goto, stepId: read}]
        outputs: {name: $response.body#/name}
    outputs:
      owner: $steps.read.outputs.owner
      kind: $steps.read.outputs.kind
      friend: $steps.read.outputs.friend
      png: $steps.photo.outputs.png
      found: $steps.find.outputs.name
",
    );
    // `nullable` beside a `$ref` (3.0 ignores siblings, descriptions mean it).
    assert_eq!(
        *of(&all, "odd", "owner"),
        json!({"anyOf": [
            {"type": "object", "properties": {"name": {"type": "string", "description": "What it answers to."}}},
            {"type": "null"}
        ]})
    );
    // `oneOf` as `anyOf`; a string's pattern left out (a masked secret inside would break it).
    assert_eq!(
        *of(&all, "odd", "kind"),
        json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
    );
    // `null` beside an `allOf` that would refuse it.
    let friend = of(&all, "odd", "friend");
    assert_eq!(friend["anyOf"][1], json!({"type": "null"}), "{friend}");
    let check = jsonschema::validator_for(friend).unwrap();
    assert!(check.is_valid(&json!(null)) && check.is_valid(&json!({"name": "Tom"})));
    // An image is not JSON: its schema does not describe what the run reads.
    assert_eq!(*of(&all, "odd", "png"), json!({}));
    // A failure that goes elsewhere leaves its response (a 404's) in the outputs: the 200's
    // `name` is no longer the only thing it can be.
    assert_eq!(*of(&all, "odd", "found"), json!({}));
}

#[test]
fn outputs_follow_called_workflows() {
    let all = types(
        "  - workflowId: inner
    steps:
      - stepId: read
        operationId: getPet
        parameters: [{name: id, in: path, value: '1'}]
        outputs: {id: $response.body#/id}
    outputs: {id: $steps.read.outputs.id}
  - workflowId: outer
    steps:
      - stepId: call
        workflowId: inner
        outputs: {id: $outputs.id}
    outputs:
      viaStep: $steps.call.outputs.id
      viaWorkflows: $workflows.inner.outputs.id
  - workflowId: handing
    steps:
      - stepId: read
        operationId: getPet
        parameters: [{name: id, in: path, value: '1'}]
        onSuccess: [{name: over, type: goto, workflowId: inner}]
        outputs: {name: $response.body#/name}
    outputs: {id: $steps.read.outputs.name}
",
    );
    let id = json!({"type": "integer"});
    assert_eq!(*of(&all, "outer", "viaStep"), id);
    assert_eq!(*of(&all, "outer", "viaWorkflows"), id);
    // A goto to another workflow ends with that one's outputs, whatever this one says.
    assert_eq!(*of(&all, "handing", "id"), json!({}));
}

#[test]
fn the_seeds_outputs_are_typed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = root
        .join("examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml");
    let loader = Loader::new(LoadOptions::default());
    let bundle = loader
        .load_bundle(&Loader::url_for_path(&path).unwrap())
        .unwrap();
    let plan = Plan::compile(&bundle, &PlanOptions::default()).unwrap();
    let id = &plan.workflows()[0].id;
    let types: Vec<(String, Value)> = plan.output_types(id);
    let get = |n: &str| types.iter().find(|(k, _)| k == n).unwrap().1.clone();
    assert_eq!(get("confidence")["type"], "number");
    assert_eq!(
        get("status")["enum"],
        json!(["CREATED", "IN_PROGRESS", "SUCCEEDED", "FAILED", "EXPIRED"])
    );
    assert_eq!(get("sessionId")["type"], "string");
}

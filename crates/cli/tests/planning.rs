//! A run plans what it reaches: workflows it never runs, servers a dry run does not need,
//! sources that did not load, and a document with nothing to run.

mod support;

use support::{Dir, response, serve_raw, stderr, stdout, telaio};

const API: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      parameters: [{name: limit, in: query, schema: {type: integer}}]\n      responses: {'200': {description: ok}}\n";

/// Workflow `a` calls the local API; workflow `b` an API whose description is missing;
/// workflow `c` an API whose "description" is a folder, and an operation that does not exist.
fn two_workflows(d: &Dir) {
    d.write("pets.yaml", API);
    d.write("folder/x", "");
    d.write(
        "flow.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n  - {name: pets, url: ./pets.yaml}\n  - {name: gone, url: ./gone.yaml}\n  - {name: folder, url: ./folder}\nworkflows:\n  - workflowId: a\n    inputs: {type: object, required: [limit], properties: {limit: {type: integer}}}\n    steps:\n      - {stepId: list, operationId: '$sourceDescriptions.pets.listPets', parameters: [{name: limit, in: query, value: $inputs.limit}]}\n  - workflowId: b\n    steps:\n      - {stepId: other, operationId: '$sourceDescriptions.gone.listThings'}\n  - workflowId: c\n    steps:\n      - {stepId: broken, operationId: '$sourceDescriptions.pets.listPetz'}\n      - {stepId: folder, operationId: '$sourceDescriptions.folder.x'}\n",
    );
}

#[test]
fn a_run_is_not_stopped_by_a_workflow_it_never_runs() {
    let d = Dir::new();
    two_workflows(&d);
    let url = serve_raw(|_, _| response(200, &[("content-type", "application/json")], "[]"));
    let o = telaio(
        &[
            "run",
            "flow.arazzo.yaml",
            "-w",
            "a",
            "--server",
            &format!("pets={url}"),
            "--input",
            "limit=2",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // `c` has errors of its own, and they are what stops it.
    let o = telaio(
        &["run", "flow.arazzo.yaml", "-w", "c", "--dry-run"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no operation `listPetz`"),
        "{}",
        stderr(&o)
    );
    // `b` cannot run: its source is missing, and the run says so before sending anything.
    let o = telaio(&["run", "flow.arazzo.yaml", "-w", "b"], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("source `gone` did not load")
            && stderr(&o).contains("gone.yaml does not exist"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_dry_run_needs_no_server_and_no_inputs() {
    let d = Dir::new();
    two_workflows(&d);
    let o = telaio(
        &["run", "flow.arazzo.yaml", "-w", "a", "--dry-run"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no value for required input `limit`"),
        "{}",
        stderr(&o)
    );
    let steps: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(steps[0]["request"]["url"], "/pets");
    let unknown = steps[0]["unknown"].to_string();
    assert!(
        unknown.contains("the server of source `pets`") && unknown.contains("$inputs.limit"),
        "{unknown}"
    );
    // Given the input, it is sent where it belongs.
    let o = telaio(
        &[
            "run",
            "flow.arazzo.yaml",
            "-w",
            "a",
            "--dry-run",
            "--input",
            "limit=3",
        ],
        d.path(),
    );
    let steps: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(steps[0]["request"]["url"], "/pets?limit=3");
    // An unloaded source is shown, not refused.
    let o = telaio(
        &["run", "flow.arazzo.yaml", "-w", "b", "--dry-run"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("source `gone` did not load"),
        "{}",
        stdout(&o)
    );
    // A real run without a server is refused before anything is sent, naming the flag.
    let o = telaio(
        &["run", "flow.arazzo.yaml", "-w", "a", "--input", "limit=3"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("source `pets` names no server; pass --server pets=<url>"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_remote_source_asks_for_allow_remote() {
    let d = Dir::new();
    d.write(
        "flow.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: pets, url: 'https://example.invalid/pets.yaml'}]\nworkflows:\n  - workflowId: a\n    steps: [{stepId: list, operationId: listPets}]\n",
    );
    let o = telaio(&["run", "flow.arazzo.yaml"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("pass --allow-remote"), "{}", stderr(&o));
    let o = telaio(&["run", "flow.arazzo.yaml", "--dry-run"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_document_without_workflows_says_so() {
    let d = Dir::new();
    d.write("pets.yaml", API);
    d.write(
        "empty.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: pets, url: ./pets.yaml}]\nworkflows: []\n",
    );
    let o = telaio(&["run", "empty.arazzo.yaml", "--dry-run"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the document has no workflows, so there is nothing to run"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn validate_reports_the_errors_of_a_linked_document() {
    let d = Dir::new();
    d.write("pets.yaml", API);
    d.write(
        "parent.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: child, url: ./child.arazzo.yaml, type: arazzo}]\nworkflows:\n  - workflowId: w\n    steps: [{stepId: s, workflowId: '$sourceDescriptions.child.inner'}]\n",
    );
    d.write(
        "child.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: pets, url: ./pets.yaml}]\nworkflows:\n  - workflowId: inner\n    steps: [{stepId: s, operationId: listPetz}]\n",
    );
    let o = telaio(&["validate", "parent.arazzo.yaml"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("child.arazzo.yaml:6:38"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("no operation `listPetz`"),
        "{}",
        stdout(&o)
    );
}

//! `validate` and `run` agree: every workflow of every document that `telaio validate`
//! accepts is planned by `telaio run --dry-run` (which sends nothing, so needs no server and
//! no inputs), over the 192-document catalog sample and the specification's examples in
//! `../shared`. Without `../shared` the test says so and passes.

mod support;

use std::path::{Path, PathBuf};

use support::{stderr, stdout, telaio};
use telaio_model::{LoadOptions, Loader};

fn shared() -> Option<PathBuf> {
    let dir = support::repo("../shared");
    if dir.is_dir() {
        Some(dir)
    } else {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "note: {} is absent; skipping",
            dir.display()
        );
        None
    }
}

/// The workflow ids of a document.
fn workflow_ids(path: &Path) -> Vec<String> {
    let url = Loader::url_for_path(path).unwrap();
    let doc = Loader::new(LoadOptions::default())
        .load_document(&url)
        .unwrap();
    doc.model
        .map(|m| {
            m.workflows
                .iter()
                .filter_map(|w| w.workflow_id.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Both commands read sources from below `folder` (the catalogs have no repository of their
/// own here).
fn agree(folder: &Path) -> (usize, usize) {
    let root = folder.to_str().unwrap();
    let out = telaio(
        &["validate", "--format", "json", "--source-root", root, root],
        folder,
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let mut documents = 0;
    let mut runs = 0;
    let mut refused = Vec::new();
    for doc in report["documents"].as_array().unwrap() {
        let unrunnable: Vec<_> = doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "unrunnable")
            .collect();
        // The rules catch everything the planner refuses before it has to.
        assert!(unrunnable.is_empty(), "{}: {unrunnable:#?}", doc["file"]);
        if doc["valid"] != true {
            continue;
        }
        documents += 1;
        let path = folder.join(doc["file"].as_str().unwrap());
        for id in workflow_ids(&path) {
            runs += 1;
            let o = telaio(
                &[
                    "run",
                    path.to_str().unwrap(),
                    "-w",
                    &id,
                    "--dry-run",
                    "--source-root",
                    root,
                ],
                folder,
            );
            if o.status.code() != Some(0) {
                refused.push(format!("{} -w {id}: {}", path.display(), stderr(&o)));
            }
        }
    }
    assert!(
        refused.is_empty(),
        "validate accepts, the dry run refuses:\n{}",
        refused.join("\n")
    );
    (documents, runs)
}

#[test]
fn every_workflow_validate_accepts_plans_in_a_dry_run() {
    let Some(shared) = shared() else { return };
    let (documents, runs) = agree(&shared.join("corpus"));
    assert!(
        documents >= 140 && runs >= 140,
        "{documents} documents, {runs} workflows"
    );
    let (documents, runs) = agree(&shared.join("reference/arazzo-spec/examples"));
    assert!(
        documents >= 5 && runs >= 5,
        "{documents} documents, {runs} workflows"
    );
}

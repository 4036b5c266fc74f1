//! `catalog`: a page per document and an index of every workflow; broken documents get pages;
//! a second run renders only what changed, and a removed document takes its page along.

mod common;

use std::path::Path;

use common::repo;
use telaio_docs::{CatalogOptions, CatalogSummary, catalog};
use telaio_model::{LoadOptions, Loader};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

fn input(root: &Path) {
    copy_dir(
        &repo("examples/rekognition/arazzo"),
        &root.join("acme__rekognition/arazzo"),
    );
    copy_dir(
        &repo("examples/rekognition/openapi"),
        &root.join("acme__rekognition/openapi"),
    );
    copy_dir(&repo("crates/engine/tests/oai-examples"), &root.join("oai"));
    std::fs::create_dir_all(root.join("broken")).unwrap();
    std::fs::write(
        root.join("broken/bad.arazzo.yaml"),
        "arazzo: 1.0.1\ninfo:\n  title: [never closed\n",
    )
    .unwrap();
}

fn build(root: &Path, out: &Path) -> CatalogSummary {
    let loader = Loader::new(LoadOptions::default());
    catalog(root, out, &loader, &CatalogOptions::default()).unwrap()
}

#[test]
fn every_workflow_is_listed_and_every_document_has_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let (root, out) = (dir.path().join("in"), dir.path().join("out"));
    input(&root);
    let summary = build(&root, &out);
    assert_eq!(summary.documents, 7);
    assert_eq!(summary.workflows, 10);
    assert_eq!(summary.unloadable, 1);
    assert_eq!(summary.providers, 2, "{summary:?}");
    let index = std::fs::read_to_string(&summary.index).unwrap();
    for id in [
        "face-liveness-session",
        "apply-coupon",
        "buy-available-pet",
        "place-order",
        "ApplyForLoanAtCheckout",
    ] {
        assert!(
            index.contains(&format!("#workflow-{id}\"><code>{id}</code>")),
            "{id}"
        );
    }
    assert!(index.contains("10 workflows</strong>"));
    for page in [
        "acme__rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.html",
        "oai/oauth.arazzo.html",
        "broken/bad.arazzo.html",
    ] {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        assert!(html.contains("← All workflows"), "{page}");
    }
    let bad = std::fs::read_to_string(out.join("broken/bad.arazzo.html")).unwrap();
    assert!(bad.contains("could not be loaded"));
    assert!(index.contains("<tr class=\"broken\""));
    // The provider comes from the catalog's folder layout.
    assert!(
        index.contains("<option value=\"rekognition\">rekognition (1)</option>"),
        "{index}"
    );
}

#[test]
fn a_second_run_renders_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (root, out) = (dir.path().join("in"), dir.path().join("out"));
    input(&root);
    assert_eq!(build(&root, &out).rendered, 7);
    let again = build(&root, &out);
    assert_eq!((again.rendered, again.reused), (0, 7));
    assert_eq!(again.workflows, 10, "the index keeps everything it listed");

    // A changed API description re-renders the documents that use it, and only them.
    let api = root.join("oai/pet-coupons.openapi.yaml");
    let mut text = std::fs::read_to_string(&api).unwrap();
    text.push_str("\n# changed\n");
    std::fs::write(&api, text).unwrap();
    let after = build(&root, &out);
    assert_eq!(after.rendered, 1, "{after:?}");

    // Fixing the broken document re-renders it; removing one removes its page.
    std::fs::write(
        root.join("broken/bad.arazzo.yaml"),
        "arazzo: 1.0.1\ninfo:\n  title: Fixed\n  version: '1'\nsourceDescriptions: []\nworkflows: []\n",
    )
    .unwrap();
    std::fs::remove_file(root.join("oai/oauth.arazzo.yaml")).unwrap();
    let after = build(&root, &out);
    assert_eq!(
        (after.documents, after.rendered, after.unloadable),
        (6, 1, 0)
    );
    assert!(!out.join("oai/oauth.arazzo.html").exists());
    let fixed = std::fs::read_to_string(out.join("broken/bad.arazzo.html")).unwrap();
    assert!(fixed.contains("<h1>Fixed</h1>"));

    // --force renders everything (the pages are written again), and still removes the pages of
    // documents that are gone.
    let page = out.join("oai/pet-coupons.arazzo.html");
    std::fs::write(&page, "stale").unwrap();
    std::fs::remove_file(root.join("oai/bnpl-arazzo.yaml")).unwrap();
    let loader = Loader::new(LoadOptions::default());
    let options = CatalogOptions {
        force: true,
        jobs: 1,
        ..CatalogOptions::default()
    };
    let forced = catalog(&root, &out, &loader, &options).unwrap();
    assert_eq!((forced.rendered, forced.reused), (5, 0));
    assert!(
        std::fs::read_to_string(&page)
            .unwrap()
            .starts_with("<!doctype html>")
    );
    assert!(!out.join("oai/bnpl-arazzo.html").exists());

    // Other settings, or another folder rendered into the same output, reuse nothing.
    let options = CatalogOptions {
        settings: "--source petStore=elsewhere.yaml".to_owned(),
        ..CatalogOptions::default()
    };
    assert_eq!(catalog(&root, &out, &loader, &options).unwrap().reused, 0);
    assert_eq!(build(&root, &out).reused, 0, "back to the default settings");
    assert_eq!(build(&root, &out).reused, 5);
    let other = dir.path().join("other");
    copy_dir(&root.join("oai"), &other);
    let moved = catalog(&other, &out, &loader, &CatalogOptions::default()).unwrap();
    assert_eq!(moved.reused, 0);
}

#[test]
fn the_index_escapes_what_documents_say() {
    let dir = tempfile::tempdir().unwrap();
    let (root, out) = (dir.path().join("in"), dir.path().join("out"));
    std::fs::create_dir_all(root.join("x__<b>\"evil\"|co/arazzo")).unwrap();
    std::fs::write(
        root.join("x__<b>\"evil\"|co/arazzo/a.arazzo.yaml"),
        r#"arazzo: 1.0.1
info:
  title: "<img src=x onerror=alert(1)>"
  summary: "\"><script>alert(2)</script>"
  version: "1"
  x-tags: ["a|b", "<i>t</i>"]
sourceDescriptions: []
workflows:
  - workflowId: "w\"><script>alert(3)</script>"
    summary: "</td></tr><script>alert(4)</script>"
    steps: []
"#,
    )
    .unwrap();
    let summary = build(&root, &out);
    let index = std::fs::read_to_string(&summary.index).unwrap();
    assert_eq!(
        index.matches("<script>").count(),
        1,
        "only the index's own script"
    );
    assert!(!index.contains("<img"), "{index}");
    assert!(!index.contains("<i>t"), "{index}");
    // The provider from the folder and the tag with a `|` filter as written.
    assert!(
        index.contains("<option value=\"&lt;b&gt;&quot;evil&quot;/co\">"),
        "{index}"
    );
    assert!(
        index.contains("data-providers=\"&lt;b&gt;&quot;evil&quot;/co\""),
        "{index}"
    );
    assert!(
        index.contains("<option value=\"a/b\">a|b (1)</option>"),
        "{index}"
    );
    assert!(index.contains("data-tag=\"a/b\""), "{index}");
}

#[test]
fn a_folder_without_documents_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("openapi.yaml"), "openapi: 3.1.0\n").unwrap();
    let loader = Loader::new(LoadOptions::default());
    let err = catalog(
        dir.path(),
        &dir.path().join("out"),
        &loader,
        &CatalogOptions::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("holds no Arazzo documents"),
        "{err}"
    );
    let missing = catalog(
        &dir.path().join("nope"),
        &dir.path().join("out"),
        &loader,
        &CatalogOptions::default(),
    )
    .unwrap_err();
    assert!(missing.to_string().starts_with("cannot read"), "{missing}");
}

/// The sample catalog: every workflow in the index (skipped without `../shared`).
#[test]
fn the_corpus_catalog() {
    let corpus = repo("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("note: {} is absent; skipping", corpus.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let summary = build(&corpus, dir.path());
    assert_eq!(summary.documents, 192);
    let index = std::fs::read_to_string(&summary.index).unwrap();
    let loader = Loader::new(LoadOptions::default());
    let mut workflows = 0;
    for file in telaio_model::arazzo_files(&corpus).unwrap() {
        let doc = loader
            .load_document(&Loader::url_for_path(&file).unwrap())
            .unwrap();
        for w in doc.json["workflows"].as_array().into_iter().flatten() {
            let id = w["workflowId"].as_str().unwrap();
            assert!(index.contains(&format!("<code>{id}</code>")), "{id}");
            workflows += 1;
        }
    }
    assert_eq!(summary.workflows, workflows);
}

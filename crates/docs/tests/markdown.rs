//! Snapshots of the Markdown pages of the seed workflow and the specification's examples.

mod common;

use common::{OAI_EXAMPLES, SEED, repo};
use telaio_model::{LoadOptions, Loader};

fn page(relative: &str) -> String {
    let path = repo(relative);
    let bundle = Loader::new(LoadOptions::default())
        .load_bundle(&Loader::url_for_path(&path).unwrap())
        .unwrap();
    telaio_docs::markdown(&bundle)
}

/// The Markdown page of a document given as text, with no sources loaded.
fn page_of(text: &str) -> String {
    let url = telaio_model::Url::parse("file:///tmp/inline.arazzo.yaml").unwrap();
    let document =
        telaio_model::ArazzoDocument::from_text(url, text.into(), &LoadOptions::default()).unwrap();
    telaio_docs::markdown(&telaio_model::Bundle {
        document: std::sync::Arc::new(document),
        sources: Vec::new(),
        linked: Vec::new(),
    })
}

#[test]
fn the_seed_page() {
    let md = page(SEED);
    // The polling loop is an edge from the step to itself.
    assert!(md.contains("s1 -->|\"$.Status == 'CREATED'\"| s1"), "{md}");
    insta::assert_snapshot!("seed", md);
}

#[test]
fn the_specification_examples() {
    for name in OAI_EXAMPLES {
        let md = page(&format!("crates/engine/tests/oai-examples/{name}"));
        insta::assert_snapshot!(name, md);
    }
}

#[test]
fn a_documents_text_cannot_become_markup() {
    let text = "arazzo: 1.0.1\ninfo:\n  title: \"<script>alert(1)</script> [x](javascript:alert(2))\"\n  summary: \"**bold** | cell\"\n  description: \"Fine *Markdown*, but <img src=x onerror=alert(3)>\"\n  version: '1'\nsourceDescriptions: [{name: a, url: ./a.yaml}]\nworkflows:\n  - workflowId: \"w`|x\"\n    summary: \"\\e]0;title\\a\"\n    steps:\n      - {stepId: \"``s``\", operationId: op}\n";
    let md = page_of(text);
    assert!(
        md.contains("# \\<script\\>alert(1)\\</script\\> \\[x\\](javascript:alert(2))"),
        "{md}"
    );
    assert!(md.contains("\\*\\*bold\\*\\* \\| cell"), "{md}");
    // Descriptions stay CommonMark, without raw HTML.
    assert!(
        md.contains("Fine *Markdown*, but &lt;img src=x onerror=alert(3)>"),
        "{md}"
    );
    // Ids are code spans no backtick can close.
    assert!(md.contains("### ``w`|x``"), "{md}");
    assert!(md.contains("**``` ``s`` ```**"), "{md}");
    assert!(md.contains("\\\\u{1b}\\]0;title\\\\u{7}"), "{md}");
    assert!(!md.contains('\u{1b}'), "{md}");
}

/// A retry that runs a step first is drawn to that step, not as a loop to itself.
#[test]
fn a_retry_with_a_target_is_drawn_to_it() {
    let text = "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: []\nworkflows:\n  - workflowId: w\n    steps:\n      - stepId: login\n        operationId: login\n      - stepId: call\n        operationId: call\n        onFailure: [{name: relogin, type: retry, stepId: login, retryLimit: 2}]\n";
    let md = page_of(text);
    assert!(
        md.contains("s1 -.->|\"retry ×2, after `login`\"| s0"),
        "{md}"
    );
    assert!(!md.contains("s1 -.->|\"retry ×2\"| s1"), "{md}");
}

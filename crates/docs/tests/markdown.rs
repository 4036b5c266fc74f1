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

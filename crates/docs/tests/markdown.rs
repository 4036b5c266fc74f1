//! Snapshots of the Markdown pages of the seed workflow and the specification's examples.

use std::path::Path;

use telaio_model::{LoadOptions, Loader};

fn page(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let bundle = Loader::new(LoadOptions::default())
        .load_bundle(&Loader::url_for_path(&path).unwrap())
        .unwrap();
    telaio_docs::markdown(&bundle)
}

#[test]
fn the_seed_page() {
    let md = page(
        "../../examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml",
    );
    // The polling loop is an edge from the step to itself.
    assert!(md.contains("s1 -->|\"$.Status == 'CREATED'\"| s1"), "{md}");
    insta::assert_snapshot!("seed", md);
}

#[test]
fn the_specification_examples() {
    for name in [
        "pet-coupons.arazzo.yaml",
        "bnpl-arazzo.yaml",
        "oauth.arazzo.yaml",
        "FAPI-PAR.arazzo.yaml",
        "LoginAndRetrievePets.arazzo.yaml",
    ] {
        let md = page(&format!("../engine/tests/oai-examples/{name}"));
        insta::assert_snapshot!(name, md);
    }
}

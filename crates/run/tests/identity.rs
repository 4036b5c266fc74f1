//! A document's identity: the whole hash is what it always was (journals written before
//! keep matching), and the parts tell which changed.

use sha2::{Digest, Sha256};
use telaio_model::{LoadOptions, Loader};
use telaio_run::DocumentIdentity;

const API: &str = r#"{"openapi":"3.0.3","info":{"title":"Pets","version":"1"},"paths":{}}"#;

fn document(title: &str) -> String {
    format!(
        "arazzo: 1.0.1\ninfo: {{title: {title}, version: '1'}}\nsourceDescriptions: [{{name: pets, url: ./pets.json, type: openapi}}]\nworkflows: []\n"
    )
}

fn identity(dir: &std::path::Path) -> DocumentIdentity {
    let url = Loader::url_for_path(&dir.join("flow.arazzo.yaml")).unwrap();
    let bundle = Loader::new(LoadOptions::default())
        .load_bundle(&url)
        .unwrap();
    DocumentIdentity::of(&bundle)
}

#[test]
fn the_whole_hash_covers_the_text_and_each_source_as_json() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("flow.arazzo.yaml"), document("Pets")).unwrap();
    std::fs::write(dir.path().join("pets.json"), API).unwrap();
    let id = identity(dir.path());
    // Written out here rather than by the code under test: the Arazzo text, then each
    // source's name and its description as compact JSON.
    let mut expected = Sha256::new();
    expected.update(document("Pets").as_bytes());
    expected.update(b"pets");
    expected.update(API.as_bytes());
    let expected: String = expected
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(id.sha256, expected);
    assert_eq!(
        id.parts.keys().collect::<Vec<_>>(),
        ["source pets", "the document"]
    );

    // A change of layout that says the same keeps the identity; a change of content names
    // the part.
    std::fs::write(dir.path().join("pets.json"), API.replace(',', ",\n  ")).unwrap();
    assert!(id.changes(&identity(dir.path())).is_empty());
    std::fs::write(dir.path().join("pets.json"), API.replace("Pets", "Cats")).unwrap();
    assert_eq!(id.changes(&identity(dir.path())), ["source pets changed"]);
    std::fs::write(dir.path().join("pets.json"), API).unwrap();
    std::fs::write(dir.path().join("flow.arazzo.yaml"), document("Cats")).unwrap();
    assert_eq!(id.changes(&identity(dir.path())), ["the document changed"]);
}

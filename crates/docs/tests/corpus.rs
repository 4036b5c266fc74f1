//! Every document of the sample catalog in `../shared/corpus` gets a page: broken references,
//! missing operations and odd shapes make the page say less, never fail. Skipped, with a
//! note, when `../shared` is absent.

use std::path::Path;

use telaio_model::{LoadOptions, Loader};

#[test]
fn every_corpus_document_gets_a_page() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if !corpus.is_dir() {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "note: {} is absent; skipping",
            corpus.display()
        );
        return;
    }
    let loader = Loader::new(LoadOptions::default());
    // Found as `telaio docs DIR` finds them.
    let docs = telaio_model::arazzo_files(&corpus).unwrap();
    assert_eq!(docs.len(), 192);
    let mut workflows = 0;
    for path in &docs {
        let bundle = loader
            .load_bundle(&Loader::url_for_path(path).unwrap())
            .unwrap();
        let page = telaio_docs::markdown(&bundle);
        assert!(page.starts_with("# "), "{}", path.display());
        workflows += page.matches("\n```mermaid\n").count();
    }
    // One flowchart per workflow of the catalog.
    let expected: usize = docs
        .iter()
        .map(|p| {
            let b = loader
                .load_bundle(&Loader::url_for_path(p).unwrap())
                .unwrap();
            b.document.json["workflows"].as_array().map_or(0, Vec::len)
        })
        .sum();
    assert_eq!(workflows, expected);
}

//! Every document of the sample catalog in `../shared/corpus` gets a page: broken references,
//! missing operations and odd shapes make the page say less, never fail. Skipped, with a
//! note, when `../shared` is absent.

use std::path::{Path, PathBuf};

use telaio_model::{LoadOptions, Loader};

/// `<provider>/arazzo/*.yml`: the catalog's layout.
fn arazzo_files(corpus: &Path) -> Vec<PathBuf> {
    let entries = |d: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(d)
            .map(|r| r.filter_map(|e| Some(e.ok()?.path())).collect())
            .unwrap_or_default()
    };
    entries(corpus)
        .iter()
        .flat_map(|provider| entries(&provider.join("arazzo")))
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect()
}

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
    let docs = arazzo_files(&corpus);
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

//! How long the sample catalog (`../shared/corpus`, 192 documents) takes to become a site:
//! every page rendered from scratch (load, validate, render, write), a second run with nothing
//! changed, and the page of the seed workflow alone. Skipped when `../shared` is absent.
//!
//! `cargo bench -p telaio-docs --bench catalog`

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use telaio_docs::{CatalogOptions, catalog, render_document};
use telaio_model::{LoadOptions, Loader};

fn bench(c: &mut Criterion) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let seed = repo
        .join("examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml");
    c.bench_function("seed page (load, validate, render)", |b| {
        b.iter(|| {
            // A fresh loader each time: nothing cached from the last iteration.
            let loader = Loader::new(LoadOptions::default());
            render_document(&loader, &seed, "seed.yml", None).html.len()
        })
    });
    // A workflow of 2,000 steps, each with a `goto` back to the first and an `end` on failure:
    // the diagram's layout must stay near linear.
    let mut text = String::from(
        "arazzo: 1.0.1\ninfo: {title: big, version: '1'}\nsourceDescriptions: []\nworkflows:\n  - workflowId: big\n    steps:\n",
    );
    for i in 0..2000 {
        text.push_str(&format!(
            "      - stepId: s{i}\n        operationId: op\n        onSuccess:\n          - {{name: again, type: goto, stepId: s0, criteria: [{{condition: $statusCode == 202}}]}}\n        onFailure:\n          - {{name: stop, type: end}}\n"
        ));
    }
    let url = telaio_model::Url::parse("file:///tmp/big.arazzo.yaml").unwrap();
    let document = std::sync::Arc::new(
        telaio_model::ArazzoDocument::from_text(url, text, &LoadOptions::default()).unwrap(),
    );
    let big = telaio_model::Bundle {
        document,
        sources: Vec::new(),
        linked: Vec::new(),
    };
    c.bench_function("page of a 2,000-step workflow", |b| {
        b.iter(|| telaio_docs::html(&telaio_docs::Page::of(&big, &[])).len())
    });
    let corpus = repo.join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!(
            "note: {} is absent; skipping the catalog benchmarks",
            corpus.display()
        );
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("corpus catalog (192 documents)");
    group.sample_size(10);
    group.bench_function("from scratch", |b| {
        b.iter(|| {
            let loader = Loader::new(LoadOptions::default());
            let options = CatalogOptions {
                force: true,
                ..CatalogOptions::default()
            };
            catalog(&corpus, out.path(), &loader, &options).unwrap()
        })
    });
    group.bench_function("nothing changed", |b| {
        b.iter(|| {
            let loader = Loader::new(LoadOptions::default());
            catalog(&corpus, out.path(), &loader, &CatalogOptions::default()).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

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

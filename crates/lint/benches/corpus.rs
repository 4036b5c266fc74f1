//! Validating the whole sample catalog (`../shared/corpus`: 192 Arazzo documents and their
//! OpenAPI descriptions) in one process, as `telaio validate ../shared/corpus` does: each
//! iteration starts with a fresh loader, so every file is read, parsed and indexed again.

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use telaio_lint::{LintOptions, lint, load_failure};
use telaio_model::{LoadOptions, Loader, display_name};

fn corpus() -> Option<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if !dir.is_dir() {
        eprintln!("note: {} is absent; nothing to benchmark", dir.display());
        return None;
    }
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.parent().is_some_and(|d| d.ends_with("arazzo")) {
                out.push(p);
            }
        }
    }
    out.sort();
    Some(out)
}

fn validate_all(files: &[PathBuf]) -> usize {
    let loader = Loader::new(LoadOptions::default());
    let options = LintOptions::default();
    let mut findings = 0;
    for f in files {
        let url = Loader::url_for_path(f).unwrap();
        findings += match loader.load_bundle(&url) {
            Ok(bundle) => lint(&bundle, &options).len(),
            Err(e) => load_failure(&display_name(&url), &e, &options).len(),
        };
    }
    findings
}

fn bench(c: &mut Criterion) {
    let Some(files) = corpus() else { return };
    let mut group = c.benchmark_group("validate");
    group.sample_size(20);
    group.bench_function(format!("corpus ({} documents)", files.len()), |b| {
        b.iter(|| validate_all(&files))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

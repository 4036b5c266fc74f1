//! `telaio catalog DIR -o OUTDIR`: a folder of Arazzo documents as a browsable catalog.

use std::time::Instant;

use std::path::Path;
use telaio_docs::CatalogOptions;

use telaio_model::Loader;

use crate::args::{CatalogArgs, LoadArgs};
use crate::render::usage_error;
use crate::{exit, loading};

pub(crate) fn run(args: &CatalogArgs) -> u8 {
    let started = Instant::now();
    let loader = match loading::loader(&args.load, &[args.dir.as_path()]) {
        Ok(l) => l,
        Err(e) => {
            usage_error(&e);
            return exit::USAGE;
        }
    };
    let options = CatalogOptions {
        jobs: args.jobs,
        force: args.force,
        settings: settings(&args.load),
    };
    let summary = match telaio_docs::catalog(&args.dir, &args.output, &loader, &options) {
        Ok(s) => s,
        Err(e) => {
            usage_error(&e.to_string());
            return exit::USAGE;
        }
    };
    let mut line = summary.totals();
    if summary.reused > 0 {
        line.push_str(&format!(
            " ({} rendered, {} unchanged)",
            summary.rendered, summary.reused
        ));
    }
    crate::term::eprintln(&line);
    if let Some(problems) = summary.problems() {
        crate::term::eprintln(&format!("{problems}; their pages show why"));
    }
    crate::term::eprintln(&format!(
        "wrote {} in {:.2} s",
        crate::term::clean(&summary.index.display().to_string()),
        started.elapsed().as_secs_f64()
    ));
    exit::OK
}

/// What else shapes the pages: remote loading, and the substituted sources with their paths
/// resolved (the same `--source x=./a.yaml` names another file from another folder).
fn settings(load: &LoadArgs) -> String {
    let sources: Vec<String> = load
        .sources
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((name, place)) => match Loader::url_for_path(Path::new(place)) {
                Ok(url) => format!("{name}={url}"),
                Err(_) => pair.clone(),
            },
            None => pair.clone(),
        })
        .collect();
    format!(
        "allow-remote={} private-hosts={} sources={sources:?} max-document-size={}",
        load.allow_remote, load.allow_private_hosts, load.max_document_size
    )
}

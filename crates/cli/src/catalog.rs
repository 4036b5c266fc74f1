//! `telaio catalog DIR -o OUTDIR`: a folder of Arazzo documents as a browsable catalog.

use std::time::Instant;

use telaio_docs::CatalogOptions;
use telaio_model::LoadOptions;

use crate::args::CatalogArgs;
use crate::render::usage_error;
use crate::{exit, loading};

pub(crate) fn run(args: &CatalogArgs) -> u8 {
    let started = Instant::now();
    let loader = match loading::loader(&args.load, LoadOptions::default()) {
        Ok(l) => l,
        Err(e) => {
            usage_error(&e);
            return exit::USAGE;
        }
    };
    let options = CatalogOptions {
        jobs: args.jobs,
        force: args.force,
        // Pages rendered with other sources substituted, or remote loading allowed, differ.
        settings: format!("{:?}", args.load),
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
    eprintln!("{line}");
    if let Some(problems) = summary.problems() {
        eprintln!("{problems}; their pages show why");
    }
    eprintln!(
        "wrote {} in {:.2} s",
        summary.index.display(),
        started.elapsed().as_secs_f64()
    );
    exit::OK
}

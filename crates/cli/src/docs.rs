//! `telaio docs FILE`: a document as a documentation page.

use std::path::Path;

use telaio_model::{LoadOptions, Loader};

use crate::args::{DocsArgs, DocsFormat};
use crate::render::usage_error;
use crate::{exit, loading};

pub(crate) fn run(args: &DocsArgs) -> u8 {
    let page = (|| {
        let loader = loading::loader(&args.load, LoadOptions::default())?;
        let url = Loader::url_for_path(&args.file).map_err(|e| e.to_string())?;
        let bundle = loader.load_bundle(&url).map_err(|e| e.to_string())?;
        Ok::<_, String>(match args.format {
            DocsFormat::Markdown => telaio_docs::markdown(&bundle),
        })
    })();
    let page = match page {
        Ok(p) => p,
        Err(e) => {
            usage_error(&e);
            return exit::USAGE;
        }
    };
    match &args.output {
        None => {
            print!("{page}");
            exit::OK
        }
        Some(path) => write(path, &page),
    }
}

fn write(path: &Path, page: &str) -> u8 {
    match std::fs::write(path, page) {
        Ok(()) => exit::OK,
        Err(e) => {
            usage_error(&format!("cannot write {}: {e}", path.display()));
            exit::USAGE
        }
    }
}

//! `telaio docs FILE`: a document as a documentation page (HTML by default, or Markdown).

use std::path::Path;

use telaio_lint::Severity;
use telaio_model::{LoadError, Loader};

use crate::args::{DocsArgs, DocsFormat};
use crate::render::usage_error;
use crate::{exit, loading};

pub(crate) fn run(args: &DocsArgs) -> u8 {
    let page = (|| {
        let loader = loading::loader(&args.load, &[])?;
        match args.format {
            DocsFormat::Markdown => {
                let url = Loader::url_for_path(&args.file).map_err(|e| e.to_string())?;
                let bundle = loader.load_bundle(&url).map_err(|e| e.to_string())?;
                Ok::<_, String>(telaio_docs::markdown(&bundle))
            }
            DocsFormat::Html => {
                let name = args.file.display().to_string();
                let page = telaio_docs::render_document(&loader, &args.file, &name, None);
                match page.load_error {
                    // Nothing to show: the file itself is missing or unreadable.
                    Some(
                        e @ (LoadError::NotFound { .. }
                        | LoadError::IsDirectory { .. }
                        | LoadError::NotAFile { .. }
                        | LoadError::Io { .. }),
                    ) => Err(e.to_string()),
                    _ => {
                        let errors = page
                            .diagnostics
                            .iter()
                            .filter(|d| d.severity == Severity::Error)
                            .count();
                        if errors > 0 {
                            crate::term::eprintln(&format!(
                                "note: {} has {errors} error{}; the page shows {}",
                                crate::term::clean(&name),
                                if errors == 1 { "" } else { "s" },
                                if errors == 1 { "it" } else { "them" }
                            ));
                        }
                        Ok(page.html)
                    }
                }
            }
        }
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
            crate::term::print_page(&page);
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

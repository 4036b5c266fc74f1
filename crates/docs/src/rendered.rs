//! One document, from its file to its HTML page: load it, validate it, render it. A document
//! that cannot be loaded still gets a page, with the loader's reason shown at its line.

use std::path::Path;
use std::sync::Arc;

use telaio_lint::{Diagnostic, LintOptions};
use telaio_model::{Bundle, LoadError, Loader, SourceText, Url};

use crate::facts::Facts;
use crate::html::{Page, html, render};

/// A document's page and what it was made from.
#[derive(Debug)]
pub struct Rendered {
    /// The page.
    pub html: String,
    /// The document at a glance; `None` when it could not be loaded.
    pub facts: Option<Facts>,
    /// What the validator found (for a document that could not be loaded: why).
    pub diagnostics: Vec<Diagnostic>,
    /// Why the document could not be loaded, when it could not.
    pub load_error: Option<LoadError>,
    /// Every local file the document's page depends on.
    pub(crate) files: Vec<std::path::PathBuf>,
    /// The URLs of the API descriptions it uses.
    pub(crate) apis: Vec<String>,
    /// Whether its page may be reused while its local files are unchanged: not when it read
    /// (or failed to read) something remote, or a file it could not read for a passing reason.
    pub(crate) reusable: bool,
}

/// Loads, validates and renders the document at `path`. `name` is how pages and messages name
/// it; `index` is a link back to a catalog's index, relative to the page.
///
/// ```no_run
/// use telaio_model::{LoadOptions, Loader};
/// let loader = Loader::new(LoadOptions::default());
/// let page = telaio_docs::render_document(&loader, "flow.arazzo.yaml".as_ref(), "flow.arazzo.yaml", None);
/// std::fs::write("flow.html", &page.html).unwrap();
/// ```
pub fn render_document(loader: &Loader, path: &Path, name: &str, index: Option<&str>) -> Rendered {
    let loaded = Loader::url_for_path(path).and_then(|url| loader.load_bundle(&url));
    match loaded {
        Ok(bundle) => {
            let diagnostics = telaio_lint::lint(&bundle, &LintOptions::default());
            let graph = telaio_graph::Graph::of(&bundle);
            let facts = Facts::read(&bundle, graph.as_ref());
            let page = Page {
                name,
                index,
                ..Page::of(&bundle, &diagnostics)
            };
            let html = render(&page, Some(&facts), graph.as_ref());
            let (files, reusable) = files(&bundle);
            Rendered {
                html,
                facts: Some(facts),
                files,
                reusable,
                apis: api_urls(&bundle),
                diagnostics,
                load_error: None,
            }
        }
        Err(error) => {
            // A file over the size limit is not read again just to show it.
            let text = match error {
                LoadError::TooLarge { .. } => None,
                _ => std::fs::read_to_string(path).ok(),
            };
            let diagnostics = unloadable(name, path, text.as_deref(), &error);
            let html = html(&Page {
                bundle: None,
                name,
                text: text.as_deref(),
                diagnostics: &diagnostics,
                index,
            });
            Rendered {
                html,
                facts: None,
                files: vec![path.to_owned()],
                reusable: !passing(&error),
                apis: Vec::new(),
                diagnostics,
                load_error: Some(error),
            }
        }
    }
}

/// The validator's account of a document that could not be loaded, with its text attached so
/// the page can show the line.
fn unloadable(name: &str, path: &Path, text: Option<&str>, error: &LoadError) -> Vec<Diagnostic> {
    let mut diagnostics = telaio_lint::load_failure(name, error, &LintOptions::default());
    let url = path
        .canonicalize()
        .ok()
        .and_then(|p| Url::from_file_path(p).ok());
    if let (Some(text), Some(url)) = (text, url) {
        let source = Arc::new(SourceText::new(url, name.to_owned(), text.to_owned()));
        for d in &mut diagnostics {
            d.source = Some(source.clone());
        }
    }
    diagnostics
}

/// Every local file a bundle read (the document first, then its sources, linked documents and
/// theirs), and whether the page may be reused while they stay the same.
fn files(bundle: &Bundle) -> (Vec<std::path::PathBuf>, bool) {
    let mut out = Vec::new();
    let mut reusable = true;
    let mut add = |b: &Bundle| {
        if let Ok(p) = b.document.source.url.to_file_path()
            && !out.contains(&p)
        {
            out.push(p);
        }
        for s in &b.sources {
            let Some(url) = &s.url else { continue };
            match (url.to_file_path(), &s.content) {
                // Remote content may change unseen; a refused remote read stays refused.
                (
                    Err(()),
                    Err(LoadError::RemoteNotAllowed { .. } | LoadError::UnsupportedScheme { .. }),
                ) => {}
                (Err(()), _) => reusable = false,
                (Ok(_), Err(e)) if passing(e) => reusable = false,
                (Ok(p), _) => {
                    if !out.contains(&p) {
                        out.push(p);
                    }
                }
            }
        }
    };
    add(bundle);
    bundle.linked.iter().for_each(&mut add);
    (out, reusable)
}

/// A reason to fail that may pass without the file changing (permissions, the network).
fn passing(error: &LoadError) -> bool {
    matches!(error, LoadError::Io { .. } | LoadError::Remote { .. })
}

fn api_urls(bundle: &Bundle) -> Vec<String> {
    bundle
        .sources
        .iter()
        .filter(|s| s.arazzo().is_none())
        .filter_map(|s| s.url.as_ref().map(Url::to_string))
        .collect()
}

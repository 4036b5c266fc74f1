//! Each served document as two resources: its source (`telaio://documents/N`, the Arazzo
//! text as the server read it) and its documentation page (`telaio://documents/N/page.md`,
//! Markdown as `telaio docs --format markdown` renders it). Both are read when a client asks,
//! never at start-up.

use std::sync::Arc;

use rmcp::model::{ReadResourceResult, Resource, ResourceContents};
use telaio_serve::Catalog;

/// What a server makes of its documents when a client asks, by the document's name (its
/// path as given): what reading and checking documents takes is the caller's.
pub trait DocumentViews: Send + Sync {
    /// Its documentation page, in Markdown.
    fn page(&self, document: &str) -> Option<String>;
    /// Its findings, as `telaio validate --output json` gives them for it alone.
    fn findings(&self, document: &str) -> Option<serde_json::Value>;
}

/// Shared [`DocumentViews`].
pub type Views = Arc<dyn DocumentViews>;

const PREFIX: &str = "telaio://documents/";

/// The largest document source read for a client, in bytes.
const MAX_SOURCE_BYTES: u64 = 20 * 1024 * 1024;

/// The served documents, in the catalog's order, each once.
pub(crate) fn documents(catalog: &Catalog) -> Vec<(&str, Option<&std::path::Path>)> {
    let mut seen = Vec::new();
    for w in catalog.workflows() {
        if !seen.iter().any(|(d, _)| *d == w.document.as_str()) {
            seen.push((w.document.as_str(), w.identity.path.as_deref()));
        }
    }
    seen
}

/// The resources: each document's source and page.
pub(crate) fn list(catalog: &Catalog) -> Vec<Resource> {
    documents(catalog)
        .iter()
        .enumerate()
        .flat_map(|(n, (document, _))| {
            let file = document.rsplit(['/', '\\']).next().unwrap_or(document);
            let kind = if file.ends_with(".json") {
                "application/json"
            } else {
                "application/yaml"
            };
            [
                Resource::new(format!("{PREFIX}{n}"), file.to_owned())
                    .with_description(format!("The Arazzo document {document}"))
                    .with_mime_type(kind),
                Resource::new(format!("{PREFIX}{n}/page.md"), format!("{file} (page)"))
                    .with_description(format!(
                        "The documentation page of {document}: its workflows, inputs, outputs, steps and a flowchart"
                    ))
                    .with_mime_type("text/markdown"),
            ]
        })
        .collect()
}

/// What resource `uri` holds; `None` when there is no such resource.
pub(crate) fn read(
    catalog: &Catalog,
    views: Option<&Views>,
    uri: &str,
) -> Option<ReadResourceResult> {
    let rest = uri.strip_prefix(PREFIX)?;
    let (n, page) = match rest.strip_suffix("/page.md") {
        Some(n) => (n, true),
        None => (rest, false),
    };
    let n: usize = n.parse().ok()?;
    let documents = documents(catalog);
    let (document, path) = documents.get(n)?;
    let text = if page {
        views?.page(document)?
    } else {
        let path = path.as_ref()?;
        let size = std::fs::metadata(path).ok()?.len();
        if size > MAX_SOURCE_BYTES {
            return None;
        }
        std::fs::read_to_string(path).ok()?
    };
    let mime = if page { "text/markdown" } else { "text/plain" };
    Some(ReadResourceResult::new(vec![
        ResourceContents::text(text, uri).with_mime_type(mime),
    ]))
}

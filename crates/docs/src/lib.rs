//! # telaio-docs: Arazzo documents as documentation
//!
//! [`markdown`] renders a loaded document the way a catalog page shows it: title, summary,
//! counts of workflows, source APIs and providers, and for each workflow its inputs (a table
//! from the JSON Schema), outputs, numbered steps (with the operation's method, path and
//! summary from its source description, parameters, request body, success criteria and
//! actions) and a Mermaid flowchart in which polling loops show as loops. [`Flow`] is that
//! diagram as data, for other renderers.
//!
//! It reads what the loader built and writes text; it never runs, fetches or validates.
//!
//! ```no_run
//! use telaio_model::{LoadOptions, Loader};
//! let loader = Loader::new(LoadOptions::default());
//! let url = Loader::url_for_path("workflow.arazzo.yaml".as_ref()).unwrap();
//! let bundle = loader.load_bundle(&url).unwrap();
//! println!("{}", telaio_docs::markdown(&bundle));
//! ```
#![deny(missing_docs)]

mod catalog;
mod facts;
mod flow;
mod html;
mod markdown;
mod page;
mod rendered;

pub use catalog::{CatalogError, CatalogOptions, CatalogSummary, catalog};
pub use facts::{Facts, WorkflowFacts};
pub use flow::{Edge, EdgeKind, Flow, Node};
pub use html::{Page, html};
pub use markdown::markdown;
pub use rendered::{Rendered, render_document};

//! # telaio-docs: Arazzo documents as documentation
//!
//! Renders loaded documents the way a catalog page shows them — title, summary, provider,
//! tags, counts of workflows, source APIs and providers, and for each workflow its inputs (a
//! table from the JSON Schema), outputs and numbered steps (the operation's method, path and
//! summary from its source description, parameters, request body, success criteria, actions):
//!
//! - [`html`]: one self-contained page (no fetches, readable without JavaScript, light and
//!   dark) with a flow diagram per workflow drawn as inline SVG, in which polling loops are
//!   loops, and the document's source with the validator's findings under their lines;
//! - [`markdown`]: the same for READMEs, with Mermaid flowcharts;
//! - [`catalog`]: a folder of documents as a site, a page each and a searchable index, where
//!   a broken document gets a page saying why and a second run renders only what changed.
//!
//! [`Flow`] is a workflow's graph as data and [`Facts`] a document at a glance, for other
//! renderers. This crate reads what the loader built and writes text (and, for a catalog,
//! files); it never runs workflows or fetches from the network.
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
mod prose;
mod rendered;

pub use catalog::{CatalogError, CatalogOptions, CatalogSummary, catalog};
pub use facts::{Facts, WorkflowFacts};
pub use flow::{Edge, EdgeKind, Flow, Node};
pub use html::{Page, html};
pub use markdown::markdown;
pub use rendered::{Rendered, render_document};

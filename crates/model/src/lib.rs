//! # telaio-model: Arazzo documents and the API descriptions they name
//!
//! This crate reads documents; it does not judge them (that is `telaio-lint`) nor run them.
//!
//! - [`parse_text`] turns YAML or JSON text into a [`Node`] tree in which every value knows its
//!   [`Span`], within [`ParseLimits`] (depth, alias expansion) so hostile input stays cheap.
//! - [`Arazzo`] and its parts are the typed objects of Arazzo 1.0.x and 1.1.x.
//! - [`Loader`] reads a document ([`ArazzoDocument`]) and its source descriptions into a
//!   [`Bundle`]: OpenAPI 2.0/3.0/3.1 and AsyncAPI descriptions become [`ApiDescription`]s with
//!   an index of their operations; `arazzo` sources become documents. Files are read through a
//!   [`Fetcher`]; the default one reads local files only.
//!
//! ```
//! use telaio_model::{ArazzoDocument, LoadOptions};
//!
//! let text = r#"
//! arazzo: 1.0.1
//! info: {title: Pets, version: 1.0.0}
//! sourceDescriptions: [{name: pets, url: ./pets.yaml}]
//! workflows:
//!   - workflowId: adopt
//!     steps:
//!       - stepId: find
//!         operationId: findPets
//! "#;
//! let url = url::Url::parse("file:///work/adopt.arazzo.yaml").unwrap();
//! let doc = ArazzoDocument::from_text(url, text.into(), &LoadOptions::default()).unwrap();
//! let model = doc.model.as_ref().unwrap();
//! let step = &model.workflows[0].steps[0];
//! assert_eq!(step.operation_id.as_deref(), Some("findPets"));
//! // Every node keeps its position:
//! let at = doc.root.locate("/workflows/0/steps/0/operationId");
//! assert_eq!((at.span.start.line, at.span.start.column), (9, 22));
//! ```
#![deny(missing_docs)]

mod api;
mod arazzo;
mod bundle;
mod confine;
mod discover;
mod encoding;
mod error;
mod fetch;
mod loader;
mod node;
mod refs;
mod resolve;
mod source;
mod span;
mod syntax;

pub use api::{ApiDescription, ApiKind, Channel, Operation};
pub use arazzo::*;
pub use bundle::Bundle;
pub use bundle::MAX_LINKED_DOCUMENTS;
pub use confine::{Confinement, document_tree};
pub use discover::{arazzo_files, looks_like_arazzo};
pub use encoding::decode_text;
pub use error::{LoadError, human_bytes};
pub use fetch::{Fetcher, FileFetcher, ReadLimited, read_file, read_limited};
pub use loader::{ArazzoDocument, LoadOptions, LoadedSource, Loader, Source};
pub use node::{Entry, Located, Node, NodeKind, escape_token, unescape_token};
pub use refs::{RefError, Resolved};
pub use resolve::{
    OperationLookup, PathSlot, WorkflowLookup, path_slot, percent_decode, split_qualified,
};
pub use source::{Excerpt, SourceText, display_name};
pub use span::{Position, Span};
pub use syntax::{
    DuplicateKey, ParseLimits, ParsedText, SyntaxError, decode_utf8, parse_text, top_level_has_key,
};
pub use url::Url;

//! # telaio-mock: stand-ins for the APIs a workflow calls
//!
//! [`Mock`] answers every operation of a document's API source descriptions on one local
//! address: from the operation's OpenAPI examples (the one marked `x-microcks-default` first,
//! as the public catalog's files mark them), failing that from values generated from its
//! response schema. A [`Scenario`] makes it stateful: ordered responses per operation, keyed
//! by a request field (each session its own sequence), ids it hands out and later
//! recognises, idempotency by a request field, injected faults and latency. With
//! `verify_sigv4` it checks every AWS signature against its [`test_credentials`] and refuses a
//! bad one as AWS does.
//!
//! The mock only answers: it never calls anything, and it serves on the listener it is given
//! (Telaio binds it to 127.0.0.1).
//!
//! ```no_run
//! use std::sync::Arc;
//! use telaio_mock::{Mock, MockOptions};
//! use telaio_model::{LoadOptions, Loader};
//!
//! # async fn serve() {
//! let loader = Loader::new(LoadOptions::default());
//! let url = Loader::url_for_path("workflow.arazzo.yaml".as_ref()).unwrap();
//! let bundle = loader.load_bundle(&url).unwrap();
//! let mock = Arc::new(Mock::new(&bundle, MockOptions::default()));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
//! mock.serve(listener).await.unwrap();
//! # }
//! ```
#![deny(missing_docs)]

mod canned;
mod generate;
mod routes;
mod scenario;
mod server;
mod state;

pub use scenario::{OperationScenario, Reply, Scenario, ScenarioError};
pub use server::{
    AnswerHook, Mock, MockOptions, MockRequest, MockResponse, ServeLimits, test_credentials,
};

//! # telaio-serve: Arazzo workflows as a service
//!
//! An HTTP API over the run core and the run store: callers list the served workflows,
//! start runs of them with inputs (checked first), follow each run's events live as
//! Server-Sent Events, read results, and cancel runs. Every run is recorded in the store as
//! it goes, as `telaio run` records it, so a server that stops lets its runs reach a safe
//! point and a server that starts again resumes them.
//!
//! What callers choose is only which workflow and its inputs: documents, servers, sources
//! and credentials are set by whoever starts the server, so no caller can send the server's
//! credentials somewhere of its choosing. This crate does not read documents or parse
//! command lines (the `telaio` binary does, and hands over a [`Catalog`]).
//!
//! ```no_run
//! # async fn f(service: std::sync::Arc<telaio_serve::Service>) {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
//! let access = telaio_serve::Access::default();
//! telaio_serve::serve(listener, service, access, std::future::pending()).await.unwrap();
//! # }
//! ```
#![deny(missing_docs)]

mod api;
mod catalog;
mod console;
mod events;
mod live;
mod service;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use subtle::ConstantTimeEq;

pub use catalog::{Catalog, Choice, ServedWorkflow, Target};
pub use live::{Feed, News};
pub use service::{Drivers, ResumeRefused, ServeOptions, Service, StartError, Started};
pub use telaio_engine::InDoubt;

/// The API's own description (OpenAPI 3.1), served at `/openapi.json`.
pub const OPENAPI: &str = include_str!("openapi.json");

/// The largest request body the API reads (a run's inputs), in bytes.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// Who may use the API.
#[derive(Clone, Debug, Default)]
pub struct Access {
    /// A bearer token every request must carry (`Authorization: Bearer ...`); without one,
    /// only requests to this machine's own names are answered.
    pub token: Option<String>,
    /// Whether the console's session cookie (set when a person gives the token to the
    /// console) also carries it. Only the console needs it: a door without it (MCP's)
    /// takes the bearer header alone, whatever a browser holds for this host.
    pub console: bool,
}

/// The API's routes over `service`.
pub fn router(service: Arc<Service>, access: Access) -> Router {
    Router::new()
        .route("/", get(console::page))
        .route("/console.js", get(console::script))
        .route("/console.css", get(console::style))
        .route("/documents/{n}", get(console::document))
        .route("/openapi.json", get(api::openapi))
        .route("/workflows", get(api::workflows))
        .route("/runs", post(api::start).get(api::list))
        .route("/runs/{id}", get(api::get))
        .route("/runs/{id}/events", get(events::events))
        .route("/runs/{id}/cancel", post(api::cancel))
        .route("/runs/{id}/resume", post(api::resume))
        .route(
            "/session",
            post({
                let access = access.clone();
                move |body| session::open(access.clone(), body)
            }),
        )
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(axum::middleware::from_fn_with_state(access, guard))
        .with_state(service)
}

/// `routes` behind the API's own door: the token when one is set, the origin of a browser's
/// request, and without a token the host it was sent to (for other servers on the same
/// terms, as `telaio mcp` over HTTP).
pub fn guarded(routes: Router, access: Access) -> Router {
    routes.layer(axum::middleware::from_fn_with_state(access, guard))
}

/// Checks every request: the token when one is set, the origin of a browser's request, and
/// without a token the host it was sent to.
async fn guard(State(access): State<Access>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    if let Err(refusal) = api::same_origin(headers, access.token.is_some()) {
        return axum::response::IntoResponse::into_response(refusal);
    }
    if let Some(token) = &access.token
        && !open(request.uri().path())
    {
        let given = bearer(headers)
            .or_else(|| access.console.then(|| session::cookie(headers)).flatten())
            .unwrap_or_default();
        // Compared in constant time: how long a refusal takes says nothing of the token.
        if !bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
            let mut answer = api::error(StatusCode::UNAUTHORIZED, "a bearer token is required");
            answer.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
            return answer;
        }
    }
    next.run(request).await
}

/// What anyone may fetch, token or not: the console's own files (no data in them), and the
/// door that takes a token for the console.
fn open(path: &str) -> bool {
    matches!(path, "/" | "/console.js" | "/console.css" | "/session")
}

/// The token of an `Authorization: Bearer ...` header.
fn bearer(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned())
}

/// Serves the API on `listener` until `shutdown` completes; then stops taking runs, lets
/// those going on reach a safe point (each recorded as interrupted, to be resumed), and
/// returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    service: Arc<Service>,
    access: Access,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(service.clone(), access);
    let stopping = service.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            // Runs stop first: their event streams end with them, so the connections the
            // graceful shutdown waits for close.
            stopping.shut_down().await;
        })
        .await
}

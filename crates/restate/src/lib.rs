//! Runs of Arazzo workflows as Restate workflows: one Restate workflow invocation per run,
//! keyed by the run's id, so that Restate keeps each run durable beyond one machine.
//!
//! This crate is one more driver of the run core, as the HTTP driver and the store are: the
//! run's machine decides, and this crate only carries out what it asks, inside Restate's
//! journal.
//! - Each exchange (the request built, authenticated and sent, its answer read) is a named
//!   `ctx.run` side effect whose journaled result, masked as every record is, is what the
//!   machine consumes; replayed on another endpoint, the journal feeds the machine and
//!   nothing is sent again.
//! - Poll intervals, `retryAfter` waits and the driver's own backoffs are `ctx.sleep`
//!   durable timers: a run waiting holds no endpoint.
//! - A request that is not safe to send twice is preceded by an intent in the journal: an
//!   endpoint that finds the intent but not the answer knows the request may have gone out,
//!   and ends the run `in-doubt` naming it rather than send it again.
//!
//! It must not interpret Arazzo itself, nor let a secret into Restate's journal or state.

mod exchange;
pub mod export;
mod runner;

pub use runner::{Runner, SERVICE};

/// How an endpoint serves its runs.
#[derive(Clone, Debug)]
pub struct EndpointOptions {
    /// A run that waits longer than this (a long poll interval) is suspended by Restate: it
    /// leaves the endpoint, holding nothing there, and comes back (to any endpoint) when its
    /// timer fires, its journal replayed.
    pub suspend_after: std::time::Duration,
    /// The public keys (`publickeyv1_...`) of the Restate servers whose calls it answers:
    /// with any, a call not signed by one of them is refused.
    pub identity_keys: Vec<String>,
}

/// An identity key the endpoint cannot use.
#[derive(Debug, thiserror::Error)]
#[error("`{key}` is not a Restate identity key (publickeyv1_...): {reason}")]
pub struct IdentityKeyError {
    /// The key as given.
    pub key: String,
    /// Why.
    pub reason: String,
}

/// The Restate service endpoint of `runner`.
pub fn endpoint(
    runner: Runner,
    options: &EndpointOptions,
) -> Result<restate_sdk::prelude::Endpoint, IdentityKeyError> {
    use restate_sdk::prelude::{Endpoint, IntoServiceDefinition, ServiceOptions};
    let service = runner
        .into_service_definition()
        .options(ServiceOptions::default().inactivity_timeout(options.suspend_after));
    let mut builder = Endpoint::builder().bind(service);
    for key in &options.identity_keys {
        builder = builder.identity_key(key).map_err(|e| IdentityKeyError {
            key: key.clone(),
            reason: e.to_string(),
        })?;
    }
    Ok(builder.build())
}

/// Serves `endpoint` on `listener` (HTTP/2, as the Restate server calls it) until `stop`
/// completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    endpoint: restate_sdk::prelude::Endpoint,
    stop: impl std::future::Future<Output = ()>,
) {
    restate_sdk::prelude::HttpServer::new(endpoint)
        .serve_with_cancel(listener, stop)
        .await;
}

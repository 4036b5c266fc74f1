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
mod runner;

pub use runner::{Runner, SERVICE};

/// Serves `runner` as a Restate service endpoint on `listener` (HTTP/2, as the Restate
/// server calls it) until `stop` completes. A run that waits longer than `suspend_after`
/// (a long poll interval) is suspended by Restate: it leaves the endpoint, holding nothing
/// there, and comes back (to any endpoint) when its timer fires, its journal replayed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    runner: Runner,
    suspend_after: std::time::Duration,
    stop: impl std::future::Future<Output = ()>,
) {
    use restate_sdk::prelude::{Endpoint, HttpServer, IntoServiceDefinition, ServiceOptions};
    let service = runner
        .into_service_definition()
        .options(ServiceOptions::default().inactivity_timeout(suspend_after));
    let endpoint = Endpoint::builder().bind(service).build();
    HttpServer::new(endpoint)
        .serve_with_cancel(listener, stop)
        .await;
}

//! One attempt at a request as a Restate side effect. The side effect sends the request and
//! hands what came back to the run, beside Restate's journal; the run's session takes it in
//! and records it as every run's record is made (masked, once the run has read it); those
//! entries, handed back, are what the side effect returns for Restate to journal.

use std::sync::Arc;
use std::time::Duration;

use restate_sdk::prelude::{HandlerResult, Json, TerminalError};
use telaio_engine::{Attempted, Driver, Entry, Request};
use tokio::sync::oneshot;

/// What the side effect gives the run that ran it (never journaled as such).
pub(crate) enum Live {
    /// The attempt, as it came back.
    Attempted(Attempted),
    /// Not sent: it may have gone out before, and must not go twice. Why.
    InDoubt(String),
    /// Not sent: it would carry a value the journal keeps only masked. Why.
    Refused(String),
}

/// Everything one attempt needs, owned (a side effect holds no borrow of the run).
pub(crate) struct Exchange {
    pub(crate) driver: Arc<Driver>,
    pub(crate) request: Request,
    /// The attempt's number, from 1.
    pub(crate) attempt: u32,
    /// What is left of the run's time.
    pub(crate) remaining: Duration,
    /// Why it must not be sent, when an earlier endpoint may have sent it.
    pub(crate) in_doubt: Option<String>,
    /// What the journal's stand-ins became when the run was fed back, with why a request
    /// that carries it must not be sent.
    pub(crate) refuse: Option<(String, String)>,
    /// Where what came back goes.
    pub(crate) live: oneshot::Sender<Live>,
    /// Where the run's record of it comes from.
    pub(crate) recorded: oneshot::Receiver<Vec<Entry>>,
}

impl Exchange {
    /// Makes the attempt (unless it must not be made), hands it to the run, and returns the
    /// run's record of it.
    pub(crate) async fn perform(self) -> HandlerResult<Json<Vec<Entry>>> {
        let live = match (self.in_doubt, self.refuse) {
            (Some(why), _) => Live::InDoubt(why),
            (None, Some((marker, why))) if self.request.carries(&marker) => Live::Refused(why),
            _ => Live::Attempted(
                self.driver
                    .attempt(self.request, self.attempt, self.remaining)
                    .await,
            ),
        };
        if self.live.send(live).is_err() {
            return Err(TerminalError::new("the run stopped taking in its exchanges").into());
        }
        match self.recorded.await {
            Ok(entries) => Ok(Json(entries)),
            Err(_) => Err(TerminalError::new("the run's record of an exchange was lost").into()),
        }
    }
}

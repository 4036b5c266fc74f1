//! One attempt at a request as a Restate side effect: sent, then recorded as the journal
//! entries a run's record holds (masked), which are what Restate keeps. The unmasked answer
//! goes to the run beside the journal, only when the side effect ran here and now.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use restate_sdk::prelude::{HandlerResult, Json};
use telaio_engine::{
    AttemptOutcome, Attempted, Driver, Entry, Input, Redactor, Request, StopCause,
};

/// What the side effect gives the run that ran it (never journaled).
pub(crate) enum Live {
    /// The attempt, as it came back.
    Attempted(Attempted),
    /// The request was not sent: it may have gone out before, and must not go twice.
    InDoubt(String),
}

/// Everything one attempt needs, owned (a side effect holds no borrow of the run).
pub(crate) struct Exchange {
    pub(crate) driver: Arc<Driver>,
    pub(crate) request: Request,
    /// The attempt's number, from 1.
    pub(crate) attempt: u32,
    /// What is left of the run's time.
    pub(crate) remaining: Duration,
    /// What masks the run's secrets as the run knows them now.
    pub(crate) redactor: Redactor,
    /// An earlier endpoint may have sent this request: do not send it.
    pub(crate) in_doubt: bool,
    /// Microseconds the request's earlier attempts waited, which the run's clock counts.
    pub(crate) waited_us: u64,
    pub(crate) live: Arc<Mutex<Option<Live>>>,
}

impl Exchange {
    /// Makes the attempt (unless it is in doubt) and returns the entries Restate journals.
    pub(crate) async fn perform(self) -> HandlerResult<Json<Vec<Entry>>> {
        let Exchange {
            driver,
            request,
            attempt,
            remaining,
            mut redactor,
            in_doubt,
            waited_us,
            live,
        } = self;
        if in_doubt {
            let reason = format!(
                "{} {} may or may not have taken effect when the endpoint running it was lost, and is not safe to send again",
                request.method,
                redactor.text(&request.url)
            );
            keep(&live, Live::InDoubt(reason.clone()));
            return Ok(Json(vec![Entry::Stopped {
                cause: StopCause::InDoubt,
                reason,
            }]));
        }
        let mut attempted = driver.attempt(request, attempt, remaining).await;
        for secret in &attempted.secrets {
            redactor.secret(secret);
        }
        let mut entries: Vec<Entry> = attempted
            .tokens
            .iter()
            .map(|(source, scheme)| Entry::TokenFetched {
                source: source.clone(),
                scheme: scheme.clone(),
            })
            .collect();
        match &mut attempted.outcome {
            AttemptOutcome::Retry {
                attempt,
                reason,
                wait,
            } => entries.push(redactor.entry(&Entry::RequestRetried {
                attempt: *attempt,
                reason: reason.clone(),
                millis: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            })),
            AttemptOutcome::Input(input) => {
                match input {
                    Input::Response {
                        response,
                        elapsed_us,
                    } => {
                        *elapsed_us += waited_us;
                        if let Some(body) = &response.body {
                            redactor.learn_sensitive(&body.value);
                        }
                    }
                    Input::TransportFailed { elapsed_us, .. } => *elapsed_us += waited_us,
                    Input::Waited => {}
                }
                entries.push(redactor.entry(&Entry::of_input(input, Duration::ZERO)));
            }
            AttemptOutcome::TooLarge(reason) => entries.push(Entry::Stopped {
                cause: StopCause::ResponseTooLarge,
                reason: redactor.text(reason),
            }),
        }
        keep(&live, Live::Attempted(attempted));
        Ok(Json(entries))
    }
}

fn keep(live: &Mutex<Option<Live>>, what: Live) {
    *live.lock().unwrap_or_else(|e| e.into_inner()) = Some(what);
}

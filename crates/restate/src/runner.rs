//! The Restate workflow: `run` drives one run of a served workflow to its end inside
//! Restate's journal and returns its result (the shape of `telaio run --output json`);
//! `progress` tells, at any time, its status and its steps so far.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use restate_sdk::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};
use telaio_engine::{
    AttemptOutcome, Command, Credentials, Driver, DriverLimits, Entry, Input, InputSource,
    Observer, Record, Request, RunOptions, Session, StepsSoFar, Stop, StopCause, catch_up,
    safe_to_resend,
};
use telaio_serve::{Catalog, Choice, Target};
use tokio::sync::oneshot;

use crate::exchange::{Exchange, Live};

/// The name of the Restate workflow (`POST /telaio/<runId>/run/send` on the ingress).
pub const SERVICE: &str = "telaio";

/// The name of the side effect that journals the run's header, first.
pub(crate) const DOCUMENT: &str = "document";

/// The origin a run's header names.
const ORIGIN: &str = "restate";

/// The workflow state key `progress` reads.
const PROGRESS: &str = "progress";

/// Runs the served workflows as Restate workflows.
pub struct Runner {
    catalog: Catalog,
    driver: Arc<Driver>,
    /// The credentials the driver holds, for the masks of each run.
    credentials: Credentials,
    /// Each run's limits and pacing (its deadline set).
    options: RunOptions,
    /// The driver's limits, as each run's header records them.
    limits: DriverLimits,
    show_sensitive: bool,
}

impl Runner {
    /// A runner of `catalog`'s workflows, sending with `driver` (which holds `credentials`,
    /// and whose limits are `limits`), each run within `options` (whose deadline, when it
    /// has none, is ten minutes).
    pub fn new(
        catalog: Catalog,
        driver: Driver,
        limits: DriverLimits,
        credentials: Credentials,
        mut options: RunOptions,
        show_sensitive: bool,
    ) -> Runner {
        options.deadline.get_or_insert(Duration::from_secs(600));
        Runner {
            catalog,
            driver: Arc::new(driver),
            credentials,
            options,
            limits,
            show_sensitive,
        }
    }

    /// The served workflows.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }
}

/// What a run is asked to do.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Asked {
    workflow_id: String,
    #[serde(default)]
    document: Option<String>,
    #[serde(default)]
    inputs: serde_json::Map<String, Value>,
}

#[restate_sdk::workflow(name = "telaio")]
impl Runner {
    /// Runs the workflow `{"workflowId", "inputs", "document"?}` to its end.
    #[handler]
    async fn run(
        &self,
        ctx: WorkflowContext<'_>,
        asked: Json<Value>,
    ) -> Result<Json<Value>, HandlerError> {
        let asked: Asked = serde_json::from_value(asked.into_inner())
            .map_err(|e| TerminalError::new_with_code(400, format!("not a run: {e}")))?;
        let index = self
            .catalog
            .choose(
                &asked.workflow_id,
                asked.document.as_deref(),
                Some(Target::Servers),
            )
            .map_err(|e| {
                let code = match e {
                    Choice::Unknown(_) => 404,
                    Choice::Ambiguous { .. } => 409,
                    Choice::NotOffered { .. } => 422,
                };
                TerminalError::new_with_code(code, e.to_string())
            })?;
        let served = self.catalog.get(index);
        let given = asked
            .inputs
            .into_iter()
            .map(|(k, v)| (k, InputSource::Json(v)))
            .collect();
        let inputs = served
            .plan
            .workflow(&served.workflow_id)
            .ok_or_else(|| format!("the workflow `{}` is not planned", served.workflow_id))
            .map_err(|e| TerminalError::new_with_code(422, e))?
            .prepare_inputs(given)
            .map_err(|problems| {
                TerminalError::new_with_code(
                    422,
                    format!(
                        "the inputs do not fit the workflow: {}",
                        problems.join("; ")
                    ),
                )
            })?;
        let redactor = telaio_engine::redactor(
            &served.plan,
            &inputs,
            &self.credentials,
            self.show_sensitive,
        );
        // The run's record begins as every run's does: the document it started with, its
        // masked inputs and its limits. An endpoint serving another version of the document
        // cannot feed it this run's journal, every endpoint drives the run within the same
        // limits, and `telaio restate export` makes a journal `telaio replay` reads.
        let run_id = ctx.key().to_owned();
        let header = served.header(
            run_id.clone(),
            redactor.masked_inputs(&inputs),
            RunOptions {
                // The run's idempotency keys come from its invocation: the same on every
                // endpoint, another for another run with the same id.
                idempotency_seed: Some(seed(&run_id, ctx.invocation_id())),
                ..self.options
            },
            self.show_sensitive,
            self.limits,
            ORIGIN,
        );
        let Json(header) = ctx
            .run(|| async move { Ok(Json(header)) })
            .name(DOCUMENT)
            .await?;
        let changes = header.document.changes(&served.identity);
        if !changes.is_empty() {
            return Err(TerminalError::new_with_code(
                409,
                format!(
                    "the document changed since the run started ({}); this endpoint cannot go on with it",
                    changes.join(", ")
                ),
            )
            .into());
        }
        let options = header.options;
        let deadline = options.deadline.unwrap_or(Duration::MAX);
        let steps = Arc::new(Mutex::new(StepsSoFar::default()));
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let mut observer = Recording {
            steps: steps.clone(),
            entries: recorded.clone(),
        };
        let mut session = Session::new(&served.plan, options, redactor, &mut observer);
        let mut command = session.start(&served.workflow_id, inputs);
        let mut run = Drive {
            driver: self.driver.clone(),
            marker: None,
            recorded,
        };
        let driven: Result<_, TerminalError> = async {
            loop {
                ctx.set(PROGRESS, Json(progress(&steps, "running")));
                command = match command {
                    Command::Finished(outcome) => break Ok(outcome),
                    _ if session.elapsed() >= deadline => session.stop(Stop::deadline(deadline)),
                    Command::Wait(wait) => {
                        ctx.sleep(wait).await?;
                        session.resume(Input::Waited)
                    }
                    Command::Send(request) => {
                        run.exchange(&ctx, &mut session, request, deadline).await?
                    }
                };
            }
        }
        .await;
        let outcome = match driven {
            Ok(outcome) => outcome,
            // Cancelled, or a journal this endpoint cannot go on with: `progress` says the
            // run is over.
            Err(e) => {
                ctx.set(PROGRESS, Json(progress(&steps, "failed")));
                return Err(e.into());
            }
        };
        let status = telaio_engine::status_word(&outcome, false);
        ctx.set(PROGRESS, Json(progress(&steps, status)));
        Ok(Json(telaio_engine::result_json(
            &outcome,
            status,
            Some(&run_id),
            &|e| e.reason.clone(),
        )))
    }

    /// The run's status and its steps so far.
    #[handler]
    async fn progress(&self, ctx: SharedWorkflowContext<'_>) -> Result<Json<Value>, HandlerError> {
        Ok(ctx
            .get::<Json<Value>>(PROGRESS)
            .await?
            .unwrap_or_else(|| Json(json!({"status": "unknown", "steps": []}))))
    }
}

/// What a run's session tells: its steps so far, and the journal entries it records (masked,
/// as every run's record is), which the exchange that made them hands to Restate.
struct Recording {
    steps: Arc<Mutex<StepsSoFar>>,
    entries: Arc<Mutex<Vec<Entry>>>,
}

impl Observer for Recording {
    fn event(&mut self, record: &Record) {
        lock(&self.steps).see(&record.event);
    }

    fn journaling(&self) -> bool {
        true
    }

    fn entry(&mut self, entry: &Entry) -> Result<(), String> {
        lock(&self.entries).push(entry.clone());
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a run's exchanges share.
struct Drive {
    driver: Arc<Driver>,
    /// What the journal's stand-ins for hidden values became when they were fed back, once
    /// one was: no request that carries it is sent.
    marker: Option<String>,
    /// The entries the session records as it takes in an exchange.
    recorded: Arc<Mutex<Vec<Entry>>>,
}

impl Drive {
    /// Sends `request` as the run asks (attempt after attempt, the waits between them
    /// durable), or feeds the machine what the journal holds of it: what the run does next.
    async fn exchange(
        &mut self,
        ctx: &WorkflowContext<'_>,
        session: &mut Session<'_, '_>,
        request: Request,
        deadline: Duration,
    ) -> Result<Command, TerminalError> {
        // Restate's names for the exchange: its step and method, from the plan (a name must
        // be the same on every endpoint, and hold no value of the run).
        let label = format!("{}: {}", session.step_id(), request.method);
        let unsafe_to_resend = safe_to_resend(&request).is_none();
        let refuse = self.marker.clone().map(|marker| {
            let why = format!(
                "{} {} would carry a value the journal keeps masked (a secret or sensitive value from an earlier answer), so the run cannot go on from its journal; run the workflow again",
                request.method,
                session.masked(&request.url)
            );
            (marker, why)
        });
        let mut attempt = 1;
        let mut waited_us = 0u64;
        loop {
            let name = if attempt == 1 {
                label.clone()
            } else {
                format!("{label} (attempt {attempt})")
            };
            // An intent before each attempt at a request that must not go twice: an
            // endpoint that finds it in the journal, but not the attempt, knows the request
            // may have gone out.
            let in_doubt = if unsafe_to_resend {
                let fresh = Arc::new(AtomicBool::new(false));
                let here = fresh.clone();
                ctx.run(|| async move {
                    here.store(true, Ordering::SeqCst);
                    Ok(())
                })
                .name(format!("intent: {name}"))
                .await?;
                (!fresh.load(Ordering::SeqCst)).then(|| {
                    format!(
                        "{} {} may or may not have taken effect when the endpoint sending it was lost, and is not safe to send again",
                        request.method,
                        session.masked(&request.url)
                    )
                })
            } else {
                None
            };
            let (live, came_back) = oneshot::channel();
            let (record, recorded) = oneshot::channel();
            let job = Exchange {
                driver: self.driver.clone(),
                request: request.clone(),
                attempt,
                remaining: deadline
                    .saturating_sub(session.elapsed())
                    .saturating_sub(Duration::from_micros(waited_us)),
                in_doubt,
                refuse: refuse.clone(),
                live,
                recorded,
            };
            // Made here, the attempt comes back beside the journal: the session takes it
            // in, and its record of it is what the side effect returns. Fed back, the side
            // effect does not run, and the journal's entries feed the session below.
            let take_in = async {
                let live = came_back.await.ok()?;
                lock(&self.recorded).clear();
                let command = go_on(session, &request, live);
                let _ = record.send(std::mem::take(&mut *lock(&self.recorded)));
                Some(command)
            };
            let (journaled, taken_in) = tokio::join!(ctx.run(|| job.perform()).name(name), take_in);
            let Json(entries) = journaled?;
            // The journal says what comes next, whether it was made here or fed back.
            let retry = match entries.last() {
                Some(Entry::RequestRetried { millis, .. }) => Some(*millis),
                _ => None,
            };
            let command = match taken_in {
                Some(command) => command,
                None => self.feed(session, &request, entries)?,
            };
            match retry {
                Some(millis) => {
                    ctx.sleep(Duration::from_millis(millis)).await?;
                    waited_us = waited_us.saturating_add(millis.saturating_mul(1000));
                    attempt += 1;
                }
                None => return Ok(command),
            }
        }
    }

    /// Feeds the machine what the journal holds of an attempt made before (its stand-ins
    /// for hidden values marked).
    fn feed(
        &mut self,
        session: &mut Session<'_, '_>,
        request: &Request,
        mut entries: Vec<Entry>,
    ) -> Result<Command, TerminalError> {
        let marker = self
            .marker
            .get_or_insert_with(telaio_engine::stand_in_marker)
            .clone();
        if entries
            .iter_mut()
            .fold(false, |any, e| e.mark_stand_ins(&marker) | any)
        {
            session.learn_secret(&marker);
        }
        session.set_journaling(false);
        let caught = catch_up(session, Command::Send(request.clone()), entries);
        session.set_journaling(true);
        caught.map(|c| c.command).map_err(|e| {
            TerminalError::new_with_code(
                409,
                format!("the run's journal does not fit the workflow served here: {e}"),
            )
        })
    }
}

/// Gives the machine what the attempt made here came to (the session records it).
fn go_on(session: &mut Session<'_, '_>, request: &Request, live: Live) -> Command {
    let attempted = match live {
        Live::InDoubt(reason) => {
            return session.stop(Stop {
                cause: StopCause::InDoubt,
                reason,
            });
        }
        Live::Refused(reason) => {
            return session.stop(Stop {
                cause: StopCause::Refused,
                reason,
            });
        }
        Live::Attempted(attempted) => attempted,
    };
    for secret in &attempted.secrets {
        session.learn_secret(secret);
    }
    for (source, scheme) in attempted.tokens {
        session.token_fetched(source, scheme);
    }
    match attempted.outcome {
        AttemptOutcome::Retry {
            attempt,
            reason,
            wait,
        } => {
            let _ = session.retried(attempt, reason, wait);
            Command::Send(request.clone())
        }
        AttemptOutcome::Input(input) => session.resume(input),
        AttemptOutcome::TooLarge(reason) => session.stop(Stop {
            cause: StopCause::ResponseTooLarge,
            reason,
        }),
    }
}

/// The run's status and steps, as `progress` answers.
fn progress(steps: &Mutex<StepsSoFar>, status: &str) -> Value {
    json!({
        "status": status,
        "steps": lock(steps).to_json(),
    })
}

/// Sixteen bytes from the run's id and its invocation's, the same wherever they are
/// computed.
fn seed(run_id: &str, invocation_id: &str) -> [u8; 16] {
    use sha2::{Digest, Sha256};
    let mut digest = Sha256::new();
    digest.update(run_id.as_bytes());
    digest.update([0]);
    digest.update(invocation_id.as_bytes());
    let digest = digest.finalize();
    let mut seed = [0; 16];
    seed.copy_from_slice(&digest[..16]);
    seed
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_seed_is_the_same_for_the_same_run() {
        assert_eq!(super::seed("run-1", "inv_1"), super::seed("run-1", "inv_1"));
        assert_ne!(super::seed("run-1", "inv_1"), super::seed("run-2", "inv_1"));
        assert_ne!(super::seed("run-1", "inv_1"), super::seed("run-1", "inv_2"));
    }
}

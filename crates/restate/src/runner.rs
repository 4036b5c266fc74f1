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
    Command, Credentials, Driver, Entry, Input, InputSource, Record, Request, RunOptions, Session,
    StepsSoFar, Stop, StopCause, catch_up, safe_to_resend,
};
use telaio_serve::{Catalog, Choice, Target};

use crate::exchange::{Exchange, Live};

/// The name of the Restate workflow (`POST /telaio/<runId>/run/send` on the ingress).
pub const SERVICE: &str = "telaio";

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
    show_sensitive: bool,
}

impl Runner {
    /// A runner of `catalog`'s workflows, sending with `driver` (which holds `credentials`),
    /// each run within `options` (whose deadline, when it has none, is ten minutes).
    pub fn new(
        catalog: Catalog,
        driver: Driver,
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
        // The document the run started with: an endpoint serving another version of it
        // cannot feed it this run's journal.
        let identity = served.identity.clone();
        let Json(started_with) = ctx
            .run(|| async move { Ok(Json(identity)) })
            .name("document")
            .await?;
        let changes = started_with.changes(&served.identity);
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
        let run_id = ctx.key().to_owned();
        let mut options = self.options;
        // The run's idempotency keys come from its id, the same on every endpoint.
        options.idempotency_seed = Some(seed(&run_id));
        let deadline = options.deadline.unwrap_or(Duration::MAX);
        let redactor = telaio_engine::redactor(
            &served.plan,
            &inputs,
            &self.credentials,
            self.show_sensitive,
        );
        let steps = Arc::new(Mutex::new(StepsSoFar::default()));
        let mut observer = {
            let steps = steps.clone();
            move |record: &Record| {
                steps
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .see(&record.event);
            }
        };
        let mut session = Session::new(&served.plan, options, redactor, &mut observer);
        let mut command = session.start(&served.workflow_id, inputs);
        let mut run = Drive {
            driver: self.driver.clone(),
            marker: None,
        };
        let outcome = loop {
            ctx.set(PROGRESS, Json(progress(&steps, "running")));
            command = match command {
                Command::Finished(outcome) => break outcome,
                _ if session.elapsed() >= deadline => session.stop(Stop::deadline(deadline)),
                Command::Wait(wait) => {
                    ctx.sleep(wait).await?;
                    session.resume(Input::Waited)
                }
                Command::Send(request) => {
                    run.exchange(&ctx, &mut session, request, deadline).await?
                }
            };
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

/// What a run's exchanges share.
struct Drive {
    driver: Arc<Driver>,
    /// What the journal's stand-ins for hidden values became when they were fed back, once
    /// one was: no request that carries it is sent.
    marker: Option<String>,
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
        if let Some(marker) = &self.marker
            && request.carries(marker)
        {
            let reason = format!(
                "{} {} would carry a value the journal keeps masked (a secret or sensitive value from an earlier answer), so the run cannot go on from its journal; run the workflow again",
                request.method,
                session.masked(&request.url)
            );
            return Ok(session.stop(Stop {
                cause: StopCause::Refused,
                reason,
            }));
        }
        // The name Restate shows for the exchange: the step and what it calls, without the
        // server (which may differ between endpoints) or the query.
        let url = session.masked(&request.url);
        let path = url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
            .unwrap_or("/");
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let label = format!("{}: {} {path}", session.step_id(), request.method);
        // An intent before a request that must not go twice: an endpoint that finds it in
        // the journal, but not the answer, knows the request may have gone out.
        let in_doubt = if safe_to_resend(&request).is_none() {
            let fresh = Arc::new(AtomicBool::new(false));
            let here = fresh.clone();
            ctx.run(|| async move {
                here.store(true, Ordering::SeqCst);
                Ok(())
            })
            .name(format!("intent: {label}"))
            .await?;
            !fresh.load(Ordering::SeqCst)
        } else {
            false
        };
        let mut attempt = 1;
        let mut waited_us = 0;
        loop {
            let live = Arc::new(Mutex::new(None));
            let job = Exchange {
                driver: self.driver.clone(),
                request: request.clone(),
                attempt,
                remaining: deadline.saturating_sub(session.elapsed()),
                redactor: session.redactor().clone(),
                in_doubt,
                waited_us,
                live: live.clone(),
            };
            let Json(entries) = ctx
                .run(|| job.perform())
                .name(if attempt == 1 {
                    label.clone()
                } else {
                    format!("{label} (attempt {attempt})")
                })
                .await?;
            // The journal says what comes next, whether it was made here or fed back.
            let retry = match entries.last() {
                Some(Entry::RequestRetried { millis, .. }) => Some(*millis),
                _ => None,
            };
            let made_here = live.lock().unwrap_or_else(|e| e.into_inner()).take();
            let command = match made_here {
                Some(live) => self.go_on(session, &request, live),
                None => self.feed(session, &request, entries)?,
            };
            match retry {
                Some(millis) => {
                    ctx.sleep(Duration::from_millis(millis)).await?;
                    waited_us += millis.saturating_mul(1000);
                    attempt += 1;
                }
                None => return Ok(command),
            }
        }
    }

    /// Gives the machine what the attempt made here came to.
    fn go_on(&self, session: &mut Session<'_, '_>, request: &Request, live: Live) -> Command {
        let attempted = match live {
            Live::InDoubt(reason) => {
                return session.stop(Stop {
                    cause: StopCause::InDoubt,
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
            telaio_engine::AttemptOutcome::Retry {
                attempt,
                reason,
                wait,
            } => {
                let _ = session.retried(attempt, reason, wait);
                Command::Send(request.clone())
            }
            telaio_engine::AttemptOutcome::Input(input) => session.resume(input),
            telaio_engine::AttemptOutcome::TooLarge(reason) => session.stop(Stop {
                cause: StopCause::ResponseTooLarge,
                reason,
            }),
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

/// The run's status and steps, as `progress` answers.
fn progress(steps: &Mutex<StepsSoFar>, status: &str) -> Value {
    json!({
        "status": status,
        "steps": steps.lock().unwrap_or_else(|e| e.into_inner()).to_json(),
    })
}

/// Sixteen bytes from the run's id, the same wherever it is computed.
fn seed(run_id: &str) -> [u8; 16] {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(run_id.as_bytes());
    let mut seed = [0; 16];
    seed.copy_from_slice(&digest[..16]);
    seed
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_seed_is_the_same_for_the_same_run() {
        assert_eq!(super::seed("run-1"), super::seed("run-1"));
        assert_ne!(super::seed("run-1"), super::seed("run-2"));
    }
}

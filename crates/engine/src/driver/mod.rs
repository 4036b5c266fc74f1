//! The async driver: performs the machine's commands over HTTP (reqwest, rustls) and with
//! timers (tokio), within the run's deadline, and hands every event to an observer.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use telaio_auth::Credentials;
use telaio_plan::Plan;
use telaio_run::{
    Command, DriverLimits, Entry, Input, JournalHeader, Observer, Outcome, RunOptions, Session,
    Stop, StopCause,
};

mod auth;
mod pace;
mod resume;
mod send;

use send::{Heard, Sent};

pub use send::{AttemptOutcome, Attempted};

pub use resume::{InDoubt, Recorded, ResumeError};

/// Limits the driver enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DriverOptions {
    /// Longest wait for one response, body included.
    pub request_timeout: Duration,
    /// Longest a whole run may take.
    pub deadline: Duration,
    /// Largest response body kept in memory.
    pub max_response_bytes: usize,
    /// Extra attempts for a request to an AWS API after throttling, `5xx` or a failed
    /// connection (see [`crate::MAX_BACKOFF`]).
    pub transport_retries: u32,
    /// The first backoff before such a retry (it doubles each time, with jitter).
    pub transport_backoff: Duration,
    /// Show the data the API descriptions mark `x-sensitive` (such as biometric images) in
    /// events and outputs, instead of its size.
    pub show_sensitive: bool,
}

impl Default for DriverOptions {
    fn default() -> Self {
        DriverOptions {
            request_timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(600),
            max_response_bytes: 10 * 1024 * 1024,
            transport_retries: 2,
            transport_backoff: Duration::from_millis(100),
            show_sensitive: false,
        }
    }
}

impl DriverOptions {
    /// The limits a journal keeps, so that a resume drives the run as it was driven.
    pub fn limits(&self) -> DriverLimits {
        DriverLimits {
            request_timeout: self.request_timeout,
            max_response_bytes: self.max_response_bytes,
            transport_retries: self.transport_retries,
        }
    }

    /// These options with a journal's limits.
    #[must_use]
    pub fn with_limits(self, limits: DriverLimits) -> DriverOptions {
        DriverOptions {
            request_timeout: limits.request_timeout,
            max_response_bytes: limits.max_response_bytes,
            transport_retries: limits.transport_retries,
            ..self
        }
    }
}

/// Runs plans against real HTTP servers.
pub struct Driver {
    credentials: Credentials,
    /// OAuth access tokens by (source, scheme), with when they stop being good.
    tokens: tokio::sync::Mutex<HashMap<(String, String), (String, Instant)>>,
    /// For `http://` URLs: built without loading the system's trust roots (loading them
    /// costs milliseconds per process, most of a short local run).
    plain: reqwest::Client,
    /// For `https://` URLs: built on first use, verifying with the platform's roots.
    tls: std::sync::OnceLock<Result<reqwest::Client, String>>,
    options: DriverOptions,
    /// Permits to send: every request of every run this driver drives takes one while it is
    /// in flight (none: no bound).
    gate: Option<std::sync::Arc<tokio::sync::Semaphore>>,
    /// The pace of requests to the APIs given one.
    paces: Vec<pace::Pace>,
}

/// Why the driver cannot start.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client: {0}")]
pub struct DriverError(String);

impl Driver {
    /// A driver with its own connection pool.
    pub fn new(options: DriverOptions) -> Result<Driver, DriverError> {
        // rustls needs a process-wide crypto provider; a second install is a no-op error.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let plain = Self::builder()
            .tls_certs_only(Vec::new())
            .build()
            .map_err(|e| DriverError(e.to_string()))?;
        Ok(Driver {
            credentials: Credentials::default(),
            tokens: tokio::sync::Mutex::new(HashMap::new()),
            plain,
            tls: std::sync::OnceLock::new(),
            options,
            gate: None,
            paces: Vec::new(),
        })
    }

    /// The same driver, sending at most as many requests at once, over all the runs it
    /// drives, as `gate` has permits. A run waits its turn before each request and holds it
    /// until the answer (through the short backoffs of transport retries); a run waiting out
    /// a poll interval or a retry action's delay holds none.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use telaio_engine::{Driver, DriverOptions};
    /// let driver = Driver::new(DriverOptions::default())
    ///     .unwrap()
    ///     .with_gate(Arc::new(tokio::sync::Semaphore::new(64)));
    /// ```
    #[must_use]
    pub fn with_gate(mut self, gate: std::sync::Arc<tokio::sync::Semaphore>) -> Driver {
        self.gate = Some(gate);
        self
    }

    /// The same driver, sending at most `per_second` requests a second (spaced evenly) to
    /// the API at `origin` (`https://api.example.com`, `http://127.0.0.1:8080`), over all the
    /// runs it drives. A run waiting its turn can be stopped; `per_second` must be positive.
    ///
    /// ```
    /// use telaio_engine::{Driver, DriverOptions};
    /// let driver = Driver::new(DriverOptions::default())
    ///     .unwrap()
    ///     .with_rate_limit("https://rekognition.us-east-1.amazonaws.com", 5.0);
    /// ```
    #[must_use]
    pub fn with_rate_limit(mut self, origin: &str, per_second: f64) -> Driver {
        if per_second > 0.0 && per_second.is_finite() {
            self.paces.push(pace::Pace::new(origin, per_second));
        }
        self
    }

    /// The same driver, authenticating with these credentials.
    pub fn with_credentials(mut self, credentials: Credentials) -> Driver {
        self.credentials = credentials;
        self
    }

    fn builder() -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .user_agent(concat!("telaio/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
    }

    fn client_for(&self, url: &str) -> Result<&reqwest::Client, String> {
        if !url.starts_with("https:") {
            return Ok(&self.plain);
        }
        self.tls
            .get_or_init(|| {
                Self::builder()
                    .build()
                    .map_err(|e| format!("cannot set up TLS: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Runs one workflow to the end, handing every event (and, to an observer that keeps
    /// one, every journal entry) to `observe` as it happens.
    pub async fn run(
        &self,
        plan: &Plan,
        workflow_id: &str,
        inputs: Value,
        options: RunOptions,
        observe: &mut dyn Observer,
    ) -> Outcome {
        self.run_until(
            plan,
            workflow_id,
            inputs,
            options,
            observe,
            std::future::pending(),
        )
        .await
    }

    /// [`Driver::run`], stopped when `stop` completes (a signal, a cancelled call) at the
    /// next safe point: a wait is cut short, a request in flight is let finish (within its
    /// timeout) and its answer recorded; the outcome says what was done and at which step
    /// the run stopped, as for a deadline.
    ///
    /// ```no_run
    /// # use telaio_engine::{Driver, DriverOptions, Plan, Record, RunOptions, Stop, StopCause};
    /// # async fn f(plan: &Plan) {
    /// let driver = Driver::new(DriverOptions::default()).unwrap();
    /// let stop = async {
    ///     let _ = tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    ///     Stop { cause: StopCause::Cancelled, reason: "stopped after 5 s".to_owned() }
    /// };
    /// let outcome = driver
    ///     .run_until(plan, "poll", serde_json::json!({}), RunOptions::default(), &mut |_: &Record| {}, stop)
    ///     .await;
    /// # }
    /// ```
    pub async fn run_until(
        &self,
        plan: &Plan,
        workflow_id: &str,
        inputs: Value,
        options: RunOptions,
        observe: &mut dyn Observer,
        stop: impl std::future::Future<Output = Stop> + Send,
    ) -> Outcome {
        let (mut session, deadline) = self.session(plan, options, &inputs, observe);
        let command = session.start(workflow_id, inputs);
        self.drive(session, command, deadline, Duration::ZERO, None, stop)
            .await
    }

    /// Goes on with a recorded run: the journal's `entries` are fed back to the machine
    /// (nothing is sent for them, and they are not journaled again; `observe` sees their
    /// events), then the run goes on live. `inputs` are the run's, secrets included (the
    /// journal holds them masked).
    ///
    /// What the journal ends with decides how it goes on:
    /// - a wait: the rest of it is waited ([`Recorded::waited`] is how long ago the last
    ///   entry was written);
    /// - a request: it may have been sent and taken effect. It is sent again when that is
    ///   safe ([`telaio_run::safe_to_resend`]) or `in_doubt` says to; otherwise nothing is
    ///   sent and [`ResumeError::InDoubt`] names it, or with [`InDoubt::Fail`] the run ends
    ///   failed;
    /// - an interruption (Ctrl-C, SIGTERM, a cancelled call; [`Recorded::interrupted`] when
    ///   the store took its entry back already): the run goes on from before it; as a stop
    ///   waits for the answer in flight, the request that follows was never sent, and is
    ///   not in doubt.
    #[allow(clippy::too_many_arguments)]
    pub async fn resume_until(
        &self,
        plan: &Plan,
        header: &JournalHeader,
        inputs: Value,
        recorded: Recorded,
        in_doubt: InDoubt,
        observe: &mut dyn Observer,
        stop: impl std::future::Future<Output = Stop> + Send,
    ) -> Result<Outcome, ResumeError> {
        let Recorded {
            mut entries,
            waited,
            mut interrupted,
        } = recorded;
        // A run stops from outside at a safe point: in a wait, or after an answer and
        // before the next request. Taken back, the run goes on from there, and the request
        // it makes next was never sent.
        if entries.last().is_some_and(Entry::is_interruption) {
            entries.pop();
            interrupted = true;
        }
        // A journal holds stand-ins for the values the run hid: they come back marked, by a
        // marker of this resume that is masked like a secret, and no live request may carry
        // one.
        let marker = stand_in_marker();
        let marked = entries
            .iter_mut()
            .fold(false, |any, e| e.mark_stand_ins(&marker) | any);
        let guard = marked.then_some(marker);
        let (mut session, deadline) = self.session(plan, header.options, &inputs, observe);
        if let Some(marker) = &guard {
            session.learn_secret(marker);
        }
        let command = session.start(&header.workflow_id, inputs);
        session.set_journaling(false);
        let caught = telaio_run::catch_up(&mut session, command, entries)?;
        session.set_journaling(true);
        let mut command = caught.command;
        if let Command::Send(request) = &command
            && !interrupted
            && telaio_run::safe_to_resend(request).is_none()
        {
            match in_doubt {
                InDoubt::Resend => {}
                InDoubt::Ask => {
                    return Err(ResumeError::InDoubt {
                        method: request.method.clone(),
                        url: session.masked(&request.url),
                    });
                }
                InDoubt::Fail => {
                    let reason = format!(
                        "{} {} may or may not have taken effect when the run was cut short, and was not sent again",
                        request.method,
                        session.masked(&request.url)
                    );
                    command = session.stop(Stop {
                        cause: StopCause::Refused,
                        reason,
                    });
                }
            }
        }
        // What is left of the deadline, on the run's clock.
        let left = deadline.saturating_sub(session.elapsed());
        Ok(self
            .drive(session, command, left, waited, guard, stop)
            .await)
    }

    /// A session for one run of `plan`, and the run's deadline.
    fn session<'p, 'o>(
        &self,
        plan: &'p Plan,
        mut options: RunOptions,
        inputs: &Value,
        observe: &'o mut dyn Observer,
    ) -> (Session<'p, 'o>, Duration) {
        // One deadline for the run, on the wall clock here and on the run's clock in the
        // machine: the run's own when it has one, else the driver's.
        let deadline = *options.deadline.get_or_insert(self.options.deadline);
        // Derived from the plan and the credentials for each run: no way of running masks
        // less than the run's secrets.
        let redactor =
            telaio_auth::redactor(plan, inputs, &self.credentials, self.options.show_sensitive);
        (Session::new(plan, options, redactor, observe), deadline)
    }

    /// Drives a session from `command` to its end, within `deadline` from now; a first
    /// wait is shortened by `waited` (the part of it already waited before a resume). A
    /// request that carries the `guard` marker (a stand-in for a hidden value) stops the run
    /// instead of being sent.
    async fn drive(
        &self,
        mut session: Session<'_, '_>,
        mut command: Command,
        deadline: Duration,
        mut waited: Duration,
        guard: Option<String>,
        stop: impl std::future::Future<Output = Stop> + Send,
    ) -> Outcome {
        tokio::pin!(stop);
        let started = Instant::now();
        if !matches!(command, Command::Wait(_)) {
            waited = Duration::ZERO;
        }
        // The stop future completes once; it is not asked again after.
        let mut stop_fired = false;
        loop {
            let remaining = deadline.saturating_sub(started.elapsed());
            command = match command {
                Command::Finished(outcome) => return outcome,
                _ if remaining.is_zero() => session.stop(Stop::deadline(deadline)),
                Command::Wait(d) => {
                    let d = d.saturating_sub(std::mem::take(&mut waited));
                    tokio::select! {
                        biased;
                        stop = &mut stop, if !stop_fired => session.stop(stop),
                        () = tokio::time::sleep(d.min(remaining)) => {
                            if d > remaining {
                                session.stop(Stop::deadline(deadline))
                            } else {
                                session.resume(Input::Waited)
                            }
                        }
                    }
                }
                Command::Send(request) if guard.as_deref().is_some_and(|m| request.carries(m)) => {
                    let reason = format!(
                        "{} {} would carry a value the store keeps masked (a secret or sensitive value from an earlier answer, never recorded), so the run cannot go on from its journal; run the workflow again",
                        request.method,
                        session.masked(&request.url)
                    );
                    session.stop(Stop {
                        cause: StopCause::Refused,
                        reason,
                    })
                }
                Command::Send(request) => {
                    // The run waits for its API's pace and its turn to send; stopped
                    // meanwhile, it has sent nothing.
                    let _turn = if self.gate.is_none() && self.paces.is_empty() {
                        None
                    } else {
                        // Its API's pace first, so that a run waiting for it holds no turn
                        // another API's request could use.
                        let turn = async {
                            for pace in self.paces.iter().filter(|p| p.covers(&request.url)) {
                                pace.turn().await;
                            }
                            match &self.gate {
                                Some(gate) => gate.clone().acquire_owned().await.ok(),
                                None => None,
                            }
                        };
                        tokio::select! {
                            biased;
                            stop = &mut stop, if !stop_fired => {
                                stop_fired = true;
                                command = session.stop(stop);
                                continue;
                            }
                            () = tokio::time::sleep(remaining) => {
                                command = session.stop(Stop::deadline(deadline));
                                continue;
                            }
                            turn = turn => turn,
                        }
                    };
                    // `false` stops the retries: the journal could not record one.
                    let mut hear = |heard: Heard| match heard {
                        Heard::Made(made) => {
                            made.secrets.iter().for_each(|v| session.learn_secret(v));
                            for (source, scheme) in made.tokens {
                                session.token_fetched(source, scheme);
                            }
                            true
                        }
                        Heard::Retry {
                            attempt,
                            reason,
                            wait,
                        } => session.retried(attempt, reason, wait),
                    };
                    // A stop asked for while the request is in flight waits for its answer
                    // (within the request's timeout), so that the answer is recorded and the
                    // run stops at a point it can be resumed from without doubt.
                    let (sent, asked) = {
                        let sending = self.send_retrying(request, started, deadline, &mut hear);
                        tokio::pin!(sending);
                        let mut asked = None;
                        let sent = loop {
                            tokio::select! {
                                biased;
                                stop = &mut stop, if !stop_fired => {
                                    stop_fired = true;
                                    asked = Some(stop);
                                }
                                sent = &mut sending => break sent,
                            }
                        };
                        (sent, asked)
                    };
                    let next = match sent {
                        Sent::Response(response, elapsed_us) => session.resume(Input::Response {
                            response,
                            elapsed_us,
                        }),
                        Sent::Failed(..) if started.elapsed() >= deadline => {
                            session.stop(Stop::deadline(deadline))
                        }
                        Sent::Failed(reason, elapsed_us, _, limit) => {
                            session.resume(Input::TransportFailed {
                                reason,
                                elapsed_us,
                                limit,
                            })
                        }
                        Sent::TooLarge(reason) => session.stop(Stop {
                            cause: StopCause::ResponseTooLarge,
                            reason,
                        }),
                    };
                    match (next, asked) {
                        (Command::Finished(outcome), _) => Command::Finished(outcome),
                        (_, Some(stop)) => session.stop(stop),
                        (next, None) => next,
                    }
                }
            };
        }
    }
}

/// A marker no document or server can guess, of letters and digits only (so it reads the
/// same in every encoding a request uses): what a journal's stand-ins for hidden values
/// become when the journal is fed back, so that no live request can carry one unnoticed.
pub fn stand_in_marker() -> String {
    use std::hash::{BuildHasher, Hasher};
    let random = |salt: u64| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(salt);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.finish()
    };
    format!("telaiomasked{:016x}{:016x}", random(1), random(2))
}

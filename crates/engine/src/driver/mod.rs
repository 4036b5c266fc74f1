//! The async driver: performs the machine's commands over HTTP (reqwest, rustls) and with
//! timers (tokio), within the run's deadline, and hands every event to an observer.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use telaio_auth::{Credentials, SchemeKind};
use telaio_plan::Plan;
use telaio_run::{
    Command, DriverLimits, Entry, Input, JournalHeader, Limit, Observer, Outcome, Request,
    Response, RunOptions, Session, Stop, StopCause,
};

mod auth;
mod resume;

pub use resume::{InDoubt, ResumeError};

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
}

/// Why the driver cannot start.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client: {0}")]
pub struct DriverError(String);

/// What [`Driver::send_retrying`] reports while it works.
enum Heard {
    /// Credentials made for an attempt.
    Made(Made),
    /// Another attempt follows, after `wait`.
    Retry {
        attempt: u32,
        reason: String,
        wait: Duration,
    },
}

/// Credentials made for an attempt: values to mask (its `Authorization`), and the OAuth
/// tokens fetched, by source and scheme.
#[derive(Default)]
pub(super) struct Made {
    secrets: Vec<String>,
    pub(super) tokens: Vec<(String, String)>,
}

enum Sent {
    Response(Response, u64),
    /// No response: why, the microseconds spent, whether the connection failed (which
    /// another attempt may cure), and the limit that cut it short, if one did.
    Failed(String, u64, bool, Option<Limit>),
    TooLarge(String),
}

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
        })
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
    /// - a wait: the rest of it is waited (`waited` is how long ago the last entry was
    ///   written);
    /// - a request: it may have been sent and taken effect. It is sent again when that is
    ///   safe ([`telaio_run::safe_to_resend`]) or `in_doubt` says to; otherwise nothing is
    ///   sent and [`ResumeError::InDoubt`] names it, or with [`InDoubt::Fail`] the run ends
    ///   failed;
    /// - an interruption (Ctrl-C, SIGTERM, a cancelled call): it is taken back, and the run
    ///   goes on from before it; as a stop waits for the answer in flight, the request that
    ///   follows was never sent, and is not in doubt.
    #[allow(clippy::too_many_arguments)]
    pub async fn resume_until(
        &self,
        plan: &Plan,
        header: &JournalHeader,
        inputs: Value,
        mut entries: Vec<Entry>,
        waited: Duration,
        in_doubt: InDoubt,
        observe: &mut dyn Observer,
        stop: impl std::future::Future<Output = Stop> + Send,
    ) -> Result<Outcome, ResumeError> {
        // A run stops from outside at a safe point: in a wait, or after an answer and
        // before the next request. Taken back, the run goes on from there, and the request
        // it makes next was never sent.
        let interrupted = entries.last().is_some_and(Entry::is_interruption);
        if interrupted {
            entries.pop();
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
                        cause: StopCause::Cancelled,
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
                        cause: StopCause::Cancelled,
                        reason,
                    })
                }
                Command::Send(request) => {
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

    /// Sends a request; one to an AWS API gets more attempts after transient failures, each
    /// authenticated (signed) anew; `heard` hears of each retry and each credential made. The time reported is
    /// that of all attempts and waits.
    async fn send_retrying(
        &self,
        request: Request,
        run_started: Instant,
        deadline: Duration,
        heard: &mut (dyn FnMut(Heard) -> bool + Send),
    ) -> Sent {
        let aws = request.security.as_ref().is_some_and(|s| {
            s.iter()
                .flatten()
                .any(|s| matches!(s.kind, SchemeKind::AwsSigV4 { .. }))
        });
        let retries = if aws {
            self.options.transport_retries
        } else {
            0
        };
        let began = Instant::now();
        // The step's own time limit (or what is left of a called workflow's) covers every
        // attempt and wait, not each one.
        let budget = request.timeout;
        let mut attempt = 1;
        loop {
            let remaining = deadline.saturating_sub(run_started.elapsed());
            let mut made = Made::default();
            let mut this = request.clone();
            this.timeout = budget.map(|b| b.saturating_sub(began.elapsed()));
            let mut sent = self.send(this, remaining, Instant::now(), &mut made).await;
            if !made.secrets.is_empty() || !made.tokens.is_empty() {
                heard(Heard::Made(made));
            }
            let (reason, asked) = match &sent {
                Sent::Response(r, _) => (crate::retry::retry_reason(r), r.retry_after),
                Sent::Failed(reason, _, true, _) => (Some(reason.clone()), None),
                _ => (None, None),
            };
            let wait = crate::retry::backoff(
                attempt,
                self.options.transport_backoff,
                asked,
                crate::retry::random(),
            );
            let time_left = deadline
                .saturating_sub(run_started.elapsed())
                .min(budget.map_or(Duration::MAX, |b| b.saturating_sub(began.elapsed())));
            match reason {
                Some(reason)
                    if attempt <= retries
                        && wait < time_left
                        && heard(Heard::Retry {
                            attempt: attempt + 1,
                            reason: reason.clone(),
                            wait,
                        }) =>
                {
                    attempt += 1;
                    tokio::time::sleep(wait).await;
                }
                _ => {
                    // The run's clock counts every attempt and wait.
                    let total = began.elapsed().as_micros() as u64;
                    match &mut sent {
                        Sent::Response(_, us) | Sent::Failed(_, us, _, _) => *us = total,
                        Sent::TooLarge(_) => {}
                    }
                    return sent;
                }
            }
        }
    }

    /// Sends a request (authenticating it first); `began` is when the attempt began, for
    /// the time a failure took.
    async fn send(
        &self,
        mut request: Request,
        remaining: Duration,
        began: Instant,
        made: &mut Made,
    ) -> Sent {
        let failed =
            |reason: String| Sent::Failed(reason, began.elapsed().as_micros() as u64, false, None);
        let mut timeout = self.options.request_timeout.min(remaining);
        let mut limit = Some(Limit::RequestTimeout);
        if let Some(step_limit) = request.timeout.filter(|t| *t < timeout) {
            timeout = step_limit;
            limit = None;
        }
        if let Err(reason) = self.authenticate(&mut request, timeout, made).await {
            return failed(reason);
        }
        // A token or basic credential made for the request is masked from now on (the
        // redactor masks SigV4 signatures by their shape, as they change every request).
        if let Some(value) = request.header("authorization")
            && !value.starts_with("AWS4-")
        {
            made.secrets.push(value.to_owned());
            if let Some((_, credential)) = value.split_once(' ') {
                made.secrets.push(credential.to_owned());
            }
        }
        let started = Instant::now();
        let Ok(method) = reqwest::Method::from_bytes(request.method.as_bytes()) else {
            return failed(format!("`{}` is not an HTTP method", request.method));
        };
        let client = match self.client_for(&request.url) {
            Ok(c) => c,
            Err(e) => return failed(e),
        };
        let mut builder = client.request(method, &request.url);
        for (k, v) in &request.headers {
            builder = builder.header(k, v);
        }
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let exchange = async {
            let mut response = builder
                .send()
                .await
                .map_err(|e| (describe(&e), e.is_connect()))?;
            let status = response.status().as_u16();
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let mut bytes = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(|e| (describe(&e), false))? {
                if bytes.len() + chunk.len() > self.options.max_response_bytes {
                    return Ok(Err(format!(
                        "the response body is larger than {} bytes",
                        self.options.max_response_bytes
                    )));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok::<_, (String, bool)>(Ok((status, headers, bytes)))
        };
        match tokio::time::timeout(timeout, exchange).await {
            Err(_) => Sent::Failed(
                format!(
                    "no response within {} s{}",
                    telaio_run::seconds(timeout),
                    if limit.is_none() {
                        " (the step's timeout)"
                    } else {
                        ""
                    }
                ),
                began.elapsed().as_micros() as u64,
                false,
                limit,
            ),
            Ok(Err((reason, connect))) => {
                Sent::Failed(reason, began.elapsed().as_micros() as u64, connect, None)
            }
            Ok(Ok(Err(too_large))) => Sent::TooLarge(too_large),
            Ok(Ok(Ok((status, headers, bytes)))) => {
                let response = Response::new(status, headers, &bytes, SystemTime::now());
                Sent::Response(response, started.elapsed().as_micros() as u64)
            }
        }
    }
}

/// A transport error in one line: what failed and why (connection refused, reset, TLS, ...).
fn describe(e: &reqwest::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// A marker no document or server can guess, of letters and digits only (so it reads the
/// same in every encoding a request uses).
fn stand_in_marker() -> String {
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

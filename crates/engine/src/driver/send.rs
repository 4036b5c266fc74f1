//! Sending one request of a run: authenticated just before it goes out, within its time
//! limits, with more attempts for an AWS API after a transient failure (each signed anew).

use std::time::{Duration, Instant, SystemTime};

use telaio_auth::SchemeKind;
use telaio_run::{Input, Limit, Request, Response};

use super::Driver;

/// What [`Driver::send_retrying`] reports while it works.
pub(super) enum Heard {
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
    pub(super) secrets: Vec<String>,
    pub(super) tokens: Vec<(String, String)>,
}

pub(super) enum Sent {
    Response(Response, u64),
    /// No response: why, the microseconds spent, whether the connection failed (which
    /// another attempt may cure), and the limit that cut it short, if one did.
    Failed(String, u64, bool, Option<Limit>),
    TooLarge(String),
}

/// One attempt at a request ([`Driver::attempt`]): what became of it, and the credentials
/// made for it.
#[derive(Debug)]
pub struct Attempted {
    /// What became of it.
    pub outcome: AttemptOutcome,
    /// Values to mask from now on (the attempt's `Authorization`, a fetched token).
    pub secrets: Vec<String>,
    /// The OAuth tokens fetched for it, by source and scheme (never the tokens).
    pub tokens: Vec<(String, String)>,
}

/// What became of one attempt.
#[derive(Debug)]
pub enum AttemptOutcome {
    /// An answer, or a failure another attempt would not cure: the machine's input.
    Input(Input),
    /// A failure another attempt may cure (throttling, `5xx`, a failed connection to an AWS
    /// API): make attempt `attempt` after waiting `wait`.
    Retry {
        /// The attempt to make next.
        attempt: u32,
        /// What went wrong.
        reason: String,
        /// How long to wait first.
        wait: Duration,
    },
    /// The response was larger than the driver keeps: the run stops, with this reason.
    TooLarge(String),
}

impl Driver {
    /// Makes attempt number `attempt` (from 1) at `request`, within `remaining` of the run's
    /// time, and says whether another should follow and after what wait: for a driver that
    /// records each attempt and waits between them itself (a durable timer), where
    /// [`Driver::run`] does all of it in one go.
    pub async fn attempt(&self, request: Request, attempt: u32, remaining: Duration) -> Attempted {
        let mut made = Made::default();
        let sent = self
            .send(request.clone(), remaining, Instant::now(), &mut made)
            .await;
        let retry = self.retry(&request, &sent, attempt, remaining);
        let outcome = match (retry, sent) {
            (Some((reason, wait)), _) => AttemptOutcome::Retry {
                attempt: attempt + 1,
                reason,
                wait,
            },
            (None, Sent::Response(response, elapsed_us)) => {
                AttemptOutcome::Input(Input::Response {
                    response,
                    elapsed_us,
                })
            }
            (None, Sent::Failed(reason, elapsed_us, _, limit)) => {
                AttemptOutcome::Input(Input::TransportFailed {
                    reason,
                    elapsed_us,
                    limit,
                })
            }
            (None, Sent::TooLarge(reason)) => AttemptOutcome::TooLarge(reason),
        };
        Attempted {
            outcome,
            secrets: made.secrets,
            tokens: made.tokens,
        }
    }

    /// Whether attempt `attempt` at `request`, which ended as `sent`, is tried again, why and
    /// after what wait: only requests to an AWS API, after a transient failure, within the
    /// driver's transport retries and `time_left`.
    fn retry(
        &self,
        request: &Request,
        sent: &Sent,
        attempt: u32,
        time_left: Duration,
    ) -> Option<(String, Duration)> {
        let aws = request.security.as_ref().is_some_and(|s| {
            s.iter()
                .flatten()
                .any(|s| matches!(s.kind, SchemeKind::AwsSigV4 { .. }))
        });
        if !aws || attempt > self.options.transport_retries {
            return None;
        }
        let (reason, asked) = match sent {
            Sent::Response(r, _) => (crate::retry::retry_reason(r)?, r.retry_after),
            Sent::Failed(reason, _, true, _) => (reason.clone(), None),
            _ => return None,
        };
        let wait = crate::retry::backoff(
            attempt,
            self.options.transport_backoff,
            asked,
            crate::retry::random(),
        );
        (wait < time_left).then_some((reason, wait))
    }

    /// Sends a request; one to an AWS API gets more attempts after transient failures, each
    /// authenticated (signed) anew; `heard` hears of each retry and each credential made. The time reported is
    /// that of all attempts and waits.
    pub(super) async fn send_retrying(
        &self,
        request: Request,
        run_started: Instant,
        deadline: Duration,
        heard: &mut (dyn FnMut(Heard) -> bool + Send),
    ) -> Sent {
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
            let time_left = deadline
                .saturating_sub(run_started.elapsed())
                .min(budget.map_or(Duration::MAX, |b| b.saturating_sub(began.elapsed())));
            // Another attempt, when it is due and the journal could record it.
            let again =
                self.retry(&request, &sent, attempt, time_left)
                    .and_then(|(reason, wait)| {
                        heard(Heard::Retry {
                            attempt: attempt + 1,
                            reason,
                            wait,
                        })
                        .then_some(wait)
                    });
            if let Some(wait) = again {
                attempt += 1;
                tokio::time::sleep(wait).await;
                continue;
            }
            // The run's clock counts every attempt and wait.
            let total = began.elapsed().as_micros() as u64;
            match &mut sent {
                Sent::Response(_, us) | Sent::Failed(_, us, _, _) => *us = total,
                Sent::TooLarge(_) => {}
            }
            return sent;
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
pub(super) fn describe(e: &reqwest::Error) -> String {
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

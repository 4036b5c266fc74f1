//! The journal: a run's record as everything its machine consumed, in order, after a header
//! saying what ran. The machine is deterministic, so replaying the entries through it, with
//! no I/O, gives back the run's events and its outcome.
//!
//! This module is plain data ([`crate::replay`] feeds it back); writing entries to a file,
//! and reading them back, is the caller's. What a journal holds is what the redactor lets through: no
//! credential, no secret input and no `Authorization` ever reaches it (see
//! [`crate::Observer::entry`]).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use telaio_expr::{Body, BodyFormat};

use crate::event::Limit;
use crate::http::Response;
pub use crate::identity::DocumentIdentity;
use crate::machine::{Input, RunOptions, millis};
use crate::redact::Redactor;
use telaio_plan::PlanOptions;

/// The format a journal's header names, for readers to refuse what they do not know.
pub const JOURNAL_FORMAT: &str = "telaio-journal/1";

/// The first line of a journal: what ran, with what, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalHeader {
    /// [`JOURNAL_FORMAT`].
    pub format: String,
    /// The version of Telaio that wrote it.
    pub telaio: String,
    /// The run's id in its store, when it was recorded in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// When the run began, in milliseconds since the Unix epoch (events are stamped from
    /// here, on the run's clock).
    pub started_at_ms: u64,
    /// The document, as loaded.
    pub document: DocumentIdentity,
    /// The workflow run.
    pub workflow_id: String,
    /// Its inputs, after defaults, with secrets masked.
    pub inputs: Value,
    /// The run's limits and pacing.
    pub options: RunOptions,
    /// The choices that shaped the plan (servers, server variables, forced auth).
    pub plan: PlanOptions,
    /// Whether the run showed data marked `x-sensitive` (then the journal holds it too).
    #[serde(default)]
    pub show_sensitive: bool,
    /// Whether its APIs were an in-process mock (`telaio run --mock`), which ended with the
    /// run: a replay needs no server, a resume has none to go back to.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mock: bool,
    /// How the run read its document's sources, so that a replay reads the same files the
    /// same way (and no others).
    #[serde(default)]
    pub loading: Loading,
    /// The driver's limits the run was started with, so that a resume keeps them (none: the
    /// driver's defaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<DriverLimits>,
    /// What started the run when it was not a command at a terminal (`serve`): a server
    /// that starts again resumes the runs it left, and no others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl JournalHeader {
    /// This header with the credentials of every URL it holds masked (a `--server` given as
    /// `https://user:password@host`, a source read from such a URL): a store or a journal
    /// file never keeps them. A resume asks for such a server again.
    #[must_use]
    pub fn with_urls_masked(mut self) -> JournalHeader {
        use crate::redact::mask_userinfo;
        for url in self.plan.servers.values_mut() {
            *url = mask_userinfo(url);
        }
        for url in self.document.sources.values_mut() {
            *url = mask_userinfo(url);
        }
        self.document.url = mask_userinfo(&self.document.url);
        self
    }
}

/// The limits of the driver that performs a run's requests, as a journal keeps them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DriverLimits {
    /// Longest wait for one response, body included.
    #[serde(rename = "requestTimeoutMs", with = "crate::machine::millis_serde")]
    pub request_timeout: Duration,
    /// Largest response body kept in memory.
    pub max_response_bytes: usize,
    /// Extra attempts for a request to an AWS API after a transient failure.
    pub transport_retries: u32,
}

/// How a run read its document's sources: what its caller chose, beyond the document itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Loading {
    /// Sources read from another file than the document names, by name (absolute paths).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub substitutes: BTreeMap<String, std::path::PathBuf>,
    /// The folder relative source URLs were resolved against, when not the document's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_base: Option<std::path::PathBuf>,
    /// The folders sources could be read from, besides the document's tree.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_roots: Vec<std::path::PathBuf>,
    /// The largest document read, in bytes (none: the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_document_bytes: Option<u64>,
}

/// One thing the machine consumed, or the driver decided, in the order it happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "entry",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Entry {
    /// A response arrived.
    Response {
        /// The HTTP status.
        status: u16,
        /// The headers, secret ones masked.
        headers: Vec<(String, String)>,
        /// The body as the run read it, secrets masked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<JournalBody>,
        /// Body bytes received.
        body_bytes: usize,
        /// The wait `Retry-After` asked for, as read when the response arrived.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
        /// Microseconds from sending to the end of the body (every attempt included).
        elapsed_us: u64,
    },
    /// No response: the request failed.
    TransportFailed {
        /// Why.
        reason: String,
        /// Microseconds spent trying.
        elapsed_us: u64,
        /// The driver's limit that ended it, when one did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<Limit>,
    },
    /// A wait the machine asked for is over.
    Waited {
        /// How long it was.
        millis: u64,
    },
    /// The driver sends a request again after a transient failure (its own decision, below
    /// the workflow's actions).
    RequestRetried {
        /// The attempt about to be made.
        attempt: u32,
        /// What went wrong with the last one.
        reason: String,
        /// Milliseconds waited first.
        millis: u64,
    },
    /// The driver fetched an access token for a source's OAuth scheme (the token itself
    /// is never recorded).
    TokenFetched {
        /// The source description.
        source: String,
        /// The security scheme.
        scheme: String,
    },
    /// The run was stopped from outside.
    Stopped {
        /// What stopped it.
        cause: StopCause,
        /// Why, in a sentence.
        reason: String,
    },
}

/// A response body as a journal holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum JournalBody {
    /// A body read as JSON.
    Json(Value),
    /// A body kept as text (XML included).
    Text(String),
}

/// What stopped a run from outside its workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum StopCause {
    /// The run's deadline passed.
    Deadline,
    /// A response body was larger than the driver keeps.
    ResponseTooLarge,
    /// A signal (2 for Ctrl-C, 15 for SIGTERM).
    Signal {
        /// The signal's number.
        number: u8,
    },
    /// The embedding program stopped it.
    Cancelled,
    /// It stopped rather than send a request it must not: a call in doubt that a person
    /// chose not to send again, or one that would carry a value known only masked. It ends
    /// failed, and is not resumed.
    Refused,
    /// A request that may or may not have taken effect when its driver was lost, and is not
    /// safe to send again: the run ends `in-doubt`, naming it.
    InDoubt,
}

/// Why a run stopped from outside: what, and a sentence saying so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stop {
    /// What stopped it.
    pub cause: StopCause,
    /// Why, in a sentence (it becomes the run's error).
    pub reason: String,
}

impl Stop {
    /// The stop at a run's deadline, said as the run's core says it.
    pub fn deadline(deadline: Duration) -> Stop {
        Stop {
            cause: StopCause::Deadline,
            reason: crate::machine::deadline::reason(deadline),
        }
    }
}

impl StopCause {
    /// Whether the run was interrupted (a signal, a cancellation) rather than stopped by one
    /// of its limits: it can go on from where it stopped.
    pub fn interrupts(self) -> bool {
        matches!(self, StopCause::Signal { .. } | StopCause::Cancelled)
    }

    /// The run's limit this stop is, when it is one.
    pub fn limit(self) -> Option<Limit> {
        match self {
            StopCause::Deadline => Some(Limit::Deadline),
            StopCause::ResponseTooLarge => Some(Limit::ResponseSize),
            StopCause::Signal { .. }
            | StopCause::Cancelled
            | StopCause::Refused
            | StopCause::InDoubt => None,
        }
    }
}

impl Entry {
    /// Whether the entry records an interruption (a signal, a cancellation): a resume takes
    /// it back and goes on from before it.
    pub fn is_interruption(&self) -> bool {
        matches!(self, Entry::Stopped { cause, .. } if cause.interrupts())
    }

    /// Replaces what stands in for each value the redactor hid (a masked secret, a
    /// sensitive value shown by its size) in a recorded answer with `marker`: a run resumed
    /// from it knows that value only as the marker, and must not send it. Whether any was.
    pub fn mark_stand_ins(&mut self, marker: &str) -> bool {
        let Entry::Response { headers, body, .. } = self else {
            return false;
        };
        let mut marked = false;
        for (_, v) in headers.iter_mut() {
            if let Some(m) = crate::redact::mark_stand_ins(v, marker) {
                *v = m;
                marked = true;
            }
        }
        match body {
            Some(JournalBody::Text(t)) => {
                if let Some(m) = crate::redact::mark_stand_ins(t, marker) {
                    *t = m;
                    marked = true;
                }
            }
            Some(JournalBody::Json(v)) => marked |= json_mark_stand_ins(v, marker),
            None => {}
        }
        marked
    }

    /// The entry recording what the machine is given (with nothing masked yet).
    /// The entry of what the machine was given (`waited`: the wait it was waiting), not yet
    /// masked.
    pub fn of_input(input: &Input, waited: Duration) -> Entry {
        match input {
            Input::Response {
                response,
                elapsed_us,
            } => Entry::Response {
                status: response.status,
                headers: response.headers.clone(),
                body: response.body.as_ref().map(|b| match b.format {
                    BodyFormat::Json => JournalBody::Json(b.value.clone()),
                    BodyFormat::Xml | BodyFormat::Text => {
                        JournalBody::Text(b.value.as_str().unwrap_or_default().to_owned())
                    }
                }),
                body_bytes: response.body_bytes,
                retry_after_ms: response.retry_after.map(millis),
                elapsed_us: *elapsed_us,
            },
            Input::TransportFailed {
                reason,
                elapsed_us,
                limit,
            } => Entry::TransportFailed {
                reason: reason.clone(),
                elapsed_us: *elapsed_us,
                limit: *limit,
            },
            Input::Waited => Entry::Waited {
                millis: millis(waited),
            },
        }
    }

    /// The machine's input this entry records, when it records one.
    pub(crate) fn into_input(self) -> Option<Input> {
        Some(match self {
            Entry::Response {
                status,
                headers,
                body,
                body_bytes,
                retry_after_ms,
                elapsed_us,
            } => Input::Response {
                response: Response {
                    status,
                    headers,
                    body: body.map(|b| match b {
                        JournalBody::Json(v) => Body::json(v),
                        JournalBody::Text(t) => Body::text(t),
                    }),
                    body_bytes,
                    retry_after: retry_after_ms.map(Duration::from_millis),
                },
                elapsed_us,
            },
            Entry::TransportFailed {
                reason,
                elapsed_us,
                limit,
            } => Input::TransportFailed {
                reason,
                elapsed_us,
                limit,
            },
            Entry::Waited { .. } => Input::Waited,
            Entry::RequestRetried { .. } | Entry::TokenFetched { .. } | Entry::Stopped { .. } => {
                return None;
            }
        })
    }

    /// What kind of entry this is.
    pub fn kind(&self) -> EntryKind {
        match self {
            Entry::Response { .. } => EntryKind::Response,
            Entry::TransportFailed { .. } => EntryKind::TransportFailed,
            Entry::Waited { .. } => EntryKind::Waited,
            Entry::RequestRetried { .. } => EntryKind::RequestRetried,
            Entry::TokenFetched { .. } => EntryKind::TokenFetched,
            Entry::Stopped { .. } => EntryKind::Stopped,
        }
    }
}

/// The kinds of [`Entry`], for saying which one did not fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// [`Entry::Response`].
    Response,
    /// [`Entry::TransportFailed`].
    TransportFailed,
    /// [`Entry::Waited`].
    Waited,
    /// [`Entry::RequestRetried`].
    RequestRetried,
    /// [`Entry::TokenFetched`].
    TokenFetched,
    /// [`Entry::Stopped`].
    Stopped,
}

impl std::fmt::Display for EntryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EntryKind::Response => "a response",
            EntryKind::TransportFailed => "a failed request",
            EntryKind::Waited => "a wait",
            EntryKind::RequestRetried => "a transport retry",
            EntryKind::TokenFetched => "a token fetch",
            EntryKind::Stopped => "a stop",
        })
    }
}

impl Redactor {
    /// The entry with secrets masked: secret headers whole, known secrets wherever they
    /// appear, and sensitive data by size (as in events).
    pub fn entry(&self, e: &Entry) -> Entry {
        match e {
            Entry::Response {
                status,
                headers,
                body,
                body_bytes,
                retry_after_ms,
                elapsed_us,
            } => Entry::Response {
                status: *status,
                headers: self.headers(headers),
                body: body.as_ref().map(|b| match b {
                    JournalBody::Json(v) => JournalBody::Json(self.value(v)),
                    JournalBody::Text(t) => JournalBody::Text(self.text(t)),
                }),
                body_bytes: *body_bytes,
                retry_after_ms: *retry_after_ms,
                elapsed_us: *elapsed_us,
            },
            Entry::TransportFailed {
                reason,
                elapsed_us,
                limit,
            } => Entry::TransportFailed {
                reason: self.text(reason),
                elapsed_us: *elapsed_us,
                limit: *limit,
            },
            Entry::RequestRetried {
                attempt,
                reason,
                millis,
            } => Entry::RequestRetried {
                attempt: *attempt,
                reason: self.text(reason),
                millis: *millis,
            },
            Entry::Stopped { cause, reason } => Entry::Stopped {
                cause: *cause,
                reason: self.text(reason),
            },
            other => other.clone(),
        }
    }
}

fn json_mark_stand_ins(v: &mut Value, marker: &str) -> bool {
    match v {
        Value::String(s) => match crate::redact::mark_stand_ins(s, marker) {
            Some(m) => {
                *s = m;
                true
            }
            None => false,
        },
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |any, i| json_mark_stand_ins(i, marker) | any),
        Value::Object(map) => map
            .values_mut()
            .fold(false, |any, i| json_mark_stand_ins(i, marker) | any),
        _ => false,
    }
}

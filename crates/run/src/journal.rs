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
use sha2::{Digest, Sha256};
use telaio_expr::{Body, BodyFormat};
use telaio_model::{Bundle, Source};

use crate::event::Limit;
use crate::http::Response;
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

/// Which document a journal belongs to: where it was, and a hash of what it said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentIdentity {
    /// The Arazzo document's URL (`file:` for local files).
    pub url: String,
    /// For a local document, its absolute path, as the run's URL holds it (`..` and all), so
    /// that a replay reads it, and names it, as the run did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<std::path::PathBuf>,
    /// Each source description's name and the URL it was loaded from.
    pub sources: BTreeMap<String, String>,
    /// SHA-256, in hex, over the Arazzo document's text and the content of every source
    /// description it loaded (linked Arazzo documents and their sources too).
    pub sha256: String,
}

impl DocumentIdentity {
    /// The identity of a loaded document.
    ///
    /// API descriptions are hashed as the JSON they parse to, so a change of layout that
    /// changes nothing they say keeps the identity; any change to the Arazzo text changes it.
    pub fn of(bundle: &Bundle) -> DocumentIdentity {
        let mut hash = Sha256::new();
        let mut sources = BTreeMap::new();
        for (i, b) in std::iter::once(bundle).chain(&bundle.linked).enumerate() {
            hash.update(b.document.source.text.as_bytes());
            for s in &b.sources {
                if i == 0
                    && let Some(url) = &s.url
                {
                    sources.insert(s.name.clone(), url.to_string());
                }
                hash.update(s.name.as_bytes());
                match &s.content {
                    Ok(Source::Api(api)) => {
                        // Streamed into the hash: no copy of a large description is made.
                        let _ = serde_json::to_writer(HashWriter(&mut hash), &api.document);
                    }
                    Ok(Source::Arazzo(doc)) => hash.update(doc.source.text.as_bytes()),
                    Err(_) => hash.update(b"\0unloaded"),
                }
            }
        }
        let digest = hash.finalize();
        let url = &bundle.document.source.url;
        DocumentIdentity {
            url: url.to_string(),
            path: (url.scheme() == "file")
                .then(|| url.to_file_path().ok())
                .flatten(),
            sources,
            sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }
}

struct HashWriter<'h>(&'h mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
    /// The run's limit this stop is, when it is one.
    pub fn limit(self) -> Option<Limit> {
        match self {
            StopCause::Deadline => Some(Limit::Deadline),
            StopCause::ResponseTooLarge => Some(Limit::ResponseSize),
            StopCause::Signal { .. } | StopCause::Cancelled => None,
        }
    }
}

impl Entry {
    /// The entry recording what the machine is given (with nothing masked yet).
    pub(crate) fn of_input(input: &Input, waited: Duration) -> Entry {
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

//! Scenario files: what makes the mock stateful. A YAML (or JSON) file such as
//!
//! ```yaml
//! operations:
//!   createFaceLivenessSession:
//!     idempotencyKey: ClientRequestToken     # the same token gets the same session
//!     responses:
//!       - body: {SessionId: "{{id}}"}         # a fresh id, remembered as handed out
//!   getFaceLivenessSessionResults:
//!     key: SessionId                          # each session has its own sequence
//!     unknownKey:                             # an id the mock never handed out
//!       status: 400
//!       body: {__type: SessionNotFoundException, Message: "Session {{key}} not found"}
//!     responses:                              # in order; the last one repeats
//!       - body: {SessionId: "{{key}}", Status: CREATED}
//!       - body: {SessionId: "{{key}}", Status: IN_PROGRESS}
//!       - body: {SessionId: "{{key}}", Status: SUCCEEDED, Confidence: 99.1}
//!     faults:
//!       - every: 4                            # every 4th call is throttled
//!         reply: {status: 400, body: {__type: ThrottlingException, Message: Rate exceeded}}
//! ```
//!
//! A top-level `expiredSessionTokens: [token]` makes requests signed with those AWS session
//! tokens fail as expired credentials do.
//!
//! The mock keeps up to 100,000 keys, idempotency tokens and handed-out ids each; past that
//! it starts that memory over (a long-lived mock under load stays bounded).
//!
//! In body strings, `{{id}}` is a fresh id, `{{key}}` the value of the operation's `key`,
//! `{{request.Field}}` a field of the request body (or `{{request./json/pointer}}`), and
//! `{{count}}` the operation's call number. Parses; answers nothing itself.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

/// A whole scenario.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct Scenario {
    /// What each operation (by `operationId`) answers.
    #[serde(default)]
    pub operations: IndexMap<String, OperationScenario>,
    /// AWS session tokens to treat as expired (with `--verify-sigv4`): a request carrying one
    /// gets 403 `ExpiredTokenException`, as from AWS when temporary credentials run out.
    #[serde(default)]
    pub expired_session_tokens: Vec<String>,
}

/// How one operation answers.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OperationScenario {
    /// A request body field (a name, or a JSON Pointer): each distinct value goes through
    /// `responses` on its own.
    pub key: Option<String>,
    /// The answer when the `key` value is not an id the mock handed out (`{{id}}`).
    pub unknown_key: Option<Reply>,
    /// A request body field: a value seen before gets the same answer again.
    pub idempotency_key: Option<String>,
    /// Answers in order, the last one repeating; none: the description's example.
    #[serde(default)]
    pub responses: Vec<Reply>,
    /// Answers that replace every `every`-th call (throttling, server errors).
    #[serde(default)]
    pub faults: Vec<Fault>,
}

/// One answer.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Reply {
    /// The HTTP status (200).
    #[serde(default = "ok")]
    pub status: u16,
    /// Extra response headers.
    #[serde(default)]
    pub headers: IndexMap<String, String>,
    /// The body (JSON), with placeholders.
    pub body: Option<Value>,
    /// Milliseconds to wait before answering (latency).
    #[serde(default)]
    pub delay_ms: u64,
}

/// A fault injected into an operation's calls.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// Every how many calls (3: the 3rd, 6th, ...).
    pub every: u64,
    /// What those calls get.
    pub reply: Reply,
}

fn ok() -> u16 {
    200
}

/// A scenario file that cannot be used, with where.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ScenarioError {
    /// The file.
    pub file: String,
    /// 1-based line (1 when the problem has no place).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl Scenario {
    /// Reads a scenario from YAML or JSON text; `file` names it in errors.
    ///
    /// ```
    /// let text = "operations:\n  getJob:\n    responses: [{body: {status: done}}]\n";
    /// let s = telaio_mock::Scenario::parse("s.yaml", text).unwrap();
    /// assert_eq!(s.operations["getJob"].responses[0].status, 200);
    /// let e = telaio_mock::Scenario::parse("s.yaml", "operations:\n  getJob:\n    respones: []\n").unwrap_err();
    /// assert_eq!((e.line, e.column), (3, 5));
    /// ```
    pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let at = |position: Option<(usize, usize)>, message: String| {
            let (line, column) = position.unwrap_or((1, 1));
            ScenarioError {
                file: file.to_owned(),
                line,
                column,
                message,
            }
        };
        let parsed = telaio_model::parse_text(text, &telaio_model::LoadOptions::default().parse)
            .map_err(|e| {
                let place = (e.position.line as usize, e.position.column as usize);
                at(Some(place), e.message)
            })?;
        serde_json::from_value(parsed.root.to_json()).map_err(|e| {
            let message = e.to_string();
            // serde names the field it stumbled on: point at its first occurrence.
            let place = message
                .split('`')
                .nth(1)
                .and_then(|name| locate(text, name));
            at(place, message)
        })
    }
}

/// Line and column of the first `name:` key in the text.
fn locate(text: &str, name: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(i, line)| {
        let column = line.find(&format!("{name}:"))?;
        Some((i + 1, column + 1))
    })
}

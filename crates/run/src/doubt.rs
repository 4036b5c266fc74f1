//! Calls in doubt: a request that was (or may have been) sent, whose answer was never
//! recorded. Sending it again is safe only when doing so twice does what doing it once does.

use std::fmt;

use crate::Request;

/// Why a request may be sent again without harm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SafeToResend {
    /// Its method is idempotent (RFC 9110 §9.2.2: GET, HEAD, PUT, DELETE, OPTIONS, TRACE).
    IdempotentMethod,
    /// It only reads: an AWS JSON API operation (`X-Amz-Target`) named `Get*`, `Describe*`,
    /// `List*`, `Search*` or `Batch Get*`, which AWS sends as `POST`.
    ReadOperation(String),
    /// It carries an idempotency key: the server answers a repeat as it answered the first
    /// (an `Idempotency-Key` header, or AWS's `ClientRequestToken` in a JSON body).
    IdempotencyKey(String),
}

impl fmt::Display for SafeToResend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SafeToResend::IdempotentMethod => f.write_str("its method is idempotent"),
            SafeToResend::ReadOperation(op) => write!(f, "`{op}` only reads"),
            SafeToResend::IdempotencyKey(key) => {
                write!(f, "it carries the idempotency key `{key}`")
            }
        }
    }
}

/// Whether `request` may be sent again although it may already have taken effect, and why;
/// `None` when a second sending could do something twice.
///
/// The signals trusted are the method, the operation name of AWS JSON APIs (whose reads all
/// start so), and idempotency keys the request itself carries. A description's word that an
/// operation is safe is not trusted beyond its method.
///
/// ```
/// use telaio_run::{Request, SafeToResend, safe_to_resend};
/// let mut poll = Request {
///     method: "POST".into(),
///     url: "https://rekognition.us-east-1.amazonaws.com/".into(),
///     headers: vec![("X-Amz-Target".into(), "RekognitionService.GetFaceLivenessSessionResults".into())],
///     body: Some(br#"{"SessionId":"s"}"#.to_vec()),
///     security: None,
///     timeout: None,
/// };
/// assert!(matches!(safe_to_resend(&poll), Some(SafeToResend::ReadOperation(_))));
/// poll.headers[0].1 = "RekognitionService.DeleteCollection".into();
/// assert_eq!(safe_to_resend(&poll), None);
/// ```
pub fn safe_to_resend(request: &Request) -> Option<SafeToResend> {
    let method = request.method.to_ascii_uppercase();
    if matches!(
        method.as_str(),
        "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS" | "TRACE"
    ) {
        return Some(SafeToResend::IdempotentMethod);
    }
    if let Some(target) = request.header("x-amz-target") {
        let operation = target.rsplit('.').next().unwrap_or(target);
        let reads = ["Get", "Describe", "List", "Search", "BatchGet"];
        if reads.iter().any(|r| {
            operation
                .strip_prefix(r)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        }) {
            return Some(SafeToResend::ReadOperation(operation.to_owned()));
        }
    }
    if let Some(key) = request.header("idempotency-key") {
        return Some(SafeToResend::IdempotencyKey(key.to_owned()));
    }
    let body: Option<serde_json::Value> = request
        .body
        .as_deref()
        .and_then(|b| serde_json::from_slice(b).ok());
    body.as_ref()
        .and_then(|b| b.get("ClientRequestToken")?.as_str())
        .filter(|t| !t.is_empty())
        .map(|t| SafeToResend::IdempotencyKey(t.to_owned()))
}

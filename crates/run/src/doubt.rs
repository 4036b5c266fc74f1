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
/// The signals trusted are the method, the operation name of SigV4-signed AWS JSON APIs
/// (whose reads start so, but for a few named here that change state), and idempotency keys
/// the request itself carries. A description's word that an operation is safe is not trusted
/// beyond its method.
///
/// ```
/// use std::sync::Arc;
/// use telaio_plan::{Scheme, SchemeKind};
/// use telaio_run::{Request, SafeToResend, safe_to_resend};
/// let sigv4 = Scheme {
///     source: "rekognitionApi".into(),
///     name: "sigv4".into(),
///     kind: SchemeKind::AwsSigV4 { service: None },
///     scopes: vec![],
/// };
/// let mut poll = Request {
///     method: "POST".into(),
///     url: "https://rekognition.us-east-1.amazonaws.com/".into(),
///     headers: vec![("X-Amz-Target".into(), "RekognitionService.GetFaceLivenessSessionResults".into())],
///     body: Some(br#"{"SessionId":"s"}"#.to_vec()),
///     security: Some(Arc::new(vec![vec![sigv4]])),
///     timeout: None,
/// };
/// assert!(matches!(safe_to_resend(&poll), Some(SafeToResend::ReadOperation(_))));
/// poll.headers[0].1 = "RekognitionService.DeleteCollection".into();
/// assert_eq!(safe_to_resend(&poll), None);
/// // Named like a read, but it takes a task off a queue.
/// poll.headers[0].1 = "AWSStepFunctions.GetActivityTask".into();
/// assert_eq!(safe_to_resend(&poll), None);
/// // Not signed for AWS: the header alone is no proof of an AWS read.
/// poll.headers[0].1 = "RekognitionService.GetFaceLivenessSessionResults".into();
/// poll.security = None;
/// assert_eq!(safe_to_resend(&poll), None);
/// ```
pub fn safe_to_resend(request: &Request) -> Option<SafeToResend> {
    if idempotent_method(&request.method) {
        return Some(SafeToResend::IdempotentMethod);
    }
    if let Some(target) = request.header("x-amz-target")
        && signed_for_aws(request)
        && let Some(operation) = aws_read(target)
    {
        return Some(SafeToResend::ReadOperation(operation.to_owned()));
    }
    if let Some(key) = request
        .header("idempotency-key")
        .filter(|k| !k.trim().is_empty())
    {
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

/// Whether `method` is idempotent (RFC 9110 §9.2.2: GET, HEAD, PUT, DELETE, OPTIONS,
/// TRACE): sending it twice does what sending it once does.
///
/// ```
/// assert!(telaio_run::idempotent_method("put"));
/// assert!(!telaio_run::idempotent_method("POST"));
/// ```
pub fn idempotent_method(method: &str) -> bool {
    ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

/// The operation an AWS JSON API's `X-Amz-Target` (`RekognitionService.GetFaceLivenessSessionResults`)
/// names, when it only reads: named `Get*`, `Describe*`, `List*`, `Search*` or `BatchGet*`,
/// and not one of the few so named that change state. Trust it only for a request signed
/// for AWS.
///
/// ```
/// use telaio_run::aws_read;
/// assert_eq!(aws_read("RekognitionService.GetFaceLivenessSessionResults"), Some("GetFaceLivenessSessionResults"));
/// assert_eq!(aws_read("RekognitionService.CreateFaceLivenessSession"), None);
/// assert_eq!(aws_read("AWSStepFunctions.GetActivityTask"), None);
/// ```
pub fn aws_read(target: &str) -> Option<&str> {
    let operation = target.rsplit('.').next().unwrap_or(target);
    let reads = ["Get", "Describe", "List", "Search", "BatchGet"];
    (!CHANGES_STATE.contains(&operation)
        && reads.iter().any(|r| {
            operation
                .strip_prefix(r)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        }))
    .then_some(operation)
}

/// AWS operations named like reads that change state: Step Functions' `GetActivityTask`
/// takes a task off its queue; Cognito Identity's `GetId` creates an identity and
/// `GetOpenIdToken*` mint tokens.
const CHANGES_STATE: &[&str] = &[
    "GetActivityTask",
    "GetId",
    "GetOpenIdToken",
    "GetOpenIdTokenForDeveloperIdentity",
];

/// Whether the request is one the driver signs with SigV4 (an AWS API's).
fn signed_for_aws(request: &Request) -> bool {
    request.security.as_ref().is_some_and(|s| {
        s.iter()
            .flatten()
            .any(|s| matches!(s.kind, telaio_plan::SchemeKind::AwsSigV4 { .. }))
    })
}

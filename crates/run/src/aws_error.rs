//! AWS JSON error responses (`{"__type": "...", "message": "..."}`, `x-amzn-ErrorType`):
//! what went wrong in one line, and whether it is throttling that a later attempt may clear.

use serde_json::Value;

use crate::http::Response;

/// An AWS error, as its response says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsError {
    /// The error code (`ThrottlingException`), without namespace or URL.
    pub code: String,
    /// The message, when there is one.
    pub message: Option<String>,
}

impl AwsError {
    /// Throttling: waiting and trying again is the documented cure.
    pub fn is_throttling(&self) -> bool {
        matches!(
            self.code.as_str(),
            "ThrottlingException"
                | "Throttling"
                | "ThrottledException"
                | "TooManyRequestsException"
                | "ProvisionedThroughputExceededException"
                | "RequestLimitExceeded"
                | "RequestThrottled"
                | "RequestThrottledException"
                | "SlowDown"
        )
    }
}

/// The AWS error a failed response carries, if it has that shape.
///
/// ```
/// use telaio_run::{Response, aws_error};
/// let body = br#"{"__type": "com.amazon.coral#ThrottlingException", "Message": "Rate exceeded"}"#;
/// let response = Response::new(400, vec![], body, std::time::SystemTime::now());
/// let error = aws_error(&response).unwrap();
/// assert_eq!(error.code, "ThrottlingException");
/// assert_eq!(error.message.as_deref(), Some("Rate exceeded"));
/// ```
pub fn aws_error(response: &Response) -> Option<AwsError> {
    if response.status < 300 {
        return None;
    }
    let body = response
        .body
        .as_ref()
        .filter(|b| b.format == telaio_expr::BodyFormat::Json)
        .map(|b| &b.value);
    let field = |names: &[&str]| -> Option<String> {
        let object = body?.as_object()?;
        names
            .iter()
            .find_map(|n| object.get(*n).and_then(Value::as_str))
            .map(str::to_owned)
    };
    // `x-amzn-ErrorType: ThrottlingException:http://internal.amazon.com/...`
    let header = response
        .header("x-amzn-errortype")
        .map(|h| h.split(':').next().unwrap_or(h).trim().to_owned());
    // `__type: com.amazonaws.rekognition#ThrottlingException` (or without namespace).
    let code = header.filter(|h| !h.is_empty()).or_else(|| {
        let t = field(&["__type", "code", "Code"])?;
        Some(t.rsplit('#').next().unwrap_or(&t).to_owned())
    })?;
    Some(AwsError {
        code,
        message: field(&["message", "Message", "errorMessage"]),
    })
}

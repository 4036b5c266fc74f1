//! Requests and responses as plain data: what the core asks the driver to send, and what the
//! driver hands back. No I/O here.

use std::time::{Duration, SystemTime};

use serde::Serialize;
use telaio_expr::Body;

/// The longest wait a `Retry-After` or `retryAfter` can ask for: a day.
pub const LONGEST_RETRY_WAIT: std::time::Duration = std::time::Duration::from_secs(86_400);

/// A request, fully built: URL with query string, headers, body bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The absolute URL, query string included.
    pub url: String,
    /// Header names and values, in order (cookies are in a `Cookie` header).
    pub headers: Vec<(String, String)>,
    /// The body, when there is one.
    #[serde(skip)]
    pub body: Option<Vec<u8>>,
    /// The operation's security alternatives, which the driver satisfies with credentials
    /// just before sending (so no secret ever enters the run's events).
    #[serde(skip)]
    pub security: Option<std::sync::Arc<telaio_plan::Security>>,
    /// The step's own time limit (1.1 `timeout`); the driver keeps the shorter of this and
    /// its per-request limit.
    #[serde(skip)]
    pub timeout: Option<std::time::Duration>,
}

impl Request {
    /// Whether `text` is anywhere in the request: its URL, a header, its body.
    pub fn carries(&self, text: &str) -> bool {
        self.url.contains(text)
            || self.headers.iter().any(|(_, v)| v.contains(text))
            || self
                .body
                .as_deref()
                .is_some_and(|b| b.windows(text.len().max(1)).any(|w| w == text.as_bytes()))
    }

    /// The first header with this name (ignoring case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response as received.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body: JSON when it parses as JSON, else text.
    pub body: Option<Body>,
    /// Body bytes received (a body over the run's limit is refused whole, never cut).
    pub body_bytes: usize,
    /// How long the server asked to wait before trying again (`Retry-After`, in seconds or
    /// as an HTTP date, read by the driver, which knows the time).
    pub retry_after: Option<std::time::Duration>,
}

impl Response {
    /// A response as received at `now`: the body read by its `Content-Type` and
    /// `Retry-After` understood (a date is taken relative to `now`, which the driver, who
    /// knows the time, gives).
    pub fn new(
        status: u16,
        headers: Vec<(String, String)>,
        bytes: &[u8],
        now: SystemTime,
    ) -> Response {
        let find = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let body = Response::parse_body(find("content-type"), bytes);
        let retry_after = find("retry-after").and_then(|v| retry_after(v, now));
        Response {
            status,
            body,
            body_bytes: bytes.len(),
            headers,
            retry_after,
        }
    }

    /// The first header with this name (ignoring case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Reads a body: JSON for JSON content types (and for bodies that parse as JSON), text
    /// otherwise; empty bodies are none.
    pub fn parse_body(content_type: Option<&str>, bytes: &[u8]) -> Option<Body> {
        if bytes.is_empty() {
            return None;
        }
        let text = String::from_utf8_lossy(bytes);
        let json_type = content_type.is_some_and(telaio_plan::is_json);
        match serde_json::from_str(&text) {
            Ok(v) => Some(Body::json(v)),
            Err(_) if json_type => Some(Body::text(text.into_owned())),
            Err(_) => Some(Body::text(text.into_owned())),
        }
    }
}

/// A `Retry-After` value as a wait from `now`: delay-seconds, or an HTTP date (a date in the
/// past means no wait).
pub(crate) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0)
            .then(|| Duration::from_secs_f64(seconds.min(LONGEST_RETRY_WAIT.as_secs_f64())));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::{LONGEST_RETRY_WAIT, retry_after};

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after(" 0.5 ", now), Some(Duration::from_millis(500)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past asks for no wait"
        );
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-3", now), None);
        assert_eq!(
            retry_after("1e9", SystemTime::UNIX_EPOCH),
            Some(LONGEST_RETRY_WAIT)
        );
    }
}

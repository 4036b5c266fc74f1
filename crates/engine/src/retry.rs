//! Transport-level retries for AWS APIs, the way AWS SDKs retry: throttling, `429` and
//! `5xx` answers and failed connections get more attempts after an exponentially growing,
//! randomly shortened wait ("full jitter"); a `Retry-After` the server sends sets the wait.
//! The workflow's own actions then see only the final result. Decides; waits for nothing.

use std::time::Duration;

use telaio_run::Response;

/// The longest wait between two transport attempts (AWS SDKs cap it at 20 s).
pub const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// Why a response is worth another attempt, when it is.
pub(crate) fn retry_reason(response: &Response) -> Option<String> {
    if let Some(error) = telaio_run::aws_error(response)
        && (error.is_throttling() || response.status >= 500)
    {
        return Some(format!("{} (HTTP {})", error.code, response.status));
    }
    matches!(response.status, 429 | 500 | 502 | 503 | 504)
        .then(|| format!("HTTP {}", response.status))
}

/// The wait before retry number `retry` (1 for the first): `base · 2^(retry-1)` shortened by
/// a random fraction (`random` is any random number), at most [`MAX_BACKOFF`]; what the
/// server asked for instead, when it did (also capped).
pub(crate) fn backoff(
    retry: u32,
    base: Duration,
    asked: Option<Duration>,
    random: u64,
) -> Duration {
    if let Some(asked) = asked {
        return asked.min(MAX_BACKOFF);
    }
    let ceiling = base
        .saturating_mul(1u32 << (retry.saturating_sub(1)).min(16))
        .min(MAX_BACKOFF);
    // Full jitter: anywhere in [0, ceiling], so that many clients spread out.
    let fraction = (random % 1_000_001) as f64 / 1_000_000.0;
    ceiling.mul_f64(fraction)
}

/// A random number for jitter, from the standard library's per-process random keys.
pub(crate) fn random() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response::new(
            status,
            Vec::new(),
            body.as_bytes(),
            std::time::SystemTime::now(),
        )
    }

    #[test]
    fn throttling_and_server_errors_are_retried_client_errors_are_not() {
        let throttled = response(
            400,
            r#"{"__type": "ThrottlingException", "Message": "Rate exceeded"}"#,
        );
        assert_eq!(
            retry_reason(&throttled).as_deref(),
            Some("ThrottlingException (HTTP 400)")
        );
        let busy = response(
            500,
            r#"{"__type": "ProvisionedThroughputExceededException"}"#,
        );
        assert!(retry_reason(&busy).is_some());
        assert_eq!(
            retry_reason(&response(503, "")).as_deref(),
            Some("HTTP 503")
        );
        assert_eq!(
            retry_reason(&response(429, "")).as_deref(),
            Some("HTTP 429")
        );
        let invalid = response(400, r#"{"__type": "InvalidParameterException"}"#);
        assert_eq!(retry_reason(&invalid), None);
        assert_eq!(retry_reason(&response(404, "")), None);
        assert_eq!(retry_reason(&response(200, "")), None);
    }

    #[test]
    fn backoff_grows_is_jittered_capped_and_yields_to_the_server() {
        let base = Duration::from_millis(100);
        let top = 1_000_000; // the largest fraction: the whole ceiling
        assert_eq!(backoff(1, base, None, top), Duration::from_millis(100));
        assert_eq!(backoff(3, base, None, top), Duration::from_millis(400));
        assert_eq!(backoff(3, base, None, 0), Duration::ZERO);
        assert_eq!(backoff(3, base, None, 500_000), Duration::from_millis(200));
        assert_eq!(backoff(30, base, None, top), MAX_BACKOFF);
        assert_eq!(
            backoff(1, base, Some(Duration::from_secs(2)), 0),
            Duration::from_secs(2)
        );
        assert_eq!(
            backoff(1, base, Some(Duration::from_secs(999)), 0),
            MAX_BACKOFF
        );
        assert_ne!(random(), random());
    }
}

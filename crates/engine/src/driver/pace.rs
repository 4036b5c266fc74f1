//! Pacing: at most so many requests a second to an API (an origin), spaced evenly, over all
//! the runs a driver drives, so that many runs at once do not flood one API.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// The pace of requests to one origin.
#[derive(Debug)]
pub(super) struct Pace {
    /// `scheme://host[:port]`: requests whose URL starts with it are paced.
    origin: String,
    interval: Duration,
    /// When the next request may go.
    next: Mutex<Instant>,
}

impl Pace {
    /// The longest spacing: one request a day.
    const SLOWEST: Duration = Duration::from_secs(86_400);

    /// `per_second` requests a second (more than zero) to the origin of `base` (a URL; the
    /// text as given when it is not one).
    pub(super) fn new(base: &str, per_second: f64) -> Pace {
        Pace {
            origin: origin(base).unwrap_or_else(|| base.trim_end_matches('/').to_owned()),
            interval: Duration::try_from_secs_f64(1.0 / per_second)
                .map_or(Self::SLOWEST, |d| d.min(Self::SLOWEST)),
            next: Mutex::new(Instant::now()),
        }
    }

    /// Whether a request to `url` is paced here: the same origin (scheme, host and port,
    /// compared as URLs compare them, default ports and case aside).
    pub(super) fn covers(&self, url: &str) -> bool {
        origin(url).is_some_and(|o| o == self.origin)
    }

    /// Waits for the request's turn.
    pub(super) async fn turn(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let at = (*next).max(Instant::now());
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

/// `scheme://host[:port]` of a URL, normalised (lower case, no default port).
fn origin(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
}

#[cfg(test)]
mod tests {
    use super::Pace;

    #[test]
    fn a_pace_covers_its_origin_however_it_is_written() {
        let pace = Pace::new("HTTPS://API.Example.com:443/v1/", 5.0);
        assert!(pace.covers("https://api.example.com/v1/pets?limit=1"));
        assert!(pace.covers("https://api.example.com:443/other"));
        assert!(!pace.covers("https://api.example.com:8443/v1"));
        assert!(!pace.covers("http://api.example.com/v1"));
        assert!(!pace.covers("https://api.example.com.evil/v1"));
        // A rate too small to space is one a day, not a panic.
        let slow = Pace::new("http://127.0.0.1:1", 1e-300);
        assert_eq!(slow.interval, Pace::SLOWEST);
    }
}

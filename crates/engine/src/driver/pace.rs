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
    /// `per_second` requests a second to `origin` (more than zero).
    pub(super) fn new(origin: String, per_second: f64) -> Pace {
        Pace {
            origin,
            interval: Duration::from_secs_f64(1.0 / per_second),
            next: Mutex::new(Instant::now()),
        }
    }

    /// Whether a request to `url` is paced here.
    pub(super) fn covers(&self, url: &str) -> bool {
        url.strip_prefix(&self.origin)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
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

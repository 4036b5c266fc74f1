//! Fetching `http(s)` documents, allowed only with `--allow-remote`.

use std::time::Duration;

use telaio_model::{Fetcher, FileFetcher, LoadError, ReadLimited, read_limited};
use url::Url;

/// Reads local files, and http(s) URLs with a blocking client (30 s timeout, size-limited).
pub(crate) struct RemoteFetcher {
    client: reqwest::blocking::Client,
}

impl RemoteFetcher {
    pub(crate) fn new() -> Result<Self, String> {
        // Without a process-wide default, rustls would not know which crypto to use.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("telaio/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        Ok(RemoteFetcher { client })
    }
}

impl Fetcher for RemoteFetcher {
    fn fetch(&self, url: &Url, max_bytes: u64) -> Result<Vec<u8>, LoadError> {
        if !matches!(url.scheme(), "http" | "https") {
            return FileFetcher.fetch(url, max_bytes);
        }
        let remote = |message: String| LoadError::Remote {
            url: url.clone(),
            message,
        };
        let response = self
            .client
            .get(url.as_str())
            .send()
            .map_err(|e| remote(e.to_string()))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Err(LoadError::NotFound { url: url.clone() });
        }
        if !status.is_success() {
            return Err(remote(format!("HTTP {status}")));
        }
        if response.content_length().is_some_and(|n| n > max_bytes) {
            return Err(LoadError::TooLarge {
                url: url.clone(),
                size: response.content_length(),
                limit: max_bytes,
            });
        }
        read_limited(response, url, max_bytes).map_err(|e| match e {
            ReadLimited::TooLarge(e) => e,
            ReadLimited::Io(e) => remote(e.to_string()),
        })
    }
}

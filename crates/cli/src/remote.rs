//! Fetching `http(s)` documents, allowed only with `--allow-remote`.
//!
//! A remote document names further URLs, and one written by someone else must not make Telaio
//! a probe of the network it runs in: loopback, private, shared and link-local addresses (the
//! cloud metadata service at 169.254.169.254 among them) are refused, whether written as
//! addresses, reached through a host name or through a redirect. `--allow-private-hosts`
//! allows loopback and private networks (a catalog served in an office), never link-local
//! ones: no API description lives where the metadata service does. A whole fetch has a time
//! limit (a server sending a byte a second must not hold a run) and a size limit.

use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use telaio_model::{Fetcher, FileFetcher, LoadError};
use url::Url;

/// Most redirects followed for one fetch.
const MAX_REDIRECTS: usize = 5;

/// Reads local files, and http(s) URLs with a blocking client.
pub(crate) struct RemoteFetcher {
    client: reqwest::blocking::Client,
    allow_private: bool,
    /// The whole fetch, from connecting to the last byte.
    total: Duration,
}

/// Why an address may not be fetched from, when it may not.
pub(crate) fn private_address(ip: IpAddr) -> Option<&'static str> {
    if metadata_service(ip) {
        return Some("a cloud metadata service's address");
    }
    match ip {
        IpAddr::V4(a) => {
            let [first, second, third, _] = a.octets();
            if a.is_loopback() {
                Some("a loopback address")
            } else if a.is_link_local() {
                Some("a link-local address (cloud metadata services live there)")
            } else if a.is_private() || (first == 100 && (64..128).contains(&second)) {
                Some("a private address")
            } else if a.is_unspecified()
                || first == 0
                || first >= 240
                || a.is_multicast()
                || (first == 192 && second == 0 && third == 0)
                || (first == 198 && (18..20).contains(&second))
            {
                Some("not a host address")
            } else {
                None
            }
        }
        IpAddr::V6(a) => {
            // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64
            // (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::) all reach an IPv4 host.
            let s = a.segments();
            let embedded = match s {
                [0, 0, 0, 0, 0, 0xffff, hi, lo]
                | [0, 0, 0, 0, 0, 0, hi, lo]
                | [0x64, 0xff9b, 0, 0, 0, 0, hi, lo]
                    if (hi, lo) > (0, 1) =>
                {
                    Some((hi, lo))
                }
                [0x2002, hi, lo, ..] => Some((hi, lo)),
                _ => None,
            };
            if let Some((hi, lo)) = embedded {
                let [a, b] = hi.to_be_bytes();
                let [c, d] = lo.to_be_bytes();
                return private_address(IpAddr::V4(std::net::Ipv4Addr::new(a, b, c, d)));
            }
            if a.is_loopback() {
                Some("a loopback address")
            } else if s[0] & 0xffc0 == 0xfe80 {
                Some("a link-local address")
            } else if s[0] & 0xfe00 == 0xfc00 {
                Some("a private address")
            } else if a.is_unspecified() || a.is_multicast() {
                Some("not a host address")
            } else {
                None
            }
        }
    }
}

/// The addresses where clouds answer with instance credentials: never fetched from, whatever
/// the flags (AWS, GCP, Azure and Oracle at 169.254.169.254, AWS's IPv6 endpoint, Alibaba's).
fn metadata_service(ip: IpAddr) -> bool {
    const AWS_V6: std::net::Ipv6Addr = std::net::Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
    match ip {
        IpAddr::V4(a) => a.is_link_local() || a.octets() == [100, 100, 100, 200],
        IpAddr::V6(a) => a == AWS_V6,
    }
}

/// Whether an address may be fetched from: public ones always, others only with
/// `allow_private`, link-local ones never.
fn refused(ip: IpAddr, allow_private: bool) -> Option<&'static str> {
    let why = private_address(ip)?;
    let always = why.starts_with("a link-local") || why.starts_with("a cloud metadata");
    (always || !allow_private).then_some(why)
}

/// The refusal for a URL whose host is a literal address that may not be fetched from.
fn refused_literal(url: &Url, allow_private: bool) -> Option<String> {
    let ip = match url.host()? {
        url::Host::Ipv4(a) => IpAddr::V4(a),
        url::Host::Ipv6(a) => IpAddr::V6(a),
        url::Host::Domain(_) => return None,
    };
    refused(ip, allow_private).map(|why| refusal(url.host_str().unwrap_or_default(), why))
}

fn refusal(host: &str, why: &str) -> String {
    format!(
        "{host} is {why}; remote documents are fetched from public hosts only (--allow-private-hosts allows others)"
    )
}

/// Resolves host names and keeps only the addresses that may be fetched from.
struct Checked {
    allow_private: bool,
}

impl reqwest::dns::Resolve for Checked {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| refused(a.ip(), allow_private).is_none())
                .collect();
            if public.is_empty()
                && let Some(why) = found.first().and_then(|a| refused(a.ip(), allow_private))
            {
                return Err(refusal(&host, &format!("at {why}")).into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

impl RemoteFetcher {
    pub(crate) fn new(allow_private: bool, total: Duration) -> Result<Self, String> {
        // Without a process-wide default, rustls would not know which crypto to use.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
            }
            match refused_literal(attempt.url(), allow_private) {
                Some(why) => attempt.error(why),
                None => attempt.follow(),
            }
        });
        let client = reqwest::blocking::Client::builder()
            // Through a proxy, the proxy would resolve the host, unchecked.
            .no_proxy()
            .timeout(total)
            .connect_timeout(total.min(Duration::from_secs(10)))
            .redirect(redirects)
            .dns_resolver(Arc::new(Checked { allow_private }))
            .user_agent(concat!("telaio/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        Ok(RemoteFetcher {
            client,
            allow_private,
            total,
        })
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
        if let Some(why) = refused_literal(url, self.allow_private) {
            return Err(remote(why));
        }
        let started = Instant::now();
        let mut response = self.client.get(url.as_str()).send().map_err(|e| {
            // The resolver's and the redirect policy's reasons are the ones worth showing.
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(inner) = source {
                message = inner.to_string();
                source = inner.source();
            }
            remote(message)
        })?;
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
        // Read in pieces, so that a server that trickles its answer meets the time limit.
        let mut bytes = Vec::new();
        let mut piece = vec![0u8; 64 * 1024];
        loop {
            if started.elapsed() > self.total {
                return Err(remote(format!(
                    "the answer took longer than {} s",
                    self.total.as_secs_f64()
                )));
            }
            let n = response
                .read(&mut piece)
                .map_err(|e| remote(e.to_string()))?;
            if n == 0 {
                return Ok(bytes);
            }
            bytes.extend_from_slice(&piece[..n]);
            if bytes.len() as u64 > max_bytes {
                return Err(LoadError::TooLarge {
                    url: url.clone(),
                    size: None,
                    limit: max_bytes,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_of_the_local_network_are_refused() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:a9fe:a9fe::1",
            "192.0.0.8",
            "198.18.0.1",
            "240.0.0.1",
        ] {
            let ip: IpAddr = private.parse().unwrap();
            assert!(private_address(ip).is_some(), "{private}");
        }
        for public in [
            "93.184.216.34",
            "2606:4700::1111",
            "172.32.0.1",
            "100.128.0.1",
        ] {
            let ip: IpAddr = public.parse().unwrap();
            assert!(private_address(ip).is_none(), "{public}");
        }
    }

    #[test]
    fn metadata_services_are_refused_even_when_private_hosts_are_allowed() {
        for metadata in [
            "169.254.169.254",
            "fd00:ec2::254",
            "100.100.100.200",
            "::ffff:169.254.169.254",
        ] {
            let ip: IpAddr = metadata.parse().unwrap();
            assert!(refused(ip, true).is_some(), "{metadata}");
        }
        let office: IpAddr = "10.0.0.5".parse().unwrap();
        assert!(refused(office, true).is_none());
        assert!(refused(office, false).is_some());
    }
}

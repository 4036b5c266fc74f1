//! Authenticating a request just before it is sent: API keys, basic, bearer, OAuth client
//! credentials (tokens fetched, cached until shortly before they expire), and AWS SigV4,
//! which signs the request exactly as it goes out. Secrets never enter the run's events.

use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;

use super::Driver;
use super::send::{Made, describe};
use telaio_auth::{Scheme, SchemeKind, Secret, choose};
use telaio_model::ParameterIn;
use telaio_run::Request;

/// The largest token endpoint answer read (a token response is a few hundred bytes).
const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

impl Driver {
    /// Adds the credentials the operation's security asks for (when Telaio has them).
    pub(super) async fn authenticate(
        &self,
        request: &mut Request,
        timeout: Duration,
        made: &mut Made,
    ) -> Result<(), String> {
        let Some(security) = request.security.clone() else {
            return Ok(());
        };
        let Some(chosen) = choose(&security, &self.credentials) else {
            // AWS rejects an unsigned request with a vaguer message than this one.
            let aws = self.credentials.aws();
            if security
                .iter()
                .flatten()
                .any(|s| matches!(s.kind, SchemeKind::AwsSigV4 { .. }))
            {
                return Err(format!(
                    "no AWS credentials to sign the request with: {}",
                    aws.looked
                ));
            }
            return Ok(());
        };
        // SigV4 signs the request as sent, so it comes after every other change.
        let mut sign_for_aws = None;
        for (scheme, secret) in chosen {
            match (&scheme.kind, secret) {
                (SchemeKind::ApiKey { name, location }, Secret::Token(key)) => match location {
                    ParameterIn::Query => {
                        let sep = if request.url.contains('?') { '&' } else { '?' };
                        let pair: String = url::form_urlencoded::Serializer::new(String::new())
                            .append_pair(name, &key)
                            .finish();
                        request.url.push(sep);
                        request.url.push_str(&pair);
                    }
                    ParameterIn::Cookie => add_cookie(request, name, &key),
                    _ => request.headers.push((name.clone(), key)),
                },
                (SchemeKind::Basic, Secret::Basic { username, password }) => {
                    let encoded = base64::engine::general_purpose::STANDARD
                        .encode(format!("{username}:{password}"));
                    request
                        .headers
                        .push(("Authorization".into(), format!("Basic {encoded}")));
                }
                (SchemeKind::Bearer, Secret::Token(token)) => {
                    request
                        .headers
                        .push(("Authorization".into(), format!("Bearer {token}")));
                }
                (
                    SchemeKind::ClientCredentials { token_url },
                    Secret::Client { id, secret, scope },
                ) => {
                    let (token, fetched) = self
                        .token(scheme, token_url, &id, &secret, scope.as_deref(), timeout)
                        .await?;
                    if fetched {
                        made.tokens
                            .push((scheme.source.clone(), scheme.name.clone()));
                    }
                    request
                        .headers
                        .push(("Authorization".into(), format!("Bearer {token}")));
                }
                (SchemeKind::AwsSigV4 { service }, Secret::Aws(credentials)) => {
                    sign_for_aws = Some((service.clone(), credentials));
                }
                _ => {}
            }
        }
        if let Some((service, credentials)) = sign_for_aws {
            let aws = self.credentials.aws();
            let service = aws.service.as_deref().or(service.as_deref()).ok_or(
                "the AWS signing name cannot be told from the API's host, and none was given",
            )?;
            let region = aws.region.as_deref().ok_or(
                "no AWS region was given, nor found in $AWS_REGION, $AWS_DEFAULT_REGION or the profile",
            )?;
            telaio_auth::sign(request, &credentials, region, service, SystemTime::now())?;
        }
        Ok(())
    }

    /// An OAuth 2.0 access token by the client credentials grant, cached until shortly
    /// before it expires; and whether it was fetched now.
    async fn token(
        &self,
        scheme: &Scheme,
        token_url: &str,
        id: &str,
        secret: &str,
        scope: Option<&str>,
        timeout: Duration,
    ) -> Result<(String, bool), String> {
        let key = (scheme.source.clone(), scheme.name.clone());
        let mut tokens = self.tokens.lock().await;
        if let Some((token, until)) = tokens.get(&key)
            && Instant::now() < *until
        {
            return Ok((token.clone(), false));
        }
        let scopes = scope
            .map(str::to_owned)
            .unwrap_or_else(|| scheme.scopes.join(" "));
        let mut form = vec![("grant_type", "client_credentials".to_owned())];
        if !scopes.is_empty() {
            form.push(("scope", scopes));
        }
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let client = self.client_for(token_url)?;
        let fetch = client
            .post(token_url)
            .basic_auth(id, Some(secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send();
        // The whole exchange, body included, is bounded in time and size: a token endpoint
        // that streams forever must not hold the run.
        let exchange = async {
            let mut response = fetch.await.map_err(|e| describe(&e))?;
            let status = response.status();
            let mut bytes = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
                if bytes.len() + chunk.len() > MAX_TOKEN_RESPONSE_BYTES {
                    return Err(format!(
                        "the answer is larger than {MAX_TOKEN_RESPONSE_BYTES} bytes"
                    ));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| {
                format!(
                    "no answer from the token endpoint of `{}` within the timeout",
                    scheme.name
                )
            })?
            .map_err(|e| format!("cannot get a token for `{}`: {e}", scheme.name))?;
        let json: serde_json::Value =
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        let token = json
            .get("access_token")
            .and_then(|t| t.as_str())
            .filter(|_| status.is_success())
            .ok_or_else(|| {
                format!(
                    "the token endpoint of `{}` answered HTTP {status} without an access_token",
                    scheme.name
                )
            })?;
        let lifetime = json
            .get("expires_in")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(3600);
        // Refresh a little early, so a token does not expire in flight.
        let until = Instant::now() + Duration::from_secs(lifetime.saturating_sub(30).max(1));
        tokens.insert(key, (token.to_owned(), until));
        Ok((token.to_owned(), true))
    }
}

fn add_cookie(request: &mut Request, name: &str, value: &str) {
    match request
        .headers
        .iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case("cookie"))
    {
        Some((_, v)) => {
            v.push_str("; ");
            v.push_str(&format!("{name}={value}"));
        }
        None => request
            .headers
            .push(("Cookie".into(), format!("{name}={value}"))),
    }
}

//! # telaio-auth: credentials for a run
//!
//! Authentication from the sources' `securitySchemes`: API keys (header, query, cookie),
//! HTTP basic and bearer, OAuth 2.0 client credentials (token fetched, cached, refreshed),
//! and AWS SigV4 (credentials found the way AWS tools find them, see [`AwsSetup`]).
//!
//! Secrets never come from the command line. For source `petstore` and scheme `api_key`,
//! Telaio reads the environment variable `TELAIO_AUTH_PETSTORE_API_KEY` (for basic auth,
//! `..._USERNAME` and `..._PASSWORD`; for OAuth client credentials, `..._CLIENT_ID`,
//! `..._CLIENT_SECRET` and optionally `..._SCOPE`), or a credentials file:
//!
//! ```yaml
//! petstore:
//!   api_key: "…"
//!   basicAuth: {username: "…", password: "…"}
//!   oauth: {clientId: "…", clientSecret: "…", scope: "read"}
//! ```
//!
//! The environment wins over the file. What is applied is decided per request by the
//! operation's `security` (or the description's), the first alternative whose schemes all
//! have credentials.

//!
//! This crate says which secrets satisfy an operation's security ([`choose`]), where they
//! come from ([`Credentials`]), signs requests with SigV4 and verifies signatures (for
//! stand-in servers), and derives the [`redactor`] that keeps every secret out of a run's
//! events. It sends nothing: fetching OAuth tokens and applying credentials to requests is
//! the driver's.
#![deny(missing_docs)]

mod aws;
mod redactor;

pub use aws::{AwsCredentials, AwsSetup, sign, verify_sigv4};
pub use redactor::redactor;
pub use telaio_plan::{Scheme, SchemeKind, Security};

use std::collections::HashMap;

use serde_json::Value;

/// A secret for one scheme.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// An API key or a bearer token.
    Token(String),
    /// HTTP basic credentials.
    Basic {
        /// The user.
        username: String,
        /// The password.
        password: String,
    },
    /// AWS credentials.
    Aws(AwsCredentials),
    /// OAuth 2.0 client credentials.
    Client {
        /// The client id.
        id: String,
        /// The client secret.
        secret: String,
        /// Scopes to ask for (space-separated), when set.
        scope: Option<String>,
    },
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a secret, not even in a debug dump.
        f.write_str("Secret(***)")
    }
}

impl Secret {
    /// The values to mask in every output.
    pub fn values(&self) -> Vec<&str> {
        match self {
            Secret::Token(t) => vec![t],
            Secret::Basic { password, .. } => vec![password],
            Secret::Client { secret, .. } => vec![secret],
            Secret::Aws(c) => std::iter::once(c.secret_access_key.as_str())
                .chain(c.session_token.as_deref())
                .collect(),
        }
    }
}

/// Where credentials come from.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    file: HashMap<(String, String), Value>,
    env: HashMap<String, String>,
    aws: AwsSetup,
}

/// The environment variable prefix for a source's scheme.
pub fn env_prefix(source: &str, scheme: &str) -> String {
    let clean = |s: &str| {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect::<String>()
    };
    format!("TELAIO_AUTH_{}_{}", clean(source), clean(scheme))
}

impl Credentials {
    /// Credentials from the process environment and, optionally, a credentials file's
    /// content (`{source: {scheme: value}}`).
    pub fn new(
        env: impl IntoIterator<Item = (String, String)>,
        file: Option<&Value>,
    ) -> Credentials {
        let mut by = HashMap::new();
        for (source, schemes) in file.and_then(Value::as_object).into_iter().flatten() {
            for (scheme, value) in schemes.as_object().into_iter().flatten() {
                by.insert((source.clone(), scheme.clone()), value.clone());
            }
        }
        Credentials {
            file: by,
            env: env
                .into_iter()
                .filter(|(k, _)| k.starts_with("TELAIO_AUTH_"))
                .collect(),
            aws: AwsSetup::default(),
        }
    }

    /// The same credentials, with these for AWS SigV4.
    pub fn with_aws(mut self, aws: AwsSetup) -> Credentials {
        self.aws = aws;
        self
    }

    /// What SigV4 signing uses.
    pub fn aws(&self) -> &AwsSetup {
        &self.aws
    }

    /// The secret for a scheme, and where it was found (for `--explain-auth`).
    pub fn find(&self, scheme: &Scheme) -> Option<(Secret, String)> {
        let prefix = env_prefix(&scheme.source, &scheme.name);
        let env = |suffix: &str| self.env.get(&format!("{prefix}{suffix}")).cloned();
        let file = self.file.get(&(scheme.source.clone(), scheme.name.clone()));
        let file_field = |k: &str| {
            file.and_then(|f| f.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let from_file =
            |what: &str| format!("credentials file: {}.{}{what}", scheme.source, scheme.name);
        match &scheme.kind {
            SchemeKind::ApiKey { .. } | SchemeKind::Bearer => match env("") {
                Some(t) => Some((Secret::Token(t), prefix)),
                None => file
                    .and_then(Value::as_str)
                    .map(|t| (Secret::Token(t.to_owned()), from_file(""))),
            },
            SchemeKind::Basic => match (env("_USERNAME"), env("_PASSWORD")) {
                (Some(username), Some(password)) => Some((
                    Secret::Basic { username, password },
                    format!("{prefix}_USERNAME / _PASSWORD"),
                )),
                _ => match (file_field("username"), file_field("password")) {
                    (Some(username), Some(password)) => Some((
                        Secret::Basic { username, password },
                        from_file(".username / .password"),
                    )),
                    _ => None,
                },
            },
            SchemeKind::ClientCredentials { .. } => {
                match (env("_CLIENT_ID"), env("_CLIENT_SECRET")) {
                    (Some(id), Some(secret)) => Some((
                        Secret::Client {
                            id,
                            secret,
                            scope: env("_SCOPE"),
                        },
                        format!("{prefix}_CLIENT_ID / _CLIENT_SECRET"),
                    )),
                    _ => match (file_field("clientId"), file_field("clientSecret")) {
                        (Some(id), Some(secret)) => Some((
                            Secret::Client {
                                id,
                                secret,
                                scope: file_field("scope"),
                            },
                            from_file(".clientId / .clientSecret"),
                        )),
                        _ => None,
                    },
                }
            }
            SchemeKind::AwsSigV4 { .. } => {
                let c = self.aws.credentials.clone()?;
                let found = c.found_in.clone();
                Some((Secret::Aws(c), found))
            }
            SchemeKind::Unsupported(_) => None,
        }
    }

    /// Whether some alternative of `security` has every secret it needs.
    pub fn satisfies(&self, security: &Security) -> bool {
        choose(security, self).is_some()
    }

    /// Where Telaio looks for a scheme's secret, in words.
    pub fn where_to_look(scheme: &Scheme) -> String {
        let prefix = env_prefix(&scheme.source, &scheme.name);
        let key = format!("{}.{}", scheme.source, scheme.name);
        match &scheme.kind {
            SchemeKind::ApiKey { .. } | SchemeKind::Bearer => {
                format!("${prefix}, or `{key}` in the credentials file")
            }
            SchemeKind::Basic => format!(
                "${prefix}_USERNAME and ${prefix}_PASSWORD, or `{key}: {{username, password}}` in the credentials file"
            ),
            SchemeKind::ClientCredentials { .. } => format!(
                "${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET (and ${prefix}_SCOPE), or `{key}: {{clientId, clientSecret, scope}}` in the credentials file"
            ),
            SchemeKind::AwsSigV4 { .. } => "$AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY (and $AWS_SESSION_TOKEN), else profile $AWS_PROFILE (or `default`) in ~/.aws/credentials or ~/.aws/config ($AWS_SHARED_CREDENTIALS_FILE, $AWS_CONFIG_FILE); region as given, else from $AWS_REGION, $AWS_DEFAULT_REGION or the profile".to_owned(),
            SchemeKind::Unsupported(why) => {
                format!("nowhere: {why} is not applied by this version")
            }
        }
    }
}

/// The alternative to apply: the first whose schemes all have a secret.
pub fn choose<'s>(
    security: &'s Security,
    credentials: &Credentials,
) -> Option<Vec<(&'s Scheme, Secret)>> {
    security.iter().find_map(|alternative| {
        alternative
            .iter()
            .map(|s| credentials.find(s).map(|(secret, _)| (s, secret)))
            .collect::<Option<Vec<_>>>()
    })
}

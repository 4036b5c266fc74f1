//! Finding AWS credentials and the region: the environment (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`, `AWS_DEFAULT_REGION`), then the
//! shared files (`~/.aws/credentials` and `~/.aws/config`, or `AWS_SHARED_CREDENTIALS_FILE` /
//! `AWS_CONFIG_FILE`) for the profile `AWS_PROFILE` (else `default`). Reads files; sends
//! nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// AWS credentials. `Debug` never shows the secret key or the session token.
#[derive(Clone, PartialEq, Eq)]
pub struct AwsCredentials {
    /// The access key id (not secret: it appears in every signature).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token of temporary credentials.
    pub session_token: Option<String>,
    /// Where they were found, for messages.
    pub found_in: String,
}

impl std::fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("found_in", &self.found_in)
            .finish_non_exhaustive()
    }
}

/// What SigV4 signing needs besides the request: credentials, region, and an optional
/// service name that overrules the one the API's host gives.
#[derive(Clone, Debug, Default)]
pub struct AwsSetup {
    /// The credentials, or where Telaio looked for them in vain.
    pub credentials: Option<AwsCredentials>,
    /// Where Telaio looked, in one sentence, for the message when none were found.
    pub looked: String,
    /// The region (`--aws-region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's).
    pub region: Option<String>,
    /// The signing name (`--aws-service`), when the host does not say it.
    pub service: Option<String>,
}

impl AwsSetup {
    /// Finds credentials and region in `env` (the process environment, or a test's) and the
    /// shared files it names (or those under `home`).
    ///
    /// ```
    /// use telaio_auth::AwsSetup;
    /// let env = [("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"), ("AWS_SECRET_ACCESS_KEY", "s3cr3t"), ("AWS_REGION", "eu-west-1")];
    /// let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    /// let setup = AwsSetup::find(env, None, None, None);
    /// assert_eq!(setup.region.as_deref(), Some("eu-west-1"));
    /// assert_eq!(setup.credentials.unwrap().found_in, "the environment");
    /// ```
    pub fn find(
        env: impl IntoIterator<Item = (String, String)>,
        home: Option<&Path>,
        region: Option<String>,
        service: Option<String>,
    ) -> AwsSetup {
        let env = aws_vars(env);
        let var = |k: &str| env.get(k).cloned();
        let Shared {
            profile,
            credentials_file,
            config_file,
        } = shared(&env, home);
        let from_credentials = credentials_file
            .as_deref()
            .and_then(|p| read_profile(p, &profile, false));
        let from_config = config_file
            .as_deref()
            .and_then(|p| read_profile(p, &profile, true));
        let from_env = match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => Some(AwsCredentials {
                access_key_id: id,
                secret_access_key: secret,
                session_token: var("AWS_SESSION_TOKEN"),
                found_in: "the environment".to_owned(),
            }),
            _ => None,
        };
        let in_file = |section: &Option<HashMap<String, String>>, path: &Option<PathBuf>| {
            let s = section.as_ref()?;
            Some(AwsCredentials {
                access_key_id: s.get("aws_access_key_id")?.clone(),
                secret_access_key: s.get("aws_secret_access_key")?.clone(),
                session_token: s.get("aws_session_token").cloned(),
                found_in: format!(
                    "profile `{profile}` in {}",
                    path.as_deref()
                        .map(Path::display)
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                ),
            })
        };
        let credentials = from_env
            .or_else(|| in_file(&from_credentials, &credentials_file))
            .or_else(|| in_file(&from_config, &config_file));
        let shown = |p: &Option<PathBuf>| {
            p.as_deref().map_or_else(
                || "(no home folder)".to_owned(),
                |p| {
                    let state = if p.exists() { "" } else { " (missing)" };
                    format!("{}{state}", p.display())
                },
            )
        };
        let looked = format!(
            "Telaio looked in $AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY, then for profile `{profile}` in {} and {}",
            shown(&credentials_file),
            shown(&config_file)
        );
        let region = region
            .or_else(|| var("AWS_REGION"))
            .or_else(|| var("AWS_DEFAULT_REGION"))
            .or_else(|| from_config.as_ref()?.get("region").cloned());
        AwsSetup {
            credentials,
            looked,
            region,
            service,
        }
    }
}

#[cfg(feature = "aws-provider-chain")]
impl AwsSetup {
    /// When the environment and the shared files gave no credentials (or region), asks the
    /// AWS SDK's whole provider chain: SSO, web identity, container and instance metadata,
    /// `credential_process`, with the profile and shared files that `env` and `home` name
    /// (as [`AwsSetup::find`] reads them). It may reach AWS or the instance metadata service,
    /// so call it only when a run signs requests.
    // The SDK's newer names for the profile-file types live in aws-runtime; aws-config
    // exports them under these older, deprecated names.
    #[allow(deprecated)]
    pub async fn with_provider_chain(
        mut self,
        env: impl IntoIterator<Item = (String, String)>,
        home: Option<&Path>,
    ) -> AwsSetup {
        use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
        use aws_credential_types::provider::ProvideCredentials;
        if self.credentials.is_some() && self.region.is_some() {
            return self;
        }
        let shared = shared(&aws_vars(env), home);
        // The SDK refuses a named file that is missing; an absent file just has no profiles.
        let mut files = ProfileFiles::builder();
        if let Some(f) = shared.config_file.as_ref().filter(|f| f.exists()) {
            files = files.with_file(ProfileFileKind::Config, f);
        }
        if let Some(f) = shared.credentials_file.as_ref().filter(|f| f.exists()) {
            files = files.with_file(ProfileFileKind::Credentials, f);
        }
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .profile_name(&shared.profile)
            .profile_files(files.build());
        if let Some(region) = &self.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        let config = loader.load().await;
        if self.region.is_none() {
            self.region = config.region().map(ToString::to_string);
        }
        if self.credentials.is_none()
            && let Some(provider) = config.credentials_provider()
        {
            match provider.provide_credentials().await {
                Ok(c) => {
                    self.credentials = Some(AwsCredentials {
                        access_key_id: c.access_key_id().to_owned(),
                        secret_access_key: c.secret_access_key().to_owned(),
                        session_token: c.session_token().map(str::to_owned),
                        found_in: "the AWS SDK's provider chain".to_owned(),
                    });
                }
                Err(e) => {
                    // The SDK's top-level message is vague; its sources say what went wrong.
                    let mut why = e.to_string();
                    let mut source = std::error::Error::source(&e);
                    while let Some(s) = source {
                        why.push_str(&format!(": {s}"));
                        source = s.source();
                    }
                    self.looked
                        .push_str(&format!(", then the AWS SDK's provider chain ({why})"));
                }
            }
        }
        self
    }
}

/// The `AWS_` variables of an environment that have a value.
fn aws_vars(env: impl IntoIterator<Item = (String, String)>) -> HashMap<String, String> {
    env.into_iter()
        .filter(|(k, v)| k.starts_with("AWS_") && !v.is_empty())
        .collect()
}

/// The profile and the shared files an environment names.
struct Shared {
    profile: String,
    credentials_file: Option<PathBuf>,
    config_file: Option<PathBuf>,
}

fn shared(env: &HashMap<String, String>, home: Option<&Path>) -> Shared {
    let file = |var_name: &str, default: &str| -> Option<PathBuf> {
        env.get(var_name)
            .map(PathBuf::from)
            .or_else(|| home.map(|h| h.join(".aws").join(default)))
    };
    Shared {
        profile: env
            .get("AWS_PROFILE")
            .cloned()
            .unwrap_or_else(|| "default".to_owned()),
        credentials_file: file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        config_file: file("AWS_CONFIG_FILE", "config"),
    }
}

/// The keys of one profile of a shared AWS file: `[name]` in the credentials file,
/// `[profile name]` (or `[default]`) in the config file.
fn read_profile(path: &Path, profile: &str, config: bool) -> Option<HashMap<String, String>> {
    // A shared AWS file is a few lines; anything large is not one.
    const MAX_BYTES: u64 = 1024 * 1024;
    if std::fs::metadata(path).ok()?.len() > MAX_BYTES {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let wanted = |header: &str| {
        let header = header.trim();
        if config && profile != "default" {
            header
                .strip_prefix("profile")
                .is_some_and(|rest| rest.trim() == profile)
        } else {
            header == profile
        }
    };
    let mut inside = false;
    let mut found = None::<HashMap<String, String>>;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = wanted(header);
            if inside {
                found.get_or_insert_with(HashMap::new);
            }
            continue;
        }
        if inside && let Some((k, v)) = line.split_once('=') {
            found
                .get_or_insert_with(HashMap::new)
                .insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `credential_process` in a profile: one link of the SDK's chain, reachable without any
    /// network.
    #[cfg(feature = "aws-provider-chain")]
    #[tokio::test]
    async fn the_sdk_chain_runs_a_credential_process() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::write(
            &config,
            "[profile proc]\nregion = eu-south-1\ncredential_process = echo '{\"Version\":1,\"AccessKeyId\":\"AKIDPROCESS\",\"SecretAccessKey\":\"from-process\"}'\n",
        )
        .unwrap();
        // Handed over as an environment: the profile and files go to the SDK explicitly.
        let vars = [
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
            ("AWS_PROFILE", "proc"),
        ];
        if std::env::var_os("AWS_ACCESS_KEY_ID").is_some() {
            eprintln!("skipped: AWS_ACCESS_KEY_ID is set, and the SDK's chain would take it first");
            return;
        }
        let env = || vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
        let setup = AwsSetup::find(env(), None, None, None);
        assert!(
            setup.credentials.is_none(),
            "the shared files alone have no keys"
        );
        assert_eq!(setup.region.as_deref(), Some("eu-south-1"));
        let setup = setup.with_provider_chain(env(), None).await;
        let c = setup
            .credentials
            .clone()
            .unwrap_or_else(|| panic!("{}", setup.looked));
        assert_eq!(c.access_key_id, "AKIDPROCESS");
        assert_eq!(c.found_in, "the AWS SDK's provider chain");
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn profiles_come_from_the_shared_files_and_the_environment_wins() {
        let dir = tempfile::tempdir().unwrap();
        let aws = dir.path().join(".aws");
        std::fs::create_dir(&aws).unwrap();
        std::fs::write(
            aws.join("credentials"),
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n\n[work]\n# a comment\naws_access_key_id=AKIDWORK\naws_secret_access_key=w\naws_session_token = tok\n",
        )
        .unwrap();
        std::fs::write(
            aws.join("config"),
            "[default]\nregion = us-east-1\n[profile work]\nregion = eu-central-1\n[profile only-config]\naws_access_key_id = AKIDCFG\naws_secret_access_key = c\n",
        )
        .unwrap();
        let home = Some(dir.path());
        let s = AwsSetup::find(env(&[("AWS_PROFILE", "work")]), home, None, None);
        let c = s.credentials.unwrap();
        assert_eq!(c.access_key_id, "AKIDWORK");
        assert_eq!(c.session_token.as_deref(), Some("tok"));
        assert_eq!(s.region.as_deref(), Some("eu-central-1"));
        let s = AwsSetup::find(env(&[]), home, None, None);
        assert_eq!(s.credentials.unwrap().access_key_id, "AKIDDEFAULT");
        assert_eq!(s.region.as_deref(), Some("us-east-1"));
        let s = AwsSetup::find(env(&[("AWS_PROFILE", "only-config")]), home, None, None);
        assert_eq!(s.credentials.unwrap().access_key_id, "AKIDCFG");
        let s = AwsSetup::find(
            env(&[
                ("AWS_ACCESS_KEY_ID", "AKIDENV"),
                ("AWS_SECRET_ACCESS_KEY", "e"),
                ("AWS_REGION", "ap-south-1"),
            ]),
            home,
            Some("sa-east-1".into()),
            None,
        );
        assert_eq!(s.credentials.unwrap().access_key_id, "AKIDENV");
        assert_eq!(s.region.as_deref(), Some("sa-east-1"), "the flag wins");
    }

    #[test]
    fn nothing_found_says_where_it_looked_and_debug_hides_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let s = AwsSetup::find(env(&[("AWS_PROFILE", "ci")]), Some(dir.path()), None, None);
        assert!(s.credentials.is_none());
        assert!(s.looked.contains("profile `ci`"), "{}", s.looked);
        assert!(
            s.looked.contains(".aws/credentials (missing)"),
            "{}",
            s.looked
        );
        let c = AwsCredentials {
            access_key_id: "AKID".into(),
            secret_access_key: "CANARY-SECRET".into(),
            session_token: Some("CANARY-TOKEN".into()),
            found_in: "test".into(),
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("CANARY"), "{shown}");
    }
}

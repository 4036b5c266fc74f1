//! Credentials for a run: where they come from (the environment, `--credentials`, AWS's
//! sources) and what `--explain-auth` says about them. Sends nothing.

use std::io::Write;

use serde_json::Value;
use telaio_engine::{AwsSetup, Credentials, Plan, Scheme, SchemeKind, TargetPlan};

use crate::loading::{MAX_CREDENTIALS_FILE, read_data_file};
use crate::render::{BOLD, FAIL, OK};
use crate::term::clean;

/// When the run signs for AWS and neither the environment nor the shared files had keys, the
/// AWS SDK's whole provider chain (SSO, web identity, instance metadata, `credential_process`).
#[cfg(feature = "aws-provider-chain")]
pub(crate) fn provider_chain(plan: &Plan, aws: AwsSetup) -> AwsSetup {
    let signs = plan
        .security_schemes()
        .iter()
        .any(|s| matches!(s.kind, SchemeKind::AwsSigV4 { .. }));
    if aws.credentials.is_some() || !signs {
        return aws;
    }
    let Some(runtime) = crate::runtime() else {
        return aws;
    };
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    runtime.block_on(aws.with_provider_chain(std::env::vars(), home.as_deref()))
}

/// The security schemes each source of a document (and of the documents it links) declares:
/// what a credentials file may name.
pub(crate) type KnownSchemes = Vec<(String, Vec<(String, SchemeKind)>)>;

/// Every API source's declared schemes, by source name.
pub(crate) fn known_schemes(bundle: &telaio_model::Bundle) -> KnownSchemes {
    let mut out: KnownSchemes = Vec::new();
    for b in std::iter::once(bundle).chain(&bundle.linked) {
        for source in &b.sources {
            let Some(api) = source.api() else { continue };
            let schemes = api
                .security_schemes()
                .into_iter()
                .flatten()
                .map(|(name, value)| (name.clone(), telaio_engine::scheme_kind(value)))
                .collect();
            if !out.iter().any(|(s, _)| *s == source.name) {
                out.push((source.name.clone(), schemes));
            }
        }
    }
    out
}

/// Credentials from the environment and `--credentials`, and AWS's. A credentials file that
/// names a source, scheme or field the document does not have is refused, with the closest
/// name: a typo must not send unauthenticated requests.
pub(crate) fn credentials(
    file: Option<&std::path::Path>,
    aws: AwsSetup,
    known: &KnownSchemes,
) -> Result<Credentials, Vec<String>> {
    let file = match file {
        None => None,
        Some(path) => {
            let file = read_data_file(path, MAX_CREDENTIALS_FILE).map_err(|e| vec![e])?;
            let problems = check_file(&path.display().to_string(), &file, known);
            if !problems.is_empty() {
                return Err(problems);
            }
            Some(file)
        }
    };
    Ok(Credentials::new(std::env::vars(), file.as_ref()).with_aws(aws))
}

/// What a credentials file names that the document does not have.
fn check_file(file: &str, content: &Value, known: &KnownSchemes) -> Vec<String> {
    let hint =
        |word: &str, names: &[&str]| match telaio_lint::did_you_mean(word, names.iter().copied()) {
            Some(s) => format!("; did you mean `{s}`?"),
            None if names.is_empty() => String::new(),
            None => format!(
                " (it has {})",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
    let Some(sources) = content.as_object() else {
        return vec![format!(
            "{file} must hold `{{source: {{scheme: credentials}}}}`"
        )];
    };
    let mut out = Vec::new();
    let source_names: Vec<&str> = known.iter().map(|(s, _)| s.as_str()).collect();
    for (source, schemes) in sources {
        let Some((_, declared)) = known.iter().find(|(s, _)| s == source) else {
            out.push(format!(
                "{file} names source `{source}`, which the document does not have{}",
                hint(source, &source_names)
            ));
            continue;
        };
        let Some(schemes) = schemes.as_object() else {
            out.push(format!(
                "{file}: `{source}` must map scheme names to credentials"
            ));
            continue;
        };
        let scheme_names: Vec<&str> = declared.iter().map(|(n, _)| n.as_str()).collect();
        for (scheme, value) in schemes {
            let Some((_, kind)) = declared.iter().find(|(n, _)| n == scheme) else {
                out.push(format!(
                    "{file} names scheme `{source}.{scheme}`, which source `{source}` does not declare{}",
                    hint(scheme, &scheme_names)
                ));
                continue;
            };
            let fields: &[&str] = match kind {
                SchemeKind::Basic => &["username", "password"],
                SchemeKind::ClientCredentials { .. } => &["clientId", "clientSecret", "scope"],
                _ => &[],
            };
            match (value, fields.is_empty()) {
                (Value::String(_), true) => {}
                (Value::Object(given), false) => {
                    for key in given.keys().filter(|k| !fields.contains(&k.as_str())) {
                        out.push(format!(
                            "{file}: `{source}.{scheme}` has no field `{key}`{}",
                            hint(key, fields)
                        ));
                    }
                }
                (_, true) => out.push(format!(
                    "{file}: `{source}.{scheme}` must be the secret itself, a string"
                )),
                (_, false) => out.push(format!(
                    "{file}: `{source}.{scheme}` must be an object of {}",
                    fields.join(", ")
                )),
            }
        }
    }
    out
}

/// Every operation the run can reach that needs credentials it does not have: the sentence
/// for each (source, scheme), saying where Telaio looked. An operation whose every
/// alternative needs a scheme Telaio does not apply is not listed (it is sent without, and
/// `--explain-auth` says so).
pub(crate) fn missing_credentials(plan: &Plan, credentials: &Credentials) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for w in plan.all_workflows() {
        for step in &w.steps {
            let TargetPlan::Operation(op) = &step.target else {
                continue;
            };
            let security = &op.security;
            // No security, or an alternative without any scheme: nothing is needed.
            if security.is_empty() || security.iter().any(Vec::is_empty) {
                continue;
            }
            if credentials.satisfies(security) {
                continue;
            }
            let applicable: Vec<&Vec<Scheme>> = security
                .iter()
                .filter(|alt| {
                    alt.iter()
                        .all(|s| !matches!(s.kind, SchemeKind::Unsupported(_)))
                })
                .collect();
            let Some(first) = applicable.first() else {
                continue;
            };
            for scheme in first.iter().filter(|s| credentials.find(s).is_none()) {
                let message = match scheme.kind {
                    SchemeKind::AwsSigV4 { .. } => format!(
                        "source `{}` is signed with AWS SigV4, and there are no AWS credentials: {}",
                        scheme.source,
                        credentials.aws().looked
                    ),
                    _ => format!(
                        "step `{}` needs credentials for scheme `{}` of source `{}`, and there are none: set {}",
                        step.id,
                        scheme.name,
                        scheme.source,
                        Credentials::where_to_look(scheme)
                    ),
                };
                if seen.insert((scheme.source.clone(), scheme.name.clone())) {
                    out.push(message);
                }
            }
        }
    }
    out
}

/// What runs against the mock beside the servers (`telaio serve --allow-mock`) sign with:
/// stand-ins for the keys, tokens and passwords of `plans`' schemes, and the mock's own AWS
/// keys in `aws`, so that no real secret reaches the mock. OAuth client credentials get
/// none: a token would be fetched from the real token endpoint, so such a workflow is not
/// offered against the mock.
pub(crate) fn stand_in_credentials<'p>(
    plans: impl IntoIterator<Item = &'p Plan>,
    aws: AwsSetup,
) -> Credentials {
    let mut env = Vec::new();
    for scheme in plans.into_iter().flat_map(Plan::security_schemes) {
        let prefix = telaio_engine::env_prefix(&scheme.source, &scheme.name);
        match scheme.kind {
            SchemeKind::ApiKey { .. } | SchemeKind::Bearer => {
                env.push((prefix, STAND_IN.to_owned()));
            }
            SchemeKind::Basic => {
                env.push((format!("{prefix}_USERNAME"), STAND_IN.to_owned()));
                env.push((format!("{prefix}_PASSWORD"), STAND_IN.to_owned()));
            }
            SchemeKind::ClientCredentials { .. }
            | SchemeKind::AwsSigV4 { .. }
            | SchemeKind::Unsupported(_) => {}
        }
    }
    Credentials::new(env, None).with_aws(aws)
}

/// The value a stand-in credential has.
const STAND_IN: &str = "telaio-mock";

/// `--explain-auth`: each scheme the run needs, and where its secret is (or is looked for).
/// Every name in it comes from an API description, so each is cleaned for the terminal.
pub(crate) fn explain_auth(plan: &Plan, credentials: &Credentials) {
    let mut out = anstream::stdout().lock();
    let all = plan.security_schemes();
    if all.is_empty() {
        let _ = writeln!(out, "No operation of this document declares security.");
        return;
    }
    let written = all.into_iter().try_for_each(|scheme| {
        let kind = match &scheme.kind {
            SchemeKind::ApiKey { name, location } => {
                format!("API key `{name}` in {}", location.as_str())
            }
            SchemeKind::Basic => "HTTP basic".to_owned(),
            SchemeKind::Bearer => "HTTP bearer".to_owned(),
            SchemeKind::ClientCredentials { token_url } => {
                format!("OAuth 2.0 client credentials ({token_url})")
            }
            SchemeKind::AwsSigV4 { service } => {
                let aws = credentials.aws();
                format!(
                    "AWS SigV4 (service `{}`, region `{}`)",
                    aws.service
                        .as_deref()
                        .or(service.as_deref())
                        .unwrap_or("unknown: give --aws-service"),
                    aws.region
                        .as_deref()
                        .unwrap_or("unknown: give --aws-region")
                )
            }
            SchemeKind::Unsupported(why) => format!("not applied ({why})"),
        };
        writeln!(
            out,
            "{BOLD}{}.{}{BOLD:#}: {}",
            clean(&scheme.source),
            clean(&scheme.name),
            clean(&kind)
        )?;
        match credentials.find(scheme) {
            Some((_, from)) => writeln!(out, "  {OK}found{OK:#} in {}", clean(&from)),
            None => writeln!(
                out,
                "  {FAIL}missing{FAIL:#}: set {}",
                clean(&Credentials::where_to_look(scheme))
            ),
        }
    });
    crate::term::finish_stdout(written);
}

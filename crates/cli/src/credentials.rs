//! Credentials for a run: where they come from (the environment, `--credentials`, AWS's
//! sources), what `--explain-auth` says about them, and the redactor that keeps them, and
//! sensitive data, out of every output. Sends nothing.

use std::io::Write;

use serde_json::Value;
use telaio_engine::{AwsSetup, Credentials, Plan, Redactor, Scheme, SchemeKind, TargetPlan};

use crate::args::RunArgs;
use crate::loading::{MAX_CREDENTIALS_FILE, read_data_file};
use crate::run::{BOLD, FAIL, OK};

/// When the run signs for AWS and neither the environment nor the shared files had keys, the
/// AWS SDK's whole provider chain (SSO, web identity, instance metadata, `credential_process`).
#[cfg(feature = "aws-provider-chain")]
pub(crate) fn provider_chain(plan: &Plan, aws: AwsSetup) -> AwsSetup {
    let signs = schemes(plan)
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

/// Credentials from the environment and `--credentials`, and AWS's.
pub(crate) fn credentials(args: &RunArgs, aws: AwsSetup) -> Result<Credentials, String> {
    let file = match &args.credentials {
        None => None,
        Some(path) => Some(read_data_file(path, MAX_CREDENTIALS_FILE)?),
    };
    Ok(Credentials::new(std::env::vars(), file.as_ref()).with_aws(aws))
}

/// When some operation can only be called signed for AWS and there are no AWS credentials,
/// the one sentence saying which source and where Telaio looked.
pub(crate) fn missing_aws_credentials(plan: &Plan, credentials: &Credentials) -> Option<String> {
    if credentials.aws().credentials.is_some() {
        return None;
    }
    let needs = |op: &telaio_engine::OperationPlan| {
        !op.security.is_empty()
            && op.security.iter().all(|alternative| {
                alternative
                    .iter()
                    .any(|s| matches!(s.kind, SchemeKind::AwsSigV4 { .. }))
            })
    };
    let source = plan
        .all_workflows()
        .iter()
        .flat_map(|w| &w.steps)
        .find_map(|s| match &s.target {
            TargetPlan::Operation(op) if needs(op) => Some(op.source.clone()),
            _ => None,
        })?;
    Some(format!(
        "source `{source}` is signed with AWS SigV4, and there are no AWS credentials: {}",
        credentials.aws().looked
    ))
}

/// Every security scheme the plan's operations use, once (other documents' workflows too).
fn schemes(plan: &Plan) -> Vec<Scheme> {
    let mut out: Vec<Scheme> = Vec::new();
    for w in plan.all_workflows() {
        for s in &w.steps {
            if let TargetPlan::Operation(op) = &s.target {
                for scheme in op.security.iter().flatten() {
                    if !out
                        .iter()
                        .any(|o| o.source == scheme.source && o.name == scheme.name)
                    {
                        out.push(scheme.clone());
                    }
                }
            }
        }
    }
    out
}

pub(crate) fn explain_auth(plan: &Plan, credentials: &Credentials) {
    let mut out = anstream::stdout().lock();
    let all = schemes(plan);
    if all.is_empty() {
        let _ = writeln!(out, "No operation of this document declares security.");
        return;
    }
    for scheme in all {
        let kind = match &scheme.kind {
            SchemeKind::ApiKey { name, location } => format!("API key `{name}` in {location}"),
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
        let _ = writeln!(
            out,
            "{BOLD}{}.{}{BOLD:#}: {kind}",
            scheme.source, scheme.name
        );
        match credentials.find(&scheme) {
            Some((_, from)) => {
                let _ = writeln!(out, "  {OK}found{OK:#} in {from}");
            }
            None => {
                let _ = writeln!(
                    out,
                    "  {FAIL}missing{FAIL:#}: set {}",
                    Credentials::where_to_look(&scheme)
                );
            }
        }
    }
}

/// Masks credentials, API-key headers and inputs marked secret, and shows sensitive data by
/// size (unless `--show-sensitive`).
pub(crate) fn redactor(
    plan: &Plan,
    inputs: &Value,
    credentials: &Credentials,
    show_sensitive: bool,
) -> Redactor {
    let mut r = Redactor::new();
    if !show_sensitive {
        for name in plan.sensitive_properties() {
            r.sensitive(name);
        }
    }
    for scheme in schemes(plan) {
        if let SchemeKind::ApiKey { name, location } = &scheme.kind
            && location == "header"
        {
            r.header(name);
        }
        if let Some((secret, _)) = credentials.find(&scheme) {
            for v in secret.values() {
                r.secret(v);
            }
        }
    }
    // Every workflow's secret inputs: a sub-workflow's may be shown too.
    for w in plan.all_workflows() {
        r.inputs(w.inputs_schema.as_ref(), inputs);
    }
    r
}

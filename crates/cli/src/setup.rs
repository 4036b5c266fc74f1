//! How runs are set up from the flags `telaio run` and `telaio serve` share: where AWS
//! credentials and the region come from, the plan's choices for a document (servers, the
//! in-process mock, forced authentication), and the limits of the run and of its driver.

use std::collections::HashMap;

use telaio_engine::{AwsSetup, DriverOptions, PlanOptions, RunOptions};

use crate::args::RunSettings;
use crate::run::{pairs, seconds};

/// Where AWS credentials, the region and the signing name come from: the flags, the
/// environment and `~/.aws`; with `--mock`, the mock's own test keys.
pub(crate) fn aws(settings: &RunSettings) -> AwsSetup {
    let mut aws = AwsSetup::find(
        std::env::vars(),
        std::env::var_os("HOME")
            .map(std::path::PathBuf::from)
            .as_deref(),
        settings.aws_region.clone(),
        settings.aws_service.clone(),
    );
    if settings.mock.is_some() {
        for_mock(&mut aws);
    }
    aws
}

/// The mock accepts only its own test keys, and any region: `aws` with its keys, and a
/// region when none was set.
pub(crate) fn for_mock(aws: &mut AwsSetup) {
    aws.credentials = Some(telaio_mock::test_credentials());
    aws.region.get_or_insert_with(|| MOCK_REGION.to_owned());
}

/// The region runs against the mock sign for when none is set.
pub(crate) const MOCK_REGION: &str = "us-east-1";

/// The plan's choices for `bundle` (`--server`, `--auth`, the region), and with `--mock` the
/// mock bound for its API sources (each source not given a `--server` points at it). When
/// `strict`, a `--server` or `--auth` for a source the document does not have is refused;
/// else it is left out (it is for another document).
pub(crate) fn plan_options(
    settings: &RunSettings,
    bundle: &telaio_model::Bundle,
    region: Option<&str>,
    strict: bool,
) -> Result<(PlanOptions, Option<crate::mock::Bound>), Vec<String>> {
    let mut servers: HashMap<String, String> = pairs(&settings.servers, "--server")
        .map_err(|e| vec![e])?
        .into_iter()
        .collect();
    let auth: HashMap<String, String> = pairs(&settings.auth, "--auth")
        .map_err(|e| vec![e])?
        .into_iter()
        .collect();
    // A server for a source the document does not have would silently send the run to the
    // description's own server.
    let unknown: Vec<String> = (servers.keys().map(|n| ("--server", n)))
        .chain(auth.keys().map(|n| ("--auth", n)))
        .filter_map(|(flag, name)| bundle.unknown_source(flag, name))
        .collect();
    if strict && !unknown.is_empty() {
        return Err(unknown);
    }
    let known = |name: &String| bundle.unknown_source("", name).is_none();
    servers.retain(|name, _| known(name));
    let mut auth = auth;
    auth.retain(|name, _| known(name));
    if let Some(other) = auth.values().find(|v| v.as_str() != "aws-sigv4") {
        return Err(vec![format!(
            "--auth takes NAME=aws-sigv4 (other schemes come from the description), not `{other}`"
        )]);
    }
    let mock = match &settings.mock {
        None => None,
        Some(scenario) => {
            let bound = crate::mock::bind(bundle, scenario.as_deref(), true, 0, false)
                .map_err(|e| vec![e])?;
            for b in std::iter::once(bundle).chain(&bundle.linked) {
                for source in b.sources.iter().filter(|s| s.api().is_some()) {
                    servers
                        .entry(source.name.clone())
                        .or_insert_with(|| bound.url.clone());
                }
            }
            Some(bound)
        }
    };
    let options = PlanOptions {
        servers,
        server_variables: region
            .map(|r| ("region".to_owned(), r.to_owned()))
            .into_iter()
            .collect(),
        auth,
    };
    Ok((options, mock))
}

/// The run's limits and pacing, and its driver's.
pub(crate) fn limits(settings: &RunSettings) -> Result<(RunOptions, DriverOptions), String> {
    Ok((
        RunOptions {
            poll_interval: seconds(settings.poll_interval, "--poll-interval")?,
            max_steps: settings.max_steps,
            max_depth: settings.max_depth,
            max_retry_wait: seconds(settings.max_retry_wait, "--max-retry-wait")?,
            deadline: Some(seconds(settings.deadline, "--deadline")?),
            idempotency_seed: None,
        },
        DriverOptions {
            request_timeout: seconds(settings.timeout, "--timeout")?,
            deadline: seconds(settings.deadline, "--deadline")?,
            max_response_bytes: settings.max_response_bytes,
            transport_retries: settings.transport_retries,
            show_sensitive: settings.show_sensitive,
            ..DriverOptions::default()
        },
    ))
}

/// The paces `--rate-limit` asks for, for `bundle`'s sources: each source's API origin (the
/// server its runs use) and its requests a second. When `strict`, a source the document does
/// not have is refused; else it is left out (it is for another document).
pub(crate) fn paces(
    settings: &RunSettings,
    bundle: &telaio_model::Bundle,
    options: &PlanOptions,
    strict: bool,
) -> Result<Vec<(String, f64)>, Vec<String>> {
    let mut paces = Vec::new();
    let mut problems = Vec::new();
    for (name, rate) in pairs(&settings.rate_limit, "--rate-limit").map_err(|e| vec![e])? {
        let per_second = rate
            .strip_suffix("/s")
            .unwrap_or(&rate)
            .parse::<f64>()
            .ok()
            .filter(|n| *n > 0.0 && n.is_finite());
        let Some(per_second) = per_second else {
            problems.push(format!(
                "--rate-limit {name}: `{rate}` is not a number of requests a second above zero (`5/s`)"
            ));
            continue;
        };
        let source = std::iter::once(bundle)
            .chain(&bundle.linked)
            .flat_map(|b| &b.sources)
            .find(|s| s.name == name);
        let Some(source) = source else {
            if strict && let Some(unknown) = bundle.unknown_source("--rate-limit", &name) {
                problems.push(unknown);
            }
            continue;
        };
        let base = options.servers.get(&name).cloned().or_else(|| {
            source
                .api()
                .and_then(|api| telaio_engine::server_url(api, &options.server_variables))
        });
        match base.as_deref().map(url::Url::parse) {
            Some(Ok(url)) => paces.push((url.origin().ascii_serialization(), per_second)),
            _ => problems.push(format!(
                "--rate-limit {name}: the source has no server URL to pace"
            )),
        }
    }
    if problems.is_empty() {
        Ok(paces)
    } else {
        Err(problems)
    }
}

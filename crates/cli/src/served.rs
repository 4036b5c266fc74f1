//! The workflows a server runs (`telaio serve`, `telaio restate serve`), read from the
//! documents it is given: each planned once (against the mock too, when it is allowed),
//! with its credentials and its driver. Starts nothing.

use std::sync::Arc;

use telaio_engine::{
    AwsSetup, Credentials, DocumentIdentity, Driver, DriverOptions, Plan, PlanError, RunOptions,
};
use telaio_model::{Bundle, Loader};
use telaio_serve::{Catalog, Drivers, ServedWorkflow, Target};

use crate::args::RunSettings;
use crate::credentials::{KnownSchemes, credentials, known_schemes, missing_credentials};
use crate::{loading, term};

/// What a service runs: the workflows, the security schemes their documents declare (what
/// a credentials file may name), and the paces `--rate-limit` asks for.
pub(crate) struct Planned {
    pub workflows: Vec<ServedWorkflow>,
    pub schemes: KnownSchemes,
    pub paces: Vec<(String, f64)>,
    /// Documentation pages, by document, for the console.
    pub pages: Vec<(String, String)>,
}

/// A document read and planned: its workflows ready to serve, and its mock to start.
pub(crate) struct Read {
    pub workflows: Vec<ServedWorkflow>,
    /// The workflows that cannot run, by id, and why.
    pub left_out: Vec<(String, String)>,
    pub mock: Option<crate::mock::Bound>,
    pub schemes: KnownSchemes,
    /// `--rate-limit`: API origins and their requests a second.
    pub paces: Vec<(String, f64)>,
}

/// Reads and plans every document of `files` (against the mock too, with `allow_mock`), and
/// renders each one's documentation page when `pages_too`; notes on stderr what it leaves
/// out. Also the mocks to start, for `--mock` and `--allow-mock`.
pub(crate) fn read_all(
    settings: &RunSettings,
    files: &[std::path::PathBuf],
    aws: &AwsSetup,
    allow_mock: Option<&Option<std::path::PathBuf>>,
    pages_too: bool,
) -> Result<(Planned, Vec<crate::mock::Bound>), Vec<String>> {
    let mut workflows = Vec::new();
    let mut mocks = Vec::new();
    let mut schemes = KnownSchemes::new();
    let mut paces = Vec::new();
    let mut pages = Vec::new();
    let mut used = std::collections::HashSet::new();
    // `--allow-mock`: every workflow planned twice, against its servers and the mock.
    let mocked = allow_mock.map(|scenario| {
        let mut mocked = settings.clone();
        mocked.mock = Some(scenario.clone());
        // The mock stands in for every API: no `--server` goes beside it.
        mocked.servers.clear();
        mocked
    });
    for file in files {
        let mut read = read(settings, file, aws.region.as_deref(), &mut used, false)?;
        if let Some(mocked) = &mocked {
            let region = aws.region.as_deref().or(Some(crate::setup::MOCK_REGION));
            let also = self::read(mocked, file, region, &mut used, false)?;
            read.left_out.extend(
                also.left_out
                    .into_iter()
                    .map(|(id, why)| (id, format!("against the mock: {why}"))),
            );
            read.workflows.extend(also.workflows);
            read.mock = also.mock;
        }
        for (id, why) in &read.left_out {
            term::eprintln(&format!(
                "not serving `{}` of {}: {why}",
                term::clean(id),
                file.display()
            ));
        }
        if pages_too && !read.workflows.is_empty() {
            // The page as `telaio docs` renders it, for the console.
            let loader = loading::loader(&settings.load, &[]).map_err(|e| vec![e])?;
            let name = file.display().to_string();
            let page = telaio_docs::render_document(&loader, file, &name, None);
            pages.push((name, page.html));
        }
        workflows.extend(read.workflows);
        mocks.extend(read.mock);
        schemes.extend(read.schemes);
        paces.extend(read.paces);
    }
    // A `--server` or `--auth` that names a source no document has would be a typo.
    let names = crate::run::pairs(&settings.servers, "--server")
        .map_err(|e| vec![e])?
        .into_iter()
        .map(|(n, _)| ("--server", n))
        .chain(
            crate::run::pairs(&settings.auth, "--auth")
                .map_err(|e| vec![e])?
                .into_iter()
                .map(|(n, _)| ("--auth", n)),
        )
        .chain(
            crate::run::pairs(&settings.rate_limit, "--rate-limit")
                .map_err(|e| vec![e])?
                .into_iter()
                .map(|(n, _)| ("--rate-limit", n)),
        );
    let unused: Vec<String> = names
        .filter(|(_, n)| !used.contains(n))
        .map(|(flag, n)| {
            format!(
                "{flag} {}: no served document has a source `{}`",
                term::clean(&n),
                term::clean(&n)
            )
        })
        .collect();
    if !unused.is_empty() {
        return Err(unused);
    }
    if workflows.is_empty() {
        return Err(vec![
            "none of the documents has a workflow that can run, so there is nothing to serve"
                .to_owned(),
        ]);
    }
    Ok((
        Planned {
            workflows,
            schemes,
            paces,
            pages,
        },
        mocks,
    ))
}

/// The workflows ready to run: those whose credentials are there, each with its driver.
pub(crate) struct Ready {
    pub catalog: Catalog,
    pub drivers: Drivers,
    /// The credentials of the servers' driver, for each run's masks.
    pub credentials: Credentials,
    pub run_options: RunOptions,
    pub driver_options: DriverOptions,
}

/// Readies `planned` to run with `settings`: the credentials each workflow needs (one whose
/// credentials are missing is left out, and said so), the drivers, the catalog.
pub(crate) fn ready(
    settings: &RunSettings,
    planned: Planned,
    aws: AwsSetup,
) -> Result<Ready, Vec<String>> {
    let Planned {
        mut workflows,
        schemes,
        paces,
        pages,
    } = planned;
    #[cfg(feature = "aws-provider-chain")]
    let aws = match workflows.first() {
        Some(w) => crate::credentials::provider_chain(&w.plan, aws),
        None => aws,
    };
    // Runs against the mock beside the servers (`--allow-mock`) sign with stand-ins and the
    // mock's test keys: no real secret is for a run any caller may send to the mock.
    let mock_credentials = if settings.mock.is_none() && workflows.iter().any(|w| w.mock) {
        let mut aws = aws.clone();
        crate::setup::for_mock(&mut aws);
        let plans = workflows.iter().filter(|w| w.mock).map(|w| w.plan.as_ref());
        Some(crate::credentials::stand_in_credentials(plans, aws))
    } else {
        None
    };
    let credentials = credentials(settings.credentials.as_deref(), aws, &schemes)?;
    // A workflow whose credentials are missing is not served: its runs would all fail.
    workflows.retain(|w| {
        let credentials = match &mock_credentials {
            Some(mock) if w.mock => mock,
            _ => &credentials,
        };
        let missing = missing_credentials(&w.plan, credentials);
        for m in &missing {
            term::eprintln(&format!(
                "`{}` of {} cannot run{}: {m}",
                w.workflow_id,
                w.document,
                if w.mock && mock_credentials.is_some() {
                    " against the mock"
                } else {
                    ""
                }
            ));
        }
        missing.is_empty()
    });
    if workflows.is_empty() {
        return Err(vec![
            "no workflow has the credentials it needs, so none can run".to_owned(),
        ]);
    }
    let (mut run_options, driver_options) = crate::setup::limits(settings).map_err(|e| vec![e])?;
    run_options.idempotency_seed = None;
    let driver = |credentials: &Credentials| {
        let driver = Driver::new(driver_options)
            .map_err(|e| vec![e.to_string()])?
            .with_credentials(credentials.clone());
        Ok::<_, Vec<String>>(
            paces
                .iter()
                .fold(driver, |d, (origin, n)| d.with_rate_limit(origin, *n)),
        )
    };
    let drivers = Drivers {
        servers: driver(&credentials)?,
        mock: mock_credentials.as_ref().map(driver).transpose()?,
    };
    let default = if settings.mock.is_some() {
        Target::Mock
    } else {
        Target::Servers
    };
    let catalog = pages.into_iter().fold(
        Catalog::new(workflows).with_default_target(default),
        |c, (document, html)| c.with_page(document, html),
    );
    Ok(Ready {
        catalog,
        drivers,
        credentials,
        run_options,
        driver_options,
    })
}

/// Reads and plans one document; notes on stderr each workflow it cannot serve, and why.
/// When `strict` (one document), a `--server`, `--auth`, `--rate-limit` or `--source` that
/// names a source the document does not have is refused; else it is for another document.
pub(crate) fn read(
    settings: &RunSettings,
    file: &std::path::Path,
    region: Option<&str>,
    used: &mut std::collections::HashSet<String>,
    strict: bool,
) -> Result<Read, Vec<String>> {
    let loader = loading::loader(&settings.load, &[]).map_err(|e| vec![e])?;
    let url = Loader::url_for_path(file).map_err(|e| vec![e.to_string()])?;
    let bundle = loader.load_bundle(&url).map_err(|e| vec![e.to_string()])?;
    for b in std::iter::once(&bundle).chain(&bundle.linked) {
        used.extend(b.sources.iter().map(|s| s.name.clone()));
    }
    if strict {
        let unknown = loading::unknown_sources(&settings.load, &bundle);
        if !unknown.is_empty() {
            return Err(unknown);
        }
    }
    let (options, mock) = crate::setup::plan_options(settings, &bundle, region, strict)?;
    let paces = crate::setup::paces(settings, &bundle, &options, strict)?;
    let identity = DocumentIdentity::of(&bundle);
    let diagnostics = crate::run::findings(&bundle);
    let document = file.display().to_string();
    let mut workflows = Vec::new();
    let mut left_out = Vec::new();
    for (id, summary, description) in workflow_ids(&bundle) {
        let plan = (|| {
            let errors = crate::run::blocking(&bundle, &id, &diagnostics);
            if !errors.is_empty() {
                return Err(format!(
                    "the document has {} error{} it would meet; `telaio validate` explains them",
                    errors.len(),
                    if errors.len() == 1 { "" } else { "s" }
                ));
            }
            let plan = Plan::compile_workflow(&bundle, &options, &id).map_err(|errors| {
                let located: Vec<String> = errors.iter().map(PlanError::located).collect();
                located.join("; ")
            })?;
            let problems: Vec<String> = plan.problems().iter().map(ToString::to_string).collect();
            if problems.is_empty() {
                Ok(plan)
            } else {
                Err(problems.join("; "))
            }
        })();
        match plan {
            Ok(plan) => workflows.push(ServedWorkflow {
                workflow_id: id,
                document: document.clone(),
                summary,
                description,
                plan: Arc::new(plan),
                identity: identity.clone(),
                plan_options: options.clone(),
                loading: loading::record(&settings.load),
                mock: mock.is_some(),
            }),
            Err(why) => left_out.push((id, why)),
        }
    }
    Ok(Read {
        workflows,
        left_out,
        mock,
        paces,
        schemes: known_schemes(&bundle),
    })
}

/// The document's workflows: id, summary, description.
fn workflow_ids(bundle: &Bundle) -> Vec<(String, Option<String>, Option<String>)> {
    let Ok(model) = &bundle.document.model else {
        return Vec::new();
    };
    model
        .workflows
        .iter()
        .filter_map(|w| {
            let id = w.workflow_id.clone().filter(|id| !id.is_empty())?;
            Some((id, w.summary.clone(), w.description.clone()))
        })
        .collect()
}

/// The runtime a serving command runs on (all its threads).
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Vec<String>> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| vec![format!("cannot start the runtime: {e}")])
}

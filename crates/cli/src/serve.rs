//! `telaio serve`: reads the documents, plans every workflow they have that can run, and
//! serves them with `telaio-serve` until Ctrl-C or SIGTERM, when the runs going on stop at a
//! safe point and are recorded, to be resumed.

use std::sync::Arc;

use telaio_engine::{Credentials, DocumentIdentity, Driver, Plan, PlanError};
use telaio_model::{Bundle, Loader};
use telaio_serve::{Access, Catalog, Drivers, ServeOptions, ServedWorkflow, Service, Target};

use crate::args::ServeArgs;
use crate::credentials::{KnownSchemes, credentials, known_schemes, missing_credentials};
use crate::render::usage_error;
use crate::{exit, loading, term};

pub(crate) fn run(args: &ServeArgs) -> u8 {
    match serve(args) {
        Ok(code) => code,
        Err(messages) => {
            for m in messages {
                usage_error(&m);
            }
            exit::USAGE
        }
    }
}

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

fn serve(args: &ServeArgs) -> Result<u8, Vec<String>> {
    let settings = &args.settings;
    let token = match &args.token_file {
        Some(path) => Some(read_token(path).map_err(|e| vec![e])?),
        None => None,
    };
    let address: std::net::SocketAddr = args.listen.parse().map_err(|e| {
        vec![format!(
            "--listen takes HOST:PORT (an IP address), not `{}`: {e}",
            args.listen
        )]
    })?;
    if !address.ip().is_loopback() && token.is_none() {
        return Err(vec![format!(
            "{address} is reachable from other machines: pass --token-file FILE so that only callers with its token are answered"
        )]);
    }
    let aws = crate::setup::aws(settings);
    let files = crate::discover::expand(&args.paths).map_err(|e| vec![e])?;
    let mut workflows = Vec::new();
    let mut mocks = Vec::new();
    let mut schemes = KnownSchemes::new();
    let mut paces = Vec::new();
    let mut pages = Vec::new();
    let mut used = std::collections::HashSet::new();
    // `--allow-mock`: every workflow planned twice, against its servers and the mock.
    let mocked = args.allow_mock.as_ref().map(|scenario| {
        let mut mocked = settings.clone();
        mocked.mock = Some(scenario.clone());
        // The mock stands in for every API: no `--server` goes beside it.
        mocked.servers.clear();
        mocked
    });
    for file in &files {
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
        if !read.workflows.is_empty() {
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
    let service = service(
        settings,
        &args.store,
        Planned {
            workflows,
            schemes,
            paces,
            pages,
        },
        aws,
        (args.concurrency, args.queue),
        "serve",
    )?;
    let served = service.catalog().len();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| vec![format!("cannot start the runtime: {e}")])?;
    runtime.block_on(async move {
        for mock in mocks {
            mock.spawn().map_err(|e| vec![e])?;
        }
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| vec![format!("cannot listen on {address}: {e}")])?;
        let bound = listener.local_addr().map_err(|e| vec![e.to_string()])?;
        term::eprintln(&format!(
            "serving {served} workflow{} from {} document{}",
            if served == 1 { "" } else { "s" },
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        ));
        // The one line a program that started the server reads: where it is.
        println!("listening on http://{bound}");
        // What a server that stopped left, goes on.
        for (run, resumed) in service.resume_left() {
            match resumed {
                Ok(()) => term::eprintln(&format!("resuming run {run}")),
                Err(e) => term::eprintln(&format!("not resuming run {run}: {e}")),
            }
        }
        let stopped = async {
            let signal = crate::run::signal().await;
            term::eprintln(&format!(
                "stopping ({}): runs going on stop at a safe point and are recorded; again to stop at once",
                if signal == 2 { "Ctrl-C" } else { "SIGTERM" }
            ));
            crate::run::exit_on_second_signal();
        };
        telaio_serve::serve(listener, service, Access { token }, stopped)
            .await
            .map_err(|e| vec![format!("the server stopped: {e}")])?;
        Ok(exit::OK)
    })
}

/// The service of `workflows`, driven with `settings` (the credentials they need, or they are
/// left out), recorded in the store `store` names; `bounds` are the requests in flight at
/// once and the runs under way beyond them.
pub(crate) fn service(
    settings: &crate::args::RunSettings,
    store: &crate::args::StoreArgs,
    planned: Planned,
    aws: telaio_engine::AwsSetup,
    bounds: (usize, usize),
    origin: &str,
) -> Result<Arc<Service>, Vec<String>> {
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
    let options = ServeOptions {
        concurrency: bounds.0,
        queue: bounds.1,
        run: run_options,
        limits: driver_options.limits(),
        show_sensitive: settings.show_sensitive,
        host: crate::store::host(),
        origin: origin.to_owned(),
    };
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
    let store = crate::store::open(store).map_err(|e| vec![e])?;
    let default = if settings.mock.is_some() {
        Target::Mock
    } else {
        Target::Servers
    };
    let catalog = pages.into_iter().fold(
        Catalog::new(workflows).with_default_target(default),
        |c, (document, html)| c.with_page(document, html),
    );
    Ok(Service::new(catalog, drivers, credentials, store, options))
}

/// The bearer token in `path` (its first line, trimmed), refusing an empty one.
fn read_token(path: &std::path::Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read --token-file {}: {e}", path.display()))?;
    let token = text.lines().next().unwrap_or_default().trim().to_owned();
    if token.len() < 16 {
        return Err(format!(
            "the token in {} is {}: use at least 16 characters",
            path.display(),
            if token.is_empty() {
                "empty".to_owned()
            } else {
                format!("{} characters", token.len())
            }
        ));
    }
    Ok(token)
}

/// Reads and plans one document; notes on stderr each workflow it cannot serve, and why.
/// When `strict` (one document), a `--server`, `--auth`, `--rate-limit` or `--source` that
/// names a source the document does not have is refused; else it is for another document.
pub(crate) fn read(
    settings: &crate::args::RunSettings,
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

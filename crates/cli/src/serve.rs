//! `telaio serve`: reads the documents, plans every workflow they have that can run, and
//! serves them with `telaio-serve` until Ctrl-C or SIGTERM, when the runs going on stop at a
//! safe point and are recorded, to be resumed.

use std::sync::Arc;

use telaio_serve::{Access, ServeOptions, Service};

use crate::args::ServeArgs;
use crate::served::{self, Planned};
use crate::{exit, term};

pub(crate) fn run(args: &ServeArgs) -> u8 {
    crate::render::exit_or_usage(serve(args))
}

/// Where a server listens (`listen`), and the token callers must carry (read from
/// `token_file`): beyond loopback, one is needed.
pub(crate) fn door(
    listen: &str,
    token_file: Option<&std::path::Path>,
) -> Result<(std::net::SocketAddr, Option<String>), Vec<String>> {
    let token = match token_file {
        Some(path) => Some(read_token(path).map_err(|e| vec![e])?),
        None => None,
    };
    let address: std::net::SocketAddr = listen.parse().map_err(|e| {
        vec![format!(
            "--listen takes HOST:PORT (an IP address), not `{listen}`: {e}"
        )]
    })?;
    if !address.ip().is_loopback() && token.is_none() {
        return Err(vec![format!(
            "{address} is reachable from other machines: pass --token-file FILE so that only callers with its token are answered"
        )]);
    }
    Ok((address, token))
}

fn serve(args: &ServeArgs) -> Result<u8, Vec<String>> {
    let settings = &args.settings;
    let (address, token) = door(&args.listen, args.token_file.as_deref())?;
    let aws = crate::setup::aws(settings);
    let files = crate::discover::expand(&args.paths).map_err(|e| vec![e])?;
    let (planned, mocks) =
        served::read_all(settings, &files, &aws, args.allow_mock.as_ref(), true)?;
    let service = service(
        settings,
        &args.store,
        planned,
        aws,
        (args.concurrency, args.queue),
        "serve",
    )?;
    let served = service.catalog().len();
    let runtime = crate::served::runtime()?;
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
            stopping(crate::run::signal().await);
        };
        telaio_serve::serve(
            listener,
            service,
            Access {
                token,
                console: true,
            },
            stopped,
        )
        .await
        .map_err(|e| vec![format!("the server stopped: {e}")])?;
        Ok(exit::OK)
    })
}

/// Says the server stops at `signal`, and lets a second signal stop it at once.
pub(crate) fn stopping(signal: u8) {
    term::eprintln(&format!(
        "stopping ({}): runs going on stop at a safe point and are recorded; again to stop at once",
        if signal == 2 { "Ctrl-C" } else { "SIGTERM" }
    ));
    crate::run::exit_on_second_signal();
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
    let served::Ready {
        catalog,
        drivers,
        credentials,
        run_options,
        driver_options,
    } = served::ready(settings, planned, aws)?;
    let options = ServeOptions {
        concurrency: bounds.0,
        queue: bounds.1,
        run: run_options,
        limits: driver_options.limits(),
        show_sensitive: settings.show_sensitive,
        host: crate::store::host(),
        origin: origin.to_owned(),
    };
    let store = crate::store::open(store).map_err(|e| vec![e])?;
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

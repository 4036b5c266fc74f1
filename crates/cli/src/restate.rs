//! `telaio restate serve`: the workflows of the documents as a Restate service endpoint,
//! each run a Restate workflow invocation (see `telaio-restate`), until Ctrl-C or SIGTERM;
//! `telaio restate export`: a run's journal read back out of Restate.

use crate::args::{RestateArgs, RestateCommand, RestateExportArgs, RestateServeArgs};
use crate::{exit, served, term};

pub(crate) fn run(args: &RestateArgs) -> u8 {
    let done = match &args.command {
        RestateCommand::Serve(serve_args) => serve(serve_args),
        RestateCommand::Export(export_args) => {
            export(export_args).map(|()| exit::OK).map_err(|e| vec![e])
        }
    };
    crate::render::exit_or_usage(done)
}

fn serve(args: &RestateServeArgs) -> Result<u8, Vec<String>> {
    let settings = &args.settings;
    if settings.mock.is_some() {
        return Err(vec![
            "--mock serves the mock inside this process, and a Restate run may go on in another endpoint: start `telaio mock` and give its address with --server"
                .to_owned(),
        ]);
    }
    let address: std::net::SocketAddr = args.listen.parse().map_err(|e| {
        vec![format!(
            "--listen takes HOST:PORT (an IP address), not `{}`: {e}",
            args.listen
        )]
    })?;
    if !address.ip().is_loopback() && args.identity_key.is_empty() {
        // Whoever reaches the endpoint can run workflows with this process's credentials:
        // beyond loopback it must check that calls come from the Restate server.
        return Err(vec![format!(
            "{address} is reachable from other machines: pass --identity-key with your Restate server's public key (publickeyv1_...), so that only calls it signs are answered"
        )]);
    }
    let suspend_after =
        crate::run::seconds(args.suspend_after, "--suspend-after").map_err(|e| vec![e])?;
    let aws = crate::setup::aws(settings);
    let files = crate::discover::expand(&args.paths).map_err(|e| vec![e])?;
    let (planned, _) = served::read_all(settings, &files, &aws, None, false)?;
    let ready = served::ready(settings, planned, aws)?;
    let mut run_options = ready.run_options;
    run_options
        .deadline
        .get_or_insert(ready.driver_options.deadline);
    let runner = telaio_restate::Runner::new(
        ready.catalog,
        ready.drivers.servers,
        ready.driver_options.limits(),
        ready.credentials,
        run_options,
        settings.show_sensitive,
    );
    let served = runner.catalog().len();
    let endpoint = telaio_restate::endpoint(
        runner,
        &telaio_restate::EndpointOptions {
            suspend_after,
            identity_keys: args.identity_key.clone(),
        },
    )
    .map_err(|e| vec![format!("--identity-key {e}")])?;
    let runtime = crate::served::runtime()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| vec![format!("cannot listen on {address}: {e}")])?;
        let bound = listener.local_addr().map_err(|e| vec![e.to_string()])?;
        term::eprintln(&format!(
            "serving {served} workflow{} from {} document{} as the Restate workflow `{}`",
            if served == 1 { "" } else { "s" },
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            telaio_restate::SERVICE,
        ));
        // The one line a program that started the endpoint reads: where it is.
        println!("listening on http://{bound}");
        let stopped = async {
            let signal = crate::run::signal().await;
            term::eprintln(&format!(
                "stopping ({}): Restate goes on with the runs on another endpoint, or on this one started again",
                if signal == 2 { "Ctrl-C" } else { "SIGTERM" }
            ));
            crate::run::exit_on_second_signal();
        };
        telaio_restate::serve(listener, endpoint, stopped).await;
        Ok(exit::OK)
    })
}

/// The longest wait for Restate's admin API.
const ADMIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

fn export(args: &RestateExportArgs) -> Result<(), String> {
    use telaio_restate::export;
    match url::Url::parse(&args.admin) {
        Ok(admin) if matches!(admin.scheme(), "http" | "https") => {}
        _ => {
            return Err(format!(
                "--admin takes the URL of Restate's admin API (http://127.0.0.1:9070), not `{}`",
                args.admin
            ));
        }
    }
    let url = format!("{}/query", args.admin.trim_end_matches('/'));
    // Without a process-wide default, rustls would not know which crypto to use.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let answer = reqwest::blocking::Client::builder()
        .timeout(ADMIN_TIMEOUT)
        .user_agent(concat!("telaio/", env!("CARGO_PKG_VERSION")))
        .build()
        .and_then(|client| {
            client
                .post(&url)
                .header("accept", "application/json")
                .header("content-type", "application/json")
                .body(serde_json::json!({ "query": export::query(&args.run) }).to_string())
                .send()
        })
        .and_then(|r| {
            let status = r.status();
            r.text().map(|text| (status, text))
        })
        .map_err(|e| format!("cannot ask Restate's admin API at {url}: {e}"))?;
    match answer {
        (status, text) if !status.is_success() => Err(format!(
            "Restate's admin API at {url} answered {status}: {}",
            text.trim()
        )),
        (_, text) => {
            let rows = export::rows(&args.run, &text).map_err(|e| e.to_string())?;
            let (header, entries) = export::journal(&args.run, &rows).map_err(|e| e.to_string())?;
            let lines = entries
                .iter()
                .map(serde_json::to_string)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            crate::runs::print_journal(&header, lines.iter())
        }
    }
}

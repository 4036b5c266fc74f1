//! `telaio mcp`: the workflows of the documents as MCP tools (see `telaio-mcp`), over stdio
//! (the client starts this process and speaks on its stdin and stdout) or streamable HTTP,
//! each call a run recorded in the store, until the client leaves or Ctrl-C.
//!
//! Over stdio, stdout carries the protocol alone: every word of ours goes to stderr.

use std::sync::Arc;

use telaio_mcp::McpServer;
use telaio_serve::{Access, Service};

use crate::args::{McpArgs, Transport};
use crate::{exit, served, term};

pub(crate) fn run(args: &McpArgs) -> u8 {
    crate::render::exit_or_usage(mcp(args))
}

fn mcp(args: &McpArgs) -> Result<u8, Vec<String>> {
    let settings = &args.settings;
    // Over stdio nothing listens: the address and the token are HTTP's.
    let (address, token) = match args.transport {
        Transport::Http => crate::serve::door(
            args.listen.as_deref().unwrap_or("127.0.0.1:7879"),
            args.token_file.as_deref(),
        )?,
        Transport::Stdio if args.listen.is_some() || args.token_file.is_some() => {
            return Err(vec![
                "--listen and --token-file are for --transport http; over stdio the client that starts `telaio mcp` is its only caller".to_owned(),
            ]);
        }
        Transport::Stdio => (std::net::SocketAddr::from(([127, 0, 0, 1], 0)), None),
    };
    let aws = crate::setup::aws(settings);
    let files = crate::discover::expand(&args.paths).map_err(|e| vec![e])?;
    let (planned, mocks) = served::read_all(settings, &files, &aws, None, false)?;
    let service = crate::serve::service(
        settings,
        &args.store,
        planned,
        aws,
        (
            args.concurrency,
            telaio_serve::ServeOptions::default().queue,
        ),
        "mcp",
    )?;
    let server = McpServer::new(service.clone()).with_views(Arc::new(Views {
        load: settings.load.clone(),
    }));
    let tools = server.tools().tools().len();
    let runtime = crate::served::runtime()?;
    runtime.block_on(async move {
        for mock in mocks {
            mock.spawn().map_err(|e| vec![e])?;
        }
        term::eprintln(&format!(
            "{tools} tool{} from {} document{}",
            if tools == 1 { "" } else { "s" },
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        ));
        match args.transport {
            Transport::Stdio => stdio(server, &service).await,
            Transport::Http => {
                http(
                    server,
                    &service,
                    address,
                    Access {
                        token,
                        console: false,
                    },
                )
                .await
            }
        }
    })
}

/// Serves the client on stdin and stdout until it closes them, or a signal; runs still
/// going then stop at a safe point and are recorded (interrupted, to be resumed).
async fn stdio(server: McpServer, service: &Arc<Service>) -> Result<u8, Vec<String>> {
    let serving = telaio_mcp::serve_stdio(server);
    tokio::pin!(serving);
    let signalled = tokio::select! {
        served = &mut serving => {
            service.shut_down().await;
            return served.map(|()| exit::OK).map_err(|e| vec![e.to_string()]);
        }
        signal = crate::run::signal() => signal,
    };
    crate::serve::stopping(signalled);
    // The service first: its runs end "the server stopped", not cancelled by a client.
    service.shut_down().await;
    Ok(128u8.saturating_add(signalled))
}

async fn http(
    server: McpServer,
    service: &Arc<Service>,
    address: std::net::SocketAddr,
    access: Access,
) -> Result<u8, Vec<String>> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| vec![format!("cannot listen on {address}: {e}")])?;
    let bound = listener.local_addr().map_err(|e| vec![e.to_string()])?;
    println!("listening on http://{bound}/mcp");
    let stop = tokio_util::sync::CancellationToken::new();
    let app = telaio_mcp::router(server, access, stop.clone());
    let signalled = Arc::new(std::sync::atomic::AtomicU8::new(0));
    let stopped = {
        let (stop, service, signalled) = (stop.clone(), service.clone(), signalled.clone());
        async move {
            let signal = crate::run::signal().await;
            signalled.store(signal, std::sync::atomic::Ordering::SeqCst);
            crate::serve::stopping(signal);
            // The service first (no run is taken after, and those going on stop as the
            // server's), then the connections.
            service.shut_down().await;
            stop.cancel();
        }
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(stopped)
        .await
        .map_err(|e| vec![format!("the server stopped: {e}")])?;
    service.shut_down().await;
    Ok(match signalled.load(std::sync::atomic::Ordering::SeqCst) {
        0 => exit::OK,
        n => 128u8.saturating_add(n),
    })
}

/// The documents as a client sees them beyond their tools: read again as the server read
/// them, when the client asks.
struct Views {
    load: crate::args::LoadArgs,
}

impl Views {
    /// A loader as the server's, and the document's URL.
    fn reading(&self, document: &str) -> Option<(telaio_model::Loader, url::Url)> {
        let loader = crate::loading::loader(&self.load, &[]).ok()?;
        let url = telaio_model::Loader::url_for_path(std::path::Path::new(document)).ok()?;
        Some((loader, url))
    }
}

impl telaio_mcp::DocumentViews for Views {
    fn page(&self, document: &str) -> Option<String> {
        let (loader, url) = self.reading(document)?;
        let bundle = loader.load_bundle(&url).ok()?;
        Some(telaio_docs::markdown(&bundle))
    }

    fn findings(&self, document: &str) -> Option<serde_json::Value> {
        let (loader, url) = self.reading(document)?;
        let report =
            crate::validate::report(&loader, &url, &telaio_lint::LintOptions::default()).ok()?;
        Some(crate::render::json_value(&[report]))
    }
}

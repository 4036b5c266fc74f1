//! `telaio mock` and `telaio run --mock`: a stand-in for a document's APIs on 127.0.0.1.

use std::path::Path;
use std::sync::Arc;

use telaio_mock::{Mock, MockOptions, Scenario};
use telaio_model::{Bundle, Loader};

use crate::args::MockArgs;
use crate::render::usage_error;
use crate::{exit, loading};

/// A mock bound to a local port, not yet serving (it serves on the run's runtime).
pub(crate) struct Bound {
    pub mock: Arc<Mock>,
    pub listener: std::net::TcpListener,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Bound {
    /// Serves on the current tokio runtime until the runtime ends.
    pub fn spawn(self) -> Result<(), String> {
        let listener = tokio::net::TcpListener::from_std(self.listener)
            .map_err(|e| format!("cannot serve the mock: {e}"))?;
        tokio::spawn(self.mock.serve(listener));
        Ok(())
    }
}

/// Builds a mock for `bundle` (with the scenario file, when given) and binds it to
/// 127.0.0.1:`port` (0: any free port).
pub(crate) fn bind(
    bundle: &Bundle,
    scenario: Option<&Path>,
    verify_sigv4: bool,
    port: u16,
    access_log: bool,
) -> Result<Bound, String> {
    let scenario = match scenario {
        None => None,
        Some(path) => {
            let text = loading::read_text_file(path, loading::MAX_SCENARIO_FILE)?;
            Some(Scenario::parse(&path.display().to_string(), &text).map_err(|e| e.to_string())?)
        }
    };
    let mock = Mock::new(
        bundle,
        MockOptions {
            scenario,
            verify_sigv4,
        },
    );
    // A mock of its own process says what it answered, a line per request on stderr.
    let mock = if access_log {
        mock.with_hook(Box::new(|request, answer| {
            let what = request
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target"))
                .map_or_else(
                    || match &request.query {
                        Some(q) => format!("{}?{q}", request.path),
                        None => request.path.clone(),
                    },
                    |(_, target)| format!("{} {target}", request.path),
                );
            crate::term::eprintln(&format!("{} {what} -> {}", request.method, answer.status));
        }))
    } else {
        mock
    };
    let unknown = mock.unknown_operations();
    if !unknown.is_empty() {
        return Err(format!(
            "the scenario names operations no source of the document has: {}",
            unknown.join(", ")
        ));
    }
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("cannot listen: {e}"))?
        .port();
    Ok(Bound {
        mock: Arc::new(mock),
        listener,
        url: format!("http://127.0.0.1:{port}"),
    })
}

/// `telaio mock FILE`: serves until interrupted.
pub(crate) fn run(args: &MockArgs) -> u8 {
    let bound = (|| {
        let loader = loading::loader(&args.load, &[])?;
        let url = Loader::url_for_path(&args.file).map_err(|e| e.to_string())?;
        let bundle = loader.load_bundle(&url).map_err(|e| e.to_string())?;
        bind(
            &bundle,
            args.scenario.as_deref(),
            args.verify_sigv4,
            args.port,
            true,
        )
    })();
    let bound = match bound {
        Ok(b) => b,
        Err(e) => {
            usage_error(&e);
            return exit::USAGE;
        }
    };
    let Some(runtime) = crate::runtime() else {
        return exit::USAGE;
    };
    // Scripts wait for this line to know the port.
    crate::term::println(&format!("listening on {}", bound.url));
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::from_std(bound.listener)?;
        bound.mock.serve(listener).await
    });
    match served {
        Ok(()) => exit::OK,
        Err(e) => {
            usage_error(&format!("the mock stopped: {e}"));
            exit::USAGE
        }
    }
}

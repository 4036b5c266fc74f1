//! Arguments of `telaio mcp`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{RunSettings, StoreArgs};

#[derive(Debug, Args)]
pub(crate) struct McpArgs {
    /// Arazzo documents, or folders to search for them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,

    /// How clients reach the server: its stdin and stdout (a client starts it), or
    /// streamable HTTP at `/mcp`.
    #[arg(long, value_enum, default_value_t = Transport::Stdio)]
    pub transport: Transport,

    /// The address HTTP listens on (default 127.0.0.1:7879; port 0 picks a free one). Any
    /// other than a loopback address needs --token-file.
    #[arg(long, value_name = "HOST:PORT")]
    pub listen: Option<String>,

    /// A file holding the bearer token every HTTP request must carry (`Authorization:
    /// Bearer ...`); needed to listen beyond loopback.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// Requests in flight at once, over all runs.
    #[arg(long, value_name = "N", default_value_t = telaio_serve::ServeOptions::default().concurrency)]
    pub concurrency: usize,

    #[command(flatten)]
    pub settings: RunSettings,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// MCP transports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Transport {
    /// JSON-RPC over stdin and stdout.
    Stdio,
    /// Streamable HTTP at `/mcp`.
    Http,
}

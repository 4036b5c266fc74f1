//! Arazzo workflows as Model Context Protocol tools: each served workflow one typed tool
//! (its inputs schema as `inputSchema`, its outputs as `outputSchema`, hints of what it
//! calls), each call a run of `telaio-serve`'s service: checked, recorded in the store,
//! followed with progress notifications, cancelled at a safe point.
//!
//! It speaks MCP through `rmcp`, over stdio or streamable HTTP. It must not run a workflow
//! itself (the service does), nor let a secret into anything a client receives: results and
//! progress come from the run's masked record.

mod call;
mod effects;
mod helpers;
mod resources;
mod server;
mod tools;

pub use effects::{Effects, effects};
pub use resources::{DocumentViews, Views};
pub use server::McpServer;
pub use tools::{ToolSet, names};

/// Why serving MCP stopped.
#[derive(Debug, thiserror::Error)]
pub enum McpError {
    /// The client never completed the start of the protocol.
    #[error("the MCP client did not start a session: {0}")]
    Start(String),
    /// The connection failed.
    #[error("the MCP connection failed: {0}")]
    Connection(String),
}

/// Serves `server` over stdin and stdout until the client closes them.
///
/// # Errors
/// When the client does not start the protocol, or the connection fails.
pub async fn serve_stdio(server: McpServer) -> Result<(), McpError> {
    use rmcp::ServiceExt;
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| McpError::Start(e.to_string()))?;
    running
        .waiting()
        .await
        .map(|_| ())
        .map_err(|e| McpError::Connection(e.to_string()))
}

/// The routes of MCP over streamable HTTP (`/mcp`), behind `access`'s door (the token when
/// one is set; without one, only requests to this machine's own names, and no browser page
/// of another origin). Runs stop at a safe point once `stop` is cancelled.
pub fn router(
    server: McpServer,
    access: telaio_serve::Access,
    stop: tokio_util::sync::CancellationToken,
) -> axum::Router {
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService,
    };
    let config = StreamableHttpServerConfig::default().with_cancellation_token(stop);
    // With a token, callers may use any name of this machine: the token is the check. The
    // door refuses a browser page of another origin either way.
    let config = if access.token.is_some() {
        config.disable_allowed_hosts()
    } else {
        config
    };
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        std::sync::Arc::new(LocalSessionManager::default()),
        config,
    );
    telaio_serve::guarded(axum::Router::new().nest_service("/mcp", service), access)
}

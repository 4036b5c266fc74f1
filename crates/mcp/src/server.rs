//! The MCP server: the tools, each call run by the service. One value serves every
//! connection (and, over HTTP, every request): it holds only shared handles.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use telaio_serve::Service;

use crate::resources::Views;
use crate::tools::ToolSet;

/// Workflows as MCP tools, run by a [`Service`].
#[derive(Clone)]
pub struct McpServer {
    service: Arc<Service>,
    tools: Arc<ToolSet>,
    views: Option<Views>,
}

impl std::fmt::Debug for McpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpServer")
            .field("tools", &self.tools.tools().len())
            .finish_non_exhaustive()
    }
}

impl McpServer {
    /// A server of `service`'s workflows, each a tool.
    pub fn new(service: Arc<Service>) -> McpServer {
        let tools = Arc::new(ToolSet::new(service.catalog()));
        McpServer {
            service,
            tools,
            views: None,
        }
    }

    /// This server, with `views` of its documents: their pages as resources, their
    /// findings through the `validate` tool.
    #[must_use]
    pub fn with_views(mut self, views: Views) -> McpServer {
        self.views = Some(views);
        self
    }

    /// Its tools.
    pub fn tools(&self) -> &ToolSet {
        &self.tools
    }

    /// The service running its calls.
    pub fn service(&self) -> &Arc<Service> {
        &self.service
    }
}

impl McpServer {
    /// Makes a tool's result fit its `outputSchema`, as MCP asks of every result and as
    /// clients check (some even when it is an error). Outputs that do not fit (an API that
    /// answers otherwise than its description says, a failed run's error body) leave the
    /// structured content for a text block, as sent, and the result is an error saying so.
    fn fit(&self, tool: &str, result: &mut CallToolResult) {
        let Some(structured) = &mut result.structured_content else {
            return;
        };
        let Err(why) = self.tools.conforms(tool, structured) else {
            return;
        };
        let outputs = std::mem::replace(&mut structured["outputs"], serde_json::json!({}));
        let lead = if result.is_error == Some(true) {
            "Its outputs"
        } else {
            "The run succeeded, but its outputs"
        };
        result.is_error = Some(true);
        result.content.push(ContentBlock::text(format!(
            "{lead} are not what the API descriptions say (the tool's outputSchema): {why}. \
             As the API sent them: {outputs}"
        )));
    }
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new("telaio", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Each tool runs an Arazzo workflow: a tested sequence of API calls. A call \
                 returns when the run has ended, with its status, outputs and run id; a run \
                 that polls reports progress per step.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let mut tools = self.tools.tools().to_vec();
        tools.extend(crate::helpers::tools());
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(crate::resources::list(
            self.service.catalog(),
        )))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        crate::resources::read(self.service.catalog(), self.views.as_ref(), &request.uri)
            .map(Into::into)
            .ok_or_else(|| {
                ErrorData::resource_not_found(
                    format!("no resource `{}`; resources/list names them", request.uri),
                    None,
                )
            })
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let arguments = request.arguments.unwrap_or_default();
        if let Some(answer) = crate::helpers::call(
            &request.name,
            &arguments,
            &self.service,
            &self.tools,
            self.views.as_ref(),
        ) {
            return Ok(answer.into());
        }
        let Some(index) = self.tools.find(&request.name) else {
            return Err(ErrorData::invalid_params(
                format!("no tool `{}` here; tools/list names them", request.name),
                None,
            ));
        };
        let mut result = crate::call::call(&self.service, index, arguments, &context).await;
        self.fit(&request.name, &mut result);
        Ok(result.into())
    }
}

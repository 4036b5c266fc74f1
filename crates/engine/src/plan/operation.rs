//! What an operation of an API description needs for a request: method, server URL, path
//! template, and how its declared parameters are serialised.

use std::collections::HashMap;

use serde_json::Value;
use telaio_model::{ApiDescription, ApiKind, LoadedSource, Operation};

/// An operation, resolved for sending.
#[derive(Clone, Debug)]
pub struct OperationPlan {
    /// The source description it comes from.
    pub source: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The base URL (server), without a trailing `/`.
    pub server: String,
    /// The path template (`/pets/{id}`), without any `#fragment` of the path key.
    pub path: String,
    /// The operation's `operationId`, if any.
    pub operation_id: Option<String>,
    /// Parameters the operation declares (path item and operation level).
    pub declared: Vec<DeclaredParam>,
    /// Its security alternatives.
    pub security: std::sync::Arc<crate::auth::Security>,
}

/// A parameter as the OpenAPI operation declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredParam {
    /// Its name.
    pub name: String,
    /// `path`, `query`, `header`, `cookie`.
    pub location: String,
    /// Its `style` (OpenAPI defaults apply when absent).
    pub style: Option<String>,
    /// Its `explode` (OpenAPI defaults apply when absent).
    pub explode: Option<bool>,
    /// Whether it declares a JSON `content` instead of a `schema`: its value is then sent as
    /// JSON text, not serialised by style.
    pub json_content: bool,
}

impl OperationPlan {
    /// Resolves an operation of a loaded source. `servers` overrides a source's server by
    /// source name (`--server`).
    pub fn new(
        source: &LoadedSource,
        operation: &Operation,
        servers: &HashMap<String, String>,
    ) -> Result<OperationPlan, String> {
        let api = source
            .api()
            .ok_or_else(|| format!("source `{}` is not an API description", source.name))?;
        let server = match servers.get(&source.name) {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => server_url(api).ok_or_else(|| {
                format!(
                    "source `{}` names no server; pass --server {}=<url>",
                    source.name, source.name
                )
            })?,
        };
        // A path key such as `/#CreateFaceLivenessSession` sends `/`: the rest is a fragment.
        let path = operation.path.split('#').next().unwrap_or("/").to_owned();
        let path = if path.is_empty() {
            "/".to_owned()
        } else {
            path
        };
        Ok(OperationPlan {
            source: source.name.clone(),
            method: operation.method.to_ascii_uppercase(),
            server,
            path,
            operation_id: operation.operation_id.clone(),
            declared: declared_params(api, operation),
            security: std::sync::Arc::new(crate::auth::security(
                &source.name,
                api,
                &operation.pointer,
            )),
        })
    }

    /// The declared parameter with this name and location.
    pub fn declared(&self, name: &str, location: &str) -> Option<&DeclaredParam> {
        self.declared.iter().find(|p| {
            p.location == location
                && (p.name == name || (location == "header" && p.name.eq_ignore_ascii_case(name)))
        })
    }
}

/// The first server's URL with its variables' defaults, or Swagger 2.0's scheme, host and
/// base path.
pub fn server_url(api: &ApiDescription) -> Option<String> {
    let doc = &api.document;
    let url = if api.kind == ApiKind::OpenApi2 {
        let host = doc.get("host")?.as_str()?;
        let scheme = doc
            .get("schemes")
            .and_then(Value::as_array)
            .and_then(|s| {
                s.iter()
                    .filter_map(Value::as_str)
                    .find(|s| *s == "https")
                    .or_else(|| s.first().and_then(Value::as_str))
            })
            .unwrap_or("https");
        let base = doc.get("basePath").and_then(Value::as_str).unwrap_or("");
        format!("{scheme}://{host}{base}")
    } else {
        let server = doc.get("servers")?.as_array()?.first()?;
        let mut url = server.get("url")?.as_str()?.to_owned();
        if let Some(vars) = server.get("variables").and_then(Value::as_object) {
            for (name, var) in vars {
                if let Some(default) = var.get("default").and_then(Value::as_str) {
                    url = url.replace(&format!("{{{name}}}"), default);
                }
            }
        }
        url
    };
    Some(url.trim_end_matches('/').to_owned())
}

fn declared_params(api: &ApiDescription, operation: &Operation) -> Vec<DeclaredParam> {
    let doc = &api.document;
    let deref = |v: &'_ Value| -> Option<Value> {
        let mut v = v.clone();
        for _ in 0..16 {
            match v
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
            {
                Some(p) => v = doc.pointer(p)?.clone(),
                None => return Some(v),
            }
        }
        None
    };
    let op = doc.pointer(&operation.pointer);
    let item_pointer = operation.pointer.rsplit_once('/').map_or("", |(p, _)| p);
    let item = doc.pointer(item_pointer);
    let mut out: Vec<DeclaredParam> = Vec::new();
    for list in [
        item.and_then(|i| i.get("parameters")),
        op.and_then(|o| o.get("parameters")),
    ] {
        for p in list.and_then(Value::as_array).into_iter().flatten() {
            let Some(p) = deref(p) else { continue };
            let (Some(name), Some(location)) = (
                p.get("name").and_then(Value::as_str),
                p.get("in").and_then(Value::as_str),
            ) else {
                continue;
            };
            let param = DeclaredParam {
                name: name.to_owned(),
                location: location.to_owned(),
                style: p.get("style").and_then(Value::as_str).map(str::to_owned),
                explode: p.get("explode").and_then(Value::as_bool),
                json_content: p
                    .get("content")
                    .and_then(Value::as_object)
                    .and_then(|c| c.keys().next())
                    .is_some_and(|media| crate::http::is_json(media)),
            };
            // Operation-level parameters override path-item ones.
            out.retain(|d| !(d.name == param.name && d.location == param.location));
            out.push(param);
        }
    }
    out
}

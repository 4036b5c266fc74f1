//! What an operation of an API description needs for a request: method, server URL, path
//! template, and how its declared parameters are serialised.

use std::collections::HashMap;

use serde_json::Value;
use telaio_model::{
    ApiDescription, ApiKind, LoadedSource, Operation, OperationLookup, ParameterIn,
};

use super::{PlanOptions, TargetPlan};

use crate::security::{Scheme, SchemeKind, Security};

/// An operation, resolved for sending.
#[derive(Clone, Debug)]
pub struct OperationPlan {
    /// The source description it comes from.
    pub source: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The base URL (server), without a trailing `/`; `None` when neither the description nor
    /// the run names one (a dry run goes without; a run asks for it first, see
    /// [`crate::Plan::problems`]).
    pub server: Option<String>,
    /// The path template (`/pets/{id}`), without any `#fragment` of the path key.
    pub path: String,
    /// The operation's `operationId`, if any.
    pub operation_id: Option<String>,
    /// Parameters the operation declares (path item and operation level).
    pub declared: Vec<DeclaredParam>,
    /// Its security alternatives.
    pub security: std::sync::Arc<Security>,
    /// Where it is described, for what the plan does not copy (its responses).
    pub described: Described,
}

/// An operation's place in its API description: the description (shared, not copied) and
/// the operation's JSON Pointer in it.
#[derive(Clone)]
pub struct Described {
    /// The API description.
    pub api: std::sync::Arc<ApiDescription>,
    /// The operation's JSON Pointer in it (`/paths/~1pets/get`).
    pub pointer: String,
}

impl Described {
    /// The operation object.
    pub fn operation(&self) -> Option<&Value> {
        self.api.document.pointer(&self.pointer)
    }
}

impl std::fmt::Debug for Described {
    // The description can be megabytes: its place is enough.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Described")
            .field("pointer", &self.pointer)
            .finish_non_exhaustive()
    }
}

/// A parameter as the OpenAPI operation declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredParam {
    /// Its name.
    pub name: String,
    /// Where it goes.
    pub location: ParameterIn,
    /// Its `style` (OpenAPI defaults apply when absent).
    pub style: Option<String>,
    /// Its `explode` (OpenAPI defaults apply when absent).
    pub explode: Option<bool>,
    /// Whether it declares a JSON `content` instead of a `schema`: its value is then sent as
    /// JSON text, not serialised by style.
    pub json_content: bool,
}

impl OperationPlan {
    /// Resolves an operation of a loaded source, with the run's choices: `--server`
    /// overrides, server variables (`{region}`), forced authentication (`--auth`).
    pub fn new(
        source: &LoadedSource,
        operation: &Operation,
        options: &super::PlanOptions,
    ) -> Result<OperationPlan, String> {
        let shared = source
            .shared_api()
            .ok_or_else(|| format!("source `{}` is not an API description", source.name))?;
        let api: &ApiDescription = shared;
        let server = match options.servers.get(&source.name) {
            Some(url) => Some(url.trim_end_matches('/').to_owned()),
            None => server_url(api, &options.server_variables),
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
            path,
            operation_id: operation.operation_id.clone(),
            declared: declared_params(api, operation),
            security: std::sync::Arc::new(aws_security(
                crate::security::security(&source.name, api, &operation.pointer),
                &source.name,
                api,
                server.as_deref().unwrap_or_default(),
                options.auth.get(&source.name).map(String::as_str),
            )),
            server,
            described: Described {
                api: shared.clone(),
                pointer: operation.pointer.clone(),
            },
        })
    }

    /// The declared parameter with this name and location.
    pub fn declared(&self, name: &str, location: &ParameterIn) -> Option<&DeclaredParam> {
        self.declared.iter().find(|p| {
            p.location == *location
                && (p.name == name
                    || (*location == ParameterIn::Header && p.name.eq_ignore_ascii_case(name)))
        })
    }
}

/// SigV4 for AWS APIs: a security scheme that declares it (`x-amazon-apigateway-authtype:
/// awsSigv4`) gets its signing name from the description's AWS host. An API whose server is
/// an AWS endpoint (the description's own, so a `--server` pointing at a mock keeps it) and
/// that declares no security, or one the user names with `--auth <source>=aws-sigv4`, is
/// signed too: the catalog's AWS descriptions only say so in prose. Declared schemes of an
/// AWS host (an API Gateway API key) are left as they are.
fn aws_security(
    mut security: Security,
    source: &str,
    api: &ApiDescription,
    server: &str,
    forced: Option<&str>,
) -> Security {
    let service = aws_service(api);
    let declared = security
        .iter()
        .flatten()
        .any(|s| matches!(s.kind, SchemeKind::AwsSigV4 { .. }));
    let aws_host = service.is_some() || host_of(server).and_then(signing_name).is_some();
    if !declared && (forced == Some("aws-sigv4") || (aws_host && security.is_empty())) {
        security = vec![vec![Scheme {
            source: source.to_owned(),
            name: "aws-sigv4".to_owned(),
            kind: SchemeKind::AwsSigV4 { service: None },
            scopes: Vec::new(),
        }]];
    }
    for scheme in security.iter_mut().flatten() {
        if let SchemeKind::AwsSigV4 { service: s @ None } = &mut scheme.kind {
            s.clone_from(&service);
        }
    }
    security
}

/// The signing name of the description's own server, when it is an AWS endpoint.
fn aws_service(api: &ApiDescription) -> Option<String> {
    let url = api
        .document
        .pointer("/servers/0/url")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            api.document
                .get("host")?
                .as_str()
                .map(|h| format!("https://{h}"))
        })?;
    host_of(&url).and_then(signing_name)
}

/// The SigV4 signing name an AWS host implies: its first label (`rekognition` in
/// `rekognition.{region}.amazonaws.com`), without a `-fips` suffix; `execute-api` for API
/// Gateway hosts (`<id>.execute-api.<region>.amazonaws.com`). Also for China's
/// `amazonaws.com.cn`.
fn signing_name(host: &str) -> Option<String> {
    let host = host.to_ascii_lowercase();
    let rest = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let labels: Vec<&str> = rest.split('.').collect();
    if labels.get(1) == Some(&"execute-api") {
        return Some("execute-api".to_owned());
    }
    let first = labels.first().filter(|l| !l.is_empty())?;
    Some(first.strip_suffix("-fips").unwrap_or(first).to_owned())
}

/// The host of a URL (or URL template), without port.
fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    Some(host.split(':').next().unwrap_or(host))
}

/// The first server's URL with its variables filled (from `variables`, else their defaults),
/// or Swagger 2.0's scheme, host and base path.
pub fn server_url(api: &ApiDescription, variables: &HashMap<String, String>) -> Option<String> {
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
                let value = variables
                    .get(name)
                    .map(String::as_str)
                    .or_else(|| var.get("default").and_then(Value::as_str));
                if let Some(value) = value {
                    url = url.replace(&format!("{{{name}}}"), value);
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
                location: ParameterIn::named(location),
                style: p.get("style").and_then(Value::as_str).map(str::to_owned),
                explode: p.get("explode").and_then(Value::as_bool),
                json_content: p
                    .get("content")
                    .and_then(Value::as_object)
                    .and_then(|c| c.keys().next())
                    .is_some_and(|media| crate::is_json(media)),
            };
            // Operation-level parameters override path-item ones.
            out.retain(|d| !(d.name == param.name && d.location == param.location));
            out.push(param);
        }
    }
    out
}

/// What a step's operation lookup means for the plan: the operation; `Unavailable` when the
/// source it would be in did not load (the document may be right); an error otherwise.
pub(super) fn target(
    lookup: OperationLookup<'_>,
    written: &str,
    options: &PlanOptions,
) -> Result<TargetPlan, String> {
    match lookup {
        OperationLookup::Found { source, operation } => {
            OperationPlan::new(source, operation, options).map(TargetPlan::Operation)
        }
        OperationLookup::Ambiguous { candidates } => Err(format!(
            "`{written}` is an operation of several sources ({}); qualify it as `$sourceDescriptions.<name>.{written}`",
            candidates
                .iter()
                .map(|(s, _)| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        OperationLookup::UnknownSource { name } => {
            Err(format!("there is no source description `{name}`"))
        }
        OperationLookup::Malformed { reason } => Err(format!("`{written}`: {reason}")),
        // Not found where it was looked for: the document is wrong. Not looked for, because
        // the source did not load: the document may be right, and the run cannot tell.
        OperationLookup::NotFound { searched, unloaded } => match unloaded.first() {
            Some(s) if searched.is_empty() => {
                let error = s.content.as_ref().err();
                Ok(TargetPlan::Unavailable {
                    reason: format!(
                        "source `{}` did not load ({}), so `{written}` cannot be called",
                        s.name,
                        error.map(ToString::to_string).unwrap_or_default()
                    ),
                    remote: matches!(
                        error,
                        Some(telaio_model::LoadError::RemoteNotAllowed { .. })
                    ),
                })
            }
            _ => Err(format!(
                "no operation `{written}` in the source descriptions"
            )),
        },
    }
}

impl super::Plan {
    /// Every security scheme an operation of the plan may use, each once (by source and
    /// name), in the order the workflows reach them: what credentials and redaction cover.
    pub fn security_schemes(&self) -> Vec<&Scheme> {
        let mut out: Vec<&Scheme> = Vec::new();
        for w in self.all_workflows() {
            for s in &w.steps {
                if let TargetPlan::Operation(op) = &s.target {
                    for scheme in op.security.iter().flatten() {
                        if !out
                            .iter()
                            .any(|o| o.source == scheme.source && o.name == scheme.name)
                        {
                            out.push(scheme);
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::signing_name;

    #[test]
    fn aws_hosts_give_their_signing_names() {
        let name = |h: &str| signing_name(h);
        assert_eq!(
            name("rekognition.{region}.amazonaws.com").as_deref(),
            Some("rekognition")
        );
        assert_eq!(
            name("rekognition-fips.us-east-1.amazonaws.com").as_deref(),
            Some("rekognition")
        );
        assert_eq!(
            name("a1b2c3.execute-api.eu-west-1.amazonaws.com").as_deref(),
            Some("execute-api")
        );
        assert_eq!(
            name("s3.cn-north-1.amazonaws.com.cn").as_deref(),
            Some("s3")
        );
        assert_eq!(name("example.com"), None);
        assert_eq!(name("amazonaws.com.evil.example"), None);
    }
}

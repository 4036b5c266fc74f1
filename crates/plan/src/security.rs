//! The security an operation asks for, read from its API description: the schemes of each
//! alternative (API key, basic, bearer, OAuth client credentials, AWS SigV4) as types. Which
//! secrets satisfy them, and applying them, is `telaio-auth`'s job, not this module's.

use serde_json::Value;
use telaio_model::{ApiDescription, ParameterIn};

/// How a scheme authenticates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemeKind {
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// Its name.
        name: String,
        /// `header`, `query` or `cookie`.
        location: ParameterIn,
    },
    /// HTTP basic.
    Basic,
    /// HTTP bearer.
    Bearer,
    /// OAuth 2.0 client credentials.
    ClientCredentials {
        /// Where tokens come from.
        token_url: String,
    },
    /// AWS Signature Version 4 (`type: apiKey` with `x-amazon-apigateway-authtype: awsSigv4`,
    /// or an AWS endpoint): credentials and region from the AWS setup (`telaio-auth`).
    AwsSigV4 {
        /// The signing name, from the API's AWS host (`--aws-service` overrules it).
        service: Option<String>,
    },
    /// A scheme Telaio does not apply (OpenID Connect, mutual TLS, other flows).
    Unsupported(String),
}

/// A security scheme of a source, as one requirement of an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheme {
    /// The source description's name.
    pub source: String,
    /// The scheme's key in `securitySchemes`.
    pub name: String,
    /// How it authenticates.
    pub kind: SchemeKind,
    /// OAuth scopes the operation asks for.
    pub scopes: Vec<String>,
}

/// The security alternatives of an operation: any one list, all of its schemes together.
pub type Security = Vec<Vec<Scheme>>;

/// Reads an operation's security requirements from its description.
pub fn security(source: &str, api: &ApiDescription, operation_pointer: &str) -> Security {
    let doc = &api.document;
    let requirements = doc
        .pointer(operation_pointer)
        .and_then(|op| op.get("security"))
        .or_else(|| doc.get("security"))
        .and_then(Value::as_array);
    let schemes = api.security_schemes();
    requirements
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|alternative| {
            alternative
                .iter()
                .map(|(name, scopes)| Scheme {
                    source: source.to_owned(),
                    name: name.clone(),
                    kind: schemes
                        .and_then(|s| s.get(name))
                        .map_or_else(|| SchemeKind::Unsupported("undeclared".into()), scheme_kind),
                    scopes: scopes
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                })
                .collect()
        })
        .collect()
}

/// How a `securitySchemes` entry authenticates.
pub fn scheme_kind(scheme: &Value) -> SchemeKind {
    let field = |k: &str| {
        scheme
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match field("type").as_str() {
        // The way API Gateway exports (and AWS's own descriptions) declare SigV4.
        "apiKey" if field("x-amazon-apigateway-authtype").eq_ignore_ascii_case("awsSigv4") => {
            SchemeKind::AwsSigV4 { service: None }
        }
        "apiKey" => SchemeKind::ApiKey {
            name: field("name"),
            location: ParameterIn::named(&field("in")),
        },
        "http" if field("scheme").eq_ignore_ascii_case("basic") => SchemeKind::Basic,
        "http" if field("scheme").eq_ignore_ascii_case("bearer") => SchemeKind::Bearer,
        // Swagger 2.0 spells basic auth as its own type.
        "basic" => SchemeKind::Basic,
        "oauth2" => {
            let token_url = scheme
                .pointer("/flows/clientCredentials/tokenUrl")
                .or_else(|| {
                    (scheme.get("flow").and_then(Value::as_str) == Some("application"))
                        .then(|| scheme.get("tokenUrl"))
                        .flatten()
                })
                .and_then(Value::as_str);
            match token_url {
                Some(url) => SchemeKind::ClientCredentials {
                    token_url: url.to_owned(),
                },
                None => SchemeKind::Unsupported(
                    "an OAuth 2.0 flow other than client credentials".into(),
                ),
            }
        }
        other => SchemeKind::Unsupported(format!("`{other}`")),
    }
}

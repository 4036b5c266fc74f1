//! Which operation a request is for: method and path template, and for AWS JSON APIs, whose
//! operations all share `POST /`, the `X-Amz-Target` header against the path's fragment
//! (`/#CreateFaceLivenessSession`, the catalog's convention).

use std::sync::Arc;

use telaio_model::{ApiDescription, Bundle};

/// One operation the mock answers.
#[derive(Debug)]
pub(crate) struct Route {
    /// Its `operationId`, when it has one (scenarios name operations by it).
    pub operation_id: Option<String>,
    /// The pointer to the operation in its description.
    pub pointer: String,
    /// Its description.
    pub api: Arc<ApiDescription>,
    method: String,
    segments: Vec<Segment>,
    /// The name after `#` in the path key, matched against `X-Amz-Target`.
    target: Option<String>,
    /// Whether AWS signs calls to it: its security names a SigV4 scheme, or its description's
    /// server is an AWS endpoint.
    pub aws: bool,
}

#[derive(Debug)]
enum Segment {
    Literal(String),
    Variable,
}

/// Every operation of a bundle's API sources (those of linked documents too).
pub(crate) fn routes(bundle: &Bundle) -> Vec<Route> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for b in std::iter::once(bundle).chain(&bundle.linked) {
        for source in &b.sources {
            let Ok(telaio_model::Source::Api(api)) = &source.content else {
                continue;
            };
            // Two documents may name the same description.
            if seen.iter().any(|a| Arc::ptr_eq(a, api)) {
                continue;
            }
            seen.push(api.clone());
            let aws_host = api
                .document
                .pointer("/servers/0/url")
                .or_else(|| api.document.get("host"))
                .and_then(serde_json::Value::as_str)
                .is_some_and(|u| u.contains(".amazonaws.com"));
            for op in api.operations() {
                let (path, target) = match op.path.split_once('#') {
                    Some((p, t)) => (p, Some(t.to_owned())),
                    None => (op.path.as_str(), None),
                };
                out.push(Route {
                    operation_id: op.operation_id.clone(),
                    pointer: op.pointer.clone(),
                    api: api.clone(),
                    method: op.method.to_ascii_uppercase(),
                    segments: segments(path),
                    target,
                    aws: aws_host || signs_sigv4(&api.document, &op.pointer),
                });
            }
        }
    }
    out
}

/// Whether the operation's security (or the description's) names a scheme declared as SigV4
/// (`x-amazon-apigateway-authtype: awsSigv4`).
fn signs_sigv4(doc: &serde_json::Value, pointer: &str) -> bool {
    let requirements = doc
        .pointer(pointer)
        .and_then(|op| op.get("security"))
        .or_else(|| doc.get("security"))
        .and_then(serde_json::Value::as_array);
    let schemes = doc
        .pointer("/components/securitySchemes")
        .or_else(|| doc.get("securityDefinitions"));
    requirements.into_iter().flatten().any(|alternative| {
        alternative
            .as_object()
            .into_iter()
            .flatten()
            .any(|(name, _)| {
                schemes
                    .and_then(|s| s.get(name))
                    .and_then(|s| s.get("x-amazon-apigateway-authtype"))
                    .and_then(serde_json::Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("awsSigv4"))
            })
    })
}

fn segments(path: &str) -> Vec<Segment> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Variable
            } else {
                Segment::Literal(s.to_owned())
            }
        })
        .collect()
}

/// Why no operation answers a request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Miss {
    /// No operation has this method and path.
    NoPath,
    /// Operations share the path and differ by `X-Amz-Target`, and none is the one asked
    /// for (or none was asked for).
    UnknownTarget,
}

/// The route for a request: method and path must match, a literal segment beating a
/// template variable (`/pets/mine` before `/pets/{id}`). Operations on one path told apart by
/// their fragment (AWS JSON APIs) need the `X-Amz-Target` that names one of them.
pub(crate) fn find<'r>(
    routes: &'r [Route],
    method: &str,
    path: &str,
    amz_target: Option<&str>,
) -> Result<&'r Route, Miss> {
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let matching: Vec<&Route> = routes
        .iter()
        .filter(|r| {
            r.method.eq_ignore_ascii_case(method)
                && r.segments.len() == parts.len()
                && r.segments.iter().zip(&parts).all(|(s, p)| match s {
                    Segment::Literal(l) => l == p,
                    Segment::Variable => true,
                })
        })
        .collect();
    let literals = |r: &Route| {
        r.segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count()
    };
    // `max_by_key` keeps the last of equals; reversed, the first in document order wins.
    let best = matching.iter().rev().max_by_key(|r| literals(r)).copied();
    let best = best.ok_or(Miss::NoPath)?;
    let targeted: Vec<&Route> = matching
        .iter()
        .copied()
        .filter(|r| r.target.is_some() && literals(r) == literals(best))
        .collect();
    if targeted.len() < 2 {
        return Ok(best);
    }
    let wanted = amz_target.map(|t| t.rsplit('.').next().unwrap_or(t));
    targeted
        .into_iter()
        .find(|r| wanted.is_some() && r.target.as_deref() == wanted)
        .ok_or(Miss::UnknownTarget)
}

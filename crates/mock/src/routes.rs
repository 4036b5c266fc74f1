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
                });
            }
        }
    }
    out
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

/// The route for a request: method and path must match, a literal segment beating a
/// template variable (`/pets/mine` before `/pets/{id}`); among operations on the same path
/// (AWS JSON APIs), the one whose fragment names the `X-Amz-Target` operation.
pub(crate) fn find<'r>(
    routes: &'r [Route],
    method: &str,
    path: &str,
    amz_target: Option<&str>,
) -> Option<&'r Route> {
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let wanted = amz_target.map(|t| t.rsplit('.').next().unwrap_or(t));
    routes
        .iter()
        .filter(|r| {
            r.method.eq_ignore_ascii_case(method)
                && r.segments.len() == parts.len()
                && r.segments.iter().zip(&parts).all(|(s, p)| match s {
                    Segment::Literal(l) => l == p,
                    Segment::Variable => true,
                })
        })
        // `max_by_key` keeps the last of equals; reversed, the first in document order wins.
        .rev()
        .max_by_key(|r| {
            let named = wanted.is_some() && r.target.as_deref() == wanted;
            let literals = r
                .segments
                .iter()
                .filter(|s| matches!(s, Segment::Literal(_)))
                .count();
            (named, literals)
        })
}

//! The web console at `/`: a page, its script and its style, built into the binary (no build
//! step, nothing fetched from elsewhere), and each served document's documentation page. The
//! console uses the JSON API like any other client.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::api::error;
use crate::service::Service;

const PAGE: &str = include_str!("console/index.html");
const SCRIPT: &str = include_str!("console/console.js");
const STYLE: &str = include_str!("console/console.css");

/// The console's own files may come from this server only.
const CONSOLE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// A documentation page is self-contained (its script and style inline): nothing outside it
/// may load, and it may fetch nothing.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn file(body: &'static str, kind: &'static str, policy: &'static str) -> Response {
    let mut answer = ([(header::CONTENT_TYPE, kind)], body).into_response();
    let headers = answer.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    answer
}

pub(crate) async fn page() -> Response {
    file(PAGE, "text/html; charset=utf-8", CONSOLE_POLICY)
}

pub(crate) async fn script() -> Response {
    file(SCRIPT, "text/javascript; charset=utf-8", CONSOLE_POLICY)
}

pub(crate) async fn style() -> Response {
    file(STYLE, "text/css; charset=utf-8", CONSOLE_POLICY)
}

pub(crate) async fn document(
    State(service): State<Arc<Service>>,
    Path(n): Path<usize>,
) -> Response {
    match service.catalog().page(n) {
        Some(html) => {
            let mut answer = (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html.to_owned(),
            )
                .into_response();
            answer.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(PAGE_POLICY),
            );
            answer
        }
        None => error(StatusCode::NOT_FOUND, format!("no document page {n}")),
    }
}

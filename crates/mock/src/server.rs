//! The mock itself: checks a request's signature when asked, finds its operation, and answers
//! from the scenario or the description; and the HTTP server around it.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use telaio_auth::{AwsCredentials, verify_sigv4};
use telaio_model::Bundle;

use crate::canned::canned;
use crate::routes::{Miss, Route, find, routes};
use crate::scenario::{OperationScenario, Scenario};
use crate::state::{Context, Rendered, State, field_of};

/// How the mock behaves.
#[derive(Clone, Debug, Default)]
pub struct MockOptions {
    /// Stateful answers; without one, every call gets the description's example.
    pub scenario: Option<Scenario>,
    /// Check every request's AWS SigV4 signature against [`test_credentials`].
    pub verify_sigv4: bool,
}

/// The AWS credentials the mock accepts (`telaio run --mock` signs with them).
pub fn test_credentials() -> AwsCredentials {
    AwsCredentials {
        access_key_id: "AKIDTELAIOMOCK".into(),
        secret_access_key: "telaio-mock-secret-access-key".into(),
        session_token: None,
        found_in: "the mock's test credentials".into(),
    }
}

/// A request as the mock sees it.
#[derive(Clone, Debug, Default)]
pub struct MockRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, when there is one.
    pub query: Option<String>,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// The mock's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct MockResponse {
    /// The HTTP status.
    pub status: u16,
    /// Header names and values (`Content-Type` among them when there is a body).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Milliseconds to wait before answering.
    pub delay_ms: u64,
}

/// What hears of each request the mock answered, with its answer (an access log).
pub type AnswerHook = Box<dyn Fn(&MockRequest, &MockResponse) + Send + Sync>;

/// A stand-in for every API operation of a document.
pub struct Mock {
    routes: Vec<Route>,
    options: MockOptions,
    state: Mutex<State>,
    heard: Option<AnswerHook>,
}

impl std::fmt::Debug for Mock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mock")
            .field("routes", &self.routes)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Mock {
    /// A mock for the API sources of `bundle` (and of the documents it links).
    pub fn new(bundle: &Bundle, options: MockOptions) -> Mock {
        Mock {
            routes: routes(bundle),
            options,
            state: Mutex::new(State::new()),
            heard: None,
        }
    }

    /// The mock, telling `hook` of each request it serves and its answer.
    pub fn with_hook(mut self, hook: AnswerHook) -> Mock {
        self.heard = Some(hook);
        self
    }

    /// Operation ids a scenario names that no source has, for a clear refusal before serving.
    pub fn unknown_operations(&self) -> Vec<String> {
        let Some(scenario) = &self.options.scenario else {
            return Vec::new();
        };
        scenario
            .operations
            .keys()
            .filter(|id| {
                !self
                    .routes
                    .iter()
                    .any(|r| r.operation_id.as_deref() == Some(id.as_str()))
            })
            .cloned()
            .collect()
    }

    /// The answer to one request.
    pub fn answer(&self, request: &MockRequest) -> MockResponse {
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let route = match find(
            &self.routes,
            &request.method,
            &request.path,
            header("x-amz-target"),
        ) {
            Ok(route) => route,
            Err(Miss::NoPath) => {
                return aws_error(
                    404,
                    "UnknownOperationException",
                    &format!(
                        "no operation of the document answers {} {}",
                        request.method, request.path
                    ),
                );
            }
            Err(Miss::UnknownTarget) => {
                return aws_error(
                    400,
                    "UnknownOperationException",
                    &format!(
                        "X-Amz-Target `{}` names no operation of the document",
                        header("x-amz-target").unwrap_or_default()
                    ),
                );
            }
        };
        // AWS operations must be signed; others are checked only when they carry a signature.
        let signed = header("authorization").is_some_and(|a| a.starts_with("AWS4-"));
        if self.options.verify_sigv4
            && (route.aws || signed)
            && let Err(refusal) = self.check_signature(request, header("host"))
        {
            return refusal;
        }
        let answer = canned(&route.api.document, &route.pointer);
        let content_type = answer
            .content_type
            .clone()
            .unwrap_or_else(|| "application/json".to_owned());
        let scenario = route
            .operation_id
            .as_deref()
            .and_then(|id| Some((id, self.options.scenario.as_ref()?.operations.get(id)?)));
        let rendered = match scenario {
            Some((id, s)) => self.stateful(id, s, request),
            None => None,
        }
        .unwrap_or(Rendered {
            status: answer.status,
            headers: Vec::new(),
            body: answer.body,
            delay_ms: 0,
        });
        let mut headers = rendered.headers;
        let body = match rendered.body {
            Some(Value::String(text)) if !telaio_plan::is_json(&content_type) => text.into_bytes(),
            Some(v) => serde_json::to_vec(&v).unwrap_or_default(),
            None => Vec::new(),
        };
        if !body.is_empty()
            && !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            headers.push(("content-type".into(), content_type));
        }
        MockResponse {
            status: rendered.status,
            headers,
            body,
            delay_ms: rendered.delay_ms,
        }
    }

    /// The scenario's answer, or none to fall back to the description's.
    fn stateful(&self, id: &str, s: &OperationScenario, request: &MockRequest) -> Option<Rendered> {
        let body: Option<Value> = serde_json::from_slice(&request.body).ok();
        let text = |field: &Option<String>| {
            field_of(body.as_ref(), field.as_deref()?).map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        };
        let key = text(&s.key);
        let token = text(&s.idempotency_key);
        // A poisoned lock only means another request panicked mid-answer; the counts stand.
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let count = state.call(id);
        let cx = Context {
            request: body.as_ref(),
            key: key.as_deref(),
            count,
        };
        if let Some(fault) = s
            .faults
            .iter()
            .find(|f| f.every > 0 && count.is_multiple_of(f.every))
        {
            return Some(state.render(&fault.reply, &cx));
        }
        if let Some(token) = &token
            && let Some(before) = state.remembered(id, token)
        {
            return Some(before);
        }
        if let (Some(unknown), Some(k)) = (&s.unknown_key, &key)
            && !state.knows(k)
        {
            return Some(state.render(unknown, &cx));
        }
        if s.responses.is_empty() {
            return None;
        }
        let position = state.advance(id, key.as_deref().unwrap_or_default());
        let reply = &s.responses[position.min(s.responses.len() - 1)];
        let rendered = state.render(reply, &cx);
        if let Some(token) = token {
            state.remember(id, &token, rendered.clone());
        }
        Some(rendered)
    }

    fn check_signature(
        &self,
        request: &MockRequest,
        host: Option<&str>,
    ) -> Result<(), MockResponse> {
        let token = request
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-security-token"))
            .map(|(_, v)| v);
        if let (Some(token), Some(scenario)) = (token, &self.options.scenario)
            && scenario.expired_session_tokens.contains(token)
        {
            return Err(aws_error(
                403,
                "ExpiredTokenException",
                "The security token included in the request is expired",
            ));
        }
        let url = format!(
            "http://{}{}{}",
            host.unwrap_or("127.0.0.1"),
            request.path,
            request
                .query
                .as_deref()
                .map(|q| format!("?{q}"))
                .unwrap_or_default()
        );
        verify_sigv4(
            &request.method,
            &url,
            &request.headers,
            &request.body,
            &test_credentials(),
            None,
            None,
            std::time::SystemTime::now(),
        )
        .map_err(|refusal| {
            let (code, message) = refusal
                .split_once(": ")
                .unwrap_or(("AccessDeniedException", &refusal));
            aws_error(403, code, message)
        })
    }

    /// Serves the mock on `listener` until the task is dropped, within the default
    /// [`ServeLimits`].
    pub async fn serve(self: Arc<Self>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        self.serve_within(listener, ServeLimits::default()).await
    }

    /// Serves the mock on `listener` until the task is dropped, within `limits`.
    pub async fn serve_within(
        self: Arc<Self>,
        listener: tokio::net::TcpListener,
        limits: ServeLimits,
    ) -> std::io::Result<()> {
        use axum::body::Body;
        use axum::http::{HeaderMap, Method, StatusCode, Uri};
        use axum::response::IntoResponse;
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Body| {
                let mock = self.clone();
                async move {
                    // The body within its time: a client that trickles it loses the request.
                    let body = match tokio::time::timeout(
                        limits.body_read_timeout,
                        axum::body::to_bytes(body, MAX_BODY_BYTES),
                    )
                    .await
                    {
                        Ok(Ok(bytes)) => bytes,
                        Ok(Err(_)) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
                        Err(_) => return StatusCode::REQUEST_TIMEOUT.into_response(),
                    };
                    let request = MockRequest {
                        method: method.to_string(),
                        path: uri.path().to_owned(),
                        query: uri.query().map(str::to_owned),
                        headers: headers
                            .iter()
                            .map(|(k, v)| {
                                (
                                    k.as_str().to_owned(),
                                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                                )
                            })
                            .collect(),
                        body: body.to_vec(),
                    };
                    let answer = mock.answer(&request);
                    if let Some(heard) = &mock.heard {
                        heard(&request, &answer);
                    }
                    if answer.delay_ms > 0 {
                        tokio::time::sleep(std::time::Duration::from_millis(answer.delay_ms)).await;
                    }
                    let status = StatusCode::from_u16(answer.status)
                        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                    let mut response = (status, answer.body).into_response();
                    for (k, v) in answer.headers {
                        if let (Ok(k), Ok(v)) = (
                            axum::http::HeaderName::from_bytes(k.as_bytes()),
                            axum::http::HeaderValue::from_str(&v),
                        ) {
                            response.headers_mut().insert(k, v);
                        }
                    }
                    response
                }
            },
        );
        serve_bounded(listener, app, limits).await
    }
}

/// The largest buffer of one connection: its request line and headers must fit.
const MAX_BUFFER_BYTES: usize = 64 * 1024;

/// The largest request body the mock reads.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// What keeps one client from holding the mock: timeouts on reading a request and on a whole
/// connection, and a cap on open connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServeLimits {
    /// How long a connection may take to send a request's headers: a client that opens a
    /// connection and trickles bytes (or sends none) is dropped. 10 s by default.
    pub header_read_timeout: std::time::Duration,
    /// How long a request's body may take to arrive (then `408`). 30 s by default.
    pub body_read_timeout: std::time::Duration,
    /// How long one connection is served, however many requests it carries (a client that
    /// never reads its answers holds it no longer). 10 minutes by default.
    pub connection_lifetime: std::time::Duration,
    /// The most connections served at once; more wait to be accepted. 4096 by default: a
    /// client running many workflows at once keeps more connections than it has requests in
    /// flight (its pool races past them), and one past the cap waits until an idle one
    /// times out.
    pub max_connections: usize,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_read_timeout: std::time::Duration::from_secs(10),
            body_read_timeout: std::time::Duration::from_secs(30),
            connection_lifetime: std::time::Duration::from_secs(600),
            max_connections: 4096,
        }
    }
}

/// Serves `app` on `listener`, one task per connection, within `limits`.
async fn serve_bounded(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: ServeLimits,
) -> std::io::Result<()> {
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    loop {
        // A free slot first, so that connections past the cap wait in the kernel's queue.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return Ok(());
        };
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of descriptors, or a connection reset before it was accepted: go on.
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let _slot = slot;
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                // A connection's buffer stays small (hyper's default grows to ~400 KiB), so
                // that the cap bounds memory too.
                .max_buf_size(MAX_BUFFER_BYTES)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let _ = tokio::time::timeout(limits.connection_lifetime, connection).await;
        });
    }
}

/// An AWS JSON error answer.
fn aws_error(status: u16, code: &str, message: &str) -> MockResponse {
    MockResponse {
        status,
        headers: vec![
            ("content-type".into(), "application/x-amz-json-1.1".into()),
            (
                "x-amzn-ErrorType".into(),
                format!("{code}:http://internal.amazon.com/coral/com.amazonaws.telaio.mock/"),
            ),
        ],
        body: json!({"__type": code, "message": message})
            .to_string()
            .into_bytes(),
        delay_ms: 0,
    }
}

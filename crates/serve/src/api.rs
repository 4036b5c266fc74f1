//! The JSON API: routes, and what each answers. The answers are those `/openapi.json`
//! describes; an error is `{"error": "...", "problems": [...]}` with its status.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use telaio_store::{ListFilter, RunStatus, StoreError};

use crate::service::{Service, StartError, now_ms};

/// An error answer.
pub(crate) fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

/// An error answer, until it is made one.
pub(crate) struct Refusal(pub(crate) StatusCode, pub(crate) String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        error(self.0, self.1)
    }
}

pub(crate) async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], crate::OPENAPI).into_response()
}

pub(crate) async fn workflows(State(service): State<Arc<Service>>) -> Json<Value> {
    Json(service.catalog().listing().clone())
}

/// `POST /runs`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct StartRun {
    workflow_id: String,
    #[serde(default)]
    document: Option<String>,
    #[serde(default)]
    target: Option<crate::Target>,
    #[serde(default)]
    inputs: serde_json::Map<String, Value>,
}

pub(crate) async fn start(
    State(service): State<Arc<Service>>,
    body: Result<Json<StartRun>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(asked) = match body {
        Ok(b) => b,
        Err(e) => return error(e.status(), e.body_text()),
    };
    match service.start(
        &asked.workflow_id,
        asked.document.as_deref(),
        asked.target,
        asked.inputs,
    ) {
        Ok(started) => {
            let id = started.id;
            let location = format!("/runs/{id}");
            let mut answer = (
                StatusCode::ACCEPTED,
                Json(json!({
                    "runId": id.as_str(),
                    "status": "queued",
                    "workflowId": asked.workflow_id,
                    "target": started.target,
                })),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                answer.headers_mut().insert(header::LOCATION, v);
            }
            answer
        }
        Err(e @ StartError::Choice(crate::catalog::Choice::Unknown(_))) => {
            error(StatusCode::NOT_FOUND, e.to_string())
        }
        Err(e @ StartError::Choice(crate::catalog::Choice::Ambiguous { .. })) => {
            error(StatusCode::CONFLICT, e.to_string())
        }
        Err(e @ StartError::Choice(crate::catalog::Choice::NotOffered { .. })) => {
            error(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
        }
        Err(StartError::Inputs(problems)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "error": "the inputs do not fit the workflow",
                "problems": problems,
            })),
        )
            .into_response(),
        Err(e @ StartError::Full(_)) => {
            let mut answer = error(StatusCode::TOO_MANY_REQUESTS, e.to_string());
            answer
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            answer
        }
        Err(e @ StartError::Stopping) => {
            let mut answer = error(StatusCode::SERVICE_UNAVAILABLE, e.to_string());
            answer
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            answer
        }
        Err(e @ StartError::Store(_)) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// The summary of a stored run, as lists show it.
fn summary(service: &Service, r: &telaio_store::RunSummary) -> Value {
    let status = match service.live(r.id.as_str()) {
        Some(live) => live.snapshot()["status"].clone(),
        None => json!(r.status_now(&service.options().host, now_ms()).as_str()),
    };
    json!({
        "runId": r.id.as_str(),
        "workflowId": r.workflow_id,
        "document": r.document,
        "status": status,
        "startedAtMs": r.started_at_ms,
        "endedAtMs": r.ended_at_ms,
    })
}

/// `GET /runs` query.
#[derive(Deserialize)]
pub(crate) struct ListQuery {
    status: Option<String>,
    workflow: Option<String>,
    limit: Option<usize>,
}

/// The most runs one list answers.
const MOST_LISTED: usize = 1000;

pub(crate) async fn list(
    State(service): State<Arc<Service>>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Query(query) = match query {
        Ok(q) => q,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.body_text()),
    };
    let status = match query.status.as_deref().map(RunStatus::named) {
        Some(None) => {
            return error(
                StatusCode::BAD_REQUEST,
                "status is one of running, succeeded, failed, interrupted, in-doubt",
            );
        }
        Some(Some(s)) => Some(s),
        None => None,
    };
    let filter = ListFilter {
        status,
        workflow: query.workflow,
        since_ms: None,
        limit: query.limit.unwrap_or(20).min(MOST_LISTED),
    };
    let listed = service.store().list(&filter);
    match listed {
        Ok(runs) => Json(Value::Array(
            runs.iter().map(|r| summary(&service, r)).collect(),
        ))
        .into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// A run's id as a path gives it: a whole id (a prefix is for people at a terminal).
fn whole_id(id: &str) -> Result<(), Refusal> {
    if id.len() == 36 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
        Ok(())
    } else {
        Err(Refusal(StatusCode::NOT_FOUND, format!("no run `{id}`")))
    }
}

pub(crate) async fn get(State(service): State<Arc<Service>>, Path(id): Path<String>) -> Response {
    if let Err(refusal) = whole_id(&id) {
        return refusal.into_response();
    }
    match service.look_up(&id) {
        Ok(run) => Json(run).into_response(),
        Err(StoreError::NoSuchRun(_)) => error(StatusCode::NOT_FOUND, format!("no run `{id}`")),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

pub(crate) async fn cancel(
    State(service): State<Arc<Service>>,
    Path(id): Path<String>,
) -> Response {
    if let Err(refusal) = whole_id(&id) {
        return refusal.into_response();
    }
    match service.cancel(&id) {
        Some(_) => (
            StatusCode::ACCEPTED,
            Json(json!({"runId": id, "status": "stopping"})),
        )
            .into_response(),
        None if matches!(service.store().find(&id), Err(StoreError::NoSuchRun(_))) => {
            error(StatusCode::NOT_FOUND, format!("no run `{id}`"))
        }
        None => error(
            StatusCode::CONFLICT,
            format!("run `{id}` is not going on here: there is nothing to cancel"),
        ),
    }
}

/// Refuses a request from a web page of another origin (a browser sends `Origin`; one that
/// names another host than the request's is a page elsewhere trying to drive this server),
/// and, without a token, a request whose `Host` is not this machine (DNS rebinding).
pub(crate) fn same_origin(headers: &HeaderMap, token_required: bool) -> Result<(), Refusal> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if !token_required {
        let name = host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                host
            }
        });
        let loopback = name == "localhost"
            || name
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if !loopback {
            return Err(Refusal(
                StatusCode::FORBIDDEN,
                format!("this server answers to 127.0.0.1 and localhost, not `{name}`"),
            ));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        // One that cannot be read is no page of this server's.
        let origin = origin.to_str().unwrap_or("null");
        let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        if origin_host != host {
            return Err(Refusal(
                StatusCode::FORBIDDEN,
                "requests from pages of other origins are refused".to_owned(),
            ));
        }
    }
    Ok(())
}

/// `POST /runs/{id}/resume` query.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ResumeQuery {
    in_doubt: Option<String>,
}

pub(crate) async fn resume(
    State(service): State<Arc<Service>>,
    Path(id): Path<String>,
    query: Result<Query<ResumeQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    use crate::service::ResumeRefused;
    if let Err(refusal) = whole_id(&id) {
        return refusal.into_response();
    }
    let Ok(Query(query)) = query else {
        return error(
            StatusCode::BAD_REQUEST,
            "inDoubt is one of ask, resend, fail",
        );
    };
    let in_doubt = match query.in_doubt.as_deref() {
        None | Some("ask") => telaio_engine::InDoubt::Ask,
        Some("resend") => telaio_engine::InDoubt::Resend,
        Some("fail") => telaio_engine::InDoubt::Fail,
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "inDoubt is one of ask, resend, fail",
            );
        }
    };
    match service.resume(&id, in_doubt) {
        Ok(()) => {
            let mut answer = (
                StatusCode::ACCEPTED,
                Json(json!({"runId": id, "status": "queued"})),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("/runs/{id}")) {
                answer.headers_mut().insert(header::LOCATION, v);
            }
            answer
        }
        Err(e @ ResumeRefused::NotFound(_)) => error(StatusCode::NOT_FOUND, e.to_string()),
        Err(e @ ResumeRefused::Stopping) => error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        Err(e @ ResumeRefused::Busy) => {
            let mut answer = error(StatusCode::TOO_MANY_REQUESTS, e.to_string());
            answer
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            answer
        }
        Err(e @ ResumeRefused::Store(StoreError::Held { .. })) => {
            error(StatusCode::CONFLICT, e.to_string())
        }
        Err(e @ ResumeRefused::Store(_)) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => error(StatusCode::CONFLICT, e.to_string()),
    }
}

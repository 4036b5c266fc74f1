//! `GET /runs/{id}/events`: a run's events as Server-Sent Events, numbered from 1 (the
//! `id:` a client sends back as `Last-Event-ID` to go on after a lost connection), ending
//! with an `end` event that holds the result. A run this server drives is streamed as it
//! goes; any other is its record in the store, replayed: the same events either way, since a
//! run is its journal.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, BoxStream, StreamExt};
use serde_json::{Value, json};
use telaio_engine::{Credentials, Record};
use telaio_store::StoreError;
use tokio::sync::watch;

use crate::api::Refusal;
use crate::live::LiveRun;
use crate::service::{Service, now_ms};

type Events = BoxStream<'static, Result<Event, Infallible>>;

pub(crate) async fn events(
    State(service): State<Arc<Service>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    // What the client saw last: it gets what came after.
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let stream = match service.live(&id) {
        Some(run) => live(run, after),
        None => match recorded(&service, &id) {
            Ok((events, end)) => finished(events, end, after),
            Err(refusal) => return refusal.into_response(),
        },
    };
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn numbered(n: usize, text: &str) -> Event {
    Event::default().id(n.to_string()).data(text)
}

fn end(result: &Value) -> Event {
    Event::default().event("end").data(result.to_string())
}

/// A run going on: what it has done since `after`, then each event as it comes.
fn live(run: Arc<LiveRun>, after: usize) -> Events {
    struct Feed {
        run: Arc<LiveRun>,
        changed: watch::Receiver<(usize, bool)>,
        sent: usize,
        ready: VecDeque<Event>,
        ended: bool,
    }
    let feed = Feed {
        changed: run.subscribe(),
        run,
        sent: after,
        ready: VecDeque::new(),
        ended: false,
    };
    stream::unfold(feed, |mut feed| async move {
        loop {
            if let Some(event) = feed.ready.pop_front() {
                return Some((Ok(event), feed));
            }
            if feed.ended {
                return None;
            }
            // Seen before reading, so that news after the read wakes the wait below.
            feed.changed.borrow_and_update();
            let since = feed.run.since(feed.sent);
            for text in since.events {
                feed.sent += 1;
                feed.ready.push_back(numbered(feed.sent, &text));
            }
            if let Some(result) = since.result {
                feed.ready.push_back(end(&result));
                feed.ended = true;
            } else if feed.ready.is_empty() && feed.changed.changed().await.is_err() {
                feed.ended = true;
            }
        }
    })
    .boxed()
}

/// A run's events replayed from its record, and its result.
fn recorded(service: &Service, id: &str) -> Result<(Vec<String>, Value), Refusal> {
    let not_found = || Refusal(StatusCode::NOT_FOUND, format!("no run `{id}`"));
    let (record, entries) = {
        let store = service.store();
        let record = store.find(id).map_err(|e| match e {
            StoreError::NoSuchRun(_) | StoreError::Ambiguous { .. } => not_found(),
            e => Refusal(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        })?;
        if record.summary.id.as_str() != id {
            return Err(not_found());
        }
        let entries = store
            .entries(&record.summary.id)
            .map_err(|e| Refusal(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        (record, entries)
    };
    let Some(index) = service.catalog().to_replay(&record.header) else {
        return Err(Refusal(
            StatusCode::GONE,
            format!(
                "run `{id}` ran workflow `{}` of a document this server does not serve",
                record.header.workflow_id
            ),
        ));
    };
    let plan = &service.catalog().get(index).plan;
    let redactor = telaio_engine::redactor(
        plan,
        &record.header.inputs,
        &Credentials::default(),
        record.header.show_sensitive,
    );
    let mut events = Vec::new();
    let mut collect = |r: &Record| events.push(serde_json::to_string(r).unwrap_or_default());
    let _ = telaio_engine::replay(plan, &record.header, entries, redactor, &mut collect);
    let result = record.result.unwrap_or_else(|| {
        json!({
            "runId": record.summary.id.as_str(),
            "workflowId": record.summary.workflow_id,
            "status": record.summary.status_now(&service.options().host, now_ms()).as_str(),
            "outputs": {},
            "steps": [],
        })
    });
    Ok((events, result))
}

/// A run that is not going on here: its events after `after`, then its end.
fn finished(events: Vec<String>, result: Value, after: usize) -> Events {
    let numbered: Vec<Result<Event, Infallible>> = events
        .iter()
        .enumerate()
        .skip(after)
        .map(|(i, text)| Ok(numbered(i + 1, text)))
        .chain(std::iter::once(Ok(end(&result))))
        .collect();
    stream::iter(numbered).boxed()
}

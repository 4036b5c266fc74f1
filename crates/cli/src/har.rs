//! A recorded run as an HTTP Archive (HAR 1.2): each request as the run built it (from the
//! replayed events) with the answer its journal recorded, both masked as in the run. Request
//! bodies are not kept by a run (only their size), so an entry has no `postData`.

use serde_json::{Value, json};
use telaio_engine::{Entry, Event, JournalBody, Record};

/// The archive of a run that started at `started_at_ms`, from its events and its journal.
pub(crate) fn har(started_at_ms: u64, events: &[Record], entries: &[Entry]) -> Value {
    let mut answers = entries.iter().filter_map(|e| match e {
        Entry::Response {
            headers,
            body,
            body_bytes,
            ..
        } => Some((headers, body, *body_bytes)),
        _ => None,
    });
    let mut out = Vec::new();
    let mut pending: Option<(&Record, Value)> = None;
    for record in events {
        match &record.event {
            Event::RequestSent {
                method,
                url,
                headers,
                body_bytes,
                ..
            } => {
                let request = json!({
                    "method": method,
                    "url": url,
                    "httpVersion": "HTTP/1.1",
                    "headers": pairs(headers),
                    "queryString": query(url),
                    "cookies": [],
                    "headersSize": -1,
                    "bodySize": body_bytes,
                });
                pending = Some((record, request));
            }
            Event::ResponseReceived {
                status, elapsed_us, ..
            } => {
                let Some((sent, request)) = pending.take() else {
                    continue;
                };
                let (headers, body, size) =
                    answers.next().map_or((Vec::new(), None, 0), |(h, b, s)| {
                        (h.clone(), b.as_ref(), s)
                    });
                let mime = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                    .map_or("", |(_, v)| v.as_str())
                    .to_owned();
                let text = body.map(|b| match b {
                    JournalBody::Json(v) => v.to_string(),
                    JournalBody::Text(t) => t.clone(),
                });
                let millis = *elapsed_us as f64 / 1000.0;
                out.push(json!({
                    "startedDateTime": crate::runs::iso8601(started_at_ms.saturating_add(sent.at_us / 1000)),
                    "time": millis,
                    "request": request,
                    "response": {
                        "status": status,
                        "statusText": "",
                        "httpVersion": "HTTP/1.1",
                        "headers": pairs(&headers),
                        "cookies": [],
                        "content": {"size": size, "mimeType": mime, "text": text},
                        "redirectURL": "",
                        "headersSize": -1,
                        "bodySize": size,
                    },
                    "cache": {},
                    "timings": {"send": 0, "wait": millis, "receive": 0},
                }));
            }
            Event::TransportFailed { reason, .. } => {
                // No answer: the archive says so in its own field for errors.
                if let Some((sent, request)) = pending.take() {
                    out.push(json!({
                        "startedDateTime": crate::runs::iso8601(started_at_ms.saturating_add(sent.at_us / 1000)),
                        "time": 0,
                        "request": request,
                        "response": {
                            "status": 0, "statusText": "", "httpVersion": "", "headers": [],
                            "cookies": [], "content": {"size": 0, "mimeType": ""},
                            "redirectURL": "", "headersSize": -1, "bodySize": -1,
                            "_error": reason,
                        },
                        "cache": {},
                        "timings": {"send": 0, "wait": 0, "receive": 0},
                    }));
                }
            }
            _ => {}
        }
    }
    json!({"log": {
        "version": "1.2",
        "creator": {"name": "telaio", "version": env!("CARGO_PKG_VERSION")},
        "entries": out,
    }})
}

fn pairs(headers: &[(String, String)]) -> Vec<Value> {
    headers
        .iter()
        .map(|(name, value)| json!({"name": name, "value": value}))
        .collect()
}

fn query(url: &str) -> Vec<Value> {
    url::Url::parse(url)
        .map(|u| {
            u.query_pairs()
                .map(|(name, value)| json!({"name": name, "value": value}))
                .collect()
        })
        .unwrap_or_default()
}

//! A fast stand-in for the two Face Liveness operations, for benchmarks: create answers a
//! session id; each session reports IN_PROGRESS for `POLLS` polls, then SUCCEEDED.
//!
//! `cargo run --release -p telaio-engine --example liveness_server -- 18080 1000`

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::{Value, json};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(18080);
    let polls: u64 = args.next().and_then(|p| p.parse().ok()).unwrap_or(1000);
    let next = Arc::new(AtomicU64::new(0));
    let sessions: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
    let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
        let (next, sessions) = (next.clone(), sessions.clone());
        async move {
            let target = headers
                .get("x-amz-target")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let reply = if target.ends_with("CreateFaceLivenessSession") {
                let id = format!("session-{}", next.fetch_add(1, Ordering::Relaxed));
                sessions.lock().unwrap().insert(id.clone(), 0);
                json!({"SessionId": id})
            } else {
                let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let id = request["SessionId"].as_str().unwrap_or_default().to_owned();
                let mut map = sessions.lock().unwrap();
                let seen = map.entry(id.clone()).or_insert(0);
                *seen += 1;
                let status = if *seen > polls {
                    "SUCCEEDED"
                } else {
                    "IN_PROGRESS"
                };
                json!({"SessionId": id, "Status": status, "Confidence": 99.1})
            };
            (
                [("content-type", "application/x-amz-json-1.1")],
                reply.to_string(),
            )
        }
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    eprintln!("listening on http://127.0.0.1:{port}");
    axum::serve(listener, app).await.unwrap();
}

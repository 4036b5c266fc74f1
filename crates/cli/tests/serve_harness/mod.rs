//! What the `telaio serve` tests share: a `telaio mock` of the seed and a `telaio serve` of
//! it against the mock, with a client that checks every answer against the server's own
//! `/openapi.json`.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Child;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{self, Dir, repo};

pub const SEED: &str =
    "examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml";
pub const WORKFLOW: &str = "face-liveness-session";

/// A `telaio mock` of the seed with a scenario, and a `telaio serve` of the seed against it.
pub struct Served {
    pub processes: Vec<Child>,
    pub url: String,
    pub mock_url: String,
    pub mock_log: std::path::PathBuf,
    pub client: reqwest::blocking::Client,
    pub openapi: Value,
}

impl Drop for Served {
    fn drop(&mut self) {
        for p in &mut self.processes {
            let _ = p.kill();
            let _ = p.wait();
        }
    }
}

/// Starts a mock with `scenario` (a file in `d`) and a server of the seed against it.
pub fn served(d: &Dir, scenario: &Path, serve_args: &[&str]) -> Served {
    let mock_log = d.path().join(format!(
        "mock-{}.log",
        scenario.file_stem().unwrap().to_string_lossy()
    ));
    let (mock, mock_url) = support::seed_mock(d.path(), scenario, &mock_log);
    let (serve, url) = serve(d, &mock_url, serve_args);
    // reqwest is built without a default TLS provider (the binary picks one): the test picks
    // ring, as the binary does, though it speaks plain HTTP only.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let openapi: Value = serde_json::from_str(
        &client
            .get(format!("{url}/openapi.json"))
            .send()
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();
    Served {
        processes: vec![serve, mock],
        url,
        mock_url,
        mock_log,
        client,
        openapi,
    }
}

/// Starts `telaio serve` of the seed against the mock at `mock_url`, recording in
/// `d/runs.db`.
pub fn serve(d: &Dir, mock_url: &str, extra: &[&str]) -> (Child, String) {
    let server = format!("rekognitionApi={mock_url}");
    let mut args = vec!["--server", &server, "--poll-interval", "0.05"];
    args.extend_from_slice(extra);
    support::serve_seed(d.path(), &args)
}

impl Served {
    pub fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.url))
            .send()
            .unwrap();
        let status = r.status().as_u16();
        (status, serde_json::from_str(&r.text().unwrap()).unwrap())
    }

    pub fn post(&self, path: &str, body: &Value) -> reqwest::blocking::Response {
        self.client
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .unwrap()
    }

    pub fn start(&self, token: &str) -> String {
        let r = self.post(
            "/runs",
            &json!({"workflowId": WORKFLOW, "inputs": {"clientRequestToken": token}}),
        );
        assert_eq!(r.status().as_u16(), 202);
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let v: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
        self.conforms("Started", &v);
        assert_eq!(location, format!("/runs/{}", v["runId"].as_str().unwrap()));
        v["runId"].as_str().unwrap().to_owned()
    }

    /// Asserts that `value` is valid against the API's schema `name`.
    pub fn conforms(&self, name: &str, value: &Value) {
        let schema = json!({
            "$ref": format!("#/components/schemas/{name}"),
            "components": self.openapi["components"],
        });
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}\n{value}");
    }

    /// The run's events from after `after` to the end (or, with `most`, that many), as
    /// (id, data) pairs, and the `end` event's data when it came.
    pub fn events(
        &self,
        run: &str,
        after: usize,
        most: Option<usize>,
    ) -> (Vec<(usize, Value)>, Option<Value>) {
        let mut request = self.client.get(format!("{}/runs/{run}/events", self.url));
        if after > 0 {
            request = request.header("Last-Event-ID", after.to_string());
        }
        let response = request.send().unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let mut lines = BufReader::new(response).lines();
        let (mut events, mut id, mut name) = (Vec::new(), None, None);
        while let Some(Ok(line)) = lines.next() {
            if let Some(v) = line.strip_prefix("id: ") {
                id = v.parse().ok();
            } else if let Some(v) = line.strip_prefix("event: ") {
                name = Some(v.to_owned());
            } else if let Some(data) = line.strip_prefix("data: ") {
                let data: Value = serde_json::from_str(data).unwrap();
                if name.as_deref() == Some("end") {
                    return (events, Some(data));
                }
                events.push((id.take().expect("every event has an id"), data));
                if most.is_some_and(|m| events.len() >= m) {
                    return (events, None);
                }
            }
        }
        (events, None)
    }

    pub fn count(&self, operation: &str) -> usize {
        support::count(&self.mock_log, operation)
    }
}

pub fn scenario(name: &str) -> std::path::PathBuf {
    repo(&format!("examples/rekognition/scenarios/{name}.yaml"))
}

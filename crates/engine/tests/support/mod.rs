//! Test support: a programmable HTTP server on 127.0.0.1, and a way to run a workflow written
//! inline against it.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use serde_json::Value;
use telaio_engine::{
    Driver, DriverOptions, Event, InputSource, Outcome, Plan, PlanOptions, Record, RunOptions,
    prepare_inputs,
};
use telaio_model::{LoadOptions, Loader};

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Seen {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// What the handler answers.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }
    pub fn with_header(mut self, k: &'static str, v: &str) -> Reply {
        self.headers.push((k, v.to_owned()));
        self
    }
    pub fn after(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
}

type Handler = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

/// A server on 127.0.0.1 that records requests and answers with `handler(request, n)`, where
/// `n` counts the requests so far (0-based).
pub struct Server {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    pub async fn start(handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Server::serve(listener, handler)
    }

    fn serve(
        listener: tokio::net::TcpListener,
        handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let log = seen.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let log = log.clone();
                let handler = handler.clone();
                async move {
                    let request = Seen {
                        method: method.to_string(),
                        path: uri.path().to_owned(),
                        query: uri.query().unwrap_or_default().to_owned(),
                        headers: headers
                            .iter()
                            .map(|(k, v)| {
                                (
                                    k.as_str().to_owned(),
                                    v.to_str().unwrap_or_default().to_owned(),
                                )
                            })
                            .collect(),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    };
                    let n = {
                        let mut l = log.lock().unwrap();
                        l.push(request.clone());
                        l.len() - 1
                    };
                    let reply = handler(&request, n);
                    if !reply.delay.is_zero() {
                        tokio::time::sleep(reply.delay).await;
                    }
                    let mut response =
                        (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
                    for (k, v) in reply.headers {
                        response.headers_mut().insert(k, v.parse().unwrap());
                    }
                    response
                }
            },
        );
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server { url, seen }
    }

    /// A server whose handler needs the server's own URL (to check signatures over it).
    pub async fn start_with<H>(make: impl FnOnce(String) -> H) -> Server
    where
        H: Fn(&Seen, usize) -> Reply + Send + Sync + 'static,
    {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handler = make(url);
        Server::serve(listener, handler)
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// A generic OpenAPI description for the tests' operations.
pub const API: &str = r#"
openapi: 3.0.3
info: {title: Test API, version: '1'}
servers: [{url: 'https://example.invalid/v1'}]
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: tags, in: query, schema: {type: array}}
        - {name: filter, in: query, style: deepObject, explode: true, schema: {type: object}}
        - {name: ids, in: query, explode: false, schema: {type: array}}
      responses: {'200': {description: ok}}
    post:
      operationId: createItem
      responses: {'201': {description: created}}
  /items/{id}:
    get:
      operationId: getItem
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok}}
  /form:
    post:
      operationId: postForm
      responses: {'200': {description: ok}}
  /jobs/{id}:
    get:
      operationId: getJob
      responses: {'200': {description: ok}}
"#;

/// Writes the API and the workflow to a temporary folder and runs `workflow_id` against the
/// server, collecting events.
pub async fn run(
    server: &Server,
    arazzo: &str,
    workflow_id: &str,
    inputs: Vec<(&str, InputSource)>,
    options: RunOptions,
    driver: DriverOptions,
) -> (Outcome, Vec<Event>) {
    let (_dir, doc) = write_inline(arazzo);
    let servers = local_servers(server);
    let given = inputs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    run_loaded(
        Loader::new(LoadOptions::default()),
        &doc,
        servers,
        workflow_id,
        given,
        options,
        Driver::new(driver).unwrap(),
    )
    .await
}

/// Writes the test API (`api.yaml`) and several documents to a temporary folder and runs
/// `workflow_id` of the first against the server (source `api` of every document).
pub async fn run_documents(
    server: &Server,
    files: &[(&str, &str)],
    workflow_id: &str,
    inputs: Value,
) -> (Outcome, Vec<Event>) {
    let dir = write_documents(files);
    let given = json_inputs(inputs);
    run_loaded(
        Loader::new(LoadOptions::default()),
        &dir.path().join(files[0].0),
        local_servers(server),
        workflow_id,
        given,
        fast(),
        Driver::new(DriverOptions::default()).unwrap(),
    )
    .await
}

/// Plans the first of several documents (see [`run_documents`]): every planned workflow's
/// plan id, or the problems, as displayed.
pub fn plan_documents(files: &[(&str, &str)]) -> Result<Vec<String>, Vec<String>> {
    let dir = write_documents(files);
    let url = Loader::url_for_path(&dir.path().join(files[0].0)).unwrap();
    let bundle = Loader::new(LoadOptions::default())
        .load_bundle(&url)
        .unwrap();
    match Plan::compile(&bundle, &PlanOptions::default()) {
        Ok(plan) => Ok(plan.all_workflows().iter().map(|w| w.id.clone()).collect()),
        Err(errors) => Err(errors.iter().map(ToString::to_string).collect()),
    }
}

/// Inputs given as one JSON object.
fn json_inputs(inputs: Value) -> Vec<(String, InputSource)> {
    match inputs {
        Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| (k, InputSource::Json(v)))
            .collect(),
        _ => Vec::new(),
    }
}

fn write_documents(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), API).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// Writes the test API and an inline document to a temporary folder (kept while the guard
/// lives).
fn write_inline(arazzo: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), API).unwrap();
    let doc = dir.path().join("flow.arazzo.yaml");
    std::fs::write(&doc, arazzo).unwrap();
    (dir, doc)
}

/// Source `api` served by the local server.
fn local_servers(server: &Server) -> HashMap<String, String> {
    [("api".to_owned(), format!("{}/v1", server.url))]
        .into_iter()
        .collect()
}

/// Runs a document from disk, with sources substituted (`--source`) and servers overridden
/// (`--server`), collecting events.
pub async fn run_file(
    doc: &Path,
    substitutes: &[(&str, &Path)],
    servers: &[(&str, &str)],
    workflow_id: &str,
    inputs: Value,
) -> (Outcome, Vec<Event>) {
    let mut loader = Loader::new(LoadOptions::default());
    for (name, path) in substitutes {
        loader = loader.substitute_source(name, Loader::url_for_path(path).unwrap());
    }
    let servers = servers
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let given = json_inputs(inputs);
    run_loaded(
        loader,
        doc,
        servers,
        workflow_id,
        given,
        fast(),
        Driver::new(DriverOptions::default()).unwrap(),
    )
    .await
}

async fn run_loaded(
    loader: Loader,
    doc: &Path,
    servers: HashMap<String, String>,
    workflow_id: &str,
    given: Vec<(String, InputSource)>,
    options: RunOptions,
    driver: Driver,
) -> (Outcome, Vec<Event>) {
    let (outcome, events, _) =
        run_journaled(loader, doc, servers, workflow_id, given, options, driver).await;
    (outcome, events)
}

/// Keeps the events a run shows and the journal it writes (each entry as its JSON line).
#[derive(Default)]
struct Kept {
    events: Vec<Event>,
    journal: Vec<String>,
}

impl telaio_engine::Observer for Kept {
    fn event(&mut self, record: &Record) {
        self.events.push(record.event.clone());
    }
    fn journaling(&self) -> bool {
        true
    }
    fn entry(&mut self, entry: &telaio_engine::Entry) -> Result<(), String> {
        self.journal.push(serde_json::to_string(entry).unwrap());
        Ok(())
    }
}

/// [`run_loaded`], keeping the journal too.
async fn run_journaled(
    loader: Loader,
    doc: &Path,
    servers: HashMap<String, String>,
    workflow_id: &str,
    given: Vec<(String, InputSource)>,
    options: RunOptions,
    driver: Driver,
) -> (Outcome, Vec<Event>, Vec<String>) {
    let plan = plan_file(&loader, doc, servers);
    let schema = plan.workflow(workflow_id).unwrap().inputs_schema.clone();
    let inputs = prepare_inputs(schema.as_ref(), given).unwrap_or_else(|e| panic!("{e:#?}"));
    let mut kept = Kept::default();
    let outcome = driver
        .run(&plan, workflow_id, inputs, options, &mut kept)
        .await;
    (outcome, kept.events, kept.journal)
}

/// Loads and plans a document, its sources' servers overridden by name.
pub fn plan_file(loader: &Loader, doc: &Path, servers: HashMap<String, String>) -> Plan {
    let bundle = loader
        .load_bundle(&Loader::url_for_path(doc).unwrap())
        .unwrap();
    Plan::compile(
        &bundle,
        &PlanOptions {
            servers,
            ..PlanOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e:#?}"))
}

/// One `--server`-like override.
pub fn server_for(source: &str, url: &str) -> HashMap<String, String> {
    [(source.to_owned(), url.to_owned())].into_iter().collect()
}

/// Runs `workflow_id` of an inline document (see [`run`]), as a driver always does: masking the
/// secrets its plan and credentials name; with the journal it writes.
pub async fn run_redacted(
    server: &Server,
    arazzo: &str,
    workflow_id: &str,
) -> (Outcome, Vec<Event>, Vec<String>) {
    let (_dir, doc) = write_inline(arazzo);
    let servers = local_servers(server);
    let driver = Driver::new(DriverOptions::default()).unwrap();
    let loader = Loader::new(LoadOptions::default());
    run_journaled(
        loader,
        &doc,
        servers,
        workflow_id,
        Vec::new(),
        fast(),
        driver,
    )
    .await
}

/// Runs `workflow_id` with no polling pause and the default driver.
pub async fn run_fast(
    server: &Server,
    arazzo: &str,
    workflow_id: &str,
    inputs: Vec<(&str, InputSource)>,
) -> (Outcome, Vec<Event>) {
    run(
        server,
        arazzo,
        workflow_id,
        inputs,
        fast(),
        DriverOptions::default(),
    )
    .await
}

/// Fast runs: no polling pause.
pub fn fast() -> RunOptions {
    RunOptions {
        poll_interval: Duration::ZERO,
        ..RunOptions::default()
    }
}

/// The header of an Arazzo document with the test API as source `api`.
pub const HEAD: &str = "arazzo: 1.0.1\ninfo: {title: Test, version: 1.0.0}\nsourceDescriptions:\n  - {name: api, url: ./api.yaml, type: openapi}\n";

/// A whole document: [`HEAD`], then `body` (its `workflows`, `components`).
pub fn doc(body: &str) -> String {
    format!("{HEAD}{body}")
}

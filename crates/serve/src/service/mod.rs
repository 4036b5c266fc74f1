//! The service: starts runs of the served workflows, each recorded in the store as it goes,
//! at most `concurrency` at once and at most `queue` waiting; cancels them; stops them all at
//! a safe point when the server stops; and resumes, when it starts, the runs a stopped server
//! left.

mod resume;

pub use resume::ResumeRefused;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use serde_json::json;
use telaio_engine::{
    Credentials, Driver, DriverLimits, InDoubt, InputSource, JournalHeader, Observer, Record,
    ResumeError, RunOptions, Stop, StopCause,
};
use telaio_store::{Lease, Recorder, RunId, RunStatus, Store};
use tokio::sync::{Semaphore, watch};

use crate::catalog::{Catalog, Choice, Target};
use crate::live::{Feed, LiveRun};

/// How a server runs workflows.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Requests in flight at once, over all runs: a run waits its turn before each request,
    /// and holds no turn while it waits out a poll interval.
    pub concurrency: usize,
    /// Runs that may be under way beyond `concurrency`; past them, a new run is refused
    /// (`429`).
    pub queue: usize,
    /// Each run's limits and pacing.
    pub run: RunOptions,
    /// The driver's limits, as each run's record keeps them.
    pub limits: DriverLimits,
    /// Whether runs show the data APIs mark `x-sensitive`.
    pub show_sensitive: bool,
    /// This machine's name, for the runs' leases.
    pub host: String,
    /// What the runs record as their origin (`serve`): a service that starts again
    /// resumes the runs of its origin that were left, and no others.
    pub origin: String,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            concurrency: 64,
            queue: 10_000,
            run: RunOptions::default(),
            limits: telaio_engine::DriverOptions::default().limits(),
            show_sensitive: false,
            host: "localhost".to_owned(),
            origin: "serve".to_owned(),
        }
    }
}

/// Why a run was not started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// No workflow, or several, answer to the choice.
    #[error(transparent)]
    Choice(#[from] Choice),
    /// The inputs do not fit the workflow's inputs schema: every problem.
    #[error("the inputs do not fit the workflow: {}", .0.join("; "))]
    Inputs(Vec<String>),
    /// As many runs are under way as may be.
    #[error("{0} runs are under way already, as many as this server takes; try again later")]
    Full(usize),
    /// The server is stopping.
    #[error("the server is stopping")]
    Stopping,
    /// The store could not record the run.
    #[error("cannot record the run: {0}")]
    Store(String),
}

/// A run just started.
#[derive(Debug)]
pub struct Started {
    /// Its id.
    pub id: RunId,
    /// What its requests go to.
    pub target: Target,
    /// What it does, as it does it.
    pub feed: Feed,
}

/// The drivers of a service's runs: one for the configured servers, and, when the server
/// offers it, one for the in-process mock (which takes only its own test keys).
pub struct Drivers {
    /// The driver of runs against the configured servers.
    pub servers: Driver,
    /// The driver of runs against the mock.
    pub mock: Option<Driver>,
}

impl From<Driver> for Drivers {
    fn from(servers: Driver) -> Drivers {
        Drivers {
            servers,
            mock: None,
        }
    }
}

/// Workflows as a service.
pub struct Service {
    catalog: Catalog,
    drivers: Drivers,
    /// The credentials the driver has, for masking a run's inputs in its record.
    credentials: Credentials,
    /// One connection, used a moment at a time by every run (SQLite writes one at a time
    /// anyway).
    store: Mutex<Store>,
    options: ServeOptions,
    live: Mutex<HashMap<String, Arc<LiveRun>>>,
    /// `true` once the server stops: runs stop at a safe point, new ones are refused.
    stopping: watch::Sender<bool>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("workflows", &self.catalog.workflows().len())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Now, in milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Service {
    /// A service of `catalog`'s workflows, run by `drivers` (which hold `credentials`),
    /// recorded in `store`.
    pub fn new(
        catalog: Catalog,
        drivers: impl Into<Drivers>,
        credentials: Credentials,
        store: Store,
        options: ServeOptions,
    ) -> Arc<Service> {
        let gate = Arc::new(Semaphore::new(options.concurrency.max(1)));
        let Drivers { servers, mock } = drivers.into();
        Arc::new(Service {
            catalog,
            drivers: Drivers {
                servers: servers.with_gate(gate.clone()),
                mock: mock.map(|d| d.with_gate(gate)),
            },
            credentials,
            store: Mutex::new(store),
            options,
            live: Mutex::new(HashMap::new()),
            stopping: watch::channel(false).0,
        })
    }

    /// The served workflows.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub(crate) fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        // Every use is one statement or one transaction: a panic in one leaves nothing
        // half-done in the connection.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn live(&self, id: &str) -> Option<Arc<LiveRun>> {
        self.live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    pub(crate) fn options(&self) -> &ServeOptions {
        &self.options
    }

    /// Starts a run of the workflow `workflow_id` (of `document`, when ids clash), against
    /// `target` (when it is served against both), with `inputs`: checked, recorded, then
    /// queued for a slot.
    pub fn start(
        self: &Arc<Self>,
        workflow_id: &str,
        document: Option<&str>,
        target: Option<Target>,
        inputs: serde_json::Map<String, Value>,
    ) -> Result<Started, StartError> {
        let index = self.catalog.choose(workflow_id, document, target)?;
        self.start_at(index, inputs)
    }

    /// Starts a run of the catalog's workflow `index` (see [`Catalog::workflows`]) with
    /// `inputs`, as [`Service::start`] does.
    pub fn start_at(
        self: &Arc<Self>,
        index: usize,
        inputs: serde_json::Map<String, Value>,
    ) -> Result<Started, StartError> {
        let served = self.catalog.get(index);
        let given = inputs
            .into_iter()
            .map(|(k, v)| (k, InputSource::Json(v)))
            .collect();
        let inputs = match served.plan.workflow(&served.workflow_id) {
            Some(w) => w.prepare_inputs(given),
            None => Err(vec![format!(
                "the workflow `{}` is not planned",
                served.workflow_id
            )]),
        }
        .map_err(StartError::Inputs)?;
        let id = RunId::new();
        let (live, cancelled) = LiveRun::new(id.clone(), served.workflow_id.clone());
        let live = Arc::new(live);
        self.admit(&live).map_err(|e| match e {
            NotAdmitted::Stopping => StartError::Stopping,
            NotAdmitted::Full(n) | NotAdmitted::Live(n) => StartError::Full(n),
        })?;
        let mut options = self.options.run;
        // A stored run's idempotency keys come from its id, so a resume makes the same ones.
        options.idempotency_seed = Some(id.bytes());
        let redactor = telaio_engine::redactor(
            &served.plan,
            &inputs,
            &self.credentials,
            self.options.show_sensitive,
        );
        let header = served.header(
            id.to_string(),
            redactor.masked_inputs(&inputs),
            options,
            self.options.show_sensitive,
            self.options.limits,
            &self.options.origin,
        );
        let recorder = {
            let lease = self.lease();
            Recorder::begin(&mut self.store(), id.clone(), &header, lease, now_ms())
        };
        let recorder = match recorder {
            Ok(r) => r,
            Err(e) => {
                self.forget(&live);
                return Err(StartError::Store(e.to_string()));
            }
        };
        let feed = Feed::new(live.clone());
        self.spawn(
            index,
            Drive::Start { inputs, options },
            recorder,
            live,
            cancelled,
        );
        Ok(Started {
            target: served.target(),
            id,
            feed,
        })
    }

    /// Drives an admitted run in a task of its own.
    fn spawn(
        self: &Arc<Self>,
        index: usize,
        drive: Drive,
        recorder: Recorder,
        live: Arc<LiveRun>,
        cancelled: tokio::sync::oneshot::Receiver<()>,
    ) {
        let service = self.clone();
        tokio::spawn(async move {
            service
                .execute(index, drive, recorder, live, cancelled)
                .await;
        });
    }

    /// Registers `live` as under way: refused while the server stops, when it drives that
    /// run already, or when as many runs are under way as it takes. Checked and registered
    /// under one lock, so that none of these can change in between.
    fn admit(&self, live: &Arc<LiveRun>) -> Result<(), NotAdmitted> {
        let mut under_way = self.live.lock().unwrap_or_else(|e| e.into_inner());
        if self.is_stopping() {
            return Err(NotAdmitted::Stopping);
        }
        if under_way.contains_key(live.id.as_str()) {
            return Err(NotAdmitted::Live(under_way.len()));
        }
        if under_way.len() >= self.options.concurrency + self.options.queue {
            return Err(NotAdmitted::Full(under_way.len()));
        }
        under_way.insert(live.id.to_string(), live.clone());
        Ok(())
    }

    fn lease(&self) -> Lease {
        Lease::this_process(&self.options.host, now_ms(), telaio_store::LEASE_MS)
    }

    /// Drives the run to its end, recording it.
    async fn execute(
        self: Arc<Self>,
        index: usize,
        drive: Drive,
        recorder: Recorder,
        live: Arc<LiveRun>,
        cancelled: tokio::sync::oneshot::Receiver<()>,
    ) {
        if self.is_stopping() {
            // Stopped before it began: recorded as such, so that a resume knows its first
            // request was never sent, and starts it.
            let mut recorder = recorder;
            let stopped = telaio_engine::Entry::Stopped {
                cause: StopCause::Signal { number: 15 },
                reason: "the server stopped before the run began".to_owned(),
            };
            if let Ok(line) = serde_json::to_string(&stopped) {
                let _ = recorder.append(&mut self.store(), &line, now_ms());
            }
            let _ = recorder.leave(&mut self.store(), RunStatus::Interrupted);
            live.finished(json!({
                "runId": live.id.as_str(),
                "workflowId": live.workflow_id,
                "status": "interrupted",
                "outputs": {},
                "steps": [],
            }));
            self.forget(&live);
            return;
        }
        live.started();
        let served = self.catalog.get(index);
        let mut observer = Recording {
            service: &self,
            recorder,
            live: &live,
            replaying: false,
        };
        let stop = stop_when(self.stopping.subscribe(), cancelled);
        let driver = match (&self.drivers.mock, served.mock) {
            (Some(mock), true) => mock,
            _ => &self.drivers.servers,
        };
        let driven = match drive {
            Drive::Start { inputs, options } => Ok(driver
                .run_until(
                    &served.plan,
                    &served.workflow_id,
                    inputs,
                    options,
                    &mut observer,
                    stop,
                )
                .await),
            Drive::Resume {
                header,
                inputs,
                recorded,
                in_doubt,
            } => {
                driver
                    .resume_until(
                        &served.plan,
                        &header,
                        inputs,
                        recorded,
                        in_doubt,
                        &mut observer,
                        stop,
                    )
                    .await
            }
        };
        let Recording { recorder, .. } = observer;
        let mut store = self.store();
        let result = match driven {
            Ok(outcome) => {
                let interrupted = outcome.stopped.is_some_and(StopCause::interrupts);
                let status = match (interrupted, outcome.succeeded) {
                    (true, _) => RunStatus::Interrupted,
                    (false, true) => RunStatus::Succeeded,
                    (false, false) => RunStatus::Failed,
                };
                let result = telaio_engine::result_json(
                    &outcome,
                    telaio_engine::status_word(&outcome, interrupted),
                    Some(live.id.as_str()),
                    &|e| e.reason.clone(),
                );
                let _ = recorder.finish(&mut store, status, &result, now_ms());
                result
            }
            Err(e) => {
                // Left to a person: a call in doubt, or a journal the workflow no longer
                // fits.
                let status = match e {
                    ResumeError::InDoubt { .. } => RunStatus::InDoubt,
                    ResumeError::Journal(_) => RunStatus::Interrupted,
                };
                let _ = recorder.leave(&mut store, status);
                json!({
                    "runId": live.id.as_str(),
                    "workflowId": live.workflow_id,
                    "status": status.as_str(),
                    "outputs": {},
                    "steps": [],
                    "error": {"stepId": null, "reason": e.to_string()},
                })
            }
        };
        drop(store);
        live.finished(result);
        self.forget(&live);
    }

    /// The run is over here: what it was is in the store.
    fn forget(&self, live: &LiveRun) {
        self.live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(live.id.as_str());
    }

    /// The result of run `id` once it has ended (the JSON `GET /runs/{id}` answers then);
    /// `None` when there is no such run.
    pub async fn result(&self, id: &RunId) -> Option<Value> {
        if let Some(live) = self.live(id.as_str()) {
            let mut changed = live.subscribe();
            // The run's end is the last change it makes.
            let _ = changed.wait_for(|(_, ended)| *ended).await;
            if let Some(result) = live.since(usize::MAX).result {
                return Some(result);
            }
        }
        self.look_up(id.as_str()).ok()
    }

    /// Run `id` (the whole id) as it stands: the shape of `telaio run --output json`'s
    /// result once it ended, its steps so far while it goes on here.
    ///
    /// # Errors
    /// When the store has no such run, or cannot be read.
    pub fn look_up(&self, id: &str) -> Result<Value, telaio_store::StoreError> {
        if let Some(live) = self.live(id) {
            return Ok(live.snapshot());
        }
        let record = self.store().find(id)?;
        if record.summary.id.as_str() != id {
            // `find` takes the start of an id; a caller names a run whole.
            return Err(telaio_store::StoreError::NoSuchRun(id.to_owned()));
        }
        Ok(record.result.unwrap_or_else(|| {
            json!({
                "runId": record.summary.id.as_str(),
                "workflowId": record.summary.workflow_id,
                "status": record.summary.status_now(&self.options.host, now_ms()).as_str(),
                "outputs": {},
                "steps": [],
            })
        }))
    }

    /// Asks a live run to stop at its next safe point: `None` when no such run goes on here.
    pub fn cancel(&self, id: &str) -> Option<bool> {
        self.live(id).map(|run| run.cancel())
    }

    /// Stops taking runs and stops those that go on at their next safe point (a request in
    /// flight is let finish); returns once every run has stopped and been recorded.
    pub async fn shut_down(&self) {
        {
            // Under the lock runs are admitted under: none is admitted after.
            let _admitting = self.live.lock().unwrap_or_else(|e| e.into_inner());
            self.stopping.send_replace(true);
        }
        loop {
            let left = self.live.lock().unwrap_or_else(|e| e.into_inner()).len();
            if left == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Whether the server is stopping.
    pub fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }
}

/// Why a run was not admitted.
pub(crate) enum NotAdmitted {
    /// The server stops.
    Stopping,
    /// As many runs are under way as it takes (how many).
    Full(usize),
    /// It drives this run already.
    Live(usize),
}

/// How a run goes: from its start, or on from its journal.
pub(crate) enum Drive {
    /// A new run with its inputs.
    Start { inputs: Value, options: RunOptions },
    /// A recorded run that goes on.
    Resume {
        header: Box<JournalHeader>,
        inputs: Value,
        recorded: telaio_engine::Recorded,
        in_doubt: InDoubt,
    },
}

/// A stop that comes when the run is cancelled or the server stops.
async fn stop_when(
    mut stopping: watch::Receiver<bool>,
    cancelled: tokio::sync::oneshot::Receiver<()>,
) -> Stop {
    tokio::select! {
        Ok(()) = cancelled => Stop {
            cause: StopCause::Cancelled,
            reason: "cancelled".to_owned(),
        },
        _ = stopping.wait_for(|s| *s) => Stop {
            cause: StopCause::Signal { number: 15 },
            reason: "the server stopped".to_owned(),
        },
    }
}

/// Watches a served run: each entry recorded before the run goes on, each event shown to
/// its streams.
struct Recording<'s> {
    service: &'s Service,
    recorder: Recorder,
    live: &'s LiveRun,
    replaying: bool,
}

impl Observer for Recording<'_> {
    fn event(&mut self, record: &Record) {
        if let (telaio_engine::Event::Waited { millis, .. }, false) =
            (&record.event, self.replaying)
        {
            self.recorder
                .hold_for(&mut self.service.store(), *millis, now_ms());
        }
        self.live.event(record);
    }

    fn journaling(&self) -> bool {
        true
    }

    fn replaying(&mut self, replaying: bool) {
        self.replaying = replaying;
    }

    fn entry(&mut self, entry: &telaio_engine::Entry) -> Result<(), String> {
        let line = serde_json::to_string(entry).map_err(|e| e.to_string())?;
        self.recorder
            .append(&mut self.service.store(), &line, now_ms())
            .map_err(|e| format!("cannot record the run: {e}"))
    }
}

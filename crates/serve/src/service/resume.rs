//! Resuming recorded runs: one a caller asks for (`POST /runs/{id}/resume`), and, when a
//! server starts, every run a server left interrupted (stopped with it, or cut short by a
//! crash). A run goes on with this server's plan of its workflow, its journal fed back first,
//! so what was answered is not asked again; a call in doubt follows the durable-runs rule.

use std::sync::Arc;
use std::time::Duration;

use telaio_engine::{InDoubt, MASK};
use telaio_store::{Holder, Lease, ListFilter, Recorder, RunId, RunStatus, StoreError};

use super::{Drive, NotAdmitted, Service, now_ms};
use crate::live::LiveRun;

/// Why a run was not resumed.
#[derive(Debug, thiserror::Error)]
pub enum ResumeRefused {
    /// No run has that id.
    #[error("no run `{0}`")]
    NotFound(String),
    /// The run is going on, or has ended.
    #[error("run `{id}` is {status}: there is nothing to resume")]
    NotResumable {
        /// The run.
        id: String,
        /// Where it is.
        status: RunStatus,
    },
    /// Its workflow is not served here.
    #[error("run `{0}` ran a workflow this server does not serve")]
    NotServed(String),
    /// It ran against an in-process mock, which ended with its server.
    #[error("run `{0}` ran against an in-process mock, which ended with the server that ran it")]
    Mock(String),
    /// Its document changed since it started.
    #[error("the document of run `{id}` changed since it started ({})", .changes.join(", "))]
    Changed {
        /// The run.
        id: String,
        /// What changed.
        changes: Vec<String>,
    },
    /// Its secret inputs are stored masked, and nobody can give them again here.
    #[error("run `{0}` had secret inputs, which the store keeps masked")]
    SecretInputs(String),
    /// The server stops.
    #[error("the server is stopping")]
    Stopping,
    /// As many runs are under way as the server takes.
    #[error("as many runs are under way as this server takes; try again later")]
    Busy,
    /// The store could not take it up (another process drives it, or the store failed).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Service {
    /// Resumes the recorded run `id`; a call in doubt is decided by `in_doubt`.
    pub fn resume(self: &Arc<Self>, id: &str, in_doubt: InDoubt) -> Result<(), ResumeRefused> {
        if self.live(id).is_some() {
            return Err(ResumeRefused::NotResumable {
                id: id.to_owned(),
                status: RunStatus::Running,
            });
        }
        let record = match self.store().find(id) {
            Ok(r) if r.summary.id.as_str() == id => r,
            Ok(_) | Err(StoreError::NoSuchRun(_) | StoreError::Ambiguous { .. }) => {
                return Err(ResumeRefused::NotFound(id.to_owned()));
            }
            Err(e) => return Err(e.into()),
        };
        let status = record.summary.status_now(&self.options.host, now_ms());
        if !status.resumable() {
            return Err(ResumeRefused::NotResumable {
                id: id.to_owned(),
                status,
            });
        }
        if record.header.mock {
            return Err(ResumeRefused::Mock(id.to_owned()));
        }
        let index = self
            .catalog
            .of_record(&record.header)
            .ok_or_else(|| ResumeRefused::NotServed(id.to_owned()))?;
        let served = self.catalog.get(index);
        let changes = record.header.document.changes(&served.identity);
        if !changes.is_empty() {
            return Err(ResumeRefused::Changed {
                id: id.to_owned(),
                changes,
            });
        }
        if record.header.inputs.to_string().contains(MASK) {
            return Err(ResumeRefused::SecretInputs(id.to_owned()));
        }
        let run = record.summary.id.clone();
        let (live, cancelled) = LiveRun::new(run.clone(), served.workflow_id.clone());
        let live = Arc::new(live);
        self.admit(&live).map_err(|e| match e {
            NotAdmitted::Stopping => ResumeRefused::Stopping,
            NotAdmitted::Full(_) => ResumeRefused::Busy,
            NotAdmitted::Live(_) => ResumeRefused::NotResumable {
                id: id.to_owned(),
                status: RunStatus::Running,
            },
        })?;
        let lease = self.lease();
        let host = self.options.host.clone();
        let taken = self
            .store()
            .take_up(&run, &lease, now_ms(), |owner| Lease::holder(owner, &host));
        let taken = match taken {
            Ok(t) => t,
            Err(e) => {
                self.forget(&live);
                return Err(e.into());
            }
        };
        let seq = u64::try_from(taken.entries.len()).unwrap_or(u64::MAX);
        let recorder = Recorder::resumed(run, seq, lease);
        let inputs = record.header.inputs.clone();
        let drive = Drive::Resume {
            header: Box::new(record.header),
            inputs,
            recorded: telaio_engine::Recorded {
                entries: taken.entries,
                waited: Duration::from_millis(taken.waited_ms),
                interrupted: taken.interrupted,
            },
            in_doubt,
        };
        self.spawn(index, drive, recorder, live, cancelled);
        Ok(())
    }

    /// Resumes every run a service of this origin left: not ended, and not stopped by a
    /// caller (a cancelled run waits to be asked). Each with what came of it.
    pub fn resume_left(self: &Arc<Self>) -> Vec<(RunId, Result<(), ResumeRefused>)> {
        let mut left = Vec::new();
        for status in [RunStatus::Running, RunStatus::Interrupted] {
            let filter = ListFilter {
                status: Some(status),
                limit: usize::MAX,
                ..ListFilter::default()
            };
            let Ok(runs) = self.store().list(&filter) else {
                continue;
            };
            left.extend(runs.into_iter().filter(|r| {
                r.status_now(&self.options.host, now_ms()) == RunStatus::Interrupted
                    && r.lease_owner.as_deref().is_none_or(|owner| {
                        Lease::holder(owner, &self.options.host) != Holder::Alive
                    })
            }));
        }
        let mut resumed = Vec::new();
        for run in left {
            let Ok(record) = self.store().find(run.id.as_str()) else {
                continue;
            };
            if record.header.origin.as_deref() != Some(self.options.origin.as_str()) {
                continue;
            }
            let cancelled = self
                .store()
                .entries(&run.id)
                .ok()
                .and_then(|e| e.last().cloned())
                .is_some_and(|e| {
                    matches!(
                        e,
                        telaio_engine::Entry::Stopped {
                            cause: telaio_engine::StopCause::Cancelled,
                            ..
                        }
                    )
                });
            if cancelled {
                continue;
            }
            let outcome = self.resume(run.id.as_str(), InDoubt::Ask);
            resumed.push((run.id, outcome));
        }
        resumed
    }
}

//! A run the server is driving: its events so far (masked, numbered from 1, as its event
//! stream sends them), its steps so far, and where it is. Once the run ends it leaves the
//! server's memory; what it was is in the store.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use telaio_engine::{Record, StepsSoFar};
use telaio_store::RunId;
use tokio::sync::{oneshot, watch};

/// Where a live run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Waiting for a free slot (`--concurrency`).
    Queued,
    /// Going on.
    Running,
    /// Over: its result is known.
    Finished,
}

impl Phase {
    fn word(self) -> &'static str {
        match self {
            Phase::Queued => "queued",
            Phase::Running => "running",
            Phase::Finished => "finished",
        }
    }
}

#[derive(Debug)]
struct State {
    phase: Phase,
    /// Each event as its stream sends it (the record as JSON).
    events: Vec<std::sync::Arc<str>>,
    /// Each step so far.
    steps: StepsSoFar,
    /// The result, once the run ended.
    result: Option<Value>,
}

/// A run the server is driving.
#[derive(Debug)]
pub(crate) struct LiveRun {
    pub(crate) id: RunId,
    pub(crate) workflow_id: String,
    state: Mutex<State>,
    /// How many events there are, and whether the run ended: streams wait on it.
    changed: watch::Sender<(usize, bool)>,
    /// Asks the run to stop at its next safe point.
    cancel: Mutex<Option<oneshot::Sender<()>>>,
}

/// What a stream reads of a live run past the events it sent.
pub(crate) struct Since {
    /// The events after the one asked for.
    pub(crate) events: Vec<std::sync::Arc<str>>,
    /// The result, when the run ended.
    pub(crate) result: Option<Value>,
}

impl LiveRun {
    /// A queued run, and the receiver its driver stops on when it is cancelled.
    pub(crate) fn new(id: RunId, workflow_id: String) -> (LiveRun, oneshot::Receiver<()>) {
        let (cancel, cancelled) = oneshot::channel();
        let run = LiveRun {
            id,
            workflow_id,
            state: Mutex::new(State {
                phase: Phase::Queued,
                events: Vec::new(),
                steps: StepsSoFar::default(),
                result: None,
            }),
            changed: watch::channel((0, false)).0,
            cancel: Mutex::new(Some(cancel)),
        };
        (run, cancelled)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding it cannot leave the state half-written: every update is a
        // push or an assignment.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The run got its slot.
    pub(crate) fn started(&self) {
        self.state().phase = Phase::Running;
    }

    /// An event of the run (already masked).
    pub(crate) fn event(&self, record: &Record) {
        let text: std::sync::Arc<str> = serde_json::to_string(record).unwrap_or_default().into();
        let count = {
            let mut state = self.state();
            state.steps.see(&record.event);
            state.events.push(text);
            state.events.len()
        };
        self.changed.send_replace((count, false));
    }

    /// The run ended with `result`.
    pub(crate) fn finished(&self, result: Value) {
        let count = {
            let mut state = self.state();
            state.phase = Phase::Finished;
            state.result = Some(result);
            state.events.len()
        };
        self.changed.send_replace((count, true));
    }

    /// Asks the run to stop at its next safe point; `false` when it was asked already.
    pub(crate) fn cancel(&self) -> bool {
        let sender = self.cancel.lock().unwrap_or_else(|e| e.into_inner()).take();
        sender.is_some_and(|s| s.send(()).is_ok())
    }

    /// The events after the first `after`, and the result when the run ended.
    pub(crate) fn since(&self, after: usize) -> Since {
        let state = self.state();
        Since {
            events: state.events.iter().skip(after).cloned().collect(),
            result: state.result.clone(),
        }
    }

    /// Waits for news past `seen` events (or the run's end).
    pub(crate) fn subscribe(&self) -> watch::Receiver<(usize, bool)> {
        self.changed.subscribe()
    }

    /// The run as `GET /runs/{id}` shows it while it goes on: the shape of a result, with
    /// the steps so far.
    pub(crate) fn snapshot(&self) -> Value {
        let state = self.state();
        if let Some(result) = &state.result {
            return result.clone();
        }
        json!({
            "runId": self.id.as_str(),
            "workflowId": self.workflow_id,
            "status": state.phase.word(),
            "outputs": {},
            "steps": state.steps.to_json(),
            "events": state.events.len(),
        })
    }
}

/// What a run did since its follower last looked ([`Feed::next`]).
#[derive(Debug)]
pub struct News {
    /// Its new events, each a record as JSON (masked as in its event stream).
    pub events: Vec<Arc<str>>,
    /// Its result, once it ended.
    pub result: Option<Value>,
}

/// A run's events as they come, to its end: it holds the run, so that news the run makes
/// just before it ends (and leaves the service) is not lost to whoever follows it.
pub struct Feed {
    run: Arc<LiveRun>,
    seen: usize,
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed")
            .field("run", &self.run.id.as_str())
            .field("seen", &self.seen)
            .finish()
    }
}

impl Feed {
    pub(crate) fn new(run: Arc<LiveRun>) -> Feed {
        Feed { run, seen: 0 }
    }

    /// Waits until the run does more than it has told, or ends; then tells its new events
    /// (each a masked record, as JSON) and its result once it ended. After the result, it
    /// tells the result again, at once.
    pub async fn next(&mut self) -> News {
        let mut changed = self.run.subscribe();
        let seen = self.seen;
        let _ = changed
            .wait_for(|(count, ended)| *count > seen || *ended)
            .await;
        let since = self.run.since(self.seen);
        self.seen += since.events.len();
        News {
            events: since.events,
            result: since.result,
        }
    }
}

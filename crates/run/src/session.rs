//! One run in progress, between the machine and whatever supplies its inputs: the driver,
//! from the network, or a journal, on replay. Both go through here, so a replay shows what
//! the run showed by construction.
//!
//! Redaction is one layer here, in front of every observer and of the journal: no observer
//! is handed an event or an entry that was not masked first. No I/O here.

use std::time::Duration;

use serde_json::Value;

use crate::event::{Event, Record};
use crate::journal::{Entry, Stop};
use crate::machine::{Command, Input, Machine, RunOptions, millis};
use crate::redact::Redactor;
use telaio_plan::Plan;

/// What watches a run: progress on a terminal, a trace, a journal, a store.
///
/// Any `FnMut(&Record)` is an observer of events. Everything an observer is handed has
/// been through the run's [`Redactor`].
pub trait Observer: Send {
    /// An event, as it happens.
    fn event(&mut self, record: &Record);

    /// Whether this observer keeps the run's journal ([`Observer::entry`]): only then does
    /// the run make a masked copy of each response for it.
    fn journaling(&self) -> bool {
        false
    }

    /// Whether the events that follow are of a journal fed back (a resume catching up, so
    /// they happened before) rather than happening now.
    fn replaying(&mut self, replaying: bool) {
        let _ = replaying;
    }

    /// A journal entry, before the run goes on: once this returns, the entry is the
    /// observer's to keep. An error stops the run before anything more is sent (a run
    /// whose record cannot be kept does not go on unrecorded).
    fn entry(&mut self, entry: &Entry) -> Result<(), String> {
        let _ = entry;
        Ok(())
    }
}

impl<F: FnMut(&Record) + Send> Observer for F {
    fn event(&mut self, record: &Record) {
        self(record);
    }
}

/// A run between its machine and its observers: what a driver drives. It hands the machine
/// each input, journals it (masked) for an observer that keeps a journal, and shows the
/// events that follow (masked), stamped on the run's clock.
pub struct Session<'p, 'o> {
    machine: Machine<'p>,
    redactor: Redactor,
    observer: &'o mut dyn Observer,
    journaling: bool,
    /// Why the journal could not be written, once it could not.
    journal_failed: Option<String>,
    /// The step whose request is in flight, for the driver's own events.
    step_id: String,
}

impl<'p, 'o> Session<'p, 'o> {
    /// A session for one run of `plan`, masking with `redactor`.
    pub fn new(
        plan: &'p Plan,
        options: RunOptions,
        redactor: Redactor,
        observer: &'o mut dyn Observer,
    ) -> Self {
        Session {
            machine: Machine::new(plan, options),
            redactor,
            journaling: observer.journaling(),
            observer,
            journal_failed: None,
            step_id: String::new(),
        }
    }

    /// Turns journaling off while a recorded journal is fed back (a resume catching up: its
    /// entries are already kept), and on again after, when the observer keeps a journal.
    pub fn set_journaling(&mut self, on: bool) {
        self.journaling = on && self.observer.journaling();
        self.observer.replaying(!on);
    }

    /// What masks the run's secrets, as it knows them now: a driver that records an
    /// exchange away from the session (a durable-execution engine's side effect) masks its
    /// record with a copy.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The step whose request the run asks for now.
    pub fn step_id(&self) -> &str {
        &self.step_id
    }

    /// `text` with every secret the run knows masked (a request's URL for a message).
    pub fn masked(&self, text: &str) -> String {
        self.redactor.text(text)
    }

    /// How long the run has gone on, on its own clock.
    pub fn elapsed(&self) -> Duration {
        self.machine.elapsed()
    }

    /// Starts the run of a workflow with inputs already validated.
    pub fn start(&mut self, workflow_id: &str, inputs: Value) -> Command {
        let command = self.machine.start(workflow_id, inputs);
        self.after(command)
    }

    /// Gives the machine what happened to its last command.
    pub fn resume(&mut self, input: Input) -> Command {
        if let Input::Response { response, .. } = &input
            && let Some(body) = &response.body
        {
            // Before anything shows the body: its sensitive values are masked wherever
            // they turn up later.
            self.redactor.learn_sensitive(&body.value);
        }
        let entry = self
            .journaling
            .then(|| Entry::of_input(&input, self.machine.waiting()));
        let command = self.machine.resume(input);
        // The entry is masked only now: the step that read this response may have passed a
        // value of it into a called workflow's secret input, which the redactor learns here.
        // Nothing is sent in between, so the entry still precedes the next request.
        self.learn_secret_inputs();
        if let Some(entry) = entry {
            self.journal(&entry);
        }
        self.after(command)
    }

    /// Stops the run from outside.
    pub fn stop(&mut self, stop: Stop) -> Command {
        if self.journaling {
            self.journal(&Entry::Stopped {
                cause: stop.cause,
                reason: stop.reason.clone(),
            });
        }
        let mut command = self.machine.stop(stop.reason, stop.cause.limit());
        if let Command::Finished(outcome) = &mut command {
            outcome.stopped = Some(stop.cause);
        }
        self.after(command)
    }

    /// The driver sends the request in flight again. `false` when the journal could not
    /// be written: the driver must then not send it.
    pub fn retried(&mut self, attempt: u32, reason: String, wait: Duration) -> bool {
        if self.journaling {
            self.journal(&Entry::RequestRetried {
                attempt,
                reason: reason.clone(),
                millis: millis(wait),
            });
        }
        let event = Event::RequestRetried {
            step_id: self.step_id.clone(),
            attempt,
            reason,
            millis: millis(wait),
        };
        self.show(&event);
        self.journal_failed.is_none()
    }

    /// The driver fetched an OAuth token (its value is learnt as a secret separately).
    pub fn token_fetched(&mut self, source: String, scheme: String) {
        if self.journaling {
            self.journal(&Entry::TokenFetched { source, scheme });
        }
    }

    /// A credential made for a request (a fetched token, a basic credential): masked from
    /// now on, even where a server echoes it back.
    pub fn learn_secret(&mut self, value: &str) {
        self.redactor.secret(value);
    }

    fn journal(&mut self, entry: &Entry) {
        if self.journal_failed.is_some() {
            return;
        }
        if let Err(e) = self.observer.entry(&self.redactor.entry(entry)) {
            self.journal_failed = Some(e);
        }
    }

    /// Shows the events the last step produced, and stops the run if its journal failed;
    /// a finished run's outcome comes back masked.
    fn after(&mut self, command: Command) -> Command {
        self.flush();
        match (command, self.journal_failed.take()) {
            (Command::Finished(mut outcome), _) => {
                outcome.outputs = self.redactor.outputs(&outcome.outputs);
                outcome.error = self.redactor.run_error(&outcome.error);
                Command::Finished(outcome)
            }
            (command, None) => command,
            (_, Some(why)) => {
                // Nothing more is journaled: the journal is what failed.
                self.journaling = false;
                let stopped = self.machine.stop(
                    format!("the run's journal could not be written, so it stopped: {why}"),
                    None,
                );
                self.after(stopped)
            }
        }
    }

    fn learn_secret_inputs(&mut self) {
        for (workflow, inputs) in self.machine.take_secret_inputs() {
            self.redactor
                .inputs(workflow.inputs_schema.as_ref(), &inputs);
        }
    }

    fn flush(&mut self) {
        self.learn_secret_inputs();
        for event in self.machine.take_events() {
            if let Event::RequestSent { step_id, .. } = &event {
                self.step_id.clone_from(step_id);
            }
            self.show(&event);
        }
    }

    fn show(&mut self, event: &Event) {
        let record = Record {
            at_us: u64::try_from(self.machine.elapsed().as_micros()).unwrap_or(u64::MAX),
            event: self.redactor.event(event),
        };
        self.observer.event(&record);
    }
}

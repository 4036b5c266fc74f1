//! Replaying a journal: its entries fed back to the machine through the same session as the
//! run's, with no I/O, give back the run's events and outcome.

use std::time::Duration;

use telaio_plan::Plan;

use crate::journal::{Entry, EntryKind, JournalHeader, Stop, StopCause};
use crate::machine::{Command, Input, Outcome};
use crate::redact::Redactor;
use crate::session::{Observer, Session};

/// Why a journal could not be replayed to its end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// The workflow no longer takes the path the journal recorded (the document changed,
    /// or a masked secret steered it).
    #[error("entry {entry} records {found}, but here the run {expected}")]
    Mismatch {
        /// The entry's number (1 for the first after the header).
        entry: usize,
        /// What the entry records.
        found: EntryKind,
        /// What the run does at that point.
        expected: Awaiting,
    },
    /// The journal ends before the run did: the run was cut short (a crash, a kill).
    #[error("the journal ends after {entries} entries, before the run did: it was cut short")]
    Unfinished {
        /// How many entries it holds.
        entries: usize,
    },
    /// The run ended, and entries are left over.
    #[error("the run ends at entry {entry}, but the journal goes on")]
    Trailing {
        /// The first entry left over.
        entry: usize,
    },
}

/// What a run awaits when an entry does not fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Awaiting {
    /// It sends a request: a response, a failure, a retry, a token fetch or a stop fits.
    Response,
    /// It waits: the wait's end or a stop fits.
    Wait,
}

impl std::fmt::Display for Awaiting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Awaiting::Response => "sends a request",
            Awaiting::Wait => "waits",
        })
    }
}

/// A replayed run: its outcome, and what stopped it from outside, if anything did.
#[derive(Debug, Clone, PartialEq)]
pub struct Replayed {
    /// The outcome, as the run had it.
    pub outcome: Outcome,
    /// The stop that ended it, when one did (a signal, the deadline).
    pub stopped: Option<StopCause>,
}

/// Replays a journal through the machine, without I/O: the observer sees the events the
/// run's observers saw (the journal's own entries are not written again).
///
/// ```
/// use telaio_run::{JournalHeader, Record, Redactor, ReplayError, replay};
/// # fn f(plan: &telaio_plan::Plan, header: &JournalHeader) {
/// let replayed = replay(plan, header, Vec::new(), Redactor::new(), &mut |r: &Record| {
///     println!("{:?}", r.event)
/// });
/// // A journal with no entry ends before the run's first request.
/// assert!(matches!(replayed, Err(ReplayError::Unfinished { entries: 0 })));
/// # }
/// ```
pub fn replay(
    plan: &Plan,
    header: &JournalHeader,
    entries: impl IntoIterator<Item = Entry>,
    redactor: Redactor,
    observer: &mut dyn Observer,
) -> Result<Replayed, ReplayError> {
    let mut replaying = Replaying(observer);
    let mut session = Session::new(plan, header.options, redactor, &mut replaying);
    let command = session.start(&header.workflow_id, header.inputs.clone());
    let caught = catch_up(&mut session, command, entries)?;
    match caught.command {
        Command::Finished(outcome) => Ok(Replayed {
            outcome,
            stopped: caught.stopped,
        }),
        _ => Err(ReplayError::Unfinished {
            entries: caught.entries,
        }),
    }
}

/// Where a run stands once its journal has been fed back.
#[derive(Debug)]
pub struct CaughtUp {
    /// What the run does next: the request it sends, the wait it waits, or its end.
    pub command: Command,
    /// How many entries were fed.
    pub entries: usize,
    /// The stop that ended it, when one did.
    pub stopped: Option<StopCause>,
}

/// Feeds a journal's entries to a session whose run has just started (`command` is what it
/// asked for first), without I/O: the run is then where it was when the last entry was
/// written. A replay goes on to the end; a resume goes on live from here.
pub fn catch_up(
    session: &mut Session<'_, '_>,
    mut command: Command,
    entries: impl IntoIterator<Item = Entry>,
) -> Result<CaughtUp, ReplayError> {
    let mut stopped = None;
    let mut count = 0;
    for entry in entries {
        count += 1;
        let expected = match &command {
            Command::Finished(_) => return Err(ReplayError::Trailing { entry: count }),
            Command::Send(_) => Awaiting::Response,
            Command::Wait(_) => Awaiting::Wait,
        };
        let found = entry.kind();
        command = match entry {
            Entry::RequestRetried {
                attempt,
                reason,
                millis,
            } if matches!(command, Command::Send(_)) => {
                // Nothing is journaled while catching up, so there is no failure to stop at.
                let _ = session.retried(attempt, reason, Duration::from_millis(millis));
                command
            }
            Entry::TokenFetched { source, scheme } if matches!(command, Command::Send(_)) => {
                session.token_fetched(source, scheme);
                command
            }
            Entry::Stopped { cause, reason } => {
                stopped = Some(cause);
                session.stop(Stop { cause, reason })
            }
            entry @ (Entry::Response { .. } | Entry::TransportFailed { .. })
                if matches!(command, Command::Send(_)) =>
            {
                // Both are inputs; `None` cannot come, and would be a mismatch if it did.
                match entry.into_input() {
                    Some(input) => session.resume(input),
                    None => {
                        return Err(ReplayError::Mismatch {
                            entry: count,
                            found,
                            expected,
                        });
                    }
                }
            }
            Entry::Waited { .. } if matches!(command, Command::Wait(_)) => {
                session.resume(Input::Waited)
            }
            _ => {
                return Err(ReplayError::Mismatch {
                    entry: count,
                    found,
                    expected,
                });
            }
        };
    }
    Ok(CaughtUp {
        command,
        entries: count,
        stopped,
    })
}

/// An observer of a replay: it sees the events, and no entry is journaled again.
struct Replaying<'o>(&'o mut dyn Observer);

impl Observer for Replaying<'_> {
    fn event(&mut self, record: &crate::event::Record) {
        self.0.event(record);
    }
}

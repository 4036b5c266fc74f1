//! # telaio-run: the run core
//!
//! A run as a deterministic machine, without I/O: given a [`telaio_plan::Plan`] and what has
//! happened, [`Machine`] says what to do next ([`Command`]: send a request, wait, finished)
//! and is told what happened ([`Input`]). Time and network never enter here; this crate
//! depends on no async runtime, no HTTP client and no AWS crate (`cargo tree -p telaio-run`).
//!
//! - Every step of a run is an [`Event`], stamped on the run's own clock ([`Record`]).
//! - The [`journal`](Entry) records every input the machine consumed, after a
//!   [`JournalHeader`]; [`replay`] feeds it back and gives the same events and outcome.
//! - [`Observer`]s (progress, traces, journals, stores) watch one stream, and the
//!   [`Redactor`] stands in front of all of them.
//!
//! A driver (`telaio-engine`'s, or a test's scripted one) performs the commands:
//!
//! ```
//! use telaio_run::{Command, Machine, RunOptions};
//! # fn f(plan: &telaio_plan::Plan) {
//! let mut machine = Machine::new(plan, RunOptions::default());
//! match machine.start("poll", serde_json::json!({})) {
//!     Command::Send(request) => println!("send {} {}", request.method, request.url),
//!     Command::Wait(d) => println!("wait {d:?}"),
//!     Command::Finished(outcome) => println!("done: {}", outcome.succeeded),
//! }
//! # }
//! ```
#![deny(missing_docs)]

mod aws_error;
mod doubt;
mod event;
mod http;
mod identity;
mod journal;
mod machine;
mod progress;
mod redact;
mod replay;
mod result;
mod session;

pub use aws_error::{AwsError, aws_error};
pub use doubt::{SafeToResend, aws_read, idempotent_method, safe_to_resend};
pub use event::{ActionKind, Event, Limit, Record, RunError, WaitReason};
pub use http::{LONGEST_RETRY_WAIT, Request, Response};
pub use journal::{
    DocumentIdentity, DriverLimits, Entry, EntryKind, JOURNAL_FORMAT, JournalBody, JournalHeader,
    Loading, Stop, StopCause,
};
pub use machine::{
    Command, DryStep, Input, Machine, Outcome, RunOptions, StepStatus, StepSummary, dry_run,
    seconds,
};
pub use progress::StepsSoFar;
pub use redact::{MASK, Redactor, mask_userinfo};
pub use replay::{Awaiting, CaughtUp, ReplayError, Replayed, catch_up, replay};
pub use result::{result_json, status_word};
pub use session::{Observer, Session};
